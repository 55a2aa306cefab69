package fingerprint

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// catalog is the list of cause IDs in docs/causes.md, the public contract.
var catalog = []string{
	"ok", "client.request_state", "client.dns", "client.network", "dns.failure",
	"edge.unreachable", "edge.tls", "cdn.origin_unreachable", "cdn.origin_timeout",
	"cdn.origin_tls", "cdn.origin_invalid", "cdn.internal", "upstream",
	"upstream.refused", "upstream.permission", "upstream.unreachable", "upstream.dns",
	"upstream.timeout", "upstream.closed", "upstream.invalid_response",
	"upstream.header_too_big", "upstream.tls", "upstream.none_healthy",
	"upstream.overloaded", "upstream.truncated", "upstream.app_error", "unknown",
}

var (
	productSlugs = []string{"cloudflare", "cloudfront", "aws_alb", "aws_api_gateway", "gcp_lb",
		"azure_app_gateway", "azure_front_door", "akamai", "fastly", "nginx", "openresty", "apache",
		"haproxy", "envoy", "caddy", "traefik", "varnish", "squid", "lighttpd", "iis", "go",
		"heroku", "php_fpm", "tengine", "nghttpx", "litespeed", "kong", "vercel", "netlify", "fly", "render",
		"aws_elb", "aws_lambda", "azure_app_service", "application", "unknown"}
	roles       = []string{"cdn", "load_balancer", "reverse_proxy", "app_server", "application", "unknown"}
	confidences = []string{"high", "medium", "low"}
)

// TestTableVocabulary checks the slugs and levels that the table uses.
func TestTableVocabulary(t *testing.T) {
	names := map[string]bool{}
	for _, s := range signatures {
		if names[s.name] {
			t.Errorf("signature name %q is used twice", s.name)
		}
		names[s.name] = true
		if !slices.Contains(productSlugs, s.product) {
			t.Errorf("signature %s: product %q is not a slug of docs/causes.md", s.name, s.product)
		}
		if roleOf(s.product) == roleUnknown {
			t.Errorf("signature %s: product %q has no role", s.name, s.product)
		}
		if !slices.Contains(confidences, s.conf) {
			t.Errorf("signature %s: confidence %q", s.name, s.conf)
		}
		if (s.kind == onPath) != (s.read == nil) {
			t.Errorf("signature %s: rows of kind onPath, and only they, have no reader", s.name)
		}
	}
}

// checkResult fails when r breaks the invariants that callers rely on.
func checkResult(t *testing.T, r Result) {
	t.Helper()
	if c := r.Reading.Cause; c != "" && !slices.Contains(catalog, c) {
		t.Errorf("Reading.Cause = %q, not a catalog ID", c)
	}
	if len(r.Hops) == 0 {
		t.Fatalf("Hops is empty")
	}
	found := false
	for _, m := range r.Hops {
		if !slices.Contains(productSlugs, m.Product) || !slices.Contains(roles, m.Role) ||
			!slices.Contains(confidences, m.Confidence) || m.Signature == "" {
			t.Errorf("hop %+v: bad product, role, confidence or signature", m)
		}
		if m.Product == r.Generator.Product {
			if found {
				t.Errorf("Hops %v lists the generator's product twice", products(r.Hops))
			}
			found = true
		}
	}
	if !found {
		t.Errorf("Hops %v lack the generator %s", products(r.Hops), r.Generator.Product)
	}
}

func TestResultInvariants(t *testing.T) {
	for _, fx := range loadFixtures(t) {
		t.Run(fx.name, func(t *testing.T) { checkResult(t, Identify(fx.resp)) })
	}
}

func FuzzIdentify(f *testing.F) {
	for _, fx := range loadFixtures(f) {
		f.Add(fx.resp.Status, strings.Join(fx.resp.Header.Values("Server"), ","), fx.resp.Body)
	}
	f.Add(502, "", []byte{})
	f.Add(530, "cloudflare", []byte(`<span class="cf-error-code">1016</span><div id="cf-wrapper">`))
	f.Fuzz(func(t *testing.T, status int, server string, body []byte) {
		h := http.Header{}
		if server != "" {
			h.Set("Server", server)
			h.Set("X-Squid-Error", server)
			h.Set("X-Amzn-Errortype", server)
			h.Set("X-Envoy-Overloaded", server)
		}
		checkResult(t, Identify(Response{Status: status, Header: h, Body: body}))
	})
}

func BenchmarkIdentify(b *testing.B) {
	fixtures := loadFixtures(b)
	b.Run("fixtures", func(b *testing.B) {
		for b.Loop() {
			for _, fx := range fixtures {
				Identify(fx.resp)
			}
		}
	})
	large := Response{Status: 502, Header: http.Header{"Server": {"nginx"}},
		Body: []byte(strings.Repeat(`{"id":12345,"name":"example"},`, (256<<10)/30))}
	b.Run("256KiB-application", func(b *testing.B) {
		for b.Loop() {
			Identify(large)
		}
	})
	page := Response{Status: 502, Body: []byte(strings.Repeat("<p>x</p>\n", (60<<10)/9))}
	b.Run("60KiB-unknown-page", func(b *testing.B) {
		for b.Loop() {
			Identify(page)
		}
	})
}
