package fingerprint

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// confidences are the levels a Match may have.
var confidences = []string{"high", "medium", "low"}

// TestTableVocabulary checks the slugs and levels that the table uses.
func TestTableVocabulary(t *testing.T) {
	names := map[string]bool{}
	for _, s := range signatures {
		if names[s.name] {
			t.Errorf("signature name %q is used twice", s.name)
		}
		names[s.name] = true
		if !s.product.Known() {
			t.Errorf("signature %s: product %q is not a slug of the catalog", s.name, s.product)
		}
		if s.product.Role() == catalog.RoleUnknown {
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
	if c := r.Reading.Cause; c != "" && !c.Known() {
		t.Errorf("Reading.Cause = %q, not a catalog ID", c)
	}
	if len(r.Hops) == 0 {
		t.Fatalf("Hops is empty")
	}
	found := false
	for _, m := range r.Hops {
		if !catalog.Product(m.Product).Known() || !slices.Contains(catalog.Roles(), catalog.Role(m.Role)) ||
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
