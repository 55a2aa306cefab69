package diagnose

import (
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/fingerprint"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// TestStepsFillPlaceholders checks that the lines of the steps carry the
// diagnosis's own names and addresses where it knows them.
func TestStepsFillPlaceholders(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   Evidence
		want string
	}{
		{"upstream unreachable", Evidence{URL: "http://shop.example/cart?x=1", Tries: three(resp("try", 502, time.Second, goProxy, noRead)),
			UpstreamAddr: "http://10.0.0.5:8080", Upstream: three(fail("upstream try", probe.ClassConnectTimeout, probe.PhaseConnect, time.Second))},
			"nc -vz -w 3 10.0.0.5 8080"},
		{"upstream truncated", Evidence{URL: "http://shop.example/cart?x=1", Tries: three(fail("try", probe.ClassClosed, probe.PhaseHeaders, time.Millisecond)),
			UpstreamAddr: "10.0.0.5:8080", Upstream: func() []Attempt {
				a := resp("upstream try", 200, time.Millisecond, app, noRead)
				a.Probe.Class = probe.ClassBodyTruncated
				return three(a)
			}()},
			"http://10.0.0.5:8080/cart"},
		{"site name", Evidence{URL: "https://shop.example/", Tries: three(fail("try", probe.ClassDNSNotFound, probe.PhaseDNS, time.Millisecond))},
			"dig +trace shop.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(tc.ev)
			var lines []string
			for _, s := range v.Steps {
				lines = append(lines, s.Lines...)
			}
			if all := strings.Join(lines, "\n"); !strings.Contains(all, tc.want) {
				t.Errorf("verdict %s: steps lack %q:\n%s", v.Cause, tc.want, all)
			}
		})
	}
}

// TestStepsFastCGI: behind nginx's fastcgi_pass, the lines are fastcgi_*.
func TestStepsFastCGI(t *testing.T) {
	a := resp("upstream try", 200, time.Millisecond, app, noRead)
	a.Probe.Response.HeaderBytes = 8388
	v := Judge(Evidence{URL: "http://blog.example/", Tries: three(resp("try", 502, time.Millisecond, nginx, noRead)),
		UpstreamAddr: "fcgi:unix:/run/php/php8.2-fpm.sock", Upstream: three(a)})
	var lines []string
	for _, s := range v.Steps {
		lines = append(lines, s.Lines...)
	}
	all := strings.Join(lines, "\n")
	if v.Cause != UpstreamHeaderTooBig || !strings.Contains(all, "fastcgi_buffer_size 32k;") || strings.Contains(all, "proxy_buffer_size") {
		t.Errorf("verdict %s, lines:\n%s\nwant header_too_big with fastcgi_buffer_size and no proxy_buffer_size", v.Cause, all)
	}
}

func TestStepsNameProductSettings(t *testing.T) {
	ev := Evidence{URL: "http://shop.example/", Tries: three(resp("try", 504, 60*time.Second, nginx, fingerprint.Reading{Cause: catalog.UpstreamTimeout}))}
	v := Judge(ev)
	var lines []string
	visitorPayment := false
	for _, s := range v.Steps {
		lines = append(lines, s.Lines...)
		if s.Who == "visitor" && strings.Contains(s.Text, "payment") {
			visitorPayment = true
		}
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{"proxy_read_timeout", "request_terminate_timeout", "max_execution_time"} {
		if !strings.Contains(all, want) {
			t.Errorf("steps for nginx upstream.timeout lack %q:\n%s", want, all)
		}
	}
	if !visitorPayment {
		t.Error("no visitor step warns against resubmitting a payment")
	}
}

// TestRetryAfter: a failing response that says when to come back is read,
// and the visitor is told when.
func TestRetryAfter(t *testing.T) {
	started := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	with := func(status int, retry string) Evidence {
		a := resp("try", status, 5*time.Millisecond, app, fingerprint.Reading{Cause: catalog.UpstreamAppError})
		a.Probe.Started = started
		a.Probe.Response.Header.Set("Retry-After", retry)
		return Evidence{URL: "https://shop.example/", Tries: three(a)}
	}
	for _, tc := range []struct {
		name     string
		ev       Evidence
		first    string // the first step's text, "" when no Retry-After step
		note     string
		operator string // a step an operator gets, "" for none expected
	}{
		{"seconds", with(503, "120"), "The site says it expects to be back in 2 min (Retry-After): try again then.", "Retry-After: 120", ""},
		{"HTTP date", with(503, "Thu, 26 Nov 2026 12:00:00 GMT"), "The site says it expects to be back in 3 h (Retry-After): try again then.", "in 3 h", ""},
		{"with a 502", with(502, "30"), "The site says it expects to be back in 30 s (Retry-After): try again then.", "in 30 s", "answer 503 with it"},
		{"garbage", with(503, "soon"), "", `neither seconds nor an HTTP date: "soon"`, ""},
		{"a week", with(503, "604800"), "", "168 h from now", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(tc.ev)
			first := ""
			if len(v.Steps) > 0 && strings.Contains(v.Steps[0].Text, "Retry-After") {
				first = v.Steps[0].Text
			}
			if first != tc.first {
				t.Errorf("first step %q, want %q", first, tc.first)
			}
			if !hasFinding(v, tc.note) {
				t.Errorf("no finding mentions %q: %+v", tc.note, v.Evidence)
			}
			op := false
			for _, s := range v.Steps {
				op = op || (s.Who == "operator" && tc.operator != "" && strings.Contains(s.Text, tc.operator))
			}
			if op != (tc.operator != "") {
				t.Errorf("operator step with %q: %v", tc.operator, op)
			}
		})
	}
}

