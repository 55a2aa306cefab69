package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// causeShaped matches string literals written like a cause ID.
var causeShaped = regexp.MustCompile(`^(client|dns|edge|cdn|upstream)\.[a-z_]+$`)

// TestCauseIDsInCode checks that every cause the packages under internal/
// can name is an ID of the catalog (internal/diagnose, which mirrors
// docs/causes.md): each constant whose name starts with "cause", and every
// string literal written like a cause ID.
func TestCauseIDsInCode(t *testing.T) {
	known := map[string]bool{}
	for _, c := range diagnose.Catalog() {
		known[c.ID] = true
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "internal", "*", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := 0
	for _, name := range files {
		// The probe's error classes ("dns.not_found") are not causes.
		if strings.HasSuffix(name, "_test.go") || filepath.Base(filepath.Dir(name)) == "probe" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok {
				for i, id := range vs.Names {
					if strings.HasPrefix(id.Name, "cause") && i < len(vs.Values) {
						if s, ok := stringLit(vs.Values[i]); ok && !known[s] {
							t.Errorf("%s: %s = %q is not a catalog ID", fset.Position(id.Pos()), id.Name, s)
						}
					}
				}
			}
			if s, ok := stringLit(n); ok && causeShaped.MatchString(s) {
				seen++
				if !known[s] {
					t.Errorf("%s: %q is not a catalog ID", fset.Position(n.Pos()), s)
				}
			}
			return true
		})
	}
	if seen == 0 {
		t.Error("no cause IDs found in the code: the walk found no sources")
	}
}

func stringLit(n ast.Node) (string, bool) {
	lit, ok := n.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}
