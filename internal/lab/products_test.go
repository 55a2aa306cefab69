package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// startProduct starts product in front of a new upstream with fault f, and
// fails the test with the install command when the program is missing.
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
		var ni *NotInstalledError
		if errors.As(err, &ni) {
			t.Fatalf("%v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g, u
}

// through requests path through g and returns the status, the head and the body.
func through(t *testing.T, g Gateway, path string) (int, http.Header, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(strings.TrimSuffix(g.URL(), "/") + path)
	if err != nil {
		t.Fatalf("GET through %s: %v", g.Product(), err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header, string(b)
}

func TestProductStatus(t *testing.T) {
	product := os.Getenv("LAB_PRODUCT")
	if product == "" {
		product = "nginx"
	}
	for _, f := range []Fault{Healthy, Refused, Closed, Reset, Invalid, HeaderTooBig, Timeout, AppError, TLS} {
		t.Run(string(f), func(t *testing.T) {
			g, _ := startProduct(t, product, f)
			status, h, body := through(t, g, "/x")
			fmt.Printf("%s %s: %d %v %q\n", product, f, status, h, body[:min(len(body), 300)])
			log, _ := os.ReadFile(g.LogPath())
			fmt.Printf("   log: %s\n", log)
		})
	}
}