// TestEdgeTLSCertificate: a refused certificate is described, expiry
// measured against the probe's own time, and the summary keeps "TLS".
func TestEdgeTLSCertificate(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	a := fail("try", probe.ClassTLSCert, probe.PhaseTLS, 10*time.Millisecond)
	a.Probe.Started = at
	a.Probe.TLS = &probe.TLSInfo{ServerName: "shop.example", VerifyError: "x509: certificate has expired or is not yet valid",
		Chain: []probe.Cert{{Subject: "CN=shop.example", Issuer: "CN=R11,O=Let's Encrypt,C=US", DNSNames: []string{"shop.example"},
			NotBefore: at.AddDate(0, -3, -3), NotAfter: at.AddDate(0, 0, -3)}}}
	v := Judge(Evidence{URL: "https://shop.example/", Tries: three(a)})
	if v.Cause != EdgeTLS || !strings.Contains(v.Summary, ": TLS with the site fails.") {
		t.Errorf("verdict %s, summary %q", v.Cause, v.Summary)
	}
	want := "CN=shop.example, issued by CN=R11,O=Let's Encrypt,C=US, for shop.example, valid 2026-08-23 to 2026-11-23 (expired 72 h ago)"
	if !hasFinding(v, want) {
		t.Errorf("no finding says %q: %+v", want, v.Evidence)
	}
	if len(v.Steps) == 0 || !strings.Contains(v.Steps[0].Text, "do not go past the warning") {
		t.Errorf("first step %+v, want the warning not to be clicked through", v.Steps)
	}
	var lines []string
	for _, s := range v.Steps {
		lines = append(lines, s.Lines...)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "openssl s_client -connect shop.example:443 -servername shop.example") {
		t.Errorf("lines %q, want openssl on the site's port", lines)
	}
}

// TestStepsOnPlatform: behind a managed platform, the operator's first
// step is the platform's own log and state, and no step asks for the
// gateway's host; a failure in front of the platform keeps its own steps.
func TestStepsOnPlatform(t *testing.T) {
	fill := strings.NewReplacer()
	for _, tc := range []struct {
		cause   catalog.Cause
		product string
		first   string // the first operator step starts so; "" for no platform step
	}{
		{Upstream, "heroku", "On Heroku"},
		{UpstreamNoneHealthy, "render", "On Render"},
		{UpstreamAppError, "fly", "On Fly.io"},
		{Unknown, "aws_alb", "The load balancer's access log"},
		{Upstream, "nginx", ""},
		{CDNOriginUnreachable, "heroku", ""},
	} {
		t.Run(string(tc.cause)+"/"+tc.product, func(t *testing.T) {
			var ops []Step
			for _, s := range steps(Verdict{Cause: tc.cause, Persistence: Persistent}, tc.product, false, fill) {
				if s.Who == "operator" {
					ops = append(ops, s)
				}
			}
			if len(ops) == 0 {
				t.Fatal("no operator step")
			}
			platform := strings.HasPrefix(ops[0].Text, tc.first) && tc.first != ""
			if tc.first != "" && !platform {
				t.Errorf("first operator step %q, want one starting %q", ops[0].Text, tc.first)
			}
			for _, s := range ops {
				onHost := strings.Contains(s.Text, "gateway host") || strings.Contains(s.Text, "gateway's error log") || strings.Contains(s.Text, "gateway's logs")
				if tc.first != "" && onHost {
					t.Errorf("step %q asks for the gateway's host on %s", s.Text, tc.product)
				}
				if tc.first == "" && strings.HasPrefix(s.Text, "On ") {
					t.Errorf("platform step %q for %s", s.Text, tc.cause)
				}
			}
		})
	}
}
