package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// TestHTML renders the literal diagnoses as HTML and compares them with
// goldens (go test ./internal/report -update).
func TestHTML(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		d    Diagnosis
		want string // a heading the output must contain
	}{
		{"nginx_502.golden.html", literal(false), "<h2>Evidence</h2>"},
		{"upstream_refused.golden.html", literal(true), "<h2>Path</h2>"},
		{"config.golden.html", withConfig(literal(true)), "<h2>Configuration</h2>"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := HTML(&b, tc.d); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if !strings.Contains(out, "\n"+tc.want+"\n") {
				t.Errorf("no %q in\n%s", tc.want, out)
			}
			if want := "<title>gwdoctor diagnosis of https://shop.example/checkout</title>"; !strings.Contains(out, want) {
				t.Errorf("no %q in\n%s", want, out)
			}
			if strings.Contains(out, "3f9c2a7d41") {
				t.Errorf("the session cookie's value is in the report")
			}
			if !strings.Contains(out, "Set-Cookie: sid=[redacted 32 bytes]") {
				t.Errorf("the redacted Set-Cookie header is not among the response heads")
			}
			golden(t, tc.file, b.Bytes())
		})
	}
}

// TestHTMLEscapes puts markup in the diagnosis's text and checks that it
// comes out as text.
func TestHTMLEscapes(t *testing.T) {
	t.Parallel()
	const script = "<script>alert(1)</script>"
	for _, tc := range []struct {
		name   string
		change func(*Diagnosis)
		raw    string // must not be in the output
		want   string // must be in the output
	}{
		{"finding", func(d *Diagnosis) {
			d.Verdict.Evidence = append(d.Verdict.Evidence, diagnose.Finding{Source: "try 1", Text: "the page says " + script})
		}, script, "the page says &lt;script&gt;alert(1)&lt;/script&gt;"},
		{"url", func(d *Diagnosis) { d.URL = `https://shop.example/a"b<c` },
			`a"b<c`, "gwdoctor diagnosis of https://shop.example/a&#34;b&lt;c</title>"},
		{"url in a heading", func(d *Diagnosis) { d.URL = `https://shop.example/a"b<c` },
			`a"b<c`, "<code>https://shop.example/a&#34;b&lt;c</code></h1>"},
		{"header", func(d *Diagnosis) { d.Evidence.Tries[0].Probe.Response.Header.Set("X-Note", script) },
			script, "X-Note: &lt;script&gt;alert(1)&lt;/script&gt;"},
		{"step line", func(d *Diagnosis) {
			d.Verdict.Steps = append(d.Verdict.Steps, diagnose.Step{Who: `operator" onclick="x`, Text: "run", Lines: []string{"echo '</code></pre>" + script + "'"}})
		}, script, "echo &#39;&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;"},
		{"who", func(d *Diagnosis) {
			d.Verdict.Steps = append(d.Verdict.Steps, diagnose.Step{Who: `operator" onclick="x`, Text: "run"})
		}, `onclick="x`, `<span class="badge other">operator&#34; onclick=&#34;x</span>`},
		{"fix", func(d *Diagnosis) { d.Findings[0].Fix = script }, script, "Write: <code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := withConfig(literal(true))
			tc.change(&d)
			var b bytes.Buffer
			if err := HTML(&b, d); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if strings.Contains(out, tc.raw) {
				t.Errorf("%q is in the output unescaped", tc.raw)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("no %q in\n%s", tc.want, out)
			}
		})
	}
}

// TestHTMLSelfContained checks that the page runs nothing and fetches
// nothing.
func TestHTMLSelfContained(t *testing.T) {
	t.Parallel()
	hostile := withConfig(literal(true))
	hostile.URL = `https://shop.example/<script>alert(1)</script>`
	hostile.Verdict.Evidence = append(hostile.Verdict.Evidence, diagnose.Finding{Source: "try 1", Text: "<script>alert(1)</script>"})
	for _, tc := range []struct {
		name string
		d    Diagnosis
	}{
		{"nginx_502", literal(false)},
		{"upstream_refused", literal(true)},
		{"config", withConfig(literal(true))},
		{"hostile", hostile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := HTML(&b, tc.d); err != nil {
				t.Fatal(err)
			}
			out := strings.ToLower(b.String())
			for _, bad := range []string{"<script", "http-equiv", "src=", "href=", "url(", "@import", "<link", "<iframe", "<img"} {
				if strings.Contains(out, bad) {
					t.Errorf("%q in the output", bad)
				}
			}
			if !strings.Contains(out, `<meta name="generator" content="gwdoctor">`) {
				t.Errorf("no generator meta element")
			}
		})
	}
}

func TestVerdictTone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cause       diagnose.Cause
		persistence diagnose.Persistence
		want        string
	}{
		{diagnose.OK, diagnose.NoFailure, "ok"},
		{diagnose.UpstreamRefused, diagnose.Persistent, "fail"},
		{diagnose.UpstreamClosed, diagnose.Intermittent, "warn"},
		{diagnose.UpstreamTimeout, diagnose.Recovered, "warn"},
		{diagnose.Unknown, "", "fail"},
	} {
		v := diagnose.Verdict{Cause: tc.cause, Persistence: tc.persistence}
		if got := verdictTone(v); got != tc.want {
			t.Errorf("verdictTone(%s, %s) = %q, want %q", tc.cause, tc.persistence, got, tc.want)
		}
	}
}
