package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/lab"
)

func TestParseHAR(t *testing.T) {
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
	}{
		{"chrome: the failed request", "chrome.har", 0, "https://shop.example/api/cart/checkout?step=2", "POST",
			[]string{"theme=dark", "session=8c1e0f", "cart=3f9c2a7d41"},
			map[string]string{"X-Csrf-Token": "b1946ac92492d2347c6235b4d2611184", "Accept": "application/json", "Origin": "https://shop.example",
				":authority": "", "Content-Length": "", "Accept-Encoding": "", "Cookie": ""}, true},
		{"chrome: entry 1", "chrome.har", 1, "https://shop.example/cart", "GET",
			[]string{"theme=dark", "session=8c1e0f", "cart=3f9c2a7d41"},
			map[string]string{"Accept-Language": "de-DE,de;q=0.9,en;q=0.8", "Accept-Encoding": ""}, false},
		{"firefox: cookies only in the list", "firefox.har", 0, "http://blog.example/wp-admin/", "GET",
			[]string{"wordpress_logged_in_1a2b=admin%7C1795771211", "wp-settings-1=libraryContent%3Dbrowse"},
			map[string]string{"Upgrade-Insecure-Requests": "1", "Host": "", "Connection": ""}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := parseHAR(read(tc.file), tc.entry)
			if err != nil {
				t.Fatal(err)
			}
			if req.URL != tc.url || req.Method != tc.method || req.Body != tc.body {
				t.Errorf("got %s %s (body %v), want %s %s (body %v)", req.Method, req.URL, req.Body, tc.method, tc.url, tc.body)
			}
			if !slices.Equal(req.Cookies, tc.cookies) {
				t.Errorf("cookies %q, want %q", req.Cookies, tc.cookies)
			}
			if tc.file == "chrome.har" && tc.entry == 0 {
				// The failed entry: what the browser saw, and when.
				at := time.Date(2026, 11, 26, 9, 12, 4, 917e6, time.UTC)
				if req.Status != 502 || !req.Started.Equal(at) || req.Took != 1003400*time.Microsecond {
					t.Errorf("saw %d at %v after %v, want 502 at %v after 1.0034s", req.Status, req.Started, req.Took, at)
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

func TestParseHARErrors(t *testing.T) {
	two := `{"log":{"entries":[{"request":{"method":"GET","url":"https://a.example/"},"response":{"status":200}},` +
		`{"request":{"method":"GET","url":"https://a.example/x"},"response":{"status":404}}]}}`
	for _, tc := range []struct {
		name, src string
		entry     int
		want      string
	}{
		{"not JSON", "GET / HTTP/1.1", 0, "parsing the HAR file"},
		{"no entries", `{"log":{"entries":[]}}`, 0, "has no requests"},
		{"not a HAR", `{"foo":1}`, 0, "has no requests"},
		{"nothing failed", two, 0, "none got 502, 503, 504 or 520-530; choose one with --har-entry N"},
		{"entry out of range", two, 3, "--har-entry 3: the HAR file has 2 requests"},
		{"negative entry", two, -1, "--har-entry -1"},
		{"not http", `{"log":{"entries":[{"request":{"method":"GET","url":"data:text/plain,hi"},"response":{"status":502}}]}}`, 0, "want an http:// or https:// URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseHAR([]byte(tc.src), tc.entry)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %v, want one line with %q", err, tc.want)
			}
			var ue usageError
			if !errors.As(err, &ue) {
				t.Errorf("err = %v, want a usage error (exit 2)", err)
			}
		})
	}
}

// TestDiagnoseHAR replays a HAR file's failed request against the lab's
// cookie_bomb scenario: its cookies come along, and the shrink finds the
// one that breaks the upstream.
func TestDiagnoseHAR(t *testing.T) {
	t.Parallel()
	sc, _ := lab.LookupScenario(string(lab.CookieBomb))
	run, err := lab.StartScenario(context.Background(), sc, lab.GatewayOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	bomb := strings.TrimPrefix(sc.Header[0], "Cookie: ")
	har := map[string]any{"log": map[string]any{"entries": []any{
		map[string]any{"request": map[string]any{"method": "GET", "url": run.Gateway.URL() + "favicon.ico",
			"headers": []any{}}, "response": map[string]any{"status": 200}},
		map[string]any{"request": map[string]any{"method": "POST", "url": run.Gateway.URL() + "checkout",
			"headers": []any{
				map[string]string{"name": ":authority", "value": "lab.test"},
				map[string]string{"name": "cookie", "value": bomb},
				map[string]string{"name": "accept", "value": "text/html"},
			},
			"postData": map[string]string{"mimeType": "application/x-www-form-urlencoded", "text": "card=4111111111111111"}},
			"response": map[string]any{"status": 502}},
	}}}
	b, err := json.Marshal(har)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "shop.har")
	writeFile(t, file, string(b))
	for _, args := range [][]string{
		{"diagnose", "--json", "--har", file},
		{"diagnose", "--json", "--har", file, "--har-entry", "2"},
	} {
		code, out, stderr := gwdoctor(t, args...)
		if code != 1 {
			t.Fatalf("%v: exit %d, want 1; stderr %s", args, code, stderr)
		}
		var doc struct {
			Verdict struct {
				Cause    string   `json:"cause"`
				Culprits []string `json:"culprits"`
			} `json:"verdict"`
			Incomplete []string `json:"incomplete"`
			Reported   *struct {
				Source string `json:"source"`
				Status int    `json:"status"`
			} `json:"reported"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Verdict.Cause != "client.request_state" || !slices.Equal(doc.Verdict.Culprits, []string{"Cookie: " + lab.DefaultCookie}) {
			t.Errorf("%v: verdict %+v, want client.request_state triggered by the %s cookie", args, doc.Verdict, lab.DefaultCookie)
		}
		if !strings.Contains(strings.Join(doc.Incomplete, "\n"), "HAR entry 2's request body was not sent") {
			t.Errorf("%v: incomplete = %q, want the note that the body was not sent", args, doc.Incomplete)
		}
		if doc.Reported == nil || doc.Reported.Source != "HAR entry 2" || doc.Reported.Status != 502 {
			t.Errorf("%v: reported = %+v, want HAR entry 2's 502", args, doc.Reported)
		}
	}
}

func TestHARUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"diagnose", "--har", "x.har", "https://a.example/"}, "not both"},
		{[]string{"diagnose", "--har", "x.har", "--curl", "curl https://a.example/"}, "from --curl or from --har"},
		{[]string{"diagnose", "--har-entry", "2", "https://a.example/"}, "--har-entry needs --har"},
		{[]string{"diagnose", "--har", "testdata/har/none.har"}, "reading the HAR file"},
	} {
		code, _, stderr := gwdoctor(t, tc.args...)
		if code == 0 || code == 1 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want a one-line error with %q", tc.args, code, stderr, tc.want)
		}
	}
}
