package diagnose

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// notProse are the string literals outside prose.go that read like words
// but are data, and why.
var notProse = map[string]string{
	"own words": "the name of a kind of evidence, as a claim's String writes it",
	" body.":    "the prefix of the body classes in a hop's Result (\"200 body.truncated\")",
	// The nginx limits step: configuration lines and a command, verbatim.
	`grep -rn 'limit_req\|limit_conn\|return 503' /etc/nginx/`: "a command to run",
	"limit_req zone=perip burst=20 nodelay;":                   "a configuration line",
	"limit_req_status 429;":                                    "a configuration line",
	"limit_conn_status 429;":                                   "a configuration line",
}

// formatVerb matches a verb of a format string, which is not a word.
var formatVerb = regexp.MustCompile(`%[-+# 0-9.*\[\]]*[a-zA-Z%]`)

// wordy reports a literal that reads like words: a space, and at least
// four letters outside format verbs. Glue such as ", " and units such as
// "%d min" are not.
func wordy(s string) bool {
	letters := 0
	for _, r := range formatVerb.ReplaceAllString(s, "") {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return strings.Contains(s, " ") && letters >= 4
}

// TestProseInOneFile checks that the judge's sentences are written in
// prose.go alone, so that rewording what gwdoctor says is done there: a
// literal that reads like words anywhere else in the package fails,
// unless notProse says why it is data.
func TestProseInOneFile(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := map[string]bool{}
	read := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "prose.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		read++
		tags := map[*ast.BasicLit]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			if field, ok := n.(*ast.Field); ok && field.Tag != nil {
				tags[field.Tag] = true // a struct tag is read by encoders, not people
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING || tags[lit] {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !wordy(s) {
				return true
			}
			if _, ok := notProse[s]; ok {
				seen[s] = true
				return true
			}
			t.Errorf("%s: %q reads like prose: name it in prose.go", fset.Position(lit.Pos()), s)
			return true
		})
	}
	if read == 0 {
		t.Fatal("no sources read")
	}
	for s := range notProse {
		if !seen[s] {
			t.Errorf("notProse holds %q, which no longer appears: remove it", s)
		}
	}
}
