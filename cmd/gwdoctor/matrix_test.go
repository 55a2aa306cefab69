package main

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/lab"
)

// outsideWant is what a diagnosis concludes from the responses alone, for
// the cells where it is more than the parent cause "upstream": where the
// product's page, its status or the failure's timing names the cause.
var outsideWant = map[string]map[lab.Fault]catalog.Cause{
	"nginx": {lab.Invalid: "upstream.invalid_response", lab.Timeout: "upstream.timeout", lab.Slow: "upstream.timeout",
		lab.Truncated: "upstream.truncated", lab.Unreachable: "upstream.timeout"},
	"haproxy": {lab.Timeout: "upstream.timeout", lab.Slow: "upstream.timeout", lab.Truncated: "upstream.truncated"},
	"apache": {lab.Invalid: "upstream.invalid_response", lab.Timeout: "upstream.timeout", lab.Slow: "upstream.timeout",
		lab.TLS: "upstream.tls", lab.Truncated: "upstream.truncated", lab.Unreachable: "upstream.timeout"},
	"caddy": {lab.Timeout: "upstream.timeout", lab.Slow: "upstream.timeout", lab.Truncated: "upstream.truncated",
		lab.Unreachable: "upstream.timeout"},
	"varnish": {lab.Timeout: "upstream.timeout", lab.Slow: "upstream.timeout", lab.Unreachable: "upstream.timeout"},
	"squid": {lab.Closed: "upstream.closed", lab.Reset: "upstream.closed", lab.Invalid: "upstream.invalid_response",
		lab.Timeout: "upstream.timeout", lab.Slow: "upstream.timeout", lab.Intermittent: "upstream.closed",
		lab.Truncated: "upstream.truncated"},
	"lighttpd": {lab.Timeout: "upstream.timeout", lab.Truncated: "upstream.truncated"},
}

// A connection to the upstream that goes unanswered (lab.Unreachable) ends
// in the same page and after a round number of seconds, like a read that
// times out: from outside it reads as upstream.timeout where the product
// gives up at its connect timeout, and the direct requests tell them apart.

// alsoOutside are the other outside verdicts of cells whose answer varies
// from one run to the next.
var alsoOutside = map[string]map[lab.Fault]map[catalog.Cause]bool{
	// Varnish answers a body that breaks off with a 503 when the fetch
	// failed before delivery began, and with the broken 200 when not.
	// Varnish passes an Intermittent close on now and then (lab.AlsoExpect),
	// and its 503 alone does not say why.
	"varnish": {lab.Truncated: {"upstream.truncated": true}, lab.Intermittent: {"upstream": true}},
	// lighttpd's connect timeout fires 0.6 to 2.1 s late, sometimes close
	// enough to its read-timeout to be read as that.
	"lighttpd": {lab.Unreachable: {"upstream.timeout": true}},
}

// productRole is the role the fingerprint gives each product.
var productRole = map[string]string{
	"go": "reverse_proxy", "nginx": "reverse_proxy", "haproxy": "load_balancer", "apache": "reverse_proxy",
	"caddy": "reverse_proxy", "varnish": "reverse_proxy", "squid": "reverse_proxy", "lighttpd": "reverse_proxy",
}

// expectOutside returns the verdict from the responses alone.
func expectOutside(product string, sc lab.Scenario) catalog.Cause {
	want, _ := sc.Expect(product)
	switch want {
	case "ok", "upstream.app_error", "client.request_state":
		return want
	}
	if w, ok := outsideWant[product][sc.Fault]; ok {
		return w
	}
	return "upstream"
}

// TestGatewayMatrix diagnoses every lab scenario behind every real gateway
// program: the verdict with the upstream's address known, the verdict from
// the responses alone, and who produced the response. A program missing
// from this machine fails its cells with the command that installs it.
func TestGatewayMatrix(t *testing.T) {
	t.Parallel()
	for _, product := range lab.Gateways() {
		if product == "go" {
			continue
		}
		t.Run(product, func(t *testing.T) {
			t.Parallel()
			for _, sc := range lab.Scenarios() {
				if !lab.Supports(product, sc.Fault) {
					continue
				}
				t.Run(sc.Name, func(t *testing.T) { checkCell(t, product, sc) })
			}
		})
	}
}

