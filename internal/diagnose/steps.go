package diagnose

import (
	"net"
	"net/url"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// placeholders maps the words that stand for this diagnosis's own values
// in the lines of the catalog's steps (HOST, UPSTREAM_HOST, ...) to those
// values, where the evidence has them. Longer words come first, so that
// UPSTREAM_HOST is not read as UPSTREAM_ plus HOST.
func placeholders(e *Evidence) *strings.Replacer {
	var pairs []string
	var upHost, upPort string
	if a := e.UpstreamAddr; a != "" && !strings.Contains(a, "unix:") {
		hostport := a
		if _, rest, ok := strings.Cut(a, "://"); ok {
			hostport = rest
		}
		hostport = strings.TrimSuffix(hostport, "/")
		if h, p, err := net.SplitHostPort(hostport); err == nil {
			upHost, upPort = h, p
			pairs = append(pairs, "UPSTREAM_HOST", h, "UPSTREAM_PORT", p)
		}
	}
	if upHost == "" {
		// Kept as they are, so that HOST is not read inside them.
		pairs = append(pairs, "UPSTREAM_HOST", "UPSTREAM_HOST", "UPSTREAM_PORT", "UPSTREAM_PORT", "UPSTREAM/PATH", "UPSTREAM/PATH")
	}
	if u, err := url.Parse(e.URL); err == nil && u.Hostname() != "" {
		path := u.EscapedPath()
		if path == "" {
			path = "/"
		}
		if upHost != "" {
			pairs = append(pairs, "UPSTREAM/PATH", net.JoinHostPort(upHost, upPort)+path)
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		pairs = append(pairs, "SITE_PORT", port, "HOST", u.Hostname())
	}
	if o := e.OriginAddr; o != "" {
		if h, _, err := net.SplitHostPort(o); err == nil {
			o = h
		}
		pairs = append(pairs, "ORIGIN_IP", o)
	}
	return strings.NewReplacer(pairs...)
}

// steps returns what to do now: the visitor's steps first, then the
// operator's from the catalog, with lines for the gateway product and the
// protocol it speaks to its upstream when they exist, and the
// diagnosis's own host names and addresses put in where it knows them.
func steps(v Verdict, product string, fastcgi bool, fill *strings.Replacer) []Step {
	var out []Step
	if v.Cause == OK {
		return []Step{}
	}
	switch {
	case v.Cause == ClientRequestState, v.Cause == ClientDNS, v.Cause == ClientNetwork:
		// The visitor's own step is the first fix below.
	case v.Cause == EdgeTLS:
		out = append(out, Step{Who: "visitor", Text: stepVisitorCert})
	case undeterminedPage(v):
		return []Step{{Who: "visitor", Text: stepVisitorUndetermined}}
	case v.Persistence == "":
		out = append(out, Step{Who: "visitor", Text: stepVisitorSaved})
	case v.Persistence == Intermittent || v.Persistence == Recovered:
		out = append(out, Step{Who: "visitor", Text: stepVisitorIntermittent})
	default:
		out = append(out, Step{Who: "visitor", Text: stepVisitorPersistent})
	}
	out = append(out, Step{Who: "visitor", Text: stepVisitorNoResubmit})
	target := catalog.Target{Product: catalog.Product(product)}
	if fastcgi {
		target.Protocol = catalog.FastCGI
	}
	cause := catalog.Cause(v.Cause)
	platform, managed := catalog.PlatformStep(target.Product)
	if managed && onPlatform(cause) {
		var filled []string
		for _, l := range platform.Lines(target) {
			filled = append(filled, fill.Replace(l))
		}
		out = append(out, Step{Who: "operator", Text: platform.Text, Lines: filled})
	}
	for i, f := range catalog.Steps(cause) {
		if managed && f.OnGatewayHost() {
			continue
		}
		who := "operator"
		if (v.Cause == ClientRequestState || v.Cause == ClientDNS || v.Cause == ClientNetwork) && i == 0 {
			who = "visitor"
		}
		var filled []string
		for _, l := range f.Lines(target) {
			filled = append(filled, fill.Replace(l))
		}
		out = append(out, Step{Who: who, Text: f.Text, Lines: filled})
	}
	return out
}

// onPlatform reports whether a managed platform's own log and state speak
// to c: a failure behind its front end, not one of the CDN, the edge or
// the client in front of it.
func onPlatform(c catalog.Cause) bool {
	e, ok := catalog.Lookup(c)
	if !ok {
		return false
	}
	switch e.Layer {
	case catalog.LayerUpstream, catalog.LayerApp, catalog.LayerUnknown:
		return true
	}
	return false
}
