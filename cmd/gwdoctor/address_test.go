package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/lab"
)

// TestBareAddress: an address typed as in a browser's address bar, with
// no scheme, reaches the same verdict as the full URL: https is tried
// first, and the plain HTTP that answers is taken and said so.
func TestBareAddress(t *testing.T) {
	t.Parallel()
	run, _ := startScenario(t, string(lab.Refused), lab.GatewayOptions{Product: "nginx", Dir: t.TempDir()})
	bare := strings.TrimPrefix(run.Gateway.URL(), "http://") + "checkout"
	for _, args := range [][]string{
		{bare, "--json", "--upstream", run.Upstream.URL()},
		{"diagnose", bare, "--json", "--upstream", run.Upstream.URL()},
		{"diagnose", run.Gateway.URL() + "checkout", "--json", "--upstream", run.Upstream.URL()},
	} {
		code, out, stderr := gwdoctor(t, args...)
		if code != 1 {
			t.Fatalf("%v: exit %d, want 1; stderr %s", args, code, stderr)
		}
		var doc struct {
			URL     string `json:"url"`
			Verdict struct {
				Cause       string
				GeneratedBy struct{ Product string } `json:"generated_by"`
			}
			SchemeNote string `json:"scheme_note"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Verdict.Cause != "upstream.refused" || doc.Verdict.GeneratedBy.Product != "nginx" {
			t.Errorf("%v: %s by %s, want upstream.refused by nginx", args, doc.Verdict.Cause, doc.Verdict.GeneratedBy.Product)
		}
		if !strings.HasPrefix(doc.URL, "http://") {
			t.Errorf("%v: diagnosed %s, want the http:// URL that answers", args, doc.URL)
		}
		if args[0] != "diagnose" || !strings.HasPrefix(args[1], "http") {
			if doc.SchemeNote == "" {
				t.Errorf("%v: no note says that plain http was taken", args)
			}
		}
	}
}

// TestChainWithInnerConfig: the URL goes through HAProxy first, and the
// diagnosis is given the inner nginx's configuration and log: the route
// is still found, and nginx's log names the cause.
func TestChainWithInnerConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, _ := startSetup(t, "chain_haproxy_nginx", dir)
	code, out, stderr := gwdoctor(t, "diagnose", "--json", st.Gateway.URL()+"checkout",
		"--nginx-config", dir+"/nginx/nginx.conf", "--log", dir+"/nginx/error.log")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	var doc struct {
		Verdict struct {
			Cause       string
			GeneratedBy struct{ Product string } `json:"generated_by"`
		}
		Route *struct{ Gateway string } `json:"route"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Route == nil || doc.Route.Gateway != "nginx" {
		t.Errorf("no route through nginx's configuration: %+v", doc.Route)
	}
	if doc.Verdict.Cause != "upstream.refused" || doc.Verdict.GeneratedBy.Product != "nginx" {
		t.Errorf("verdict %s by %s, want upstream.refused by nginx", doc.Verdict.Cause, doc.Verdict.GeneratedBy.Product)
	}
}
