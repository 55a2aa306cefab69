package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/lab"
)

// TestDiagnoseCurl diagnoses a request pasted as a browser's "Copy as cURL"
// command: its cookies go with the request, so the replay without them
// finds the one that breaks the upstream.
func TestDiagnoseCurl(t *testing.T) {
	t.Parallel()
	lr, _ := startScenario(t, "cookie_bomb", lab.GatewayOptions{})
	blob := strings.Repeat("x", 2048)
	cmd := "curl '" + lr.Gateway.URL() + "checkout' \\\n" +
		"  -H 'accept: text/html,application/xhtml+xml' \\\n" +
		"  -H 'accept-language: en-GB,en;q=0.9' \\\n" +
		"  -b 'theme=dark; " + lab.DefaultCookie + "=" + blob + "; lang=en' \\\n" +
		"  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64)' \\\n" +
		"  --compressed"
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
	}{
		{"flag", []string{"diagnose", "--json", "--curl", cmd}, ""},
		{"stdin", []string{"diagnose", "--json", "--curl", "-"}, cmd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tc.args, streams{in: strings.NewReader(tc.stdin), out: &out, err: &errb})
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, errb.String())
			}
			var doc struct {
				Verdict struct {
					Cause    string   `json:"cause"`
					Culprits []string `json:"culprits"`
				} `json:"verdict"`
			}
			if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Verdict.Cause != "client.request_state" || len(doc.Verdict.Culprits) != 1 || doc.Verdict.Culprits[0] != "Cookie: "+lab.DefaultCookie {
				t.Errorf("verdict %+v, want client.request_state from Cookie: %s", doc.Verdict, lab.DefaultCookie)
			}
		})
	}
}

// TestDiagnoseCurlBody: a POST with a body is diagnosed without the body,
// and the report says so; bad curl commands are usage errors.
func TestDiagnoseCurlBody(t *testing.T) {
	t.Parallel()
	run, _ := startScenario(t, "refused", lab.GatewayOptions{})
	code, out, stderr := gwdoctor(t, "diagnose", "--json", "--curl", "curl '"+run.Gateway.URL()+"pay' --data-raw '{\"card\":\"4111\"}' -H 'content-type: application/json'")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	if !strings.Contains(out, "request body was not sent") || !strings.Contains(out, `"method": "POST"`) {
		t.Errorf("no POST without its body, or no note of it:\n%s", out)
	}
	for _, args := range [][]string{
		{"diagnose", "--curl", "wget http://x/"},
		{"diagnose", "--curl", "curl http://x/ $(id)"},
		{"diagnose", "--curl", "curl http://x/", "http://y/"},
	} {
		code, _, stderr := gwdoctor(t, args...)
		if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and one line", args, code, stderr)
		}
	}
}
