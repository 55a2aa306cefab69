package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestMarkdown renders the literal diagnoses as Markdown and compares them
// with goldens (go test ./internal/report -update).
func TestMarkdown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		d    Diagnosis
		want string // a heading the output must contain
	}{
		{"nginx_502.golden.md", literal(false), "## Evidence"},
		{"upstream_refused.golden.md", literal(true), "## Path"},
		{"config.golden.md", withConfig(literal(true)), "## Configuration"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := Markdown(&b, tc.d); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if !strings.Contains(out, "\n"+tc.want+"\n") {
				t.Errorf("no %q in\n%s", tc.want, out)
			}
			if strings.Contains(out, "3f9c2a7d41") {
				t.Errorf("the session cookie's value is in the report")
			}
			golden(t, tc.file, b.Bytes())
		})
	}
}

func TestMarkdownEscapes(t *testing.T) {
	for _, tc := range []struct{ in, text, code string }{
		{"a|b", `a\|b`, "`a\\|b`"},
		{"<script>", "&lt;script&gt;", "`<script>`"},
		{"x`y", "x\\`y", "``x`y``"},
		{"`edge", "\\`edge", "`` `edge ``"},
		{"", "", ""},
	} {
		if got := mdText(tc.in); got != tc.text {
			t.Errorf("mdText(%q) = %q, want %q", tc.in, got, tc.text)
		}
		if got := mdCode(tc.in); got != tc.code {
			t.Errorf("mdCode(%q) = %q, want %q", tc.in, got, tc.code)
		}
	}
}
