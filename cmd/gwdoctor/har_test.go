package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/lab"
)

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
