package gwconfig

import (
	"fmt"
	"strconv"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// checkLighttpd lints the hosts of every proxy.server and fastcgi.server
// assignment, in every block, against lighttpd's documented behaviour
// (https://redmine.lighttpd.net/projects/lighttpd/wiki/Docs_ModProxy,
// Docs_ModFastCGI) and its source (gw_backend.c).
func checkLighttpd(l *Lighttpd) []Finding {
	var out []Finding
	walkLighttpd(l.Root, func(a *LighttpdAssign) {
		if a.Key != "proxy.server" && a.Key != "fastcgi.server" || !a.Value.Array {
			return
		}
		for i, entry := range a.Value.List {
			hosts := entry.List
			if entry.get("host") != nil || entry.get("socket") != nil {
				hosts = []*lhValue{entry}
			}
			for _, h := range hosts {
				out = append(out, checkLighttpdHost(a, a.Value.Keys[i], h)...)
			}
		}
	})
	return out
}

// walkLighttpd calls f for every assignment, in every block.
func walkLighttpd(b *LighttpdBlock, f func(*LighttpdAssign)) {
	for _, it := range b.Items {
		if it.Assign != nil {
			f(it.Assign)
		}
		for _, br := range it.Chain {
			walkLighttpd(br, f)
		}
	}
}

// checkLighttpdHost looks at one backend host.
func checkLighttpdHost(a *LighttpdAssign, ext string, h *lhValue) []Finding {
	var out []Finding
	where := fmt.Sprintf("%s %q", a.Key, ext)
	if v := h.get("read-timeout"); v != nil {
		if n, err := strconv.Atoi(v.text()); err == nil && n > 0 && n < int(shortReadTimeout.Seconds()) {
			out = append(out, Finding{Severity: Warning, Code: "lighttpd.read_timeout_short", Cause: catalog.UpstreamTimeout,
				File: v.File, Line: v.Line, Directive: fmt.Sprintf(`"read-timeout" => %s`, v.text()),
				Message: fmt.Sprintf("%s: read-timeout is %s s: every response the backend takes longer to send fails with 504", where, v.text()),
				Fix:     `"read-timeout" => 60`})
		}
	}
	if host := h.get("host").text(); host != "" && h.get("socket") == nil && !isIPHost(host) {
		out = append(out, Finding{Severity: Info, Code: "lighttpd.static_hostname", Cause: catalog.UpstreamUnreachable,
			File: h.File, Line: h.Line, Directive: fmt.Sprintf(`"host" => %q`, host),
			Message: fmt.Sprintf("%s: lighttpd resolves %q once, at start-up (a name it cannot resolve stops it from starting), and keeps the address: "+
				"when the backend's address changes, requests go to the old one until lighttpd restarts", where, host),
			Fix: `"host" => "192.0.2.10"  # the backend's IP address; restart lighttpd when it changes`})
	}
	return out
}
