package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/fingerprint"
	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.* from the current output")

// started is when the literal diagnoses began, fixed so that output is
// the same from one run to the next.
var started = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// nginx502 is the page nginx writes when its upstream refuses the connection.
const nginx502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
	"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n"

// nginxTry is the n-th request (from 1) answered by nginx with its 502 page.
func nginxTry(label string, n int) diagnose.Attempt {
	offset := time.Duration(n-1) * 200 * time.Millisecond
	body := []byte(nginx502)
	res := &probe.Result{
		Method: "GET", URL: "https://shop.example/checkout?gwdoctor=d1-" + string(rune('0'+n)),
		Started: started.Add(offset), Addrs: []string{"192.0.2.10"}, Addr: "192.0.2.10:443",
		Timings: probe.Timings{DNS: 1200 * time.Microsecond, Connect: 3400 * time.Microsecond,
			TLS: 12500 * time.Microsecond, TTFB: 3100 * time.Microsecond, Transfer: 100 * time.Microsecond,
			Total: 20300 * time.Microsecond},
		Reached: probe.PhaseComplete,
		TLS:     &probe.TLSInfo{Version: "TLS 1.3", ALPN: "http/1.1", ServerName: "shop.example", Verified: true},
		Response: &probe.Response{Proto: "HTTP/1.1", Status: 502, HeaderBytes: 180,
			Header: http.Header{
				"Server":       {"nginx/1.24.0"},
				"Content-Type": {"text/html"},
				"Set-Cookie":   {"sid=3f9c2a7d41; Path=/; HttpOnly"},
			},
			Body: body, BodyBytes: int64(len(body))},
	}
	fp := fingerprint.Identify(fingerprint.Response{Status: 502, Header: res.Response.Header, Body: body})
	return diagnose.Attempt{Label: label, Offset: offset, Probe: res, Print: &fp}
}

// refusedTry is a request to addr that found nothing listening.
func refusedTry(label, addr string, n int) diagnose.Attempt {
	offset := time.Duration(n-1)*200*time.Millisecond + 100*time.Millisecond
	return diagnose.Attempt{Label: label, Offset: offset, Probe: &probe.Result{
		Method: "GET", URL: "http://shop.example/checkout?gwdoctor=d1-" + string(rune('5'+n)),
		Started: started.Add(offset), Addrs: []string{"10.0.0.5"}, Addr: addr,
		Timings:  probe.Timings{Connect: 200 * time.Microsecond, Total: 200 * time.Microsecond},
		FailedIn: probe.PhaseConnect, Class: probe.ClassRefused,
		Error: "dialing " + addr + ": connect: connection refused",
	}}
}

// literal is a diagnosis of nginx answering 502 three times; with
// upstream, the upstream behind it was asked directly and refused.
func literal(upstream bool) Diagnosis {
	ev := diagnose.Evidence{
		URL:   "https://shop.example/checkout",
		Tries: []diagnose.Attempt{nginxTry("try 1", 1), nginxTry("try 2", 2), nginxTry("try 3", 3)},
		Variants: []diagnose.Variant{{Name: diagnose.VariantNoCache,
			Change:  "Cache-Control: no-cache, Pragma: no-cache and a unique query parameter",
			Attempt: nginxTry(diagnose.VariantNoCache, 4)}},
	}
	ev.Variants[0].Attempt.Probe.URL = "https://shop.example/checkout?_gwdoctor_nocache=1&gwdoctor=d1-4"
	if upstream {
		ev.UpstreamAddr = "10.0.0.5:8080"
		for i := 1; i <= 3; i++ {
			ev.Upstream = append(ev.Upstream, refusedTry("upstream try "+string(rune('0'+i)), ev.UpstreamAddr, i))
		}
	}
	return Diagnosis{ID: "d1", URL: ev.URL, Started: started, Duration: 623400 * time.Microsecond,
		Evidence: ev, Verdict: diagnose.Judge(ev)}
}

