package catalog

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// causeShaped matches string literals written like a cause ID.
var causeShaped = regexp.MustCompile(`^(client|dns|edge|cdn|upstream)\.[a-z_]+$`)

// TestCauseIDsInCode checks that every string literal written like a cause
// ID in the other packages under internal/ is an ID of the catalog: the
// packages take their IDs from here, and a literal that slipped in must at
// least be a real one.
func TestCauseIDsInCode(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "*", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	read := 0
	for _, name := range files {
		// The probe's error classes ("dns.not_found") are not causes.
		dir := filepath.Base(filepath.Dir(name))
		if strings.HasSuffix(name, "_test.go") || dir == "probe" || dir == "catalog" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		read++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && causeShaped.MatchString(s) && !Cause(s).Known() {
				t.Errorf("%s: %q is not a catalog ID", fset.Position(n.Pos()), s)
			}
			return true
		})
	}
	if read == 0 {
		t.Error("no sources read: the walk found no packages")
	}
}
