package lab

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

func TestScenarios(t *testing.T) {
	// The cause IDs of docs/causes.md that the lab can reproduce.
	causes := map[catalog.Cause]bool{
		"ok": true, "client.request_state": true, "upstream.refused": true,
		"upstream.timeout": true, "upstream.closed": true, "upstream.invalid_response": true,
		"upstream.header_too_big": true, "upstream.tls": true, "upstream.app_error": true,
		"upstream.truncated": true, "upstream.unreachable": true,
	}
	persistence := map[string]bool{"persistent": true, "intermittent": true, "none": true}
	scenarios := Scenarios()
	if scenarios[0].Fault != Healthy {
		t.Errorf("first scenario is %s, want %s", scenarios[0].Fault, Healthy)
	}
	seen := map[Fault]bool{}
	for _, s := range scenarios {
		if s.Name != string(s.Fault) || seen[s.Fault] || s.Description == "" {
			t.Errorf("scenario %+v: want a unique fault, its name and a description", s)
		}
		seen[s.Fault] = true
		if !causes[s.Want] || !persistence[s.WantPersistence] {
			t.Errorf("%s: Want %q, WantPersistence %q, want catalog values", s.Name, s.Want, s.WantPersistence)
		}
		if got, ok := LookupScenario(s.Name); !ok || got.Fault != s.Fault {
			t.Errorf("LookupScenario(%q) = %v, %v", s.Name, got.Fault, ok)
		}
	}
	for _, f := range Faults() {
		if want := f != Tarpit && f != EndlessBody; seen[f] != want {
			t.Errorf("fault %s has a scenario: %v, want %v", f, seen[f], want)
		}
	}
	if _, ok := LookupScenario("tarpit"); ok {
		t.Errorf("LookupScenario(tarpit) found one, want none")
	}
}

func TestRequestHeader(t *testing.T) {
	s, _ := LookupScenario(string(CookieBomb))
	h := s.RequestHeader()
	if c := h.Get("Cookie"); !strings.HasPrefix(c, "theme=dark; session_blob=xxx") || !strings.HasSuffix(c, "; lang=en") || len(c) < 2048 {
		t.Errorf("Cookie = %.40q... (%d bytes), want theme, a 2 KiB session_blob and lang", c, len(c))
	}
}

// TestStartScenario sends each scenario's requests through its gateway
// three times and checks that the failures match WantPersistence.
func TestStartScenario(t *testing.T) {
	for _, s := range Scenarios() {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			opts := testGateway
			opts.Dir = t.TempDir()
			r, err := StartScenario(context.Background(), s, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			failed := 0
			const n = 3 // every third request fails in the intermittent scenario
			for range n {
				resp, _, err := get(r.Gateway.URL(), s.RequestHeader(), nil)
				switch {
				case err != nil && s.Fault == Truncated:
					failed++ // Go's proxy aborts the connection
				case err != nil:
					t.Fatalf("get: %v", err)
				case resp.StatusCode >= 500:
					failed++
				}
			}
			got := "intermittent"
			switch failed {
			case 0:
				got = "none"
			case n:
				got = "persistent"
			}
			if got != s.WantPersistence {
				t.Errorf("%d of %d requests failed (%s), want %s", failed, n, got, s.WantPersistence)
			}
		})
	}
}

func ExampleStartScenario() {
	s, _ := LookupScenario("app_error")
	r, err := StartScenario(context.Background(), s, GatewayOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	resp, err := http.Get(r.Gateway.URL())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	fmt.Println(string(body))
	// Output:
	// 502 application/json
	// {"error":"payment backend unavailable","code":"UPSTREAM_PAYMENTS"}
}
