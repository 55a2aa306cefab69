package catalog

import (
	"slices"
	"testing"
	"time"
)

// The IDs, product slugs and roles of the public contract
// (../shared/docs/causes.md), written out here once more on purpose: a
// rename in the catalog must fail this test.
var (
	contractCauses = []Cause{"ok", "client.request_state", "client.dns", "client.network", "dns.failure",
		"edge.unreachable", "edge.tls", "edge.redirect_loop", "edge.protocol",
		"cdn.origin_unreachable", "cdn.origin_timeout", "cdn.origin_tls", "cdn.origin_invalid", "cdn.internal",
		"upstream", "upstream.refused", "upstream.permission", "upstream.unreachable", "upstream.dns",
		"upstream.timeout", "upstream.closed", "upstream.invalid_response", "upstream.header_too_big",
		"upstream.tls", "upstream.none_healthy", "upstream.overloaded", "upstream.truncated",
		"upstream.app_error", "unknown"}
	contractProducts = []Product{"cloudflare", "cloudfront", "aws_alb", "aws_api_gateway", "gcp_lb",
		"azure_app_gateway", "azure_front_door", "akamai", "fastly", "nginx", "openresty", "apache",
		"haproxy", "envoy", "caddy", "traefik", "varnish", "squid", "lighttpd", "iis", "go", "heroku",
		"php_fpm", "tengine", "nghttpx", "litespeed", "kong", "vercel", "netlify", "fly", "render",
		"aws_elb", "aws_lambda", "azure_app_service", "application", "unknown"}
	contractRoles = []Role{"cdn", "load_balancer", "reverse_proxy", "app_server", "application", "unknown"}
)

func TestCausesMatchContract(t *testing.T) {
	var got []Cause
	for _, c := range All() {
		got = append(got, c.ID)
		if c.Title == "" || c.Explanation == "" || c.Layer == "" {
			t.Errorf("cause %q lacks a title, an explanation or a layer", c.ID)
		}
		if len(Steps(c.ID)) == 0 && c.ID != OK {
			t.Errorf("cause %q has no steps", c.ID)
		}
	}
	if !slices.Equal(got, contractCauses) {
		t.Errorf("cause IDs = %q\nwant %q", got, contractCauses)
	}
}

func TestProductsMatchContract(t *testing.T) {
	var got []Product
	for _, p := range Products() {
		got = append(got, p.Slug)
		if p.Name == "" || !slices.Contains(Roles(), p.Role) {
			t.Errorf("product %q: name %q, role %q", p.Slug, p.Name, p.Role)
		}
	}
	if !slices.Equal(got, contractProducts) {
		t.Errorf("product slugs = %q\nwant %q", got, contractProducts)
	}
	if !slices.Equal(Roles(), contractRoles) {
		t.Errorf("roles = %q, want %q", Roles(), contractRoles)
	}
}

// TestTablesUseTheCatalog checks that the timeouts and the fixes name only
// products and causes of the catalog.
func TestTablesUseTheCatalog(t *testing.T) {
	for _, tm := range DefaultTimeouts() {
		if !tm.Product.Known() || tm.Name == "" || tm.Timeout <= 0 {
			t.Errorf("timeout %+v", tm)
		}
	}
	for c, r := range remedies {
		if !c.Known() {
			t.Errorf("remedies name %q, not a cause", c)
		}
		targets := []Target{}
		for _, s := range r.steps {
			for k := range s.lines {
				targets = append(targets, k)
			}
		}
		for k := range r.advice {
			targets = append(targets, k)
		}
		for _, k := range targets {
			if k.Product != "" && !k.Product.Known() || k.Protocol != HTTP && k.Protocol != FastCGI {
				t.Errorf("%s: target %+v", c, k)
			}
		}
	}
}

func TestProductLookups(t *testing.T) {
	tests := []struct {
		p    Product
		name string
		role Role
	}{
		{Nginx, "nginx", RoleReverseProxy},
		{HAProxy, "HAProxy", RoleLoadBalancer},
		{PHPFPM, "PHP-FPM", RoleAppServer},
		{Cloudflare, "Cloudflare", RoleCDN},
		{Application, "The application", RoleApplication},
		{"", "An unidentified server", RoleUnknown},
		{"nosuch", "nosuch", RoleUnknown},
	}
	for _, tc := range tests {
		if got := tc.p.Name(); got != tc.name {
			t.Errorf("%q.Name() = %q, want %q", tc.p, got, tc.name)
		}
		if got := tc.p.Role(); got != tc.role {
			t.Errorf("%q.Role() = %q, want %q", tc.p, got, tc.role)
		}
	}
	if got := len(Nginx.Timeouts()); got != 1 {
		t.Errorf("nginx has %d default timeouts, want 1", got)
	}
	if d, ok := Apache.DefaultTimeout("Timeout"); !ok || d != 60*time.Second {
		t.Errorf("Apache's default Timeout = %v, %v; want 1m0s, true", d, ok)
	}
	if d, ok := Cloudflare.DefaultTimeout(""); ok {
		t.Errorf("a setting without a name has a default: %v", d)
	}
}

func TestIsGatewayStatus(t *testing.T) {
	var got []int
	for s := 100; s < 600; s++ {
		if IsGatewayStatus(s) {
			got = append(got, s)
		}
	}
	want := []int{502, 503, 504, 520, 521, 522, 523, 524, 525, 526, 527, 530}
	if !slices.Equal(got, want) {
		t.Errorf("gateway statuses = %v, want %v", got, want)
	}
}

func TestFixLookups(t *testing.T) {
	steps := Steps(UpstreamTimeout)
	if len(steps) != 2 {
		t.Fatalf("upstream.timeout has %d steps, want 2", len(steps))
	}
	tests := []struct {
		target Target
		first  string
	}{
		{Target{Nginx, FastCGI}, "fastcgi_read_timeout 120s;"},
		{Target{Nginx, HTTP}, "proxy_read_timeout 120s;"},
		{Target{Caddy, FastCGI}, "reverse_proxy localhost:8080 { transport http { response_header_timeout 120s } }"},
		{Target{Kong, HTTP}, "; PHP: max_execution_time = 110"},
	}
	for _, tc := range tests {
		if got := steps[1].Lines(tc.target); len(got) == 0 || got[0] != tc.first {
			t.Errorf("Lines(%+v) = %q, want first %q", tc.target, got, tc.first)
		}
	}
	if got := Advice(UpstreamTimeout, Target{Kong, HTTP}); got != nil {
		t.Errorf("Advice for kong = %q, want none (no other product's syntax)", got)
	}
	if got := Advice(UpstreamRefused, Target{Nginx, FastCGI}); len(got) != 1 {
		t.Errorf("Advice for nginx with FastCGI = %q", got)
	}
	steps[1].Lines(Target{Nginx, HTTP})[0] = "changed"
	if Steps(UpstreamTimeout)[1].Lines(Target{Nginx, HTTP})[0] == "changed" {
		t.Error("Lines returns the catalog's own slice")
	}
}
