package gwconfig

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// checkHAProxy lints the frontends and backends of h.
func checkHAProxy(h *HAProxy) []Finding {
	var out []Finding
	for _, p := range h.Proxies {
		out = append(out, checkHAProxyTimeouts(p)...)
		if p.Kind == "frontend" && p.DefaultBackend == "" && len(p.UseBackends) == 0 && !p.answersAll() {
			out = append(out, Finding{Severity: Error, Code: "haproxy.no_backend", Cause: catalog.UpstreamNoneHealthy,
				File: p.File, Line: p.Line, Directive: "frontend " + p.Name,
				Message: fmt.Sprintf("frontend %s has no default_backend and no use_backend: every request gets a 503", p.Name),
				Fix:     "default_backend NAME"})
		}
		for _, name := range referencedBackends(p) {
			if h.proxy(name.Backend) == nil && !strings.Contains(name.Backend, "%") {
				out = append(out, Finding{Severity: Error, Code: "haproxy.unknown_backend", Cause: catalog.UpstreamNoneHealthy,
					File: name.File, Line: name.Line, Message: fmt.Sprintf("frontend %s sends requests to backend %q, which does not exist", p.Name, name.Backend)})
			}
		}
		if p.Kind != "frontend" {
			out = append(out, checkHAProxyServers(p)...)
		}
		if l, ok := p.httpRuleInTCP(); ok {
			out = append(out, Finding{Severity: Warning, Code: "haproxy.http_rules_in_tcp", Cause: catalog.Unknown,
				File: p.File, Line: l.line, Directive: strings.Join(l.words, " "),
				Message: fmt.Sprintf("%s %s runs in TCP mode (its defaults set no \"mode http\"): HAProxy ignores its HTTP rules (http-request, redirect, option forwardfor) and HTTP fetches never match", p.Kind, p.Name),
				Fix:     "mode http"})
		}
	}
	return out
}

func referencedBackends(p *HAProxyProxy) []UseBackend {
	out := append([]UseBackend{}, p.UseBackends...)
	if p.DefaultBackend != "" {
		for _, l := range p.lines {
			if l.words[0] == "default_backend" {
				out = append(out, UseBackend{Backend: p.DefaultBackend, File: p.File, Line: l.line})
			}
		}
	}
	return out
}

// checkHAProxyTimeouts reports missing timeouts: HAProxy then waits
// forever, and warns "missing timeouts for proxy" at start-up.
func checkHAProxyTimeouts(p *HAProxyProxy) []Finding {
	var names []string
	if p.Kind != "backend" {
		names = append(names, "client")
	}
	if p.Kind != "frontend" {
		names = append(names, "connect", "server")
	}
	var out []Finding
	for _, n := range names {
		if s, ok := p.timeout(n); ok {
			if n == "server" && s.Duration > 0 && s.Duration < shortReadTimeout {
				out = append(out, settingFinding(s, Warning, "haproxy.server_timeout_short", catalog.UpstreamTimeout,
					fmt.Sprintf("timeout server is %s in %s %s: every response slower than that fails with 504", s.Value, p.Kind, p.Name),
					"timeout server 60s"))
			}
			continue
		}
		cause := catalog.UpstreamTimeout
		if n == "client" {
			cause = ""
		} else if n == "connect" {
			cause = catalog.UpstreamUnreachable
		}
		out = append(out, Finding{Severity: Warning, Code: "haproxy.missing_timeout", Cause: cause,
			File: p.File, Line: p.Line, Directive: p.Kind + " " + p.Name,
			Message: fmt.Sprintf("%s %s has no \"timeout %s\" (nor its defaults section): HAProxy waits forever and warns about missing timeouts at start-up", p.Kind, p.Name, n),
			Fix:     "timeout " + n + " " + map[string]string{"client": "30s", "connect": "5s", "server": "60s"}[n]})
	}
	return out
}

