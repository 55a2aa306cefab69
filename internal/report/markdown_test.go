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

// TestNotes checks that the notes on what a diagnosis left out reach the
// Markdown and HTML reports, as they reach the text.
func TestNotes(t *testing.T) {
	d := literal(false)
	d.Evidence.Incomplete = []string{"the curl command's request body was not sent: a diagnosis never repeats a form, an order or a payment"}
	for name, render := range map[string]func(*bytes.Buffer) error{
		"markdown": func(b *bytes.Buffer) error { return Markdown(b, d) },
		"html":     func(b *bytes.Buffer) error { return HTML(b, d) },
	} {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		if out := b.String(); !strings.Contains(out, "Notes") || !strings.Contains(out, "request body was not sent") {
			t.Errorf("%s: no notes section with the note in\n%s", name, out)
		}
	}
}
