package lab

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testGateway is the gateway configuration of the tests: a short response
// timeout keeps the package fast.
var testGateway = GatewayOptions{Response: 500 * time.Millisecond}

// startGo starts a Go gateway in front of u that the test closes at cleanup.
func startGo(t *testing.T, u *Upstream) Gateway {
	t.Helper()
	opts := testGateway
	opts.Dir = t.TempDir()
	g, err := StartGo(context.Background(), u.URL(), opts)
	if err != nil {
		t.Fatalf("StartGo: %v", err)
	}
	t.Cleanup(func() {
		if err := g.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return g
}

func TestGoGateway(t *testing.T) {
	tests := []struct {
		fault    Fault
		opts     UpstreamOptions
		status   int
		body     string
		log      string        // in the "http: proxy error:" line; "" for no such line
		minTaken time.Duration // the gateway's own timeout
	}{
		{fault: Healthy, status: 200, body: HealthyBody},
		{fault: Refused, status: 502, log: "connect: connection refused"},
		{fault: Closed, status: 502, log: "EOF"},
		{fault: Reset, status: 502, log: "connection reset by peer"},
		{fault: Invalid, status: 502, log: `malformed HTTP status code "OOPS"`},
		{fault: HeaderTooBig, status: 502, log: "server response headers exceeded 16384 bytes"},
		{fault: TLS, status: 502, log: "x509: certificate signed by unknown authority"},
		{fault: Timeout, status: 502, log: "timeout awaiting response headers", minTaken: 500 * time.Millisecond},
		{fault: Slow, opts: UpstreamOptions{Delay: 2 * time.Second}, status: 502, log: "timeout awaiting response headers", minTaken: 500 * time.Millisecond},
		{fault: Tarpit, status: 502, log: "timeout awaiting response headers", minTaken: 500 * time.Millisecond},
		{fault: AppError, status: 502, body: AppErrorBody},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			t.Parallel()
			g := startGo(t, startUpstream(t, tt.fault, tt.opts))
			start := time.Now()
			resp, body, err := get(g.URL(), nil, nil)
			took := time.Since(start)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			if resp.StatusCode != tt.status || string(body) != tt.body {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tt.status, tt.body)
			}
			if took < tt.minTaken || took > tt.minTaken+time.Second {
				t.Errorf("answered after %v, want %v to %v", took, tt.minTaken, tt.minTaken+time.Second)
			}
			checkLog(t, g, tt.log)
		})
	}
}

// checkLog checks that the gateway logged exactly one proxy error that
// contains want, or none when want is "".
func checkLog(t *testing.T, g Gateway, want string) {
	t.Helper()
	data, err := os.ReadFile(g.LogPath())
	if err != nil {
		t.Fatalf("reading log: %v", err)
	}
	var lines []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "http: proxy error: ") {
			lines = append(lines, line)
		}
	}
	switch {
	case want == "" && len(lines) > 0:
		t.Errorf("log has %q, want no proxy error", lines)
	case want != "" && (len(lines) != 1 || !strings.Contains(lines[0], want)):
		t.Errorf("log has proxy errors %q, want one with %q", lines, want)
	}
}

func TestGoGatewayIntermittent(t *testing.T) {
	t.Parallel()
	g := startGo(t, startUpstream(t, Intermittent, UpstreamOptions{}))
	for i := 1; i <= 4; i++ {
		resp, _, err := get(g.URL(), nil, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if want := []int{200, 502}[(i+1)%2]; resp.StatusCode != want {
			t.Errorf("request %d: got %d, want %d", i, resp.StatusCode, want)
		}
	}
}

func TestGoGatewayCookieBomb(t *testing.T) {
	t.Parallel()
	s, _ := LookupScenario(string(CookieBomb))
	g := startGo(t, startUpstream(t, CookieBomb, UpstreamOptions{}))
	for _, tt := range []struct {
		header http.Header
		want   int
	}{{nil, 200}, {s.RequestHeader(), 502}, {nil, 200}} {
		resp, _, err := get(g.URL(), tt.header, nil)
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		if resp.StatusCode != tt.want {
			t.Errorf("cookies %v: got %d, want %d", tt.header != nil, resp.StatusCode, tt.want)
		}
	}
	checkLog(t, g, "EOF")
}

// TestGoGatewayEndlessBody checks that the gateway streams a body that
// never ends and that Close still returns promptly.
func TestGoGatewayEndlessBody(t *testing.T) {
	t.Parallel()
	u := startUpstream(t, EndlessBody, UpstreamOptions{})
	g, err := StartGo(context.Background(), u.URL(), GatewayOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(g.URL())
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	defer resp.Body.Close()
	if n, err := io.CopyN(io.Discard, resp.Body, 20<<10); err != nil || resp.StatusCode != 200 {
		t.Errorf("got %d and %d body bytes (%v), want 200 and 20 KiB", resp.StatusCode, n, err)
	}
	start := time.Now()
	if err := g.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Close took %v, want under 1s", took)
	}
}

func TestStartGoOptions(t *testing.T) {
	u := startUpstream(t, Healthy, UpstreamOptions{})
	g, err := StartGo(context.Background(), u.URL(), GatewayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := GatewayTimeouts{Connect: time.Second, Response: 2 * time.Second, MaxHeaderBytes: 16 << 10}
	if got := g.Timeouts(); got != want {
		t.Errorf("Timeouts() = %+v, want %+v", got, want)
	}
	if got := g.Product(); got != "go" {
		t.Errorf("Product() = %q, want go", got)
	}
	if !strings.HasPrefix(g.URL(), "http://127.0.0.1:") || !strings.HasSuffix(g.URL(), "/") {
		t.Errorf("URL() = %q, want http://127.0.0.1:port/", g.URL())
	}
	dir := filepath.Dir(g.LogPath())
	if _, err := os.Stat(g.LogPath()); err != nil {
		t.Errorf("log: %v", err)
	}
	if err := g.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("after Close, stat %s: %v, want it removed", dir, err)
	}

	for _, bad := range []string{"127.0.0.1:80", "ftp://127.0.0.1/", "http://", "%"} {
		if g, err := StartGo(context.Background(), bad, GatewayOptions{}); err == nil {
			g.Close()
			t.Errorf("StartGo(%q): got nil error, want one", bad)
		}
	}
}