func checkCell(t *testing.T, product string, sc lab.Scenario) {
	res, err := runScenario(context.Background(), sc, product)
	if err != nil {
		var ni *lab.NotInstalledError
		if errors.As(err, &ni) {
			t.Fatalf("%v", ni)
		}
		t.Fatal(err)
	}
	v := res.Diagnosis.Verdict
	want, persistence := sc.Expect(product)
	also, alsoPersistence, _ := lab.AlsoExpect(product, sc.Fault)
	if (v.Cause != want || v.Persistence != persistence) && (v.Cause != also || v.Persistence != alsoPersistence) {
		t.Errorf("with --upstream: verdict %s/%s, want %s/%s; evidence:\n%s", v.Cause, v.Persistence, want, persistence, evidenceText(res))
	}
	if w := res.WithConfig; w != "" && w != want && !(lab.LogSilent(product, sc.Fault) && (w == res.Outside || w == "upstream")) {
		t.Errorf("with the configuration and logs: verdict %s, want %s", w, want)
	}
	if w := expectOutside(product, sc); res.Outside != w && !alsoOutside[product][sc.Fault][res.Outside] {
		t.Errorf("from outside: verdict %s, want %s; evidence:\n%s", res.Outside, w, evidenceText(res))
	}
	if want == "ok" {
		return
	}
	if sc.Fault == lab.Truncated && res.Diagnosis.Verdict.Status == 200 {
		// The application's 200 broke off on its way through: there is no
		// error page, and who "generated" it is moot.
		return
	}
	wantProduct, wantRole := product, productRole[product]
	switch {
	case sc.Fault == lab.AppError:
		wantProduct, wantRole = "application", "application"
	case sc.Fault == lab.Invalid && product == "nginx":
		// nginx passes the unparsable answer on as HTTP/0.9: the client
		// gets no HTTP response at all.
		wantProduct, wantRole = "unknown", "unknown"
	}
	if g := v.GeneratedBy; g.Product != wantProduct || g.Role != wantRole {
		t.Errorf("generated by %s (%s), want %s (%s)", g.Product, g.Role, wantProduct, wantRole)
	}
}

func evidenceText(res labResult) string {
	var s string
	for _, f := range res.Diagnosis.Evidence {
		s += "  [" + f.Source + "] " + f.Text + "\n"
	}
	return s
}

// TestLabSetups diagnoses the setups of several programs: PHP-FPM behind
// nginx, nginx's upstream groups, resolver and custom pages, and a chain.
func TestLabSetups(t *testing.T) {
	t.Parallel()
	for _, su := range lab.Setups() {
		t.Run(su.Name, func(t *testing.T) {
			t.Parallel()
			res, err := runSetup(context.Background(), su)
			if err != nil {
				t.Fatal(err)
			}
			v := res.Diagnosis.Verdict
			if v.Cause != su.Want || (su.WantPersistence != "" && v.Persistence != su.WantPersistence) {
				t.Errorf("with --upstream: verdict %s/%s, want %s/%s; evidence:\n%s", v.Cause, v.Persistence, su.Want, su.WantPersistence, evidenceText(res))
			}
			if want := cmp.Or(su.WantWithConfig, su.Want); res.WithConfig != "" && res.WithConfig != want {
				t.Errorf("with the configuration and logs: verdict %s, want %s", res.WithConfig, want)
			}
			if res.Outside != su.WantOutside {
				t.Errorf("from outside: verdict %s, want %s; evidence:\n%s", res.Outside, su.WantOutside, evidenceText(res))
			}
			if su.Name == "chain_haproxy_nginx" {
				checkChainPath(t, res)
			}
			// A machine without IPv6 on its loopback says so instead.
			if text := evidenceText(res); su.Name == "ipv6_broken" && !strings.Contains(text, "fails over IPv6 alone") && !strings.Contains(text, "no route for IPv6") {
				t.Errorf("the IPv6 finding is missing; evidence:\n%s", evidenceText(res))
			}
			if g := v.GeneratedBy; su.Want != "ok" && g.Product != su.GeneratedBy {
				t.Errorf("generated by %s (%s), want %s", g.Product, g.Role, su.GeneratedBy)
			}
		})
	}
}

// checkChainPath: with --origin and --upstream, the diagnosis names three
// hops and says that the inner nginx is the one that reaches nothing.
func checkChainPath(t *testing.T, res labResult) {
	t.Helper()
	p := res.Diagnosis.Verdict.Path
	if len(p) != 3 || p[0].Role != "site" || p[1].Role != "origin" || p[2].Role != "upstream" || !p[2].Failing {
		t.Fatalf("path = %+v, want site, origin, failing upstream", p)
	}
	text := evidenceText(res)
	if !strings.Contains(text, "the origin") || !strings.Contains(text, "nginx reaches nothing usable at the upstream") {
		t.Errorf("the path is not told; evidence:\n%s", text)
	}
}
