package gwconfig

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// varnishProbeFix is a probe to write in a backend that has none.
const varnishProbeFix = `.probe = { .url = "/healthz"; .interval = 5s; .timeout = 2s; .window = 5; .threshold = 3; }`

// checkVarnish lints the backends, probes and directors of v against
// Varnish's documented behaviour
// (https://varnish-cache.org/docs/7.1/reference/vcl-backend.html,
// vcl-probe.html, vmod_directors.html).
func checkVarnish(v *Varnish) []Finding {
	var out []Finding
	for _, b := range v.Backends {
		out = append(out, checkVarnishBackend(b)...)
	}
	for _, p := range v.probes() {
		out = append(out, checkVarnishProbe(p)...)
	}
	for _, name := range slices.Sorted(maps.Keys(v.Directors)) {
		out = append(out, checkVarnishDirector(v, v.Directors[name])...)
	}
	out = append(out, checkVarnishFetch(v)...)
	return out
}

// probes returns every probe once: the named ones and those written in a
// backend.
func (v *Varnish) probes() []*VarnishProbe {
	var out []*VarnishProbe
	for _, name := range slices.Sorted(maps.Keys(v.Probes)) {
		out = append(out, v.Probes[name])
	}
	for _, b := range v.Backends {
		if a, ok := b.Attrs["probe"]; ok && a.Probe != nil {
			out = append(out, a.Probe)
		}
	}
	return out
}

// attrFinding makes a finding about an attribute's line.
func attrFinding(a vclAttr, sev Severity, code string, cause catalog.Cause, msg, fix string) Finding {
	return Finding{Severity: sev, Code: code, Cause: cause, File: a.File, Line: a.Line, Directive: a.String(), Message: msg, Fix: fix}
}

// checkVarnishBackend looks at one backend's timeouts and connection limit.
func checkVarnishBackend(b *VarnishBackend) []Finding {
	var out []Finding
	if a, ok := b.Attrs["first_byte_timeout"]; ok {
		if d, err := vclDuration(a.Value); err == nil && d > 0 && d < shortReadTimeout {
			out = append(out, attrFinding(a, Warning, "varnish.first_byte_timeout_short", catalog.UpstreamTimeout,
				fmt.Sprintf("backend %s: .first_byte_timeout is %s: every response slower than that fails with 503 Backend fetch failed", b.Name, a.Value),
				".first_byte_timeout = 60s;"))
		}
	}
	if a, ok := b.Attrs["max_connections"]; ok {
		out = append(out, attrFinding(a, Info, "varnish.max_connections", catalog.UpstreamOverloaded,
			fmt.Sprintf("backend %s: .max_connections is %s: a fetch beyond it fails at once with 503 (FetchError \"backend %s: busy\"), "+
				"it does not wait for a connection to come free", b.Name, a.Value, b.Name),
			"raise .max_connections to what the backend can serve at once, or remove it"))
	}
	return out
}

// checkVarnishProbe looks at one probe: a .request must end the
// connection, since the probe waits for the backend to close it
// ("Connection: close is mandatory", vcl-probe(7)).
func checkVarnishProbe(p *VarnishProbe) []Finding {
	a, ok := p.Attrs["request"]
	if !ok || strings.Contains(strings.ToLower(a.Value), "connection: close") {
		return nil
	}
	return []Finding{attrFinding(a, Warning, "varnish.probe_keepalive", catalog.UpstreamNoneHealthy,
		"the probe's .request has no \"Connection: close\": Varnish waits for the backend to close the connection, so a backend that keeps it open "+
			"fails every probe at .timeout, is marked sick, and its requests get 503",
		`add "Connection: close" as the last line of .request`)}
}

// checkVarnishDirector looks at a director's backends: Varnish counts a
// backend without a probe as healthy, so a director keeps choosing it
// while it is down, and each request that gets it fails with 503; a
// fallback director never falls back from it.
func checkVarnishDirector(v *Varnish, d *VarnishDirector) []Finding {
	if len(d.Members) < 2 {
		return nil
	}
	var bare []string
	for _, m := range d.Members {
		if b := v.backendNamed(m); b != nil && !b.None && b.Probe == nil {
			bare = append(bare, m)
		}
	}
	if len(bare) == 0 {
		return nil
	}
	msg := fmt.Sprintf("director %s (%s) has %d backends and %s no probe: Varnish counts a backend without a probe as healthy, "+
		"so while it is down the director goes on choosing it and each request that gets it fails with 503", d.Name, d.Kind, len(d.Members), probeList(bare))
	if d.Kind == "fallback" {
		msg += "; a fallback director never moves past a first backend that has no probe"
	}
	return []Finding{{Severity: Warning, Code: "varnish.no_probe", Cause: catalog.UpstreamRefused, File: d.File, Line: d.Line,
		Message: msg, Fix: varnishProbeFix + "  # in backend " + bare[0] + ", or a probe default { ... } for every backend"}}
}

// probeList writes "backend a has" or "backends a, b have".
func probeList(names []string) string {
	if len(names) == 1 {
		return "backend " + names[0] + " has"
	}
	return "backends " + strings.Join(names, ", ") + " have"
}

// checkVarnishFetch looks at the timeouts vcl_backend_fetch sets.
func checkVarnishFetch(v *Varnish) []Finding {
	var out []Finding
	walkVCL(v.Subs["vcl_backend_fetch"], func(s *vclStmt) {
		if s.head() != "set" || len(s.Words) != 4 || strings.ToLower(s.Words[1].text) != "bereq.first_byte_timeout" {
			return
		}
		if d, err := vclDuration(s.Words[3].text); err == nil && d > 0 && d < shortReadTimeout {
			out = append(out, Finding{Severity: Warning, Code: "varnish.first_byte_timeout_short", Cause: catalog.UpstreamTimeout,
				File: s.File, Line: s.Line, Directive: s.String(),
				Message: fmt.Sprintf("bereq.first_byte_timeout is %s: every response slower than that fails with 503 Backend fetch failed", s.Words[3].text),
				Fix:     "set bereq.first_byte_timeout = 60s;"})
		}
	})
	return out
}

// walkVCL calls f for every simple statement of stmts, in both branches
// of every if.
func walkVCL(stmts []*vclStmt, f func(*vclStmt)) {
	for _, s := range stmts {
		if s.If {
			walkVCL(s.Then, f)
			walkVCL(s.Else, f)
			continue
		}
		f(s)
	}
}
