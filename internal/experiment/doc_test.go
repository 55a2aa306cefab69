package experiment

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocs fails when the package or one of its exported names has no doc
// comment, or when a doc comment does not start with the name it documents.
func TestDocs(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	hasPkgDoc := false
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		hasPkgDoc = hasPkgDoc || f.Doc != nil
		for _, decl := range f.Decls {
			checkDecl(t, fset, decl)
		}
	}
	if !hasPkgDoc {
		t.Errorf("package experiment has no doc comment")
	}
}

func checkDecl(t *testing.T, fset *token.FileSet, decl ast.Decl) {
	t.Helper()
	switch d := decl.(type) {
	case *ast.FuncDecl:
		if d.Name.IsExported() && (d.Doc == nil || !strings.HasPrefix(d.Doc.Text(), d.Name.Name+" ")) {
			t.Errorf("%s: func %s: doc must start with %q", fset.Position(d.Pos()), d.Name.Name, d.Name.Name)
		}
	case *ast.GenDecl:
		for _, spec := range d.Specs {
			var names []*ast.Ident
			var doc *ast.CommentGroup
			switch s := spec.(type) {
			case *ast.TypeSpec:
				names, doc = []*ast.Ident{s.Name}, s.Doc
			case *ast.ValueSpec:
				names, doc = s.Names, s.Doc
			}
			if doc == nil {
				doc = d.Doc // a grouped declaration documented as a whole
			}
			for _, n := range names {
				if n.IsExported() && doc == nil {
					t.Errorf("%s: %s has no doc comment", fset.Position(n.Pos()), n.Name)
				}
			}
		}
	}
}
