package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageDocs fails when a package under internal/ has no package doc
// comment, or when one of its exported names has no doc comment starting
// with that name.
func TestPackageDocs(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "..", "internal", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) { checkPackageDocs(t, dir) })
	}
}

func checkPackageDocs(t *testing.T, dir string) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
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
			for _, miss := range undocumented(decl) {
				t.Errorf("%s: %s has no doc comment starting with its name", fset.Position(decl.Pos()), miss)
			}
		}
	}
	if !hasPkgDoc {
		t.Errorf("package %s has no doc comment", filepath.Base(dir))
	}
}

// undocumented lists the exported names declared by decl whose doc comment
// is missing or does not start with the name (after an article). Methods count when their
// receiver's type is exported; names in a grouped declaration may share
// the group's comment.
func undocumented(decl ast.Decl) []string {
	starts := func(doc *ast.CommentGroup, name string) bool {
		if doc == nil {
			return false
		}
		text := doc.Text()
		for _, article := range []string{"", "A ", "An ", "The "} {
			if strings.HasPrefix(text, article+name+" ") {
				return true
			}
		}
		return false
	}
	var out []string
	switch d := decl.(type) {
	case *ast.FuncDecl:
		if !d.Name.IsExported() || (d.Recv != nil && !exportedRecv(d.Recv)) {
			return nil
		}
		if !starts(d.Doc, d.Name.Name) {
			out = append(out, d.Name.Name)
		}
	case *ast.GenDecl:
		for _, spec := range d.Specs {
			switch s := spec.(type) {
			case *ast.TypeSpec:
				if s.Name.IsExported() && !starts(s.Doc, s.Name.Name) && !starts(d.Doc, s.Name.Name) {
					out = append(out, s.Name.Name)
				}
			case *ast.ValueSpec:
				for _, n := range s.Names {
					if n.IsExported() && s.Doc == nil && d.Doc == nil && s.Comment == nil {
						out = append(out, n.Name)
					}
				}
			}
		}
	}
	return out
}

func exportedRecv(fl *ast.FieldList) bool {
	if len(fl.List) == 0 {
		return false
	}
	typ := fl.List[0].Type
	if st, ok := typ.(*ast.StarExpr); ok {
		typ = st.X
	}
	if ix, ok := typ.(*ast.IndexExpr); ok {
		typ = ix.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}
