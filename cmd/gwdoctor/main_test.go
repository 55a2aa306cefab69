package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/lab"
)

var update = flag.Bool("update", false, "rewrite golden files")

// gwdoctor runs the command in-process and returns its exit code and output.
func gwdoctor(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, streams{in: strings.NewReader(""), out: &out, err: &errb})
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad scheme", []string{"diagnose", "ftp://shop.example/"}, "bad address"},
		{"not a URL", []string{"diagnose", "shop example"}, "bad address"},
		{"no host", []string{"diagnose", "http:///path"}, "bad address"},
		{"empty label", []string{"diagnose", "shop..example"}, "bad address"},
		{"bad port", []string{"diagnose", "shop.example:99999"}, "bad address"},
		{"shorthand junk", []string{"shop..example/cart"}, "bad address"},
		{"no URL", []string{"diagnose"}, "exactly one address"},
		{"two URLs", []string{"diagnose", "http://a/", "http://b/"}, "exactly one address"},
		{"unknown flag", []string{"diagnose", "--frobnicate", "http://a/"}, "unknown flag"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"bad header", []string{"diagnose", "-H", "NoColon", "http://a/"}, "bad header"},
		{"bad resolve", []string{"diagnose", "--resolve", "a:80", "http://a/"}, "bad --resolve"},
		{"bad resolve addr", []string{"diagnose", "--resolve", "a:80:nope", "http://a/"}, "not an IP address"},
		{"bad timeout", []string{"diagnose", "--timeout", "-1s", "http://a/"}, "--timeout must be positive"},
		{"bad timeout syntax", []string{"diagnose", "--timeout", "soon", "http://a/"}, "invalid argument"},
		{"bad tries", []string{"diagnose", "--tries", "0", "http://a/"}, "--tries"},
		{"bad upstream", []string{"diagnose", "--upstream", "nowhere", "http://a/"}, "bad --upstream"},
		{"bad cookie", []string{"diagnose", "--cookie", "novalue", "http://a/"}, "bad cookie"},
		{"unknown scenario", []string{"lab", "--scenario", "nope"}, "unknown scenario"},
		{"unknown gateway", []string{"lab", "--gateway", "nope"}, "unknown gateway"},
		{"bad origin port", []string{"diagnose", "http://127.0.0.1/", "--origin", "10.0.0.1:99999"}, "bad --origin"},
		{"bad origin", []string{"diagnose", "http://127.0.0.1/", "--origin", "http://x/"}, "bad --origin"},
		{"unknown setup", []string{"lab", "--setup", "nope"}, "unknown setup"},
		{"unknown report format", []string{"diagnose", "http://127.0.0.1/", "--format-out", "pdf"}, "unknown --format-out"},
		{"bad DNS server", []string{"diagnose", "http://127.0.0.1/", "--dns-compare", "not a server"}, "bad --dns-compare"},
		{"bad DNS server to resolve with", []string{"diagnose", "http://127.0.0.1/", "--dns-server", "a/b"}, "bad --dns-server"},
		{"unknown log format", []string{"diagnose", "http://127.0.0.1/", "--log-format", "nope", "--log", "x.log"}, "unknown --log-format"},
		{"lab serve unknown fault", []string{"lab", "serve", "--fault", "nope"}, "unknown fault"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := gwdoctor(t, tc.args...)
			if code != exitUsage {
				t.Errorf("exit code = %d, want %d", code, exitUsage)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "gwdoctor: ") || !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr = %q, want one line with %q", errOut, tc.want)
			}
		})
	}
}