// checkHAProxyServers looks at the servers of a backend or listen section.
func checkHAProxyServers(p *HAProxyProxy) []Finding {
	var out []Finding
	live := 0
	for _, s := range p.Servers {
		if !s.Down {
			live++
		}
		if s.Network == "tcp" && !s.resolvers {
			d := &Directive{Name: "server " + s.Name, Args: []string{s.Addr}, File: s.File, Line: s.Line}
			if f, ok := hostFinding(d, hostOf(s.Addr)); ok {
				f.Code = strings.Replace(f.Code, "nginx.", "haproxy.", 1)
				if f.Code == "haproxy.localhost_upstream" {
					f.Message = "the server is \"localhost\": HAProxy resolves it once at start-up and uses the first address, " +
						"which can be ::1; an app that listens on 127.0.0.1 only then refuses every connection (503, termination state SC)"
				} else {
					// Only the product's name: the host itself may be "nginx".
					f.Message = strings.NewReplacer("nginx resolves", "HAProxy resolves", "until nginx is", "until HAProxy is").Replace(f.Message)
				}
				f.Fix = strings.TrimSuffix(strings.Replace(f.Fix, "proxy_pass", "server", 1), ";")
				if f.Code == "haproxy.static_hostname" {
					f.Fix = "declare a resolvers section and add \"resolvers NAME\" to the server line"
				}
				out = append(out, f)
			}
		}
		if !s.Check && len(p.Servers) > 1 {
			out = append(out, Finding{Severity: Info, Code: "haproxy.no_health_check", Cause: catalog.UpstreamRefused,
				File: s.File, Line: s.Line, Directive: "server " + s.Name + " " + s.Addr,
				Message: fmt.Sprintf("server %s of %s is not health-checked: when it is down HAProxy keeps sending it requests, which fail with 503", s.Name, p.Name),
				Fix:     "server " + s.Name + " " + s.Addr + " check"})
		}
	}
	if hc := p.healthCheck(); hc != nil && hc.Method == "OPTIONS" && hc.Path == "/" && hc.Expect == "" {
		out = append(out, Finding{Severity: Warning, Code: "haproxy.httpchk_options", Cause: catalog.UpstreamNoneHealthy,
			File: hc.File, Line: hc.Line, Directive: "option httpchk",
			Message: fmt.Sprintf("the health check of %s sends HAProxy's default, OPTIONS / HTTP/1.0: many applications answer it with 404, 405 or 400, "+
				"which HAProxy counts as a failed check, and with every server DOWN it answers 503 to everything", p.Name),
			Fix: "option httpchk GET /healthz  # a path that answers 200 while the application works"})
	}
	// A listen section that switches to backends may have no server of
	// its own.
	if live == 0 && len(p.UseBackends) == 0 && p.DefaultBackend == "" && !p.answersAll() {
		sev := Error
		if p.hasLine("errorfile", "503") {
			sev = Info // a backend kept without servers on purpose, to answer its own 503 page
		}
		out = append(out, Finding{Severity: sev, Code: "haproxy.no_server", Cause: catalog.UpstreamNoneHealthy,
			File: p.File, Line: p.Line, Directive: p.Kind + " " + p.Name,
			Message: fmt.Sprintf("%s %s has no enabled server: HAProxy answers 503 \"No server is available to handle this request\"", p.Kind, p.Name),
			Fix:     "server app1 127.0.0.1:8080 check"})
	}
	return out
}

// answersAll reports a proxy that answers every request itself: an
// unconditional redirect, http-request redirect, return or deny, or the
// stats page on "stats uri" or "stats enable".
func (p *HAProxyProxy) answersAll() bool {
	for _, l := range p.lines {
		w := l.words
		switch {
		case w[0] == "redirect" && haproxyCond(w[1:]) == "",
			w[0] == "http-request" && len(w) > 1 && (w[1] == "redirect" || w[1] == "return" || w[1] == "deny") && haproxyCond(w[2:]) == "",
			w[0] == "stats" && len(w) > 1 && (w[1] == "uri" || w[1] == "enable"):
			return true
		}
	}
	return false
}

// hasLine reports a line of the proxy that starts with the words given.
func (p *HAProxyProxy) hasLine(words ...string) bool {
	for _, l := range p.lines {
		if len(l.words) >= len(words) && slices.Equal(l.words[:len(words)], words) {
			return true
		}
	}
	return false
}

// httpRuleInTCP returns the first HTTP rule of a proxy that runs in TCP
// mode.
func (p *HAProxyProxy) httpRuleInTCP() (hline, bool) {
	if p.mode() != "tcp" {
		return hline{}, false
	}
	for _, l := range p.lines {
		w := l.words
		if w[0] == "http-request" || w[0] == "http-response" || w[0] == "redirect" || w[0] == "option" && len(w) > 1 && w[1] == "forwardfor" {
			return l, true
		}
	}
	return hline{}, false
}
