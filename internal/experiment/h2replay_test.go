package experiment

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/fingerprint"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// hopByHop are the header fields HTTP/2 forbids (RFC 9113 section 8.2.2):
// a response replayed over HTTP/2 cannot carry them.
var hopByHop = map[string]bool{"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true, "Upgrade": true}

// TestFingerprintOverH2 replays every recorded gateway response over
// HTTP/2, as a browser sees a site that speaks it, and reads it from the
// decoded header fields and body: the producer, its role and the cause it
// states must be those read from the same response over HTTP/1.1.
func TestFingerprintOverH2(t *testing.T) {
	var paths []string
	for _, g := range []string{"../fingerprint/testdata/responses/*.http", "../fingerprint/testdata/real/*.http"} {
		p, _ := filepath.Glob(g)
		paths = append(paths, p...)
	}
	if len(paths) == 0 {
		t.Fatal("no recorded responses under ../fingerprint/testdata")
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
			if err != nil {
				t.Skipf("not one HTTP/1.1 response: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			want := fingerprint.Identify(fingerprint.Response{Status: resp.StatusCode, Header: resp.Header, Body: body})
			got := replayH2(t, resp.StatusCode, resp.Header, body)
			if got.Generator.Product != want.Generator.Product || got.Generator.Role != want.Generator.Role || got.Reading.Cause != want.Reading.Cause {
				t.Errorf("over h2: %s/%s cause %q; over HTTP/1.1: %s/%s cause %q",
					got.Generator.Product, got.Generator.Role, got.Reading.Cause, want.Generator.Product, want.Generator.Role, want.Reading.Cause)
			}
		})
	}
}

// replayH2 serves one response over HTTP/2 on loopback and reads it with
// the probe, as the tries do.
func replayH2(t *testing.T, status int, h http.Header, body []byte) fingerprint.Result {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for k, vs := range h {
			if !hopByHop[http.CanonicalHeaderKey(k)] {
				w.Header()[k] = vs
			}
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		w.Write(body)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res := probe.HTTP(ctx, srv.URL+"/", probe.Options{Insecure: true})
	if !res.IsHTTP2() || res.Response == nil {
		t.Fatalf("no HTTP/2 response: protocol %q, %s", res.Protocol, res.Error)
	}
	a := Recognised("try 1", res)
	return *a.Print
}
