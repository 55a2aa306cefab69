package request

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestFromHAR(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "har", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name, file string
		entry      int
		url        string
		method     string
		cookies    []string
		header     map[string]string // name → value; "" = must be absent
		body       bool
		source     string // of Reported
	}{
		{"chrome: the failed request", "chrome.har", 0, "https://shop.example/api/cart/checkout?step=2", "POST",
			[]string{"theme=dark", "session=8c1e0f", "cart=3f9c2a7d41"},
			map[string]string{"X-Csrf-Token": "b1946ac92492d2347c6235b4d2611184", "Accept": "application/json", "Origin": "https://shop.example",
				":authority": "", "Content-Length": "", "Accept-Encoding": "", "Cookie": ""}, true, "HAR entry 2"},
		{"chrome: entry 1", "chrome.har", 1, "https://shop.example/cart", "GET",
			[]string{"theme=dark", "session=8c1e0f", "cart=3f9c2a7d41"},
			map[string]string{"Accept-Language": "de-DE,de;q=0.9,en;q=0.8", "Accept-Encoding": ""}, false, "HAR entry 1"},
		{"firefox: cookies only in the list", "firefox.har", 0, "http://blog.example/wp-admin/", "GET",
			[]string{"wordpress_logged_in_1a2b=admin%7C1795771211", "wp-settings-1=libraryContent%3Dbrowse"},
			map[string]string{"Upgrade-Insecure-Requests": "1", "Host": "", "Connection": ""}, false, "HAR entry 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := FromHAR(bytes.NewReader(read(tc.file)), tc.entry)
			if err != nil {
				t.Fatal(err)
			}
			if body := req.DroppedBody != ""; req.URL != tc.url || req.Method != tc.method || body != tc.body {
				t.Errorf("got %s %s (body %q), want %s %s (body %v)", req.Method, req.URL, req.DroppedBody, tc.method, tc.url, tc.body)
			}
			if req.Reported == nil || req.Reported.Source != tc.source {
				t.Fatalf("reported %+v, want from %s", req.Reported, tc.source)
			}
			if !slices.Equal(req.Cookies, tc.cookies) {
				t.Errorf("cookies %q, want %q", req.Cookies, tc.cookies)
			}
			if tc.file == "chrome.har" && tc.entry == 0 {
				// The failed entry: what the browser saw, and when.
				at := time.Date(2026, 11, 26, 9, 12, 4, 917e6, time.UTC)
				if rep := req.Reported; rep.Status != 502 || !rep.At.Equal(at) || rep.Took != 1003400*time.Microsecond {
					t.Errorf("saw %d at %v after %v, want 502 at %v after 1.0034s", rep.Status, rep.At, rep.Took, at)
				}
			}
			for name, want := range tc.header {
				if got := req.Header.Get(name); got != want || (want == "" && len(req.Header.Values(name)) > 0) {
					t.Errorf("header %s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestFromHARErrors(t *testing.T) {
	two := `{"log":{"entries":[{"request":{"method":"GET","url":"https://a.example/"},"response":{"status":200}},` +
		`{"request":{"method":"GET","url":"https://a.example/x"},"response":{"status":404}}]}}`
	for _, tc := range []struct {
		name, src string
		entry     int
		want      string
		cond      error // the condition the *Error wraps
	}{
		{"not JSON", "GET / HTTP/1.1", 0, "parsing the HAR file", nil},
		{"no entries", `{"log":{"entries":[]}}`, 0, "has no requests", nil},
		{"not a HAR", `{"foo":1}`, 0, "has no requests", nil},
		{"nothing failed", two, 0, "the HAR file has 2 requests and none got 502, 503, 504 or 520-530", ErrNoFailure},
		{"entry out of range", two, 3, "there is no entry 3: the HAR file has 2 requests", nil},
		{"negative entry", two, -1, "there is no entry -1", nil},
		{"not http", `{"log":{"entries":[{"request":{"method":"GET","url":"data:text/plain,hi"},"response":{"status":502}}]}}`, 0, "want an http:// or https:// URL", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromHAR(strings.NewReader(tc.src), tc.entry)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %v, want one line with %q", err, tc.want)
			}
			var re *Error
			if !errors.As(err, &re) {
				t.Errorf("err = %v, want an *Error", err)
			}
			if got := errors.Unwrap(err); got != tc.cond {
				t.Errorf("err = %v wraps %v, want %v", err, got, tc.cond)
			}
		})
	}
}

// TestFromHARReadError: a file that cannot be read is not an *Error, which
// is for input that is not a request.
func TestFromHARReadError(t *testing.T) {
	broken := errors.New("disk on fire")
	_, err := FromHAR(iotest.ErrReader(broken), 0)
	if !errors.Is(err, broken) || errors.As(err, new(*Error)) {
		t.Errorf("err = %v, want %v wrapped and no *Error", err, broken)
	}
}
