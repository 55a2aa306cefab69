package fingerprint

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/responses/*.golden.json from the current results")

// A fixture is one raw HTTP/1.1 response: status line, headers, a blank line
// and the body, framed as on the wire (Content-Length, chunked, or neither,
// which reads to the end of the file).
const fixtureGlob = "testdata/responses/*.http"

// parseResponse reads a fixture. It fails on bytes left after the body, which
// mean a Content-Length that is too small.
func parseResponse(data []byte) (Response, error) {
	br := bufio.NewReader(bytes.NewReader(data))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return Response{}, fmt.Errorf("reading response head: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, fmt.Errorf("reading body: %w", err)
	}
	if rest, _ := io.ReadAll(br); len(rest) > 0 {
		return Response{}, fmt.Errorf("%d bytes after the body: Content-Length is too small", len(rest))
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// fixture is a parsed fixture file and its case name.
type fixture struct {
	name string
	path string
	resp Response
}

func loadFixtures(tb testing.TB) []fixture {
	tb.Helper()
	paths, err := filepath.Glob(fixtureGlob)
	if err != nil {
		tb.Fatal(err)
	}
	if len(paths) == 0 {
		tb.Fatalf("no fixtures match %s", fixtureGlob)
	}
	var out []fixture
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		r, err := parseResponse(data)
		if err != nil {
			tb.Fatalf("%s: %v", p, err)
		}
		out = append(out, fixture{name: strings.TrimSuffix(filepath.Base(p), ".http"), path: p, resp: r})
	}
	return out
}

// TestGolden compares each fixture's Result with its golden file. Run
// `go test ./internal/fingerprint -update` to rewrite them after a deliberate
// change, and review the diff: TestFixtureWants pins what must not move.
func TestGolden(t *testing.T) {
	for _, fx := range loadFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			got, err := json.MarshalIndent(Identify(fx.resp), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := strings.TrimSuffix(fx.path, ".http") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Identify(%s) =\n%s\nwant (%s)\n%s", fx.name, got, golden, want)
			}
		})
	}
}

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		wantBody string
		wantErr  bool
	}{
		{"content-length", "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 3\r\n\r\nabc", "abc", false},
		{"to end of file", "HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\nabc\n", "abc\n", false},
		{"chunked", "HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "abc", false},
		{"length too small", "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 2\r\n\r\nabc", "", true},
		{"length too large", "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 9\r\n\r\nabc", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseResponse([]byte(tt.raw))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseResponse() error = %v, want error %v", err, tt.wantErr)
			}
			if got := string(r.Body); got != tt.wantBody {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
		})
	}
}