// freeAddr returns a loopback address where nothing listens.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestUnreachableHost(t *testing.T) {
	t.Parallel()
	code, out, _ := gwdoctor(t, "--json", "http://"+freeAddr(t)+"/")
	if code != exitFailure {
		t.Fatalf("exit code = %d, want %d", code, exitFailure)
	}
	var doc struct {
		Verdict struct {
			Cause  string
			Status int
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if doc.Verdict.Cause != "edge.unreachable" || doc.Verdict.Status != 0 {
		t.Errorf("verdict = %+v, want edge.unreachable with status 0", doc.Verdict)
	}
}

// TestLabScenarios diagnoses every lab fault through the Go gateway.
func TestLabScenarios(t *testing.T) {
	t.Parallel()
	for _, sc := range lab.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			res, err := runScenario(context.Background(), sc, "go")
			if err != nil {
				t.Fatal(err)
			}
			v := res.Diagnosis.Verdict
			if v.Cause != sc.Want || v.Persistence != sc.WantPersistence {
				t.Fatalf("verdict = %s/%s, want %s/%s\nevidence: %+v", v.Cause, v.Persistence, sc.Want, sc.WantPersistence, res.Diagnosis.Evidence)
			}
			wantProduct := "go"
			switch sc.Fault {
			case lab.AppError:
				wantProduct = "application"
			case lab.Truncated:
				// Go's proxy had buffered the head when the body broke
				// off, so it aborts the connection with nothing sent.
				wantProduct = "unknown"
			}
			if sc.Fault != lab.Healthy && v.GeneratedBy.Product != wantProduct {
				t.Errorf("generated by %s, want %s", v.GeneratedBy.Product, wantProduct)
			}
			if sc.Fault == lab.CookieBomb && (len(v.Culprits) != 1 || v.Culprits[0] != "Cookie: "+lab.DefaultCookie) {
				t.Errorf("culprits = %v, want the %s cookie alone", v.Culprits, lab.DefaultCookie)
			}
		})
	}
}

var volatile = []struct {
	re  *regexp.Regexp
	rep string
}{
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:PORT"},
	{regexp.MustCompile(`\(id [0-9a-f]+\)`), "(id ID)"},
	{regexp.MustCompile(`gwdoctor=[0-9a-f]+-\d+`), "gwdoctor=ID"},
	{regexp.MustCompile(`\d+(\.\d+)? ?(ms|s|µs)\b`), "T"},
	{regexp.MustCompile(`try \d`), "try N"},
}

func normalize(s string) string {
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.rep)
	}
	return s
}

// TestDiagnoseText checks the text report end to end against golden files.
func TestDiagnoseText(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"refused", "app_error", "cookie_bomb"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			run, sc := startScenario(t, name, lab.GatewayOptions{})
			args := []string{"diagnose", strings.TrimSuffix(run.Gateway.URL(), "/") + "/checkout", "--upstream", run.Upstream.URL()}
			for k, vs := range sc.RequestHeader() {
				for _, v := range vs {
					args = append(args, "-H", k+": "+v)
				}
			}
			code, out, errOut := gwdoctor(t, args...)
			if code != exitFailure {
				t.Fatalf("exit code = %d, want %d; stderr %q", code, exitFailure, errOut)
			}
			got := normalize(out)
			golden := filepath.Join("testdata", "diagnose_"+name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("reading golden file (run go test -update): %v", err)
			}
			if got != string(want) {
				t.Errorf("text report differs from %s (run go test ./cmd/gwdoctor -update to accept):\n%s", golden, got)
			}
		})
	}
}

func TestDiagnoseJSON(t *testing.T) {
	t.Parallel()
	run, _ := startScenario(t, "app_error", lab.GatewayOptions{})
	target := strings.TrimSuffix(run.Gateway.URL(), "/") + "/checkout"
	code, out, _ := gwdoctor(t, target, "--json")
	if code != exitFailure {
		t.Fatalf("exit code = %d, want %d", code, exitFailure)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if doc["schema_version"] != float64(1) || doc["url"] != target {
		t.Errorf("schema_version/url = %v/%v", doc["schema_version"], doc["url"])
	}
	v := doc["verdict"].(map[string]any)
	gen := v["generated_by"].(map[string]any)
	if v["cause"] != "upstream.app_error" || v["persistence"] != "persistent" || v["status"] != float64(502) ||
		gen["role"] != "application" || gen["product"] != "application" {
		t.Errorf("verdict = %v", v)
	}
	tries := doc["tries"].([]any)
	if len(tries) != 3 {
		t.Fatalf("%d tries, want 3", len(tries))
	}
	first := tries[0].(map[string]any)
	if !strings.Contains(first["url"].(string), "gwdoctor=") {
		t.Errorf("try URL %v is not tagged", first["url"])
	}
	if _, ok := first["timings"].(map[string]any)["ttfb_ms"]; !ok {
		t.Errorf("try has no ttfb_ms timing: %v", first["timings"])
	}
	for _, k := range []string{"evidence", "ruled_out", "steps"} {
		if _, ok := doc[k].([]any); !ok {
			t.Errorf("%s missing or not a list", k)
		}
	}
}

// TestTarpitRespectsTimeout: an upstream that drips its head or never ends
// its body must not keep a diagnosis past --timeout.
func TestTarpitRespectsTimeout(t *testing.T) {
	t.Parallel()
	for _, f := range []lab.Fault{lab.Tarpit, lab.EndlessBody, lab.Timeout} {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			u, err := lab.StartUpstream(context.Background(), f, lab.UpstreamOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer u.Close()
			const budget = 2 * time.Second
			start := time.Now()
			code, _, errOut := gwdoctor(t, "diagnose", "--timeout", budget.String(), "--json", u.URL()+"/", "--upstream", u.Addr)
			took := time.Since(start)
			if code != exitFailure && code != exitOK {
				t.Errorf("exit code = %d (%s), want a verdict", code, errOut)
			}
			if took > budget+time.Second {
				t.Errorf("diagnosis took %v with --timeout %v", took, budget)
			}
		})
	}
}

