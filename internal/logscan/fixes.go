package logscan

import "github.com/gwdoctor/gwdoctor/internal/catalog"

// Fix is one change that addresses a cause, in one product's config language.
type Fix struct {
	// Product is the product slug whose configuration the fix changes.
	Product catalog.Product `json:"product"`
	// Text is the change, with the directive or setting to use.
	Text string `json:"text"`
}

// fixesFor returns the fixes of a cause for the products that logged it,
// from the catalog's advice. fastcgi of total failures went to a FastCGI
// upstream (PHP-FPM): nginx's fastcgi_* directives are shown for those and
// proxy_* ones for the rest. A product without advice of its own for the
// cause gets none rather than another product's syntax.
func fixesFor(cause catalog.Cause, products []catalog.Product, fastcgi, total int64) []Fix {
	var out []Fix
	seen := map[string]bool{}
	add := func(p catalog.Product, proto catalog.Protocol) {
		for _, t := range catalog.Advice(cause, catalog.Target{Product: p, Protocol: proto}) {
			if !seen[t] {
				seen[t] = true
				out = append(out, Fix{Product: p, Text: t})
			}
		}
	}
	for _, p := range products {
		hasFastCGI := len(catalog.Advice(cause, catalog.Target{Product: p, Protocol: catalog.FastCGI})) > 0
		switch {
		case p != catalog.Nginx || !hasFastCGI || fastcgi == 0:
			add(p, catalog.HTTP)
		case fastcgi == total:
			add(p, catalog.FastCGI)
		default:
			add(p, catalog.HTTP)
			add(p, catalog.FastCGI)
		}
	}
	return out
}