// withConfig adds the route through an nginx configuration and a finding.
func withConfig(d Diagnosis) Diagnosis {
	d.Route = &gwconfig.Route{
		Gateway:  "nginx",
		URL:      d.URL,
		Server:   gwconfig.Block{Name: "server_name shop.example", File: "/etc/nginx/sites-enabled/shop", Line: 3},
		Location: gwconfig.Block{Name: "location /checkout", File: "/etc/nginx/sites-enabled/shop", Line: 12},
		Target:   "http://app", Protocol: gwconfig.ProtoHTTP,
		Upstreams: []gwconfig.Upstream{
			{Group: "app", Network: "tcp", Addr: "10.0.0.5:8080", Weight: 1},
			{Group: "app", Network: "tcp", Addr: "10.0.0.6:8080", Weight: 1, Backup: true},
		},
		Settings: []gwconfig.Setting{
			{Name: "proxy_connect_timeout", Value: "60s", Duration: time.Minute, Default: true},
			{Name: "proxy_read_timeout", Value: "5s", Duration: 5 * time.Second, File: "/etc/nginx/sites-enabled/shop", Line: 14},
		},
	}
	d.Findings = []gwconfig.Finding{{Severity: gwconfig.Error, Code: "nginx.upstream_refused", Cause: "upstream.refused",
		File: "/etc/nginx/nginx.conf", Line: 40, Directive: "server 10.0.0.5:8080;",
		Message: "the only upstream server refuses connections", Fix: "server 10.0.0.5:8080 max_fails=3;"}}
	return d
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update after a deliberate change)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	in := http.Header{
		"Set-Cookie":          {"sid=3f9c2a7d41; Path=/; HttpOnly", "theme=dark"},
		"Cookie":              {"sid=3f9c2a7d41; theme=dark"},
		"Authorization":       {"Bearer abc.def"},
		"Proxy-Authorization": {"Basic dXNlcjpwdw=="},
		"X-Api-Key":           {"k-123"},
		"X-Auth-Token":        {"t-456"},
		"Server":              {"nginx/1.24.0"},
		"Content-Type":        {"text/html"},
	}
	orig := in.Clone()
	got := Redact(in)
	want := http.Header{
		"Set-Cookie":          {"sid=[redacted 32 bytes]", "theme=[redacted 10 bytes]"},
		"Cookie":              {"sid=[redacted 26 bytes]"},
		"Authorization":       {"[redacted 14 bytes]"},
		"Proxy-Authorization": {"[redacted 18 bytes]"},
		"X-Api-Key":           {"[redacted 5 bytes]"},
		"X-Auth-Token":        {"[redacted 5 bytes]"},
		"Server":              {"nginx/1.24.0"},
		"Content-Type":        {"text/html"},
	}
	for k, vs := range want {
		if !slices.Equal(got[k], vs) {
			t.Errorf("%s: got %q, want %q", k, got[k], vs)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d headers, want %d", len(got), len(want))
	}
	for k, vs := range orig {
		if !slices.Equal(in[k], vs) {
			t.Errorf("input %s changed to %q, want %q", k, in[k], vs)
		}
	}
	if Redact(nil) != nil {
		t.Errorf("Redact(nil) is not nil")
	}
}