func TestShorthandAndHelp(t *testing.T) {
	t.Parallel()
	code, out, _ := gwdoctor(t, "--help")
	if code != exitOK || !strings.Contains(out, "Exit codes") {
		t.Errorf("--help: code %d, output lacks exit codes:\n%s", code, out)
	}
	code, _, errOut := gwdoctor(t, "https://", "--json")
	if code != exitUsage || !strings.Contains(errOut, "bad address") {
		t.Errorf("shorthand with bad URL: code %d, stderr %q", code, errOut)
	}
}

// TestDiagnoseMarkdown: --format-out markdown prints a document to attach
// to a ticket, with the verdict, the path and the requests.
func TestDiagnoseMarkdown(t *testing.T) {
	t.Parallel()
	run, _ := startScenario(t, "refused", lab.GatewayOptions{})
	code, out, stderr := gwdoctor(t, "diagnose", "--format-out", "markdown", run.Gateway.URL()+"checkout", "--upstream", run.Upstream.URL())
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	for _, want := range []string{"# gwdoctor diagnosis of `http://127.0.0.1:", "**`upstream.refused`**", "\n## Path\n", "\n## Evidence\n", "\n## What to do now\n", "\n## Requests\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

// TestDiagnoseHTML: --format-out html prints a self-contained page.
func TestDiagnoseHTML(t *testing.T) {
	t.Parallel()
	run, _ := startScenario(t, "refused", lab.GatewayOptions{})
	code, out, stderr := gwdoctor(t, "diagnose", "--format-out", "html", run.Gateway.URL()+"checkout", "--upstream", run.Upstream.URL())
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	for _, want := range []string{"<!DOCTYPE html>", "<title>gwdoctor diagnosis of http://127.0.0.1:", "upstream.refused", "</html>"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "<script") {
		t.Error("the page has a script")
	}
}

// startScenario starts the lab scenario called name with opts and stops it
// when the test ends.
func startScenario(t *testing.T, name string, opts lab.GatewayOptions) (*lab.Running, lab.Scenario) {
	t.Helper()
	sc, ok := lab.LookupScenario(name)
	if !ok {
		t.Fatalf("no scenario %s", name)
	}
	r, err := lab.StartScenario(context.Background(), sc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, sc
}

// startSetup starts the lab setup called name in dir and stops it when the
// test ends.
func startSetup(t *testing.T, name, dir string) (*lab.Stack, lab.Setup) {
	t.Helper()
	su, ok := lab.LookupSetup(name)
	if !ok {
		t.Fatalf("no setup %s", name)
	}
	st, err := su.Start(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, su
}

// TestRunJobs checks that lab jobs run at most parallel at a time and
// come back in job order, and that an error stops the rest.
func TestRunJobs(t *testing.T) {
	var mu sync.Mutex
	running, most := 0, 0
	job := func(name string, d time.Duration, err error) func(context.Context) (labResult, error) {
		return func(ctx context.Context) (labResult, error) {
			mu.Lock()
			running++
			most = max(most, running)
			mu.Unlock()
			defer func() {
				mu.Lock()
				running--
				mu.Unlock()
			}()
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return labResult{}, ctx.Err()
			}
			return labResult{Scenario: name}, err
		}
	}
	jobs := []func(context.Context) (labResult, error){
		job("a", 60*time.Millisecond, nil), job("b", 10*time.Millisecond, nil), job("c", 30*time.Millisecond, nil),
		job("d", 0, nil), job("e", 20*time.Millisecond, nil),
	}
	var got []string
	if err := runJobs(context.Background(), jobs, 2, func(r labResult) { got = append(got, r.Scenario) }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "") != "abcde" || most > 2 {
		t.Errorf("results %v with at most %d at once, want abcde with at most 2", got, most)
	}

	boom := errors.New("boom")
	got = nil
	jobs = []func(context.Context) (labResult, error){job("a", 0, nil), job("b", 0, boom), job("c", time.Minute, nil)}
	start := time.Now()
	err := runJobs(context.Background(), jobs, 3, func(r labResult) { got = append(got, r.Scenario) })
	if !errors.Is(err, boom) || strings.Join(got, "") != "a" || time.Since(start) > 10*time.Second {
		t.Errorf("err %v, results %v after %v; want boom after a, at once", err, got, time.Since(start))
	}
}

// dirGateway is a fakeGateway that names the directory of its
// configuration files, as the lab's programs do.
type dirGateway struct {
	fakeGateway
	dir string
}

func (g dirGateway) Dir() string { return g.dir }

// fakeGateway is a lab.Gateway with only a product and a log path.
type fakeGateway struct{ product, log string }

func (g fakeGateway) Product() string               { return g.product }
func (g fakeGateway) URL() string                   { return "http://127.0.0.1:1/" }
func (g fakeGateway) Timeouts() lab.GatewayTimeouts { return lab.GatewayTimeouts{} }
func (g fakeGateway) LogPath() string               { return g.log }
func (g fakeGateway) Close() error                  { return nil }

// TestConfigFlag: lab serve hands the gateway's configuration on, for the
// products whose configuration gwdoctor reads.
func TestConfigFlag(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "haproxy.cfg"), "global\n")
	caddyDir := t.TempDir()
	writeFile(t, filepath.Join(caddyDir, "Caddyfile"), ":80 {\n}\n")
	varnishDir := t.TempDir()
	writeFile(t, filepath.Join(varnishDir, "default.vcl"), "vcl 4.1;\n")
	squidDir := t.TempDir()
	lighttpdDir := t.TempDir()
	writeFile(t, filepath.Join(lighttpdDir, "lighttpd.conf"), "server.port = 80\n")
	writeFile(t, filepath.Join(squidDir, "squid.conf"), "http_port 3128 accel\n")
	for _, tc := range []struct {
		g    lab.Gateway
		want string
	}{
		{fakeGateway{"haproxy", filepath.Join(dir, "haproxy.out")}, "--haproxy-config " + filepath.Join(dir, "haproxy.cfg")},
		{fakeGateway{"nginx", filepath.Join(dir, "error.log")}, ""}, // no nginx.conf there
		{fakeGateway{"caddy", filepath.Join(dir, "caddy.log")}, ""}, // no Caddyfile there
		{fakeGateway{"caddy", filepath.Join(caddyDir, "error.log")}, "--caddy-config " + filepath.Join(caddyDir, "Caddyfile")},
		// Varnish has no log file: its configuration is found in its directory.
		{dirGateway{fakeGateway{"varnish", ""}, varnishDir}, "--varnish-config " + filepath.Join(varnishDir, "default.vcl")},
		{fakeGateway{"varnish", ""}, ""},
		{fakeGateway{"squid", filepath.Join(varnishDir, "cache.log")}, ""}, // no squid.conf there
		{fakeGateway{"squid", filepath.Join(squidDir, "cache.log")}, "--squid-config " + filepath.Join(squidDir, "squid.conf")},
		{fakeGateway{"lighttpd", filepath.Join(squidDir, "error.log")}, ""}, // no lighttpd.conf there
		{fakeGateway{"lighttpd", filepath.Join(lighttpdDir, "error.log")}, "--lighttpd-config " + filepath.Join(lighttpdDir, "lighttpd.conf")},
	} {
		if got := configFlag(tc.g); got != tc.want {
			t.Errorf("configFlag(%s) = %q, want %q", tc.g.Product(), got, tc.want)
		}
	}
}

// TestVersion: --version prints one line and exits 0.
func TestVersion(t *testing.T) {
	code, out, stderr := gwdoctor(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "gwdoctor ") || strings.Count(out, "\n") != 1 || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want one line starting with gwdoctor", code, out, stderr)
	}
}
