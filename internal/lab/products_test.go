package lab

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var record = flag.Bool("record", false, "write each failing product response to ../fingerprint/testdata/real/")

// productStatus is the status each real program answers for each fault, as
// observed with the configurations the lab writes (0: the answer is not
// HTTP). It is the ground truth of the product × fault table in the README.
// varies marks a fault whose status changes from one request to the next:
// Varnish streams a body that breaks off as a 200 when it has begun to
// deliver it, and answers 503 when the fetch failed first.
const varies = -1

var productStatus = map[string]map[Fault]int{
	"nginx": {Healthy: 200, Refused: 502, Closed: 502, Reset: 502, Invalid: 0, HeaderTooBig: 502,
		Timeout: 504, AppError: 502, TLS: 502, Truncated: 200, Unreachable: 504},
	"haproxy": {Healthy: 200, Refused: 503, Closed: 502, Reset: 502, Invalid: 502, HeaderTooBig: 502,
		Timeout: 504, AppError: 502, TLS: 503, Truncated: 200, Unreachable: 503},
	"apache": {Healthy: 200, Refused: 503, Closed: 502, Reset: 502, Invalid: 200, HeaderTooBig: 200,
		Timeout: 502, AppError: 502, TLS: 500, Truncated: 200, Unreachable: 503},
	"caddy": {Healthy: 200, Refused: 502, Closed: 502, Reset: 502, Invalid: 502, HeaderTooBig: 200,
		Timeout: 504, AppError: 502, TLS: 502, Truncated: 200, Unreachable: 502},
	"varnish": {Healthy: 200, Refused: 503, Closed: 503, Reset: 503, Invalid: 503, HeaderTooBig: 503,
		Timeout: 503, AppError: 502, Truncated: varies, Unreachable: 503},
	"squid": {Healthy: 200, Refused: 502, Closed: 502, Reset: 502, Invalid: 502, HeaderTooBig: 200,
		Timeout: 504, AppError: 502, TLS: 502, Truncated: 200, Unreachable: 502},
	"lighttpd": {Healthy: 200, Refused: 503, Closed: 500, Reset: 500, Invalid: 502, HeaderTooBig: 200,
		Timeout: 504, AppError: 502, Truncated: 200, Unreachable: 503},
}

// startProduct starts product in front of a new upstream with fault f. A
// missing program fails the test with the command that installs it.
func startProduct(t *testing.T, product string, f Fault) (Gateway, *Upstream) {
	t.Helper()
	ctx := context.Background()
	u, err := StartUpstream(ctx, f, UpstreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close() })
	g, err := StartGateway(ctx, product, u.URL(), GatewayOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g, u
}

// rawGet sends one GET for path through g on a fresh connection and
// returns the bytes of the answer (at most 256 KiB, within 10 s) and its
// status, 0 when the answer is not HTTP.
func rawGet(t *testing.T, g Gateway, path string) ([]byte, int) {
	t.Helper()
	addr := strings.TrimSuffix(strings.TrimPrefix(g.URL(), "http://"), "/")
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("connecting to %s: %v", g.Product(), err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET " + path + " HTTP/1.1\r\nHost: lab.test\r\nUser-Agent: gwdoctor-lab\r\nAccept: */*\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(io.LimitReader(c, 256<<10))
	if err != nil {
		t.Fatalf("reading the answer of %s: %v", g.Product(), err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
	if err != nil {
		return raw, 0
	}
	resp.Body.Close()
	return raw, resp.StatusCode
}

// TestProductStatus runs every fault behind every real program and checks
// the status it answers. With -record, failing answers are written as
// fingerprint fixtures.
func TestProductStatus(t *testing.T) {
	for _, product := range Gateways() {
		if product == "go" {
			continue
		}
		t.Run(product, func(t *testing.T) {
			t.Parallel()
			want, ok := productStatus[product]
			if !ok {
				t.Fatalf("no expected statuses for %s", product)
			}
			for _, f := range Faults() {
				w, ok := want[f]
				if !ok {
					if Supports(product, f) && f != Slow && f != Intermittent && f != CookieBomb && f != Tarpit && f != EndlessBody {
						t.Errorf("%s: no expected status for fault %s", product, f)
					}
					continue
				}
				if w == varies {
					continue
				}
				t.Run(string(f), func(t *testing.T) {
					g, _ := startProduct(t, product, f)
					raw, status := rawGet(t, g, "/checkout")
					if status != w {
						head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
						t.Errorf("%s with %s upstream: status %d, want %d; head:\n%s", product, f, status, w, head)
					}
					if *record && status != 200 && status != 0 {
						writeFixture(t, product, f, raw)
					}
				})
			}
		})
	}
}

// writeFixture stores a real answer for the fingerprint tests.
func writeFixture(t *testing.T, product string, f Fault, raw []byte) {
	t.Helper()
	dir := filepath.Join("..", "fingerprint", "testdata", "real")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, product+"-"+strings.ReplaceAll(string(f), "_", "-")+".http")
	if err := os.WriteFile(name, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNotInstalled checks the message for a program missing from PATH and
// the sbin directories.
func TestNotInstalled(t *testing.T) {
	_, err := lookProgram("gwdoctor-no-such-gateway", "gwdoctor-no-such-package")
	var ni *NotInstalledError
	if !errors.As(err, &ni) {
		t.Fatalf("err = %v, want a *NotInstalledError", err)
	}
	want := "gwdoctor-no-such-gateway is not installed; install it with: apt-get install -y gwdoctor-no-such-package"
	if err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

// TestStartGatewayErrors checks the start's bad inputs.
func TestStartGatewayErrors(t *testing.T) {
	for _, tc := range []struct{ product, upstream, want string }{
		{"nope", "http://127.0.0.1:1", `unknown product "nope"`},
		{"nginx", "ftp://127.0.0.1:1", "not an http or https URL"},
		{"nginx", "http://127.0.0.1", "missing port"},
		{"varnish", "https://127.0.0.1:1", "cannot connect to a backend over TLS"},
	} {
		_, err := StartGateway(context.Background(), tc.product, tc.upstream, GatewayOptions{Dir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("StartGateway(%s, %s) = %v, want an error with %q", tc.product, tc.upstream, err, tc.want)
		}
	}
}