func TestDocument(t *testing.T) {
	t.Parallel()
	d := literal(true)
	doc := NewDocument(d)
	if doc.SchemaVersion != 1 {
		t.Errorf("schema_version = %d, want 1", doc.SchemaVersion)
	}
	v := doc.Verdict
	if v.Cause != d.Verdict.Cause || v.Status != 502 || v.Persistence != string(diagnose.Persistent) || v.GeneratedBy.Product != "nginx" {
		t.Errorf("verdict %s %d %s %s, want %s 502 %s nginx", v.Cause, v.Status, v.Persistence, v.GeneratedBy.Product,
			d.Verdict.Cause, diagnose.Persistent)
	}
	if len(doc.Tries) != 3 || len(doc.Variants) != 1 || doc.Upstream == nil || len(doc.Upstream.Tries) != 3 {
		t.Fatalf("got %d tries, %d variants, upstream %v; want 3, 1 and 3 upstream tries", len(doc.Tries), len(doc.Variants), doc.Upstream)
	}
	if got := doc.Tries[1].OffsetMS; got != 200 {
		t.Errorf("try 2 offset_ms = %v, want 200", got)
	}
	if got := doc.Tries[0].Response.Header.Get("Set-Cookie"); got != "sid=[redacted 32 bytes]" {
		t.Errorf("Set-Cookie in the document = %q, want it redacted", got)
	}
	if got := d.Evidence.Tries[0].Probe.Response.Header.Get("Set-Cookie"); strings.Contains(got, "redacted") {
		t.Errorf("the evidence itself was redacted: %q", got)
	}

	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Tries []struct {
			Timings map[string]float64 `json:"timings"`
		} `json:"tries"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if got := raw.Tries[0].Timings; got["ttfb_ms"] != 3.1 || got["tls_ms"] != 12.5 || got["total_ms"] != 20.3 {
		t.Errorf("try 1 timings = %v, want ttfb_ms 3.1, tls_ms 12.5, total_ms 20.3", got)
	}
	golden(t, "upstream_refused.golden.json", append(b, '\n'))
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	long := bytes.Repeat([]byte("<p>upstream said no</p>\n"), 400)
	a := nginxTry("try 1", 1)
	a.Probe.Response.Body, a.Probe.Response.BodyBytes = long, int64(len(long))
	got := attempt(a).Response
	if len(got.BodyExcerpt) != excerptBytes || got.BodyBytes != int64(len(long)) {
		t.Errorf("excerpt of %d bytes, body_bytes %d; want %d and %d", len(got.BodyExcerpt), got.BodyBytes, excerptBytes, len(long))
	}
	// A cap that cuts a multi-byte character, or a binary body, still
	// gives valid JSON text.
	for _, body := range [][]byte{append(bytes.Repeat([]byte("a"), excerptBytes-1), "é"...), {0xff, 0xfe, 'x'}} {
		if got := excerpt(body); !utf8.ValidString(got) {
			t.Errorf("excerpt(%q...) = %q, not valid UTF-8", body[:3], got)
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		d    Diagnosis
		opts TextOptions
		want string // a line the output must contain
	}{
		{"nginx_502.golden.txt", literal(false), TextOptions{}, "EVIDENCE"},
		{"nginx_502.verbose.golden.txt", literal(false), TextOptions{Verbose: true}, "REQUESTS"},
		{"upstream_refused.golden.txt", literal(true), TextOptions{}, "PATH"},
		{"config.golden.txt", withConfig(literal(true)), TextOptions{}, "CONFIGURATION"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := Text(&b, tc.d, tc.opts); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if !strings.Contains(out, "\n"+tc.want+"\n") {
				t.Errorf("no %s section in\n%s", tc.want, out)
			}
			if strings.Contains(out, "\x1b[") {
				t.Errorf("escape sequences with Color off")
			}
			if strings.Contains(out, "3f9c2a7d41") {
				t.Errorf("the session cookie's value is in the report")
			}
			golden(t, tc.file, b.Bytes())
		})
	}
}

func TestTextColor(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	d := literal(false)
	if err := Text(&b, d, TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if want := "\x1b[1;31m" + string(d.Verdict.Cause) + "\x1b[0m"; !strings.Contains(b.String(), want) {
		t.Errorf("the failed cause is not red: want %q in\n%q", want, b.String())
	}
}

// TestTextOrigin checks that the requests to the origin are counted and
// listed with the others.
func TestTextOrigin(t *testing.T) {
	t.Parallel()
	d := literal(false)
	d.Evidence.OriginAddr = "203.0.113.9:443"
	d.Evidence.Origin = []diagnose.Attempt{refusedTry("origin try 1", d.Evidence.OriginAddr, 1)}
	var b bytes.Buffer
	if err := Text(&b, d, TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if want := "5 requests in 623.4ms"; !strings.Contains(b.String(), want) {
		t.Errorf("want %q in\n%s", want, b.String())
	}
	if want := "origin try 1 GET"; !strings.Contains(b.String(), want) {
		t.Errorf("want %q among the requests in\n%s", want, b.String())
	}
}
