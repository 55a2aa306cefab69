package logscan

import (
	"bufio"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// catalog is the list of cause IDs in docs/causes.md, the public contract.
var catalog = []string{
	"ok", "client.request_state", "client.dns", "client.network", "dns.failure",
	"edge.unreachable", "edge.tls", "cdn.origin_unreachable", "cdn.origin_timeout",
	"cdn.origin_tls", "cdn.origin_invalid", "cdn.internal", "upstream",
	"upstream.refused", "upstream.permission", "upstream.unreachable", "upstream.dns",
	"upstream.timeout", "upstream.closed", "upstream.invalid_response",
	"upstream.header_too_big", "upstream.tls", "upstream.none_healthy",
	"upstream.overloaded", "upstream.truncated", "upstream.app_error", "unknown",
}

// TestCausesAreCatalogued checks every cause the package can emit: each
// cause constant, and every string literal that starts like a cause ID,
// must be a catalog ID.
func TestCausesAreCatalogued(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	consts := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := goparser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok {
				for i, id := range vs.Names {
					if strings.HasPrefix(id.Name, "cause") && i < len(vs.Values) {
						consts++
						checkCause(t, fset, vs.Values[i], true)
					}
				}
			}
			if lit, ok := n.(*ast.BasicLit); ok {
				checkCause(t, fset, lit, false)
			}
			return true
		})
	}
	if consts != nCauses {
		t.Errorf("found %d cause constants, want nCauses = %d", consts, nCauses)
	}
	for _, c := range allCauses {
		if !slices.Contains(catalog, c) {
			t.Errorf("allCauses holds %q", c)
		}
	}
}

func checkCause(t *testing.T, fset *token.FileSet, e ast.Expr, mustBeCause bool) {
	t.Helper()
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		if mustBeCause {
			t.Errorf("%s: a cause constant must be a string literal", fset.Position(e.Pos()))
		}
		return
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		t.Fatal(err)
	}
	looksLike := strings.HasPrefix(s, "upstream.") && !strings.ContainsAny(s, " :/")
	if (mustBeCause || looksLike) && !slices.Contains(catalog, s) {
		t.Errorf("%s: %q is not a cause ID of docs/causes.md", fset.Position(lit.Pos()), s)
	}
}

// TestCatalogMatchesDocs compares the list above with the table of
// docs/causes.md when the shared docs are beside the repository.
func TestCatalogMatchesDocs(t *testing.T) {
	f, err := os.Open("../../../shared/docs/causes.md")
	if err != nil {
		t.Skip("docs/causes.md is not beside the repository")
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "| `"); ok {
			if id, _, ok := strings.Cut(rest, "`"); ok {
				ids = append(ids, id)
			}
		}
	}
	for _, c := range allCauses {
		if !slices.Contains(ids, c) {
			t.Errorf("%q is not in the ID table of docs/causes.md", c)
		}
	}
}
