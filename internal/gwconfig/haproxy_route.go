package gwconfig

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// haproxyTimeouts are the timeouts reported on a route, frontend ones
// first. None has a default: an unset one is infinite, which HAProxy warns
// about at start-up (configuration.txt, "timeout").
var haproxyTimeouts = []struct{ name, side string }{
	{"client", "frontend"}, {"http-request", "frontend"}, {"http-keep-alive", "frontend"},
	{"connect", "backend"}, {"server", "backend"}, {"queue", "backend"},
}

// Route finds the frontend that binds u's port, the backend it picks for u
// (use_backend rules whose conditions can be read, else default_backend),
// and the servers and timeouts of that backend.
func (h *HAProxy) Route(u *url.URL) (*Route, error) {
	host, port, path, err := splitURL(u)
	if err != nil {
		return nil, err
	}
	fe := h.frontendFor(port)
	if fe == nil {
		return nil, fmt.Errorf("no HAProxy frontend or listen section binds port %d", port)
	}
	r := &Route{Gateway: string(catalog.HAProxy), URL: u.String(), Server: Block{Name: fe.Kind + " " + fe.Name, File: fe.File, Line: fe.Line}}
	be := fe
	// A listen section may switch too; with no rule that matches it
	// serves the request with its own servers.
	if fe.Kind == "frontend" || len(fe.UseBackends) > 0 || fe.DefaultBackend != "" {
		name, notes := fe.pickBackend(host, path)
		if fe.Kind == "listen" && name == "" {
			notes = append(notes[:len(notes)-1], "no use_backend matches: the listen section's own servers answer")
			name = fe.Name
		}
		r.Notes = append(r.Notes, notes...)
		if be = h.proxy(name); be == nil {
			r.Notes = append(r.Notes, fmt.Sprintf("no backend %q: HAProxy answers 503", name))
			r.Settings = h.settings(fe, nil)
			return r, nil
		}
	}
	r.Location = Block{Name: be.Kind + " " + be.Name, File: be.File, Line: be.Line}
	r.Target, r.Protocol = be.Name, ProtoHTTP
	r.Upstreams = append(r.Upstreams, be.Servers...)
	for _, s := range be.Servers {
		if s.TLS {
			r.Protocol = ProtoHTTPS
		}
	}
	r.Settings = h.settings(fe, be)
	r.HealthCheck = be.healthCheck()
	return r, nil
}

// healthCheck returns the HTTP check of the backend's servers: "option
// httpchk [METHOD] [URI]" (OPTIONS / by default), refined by "http-check
// send meth M uri U [hdr Host H]" and "http-check expect ..."
// (configuration.txt, "option httpchk", "http-check send", "http-check
// expect"). It is nil unless a server has "check": without it HAProxy
// checks nothing.
func (p *HAProxyProxy) healthCheck() *HealthCheck {
	checked := false
	for _, s := range p.Servers {
		checked = checked || s.Check
	}
	if !checked {
		return nil
	}
	var hc *HealthCheck
	var sends, expects []hline
	for _, q := range []*HAProxyProxy{p.defaults, p} { // the backend's own lines win
		if q == nil {
			continue
		}
		for _, l := range q.lines {
			w := l.words
			switch {
			case len(w) >= 2 && w[0] == "option" && w[1] == "httpchk":
				hc = &HealthCheck{Method: "OPTIONS", Path: "/", File: q.File, Line: l.line}
				switch args := w[2:]; {
				case len(args) == 1:
					hc.Path = args[0]
				case len(args) >= 2:
					hc.Method, hc.Path = strings.ToUpper(args[0]), args[1]
				}
				sends, expects = nil, nil
			case len(w) >= 2 && w[0] == "no" && w[1] == "option" && len(w) >= 3 && w[2] == "httpchk":
				hc = nil
			case len(w) >= 2 && w[0] == "http-check" && w[1] == "send":
				sends = append(sends, l)
			case len(w) >= 3 && w[0] == "http-check" && w[1] == "expect":
				expects = append(expects, l)
			}
		}
	}
	if hc == nil {
		return nil
	}
	for _, l := range sends {
		w := l.words[2:]
		for i := 0; i+1 < len(w); i++ {
			switch {
			case w[i] == "meth":
				hc.Method = strings.ToUpper(w[i+1])
				i++
			case w[i] == "uri":
				hc.Path = w[i+1]
				i++
			case w[i] == "hdr" && i+2 < len(w):
				if strings.EqualFold(w[i+1], "host") {
					hc.Host = w[i+2]
				}
				i += 2
			}
		}
	}
	if len(expects) > 0 {
		// Only the first expect rule is read: later ones are a sequence of
		// connect/send/expect steps that a single request cannot replay.
		hc.Expect = strings.Join(expects[0].words[2:], " ")
	}
	return hc
}

func (h *HAProxy) frontendFor(port int) *HAProxyProxy {
	for _, p := range h.Proxies {
		if p.Kind == "backend" {
			continue
		}
		for _, b := range p.Binds {
			if b.Unix == "" && b.Port == port {
				return p
			}
		}
	}
	return nil
}

// pickBackend applies the use_backend rules in order and falls back to
// default_backend. A rule whose condition cannot be read here is skipped
// with a note.
func (p *HAProxyProxy) pickBackend(host, path string) (string, []string) {
	var notes []string
	for _, ub := range p.UseBackends {
		match, known := p.evalCond(ub.Cond, host, path)
		where := where(ub.File, ub.Line)
		switch {
		case !known:
			notes = append(notes, fmt.Sprintf("use_backend %s %s (%s) not evaluated: its condition depends on more than host and path", ub.Backend, ub.Cond, where))
		case match:
			notes = append(notes, fmt.Sprintf("use_backend %s %s (%s) matches", ub.Backend, ub.Cond, where))
			return ub.Backend, notes
		}
	}
	if p.DefaultBackend == "" {
		notes = append(notes, "no use_backend matches and there is no default_backend: HAProxy answers 503")
	} else {
		notes = append(notes, "default_backend "+p.DefaultBackend)
	}
	return p.DefaultBackend, notes
}

// evalCond evaluates "if|unless TERM..." where terms are ACL names
// (optionally negated with "!") joined by AND (juxtaposition) and "||" or
// "or", or anonymous ACLs in braces. known is false when a term uses a
// fetch other than host or path matching.
func (p *HAProxyProxy) evalCond(cond, host, path string) (match, known bool) {
	words := strings.Fields(cond)
	if len(words) == 0 {
		return true, true
	}
	neg := false
	switch words[0] {
	case "if":
	case "unless":
		neg = true
	default:
		return false, false
	}
	or, and := false, true
	for i := 1; i < len(words); i++ {
		w := words[i]
		if w == "||" || w == "or" {
			or, and = or || and, true
			continue
		}
		var m, ok bool
		if w == "{" {
			j := i + 1
			for j < len(words) && words[j] != "}" {
				j++
			}
			m, ok = evalACL(strings.Join(words[i+1:min(j, len(words))], " "), host, path)
			i = j
		} else {
			name, not := strings.CutPrefix(w, "!")
			m, ok = p.evalNamedACL(name, host, path)
			m = m != not
		}
		if !ok {
			return false, false
		}
		and = and && m
	}
	return (or || and) != neg, true
}

// evalNamedACL: an ACL defined on several lines matches when any does.
func (p *HAProxyProxy) evalNamedACL(name, host, path string) (bool, bool) {
	defs, ok := p.ACLs[name]
	if !ok {
		return false, false
	}
	for _, d := range defs {
		m, known := evalACL(d, host, path)
		if !known {
			return false, false
		}
		if m {
			return true, true
		}
	}
	return false, true
}

// evalACL evaluates one ACL body "FETCH [-i] [-m TYPE] VALUE..." for the
// fetches that depend on host and path only.
func evalACL(body, host, path string) (match, known bool) {
	w := strings.Fields(body)
	if len(w) < 2 {
		return false, false
	}
	fetch, vals, fold := w[0], []string{}, false
	for _, v := range w[1:] {
		switch v {
		case "-i":
			fold = true
		case "-m", "--":
		default:
			vals = append(vals, v)
		}
	}
	var subject string
	var test func(s, v string) bool
	switch fetch {
	case "path_beg":
		subject, test = path, strings.HasPrefix
	case "path_end":
		subject, test = path, strings.HasSuffix
	case "path":
		subject, test = path, func(s, v string) bool { return s == v }
	case "hdr(host)", "req.hdr(host)", "hdr_dom(host)":
		subject, test = host, func(s, v string) bool { return s == v || strings.HasSuffix(s, "."+v) && fetch == "hdr_dom(host)" }
	case "hdr_beg(host)":
		subject, test = host, strings.HasPrefix
	case "hdr_end(host)":
		subject, test = host, strings.HasSuffix
	default:
		return false, false
	}
	for _, v := range vals {
		s := subject
		if fold {
			s, v = strings.ToLower(s), strings.ToLower(v)
		}
		if test(s, v) {
			return true, true
		}
	}
	return false, true
}

// settings returns the timeouts of fe and be and tune.bufsize.
func (h *HAProxy) settings(fe, be *HAProxyProxy) []Setting {
	var out []Setting
	for _, t := range haproxyTimeouts {
		p := fe
		if t.side == "backend" {
			p = be
		}
		if p == nil {
			continue
		}
		out = append(out, p.timeoutOrFallback(t.name))
	}
	return append(out, h.BufSize)
}

// timeoutFallbacks are the timeouts that stand in for an unset one
// (configuration.txt: "timeout queue": the connect timeout is used;
// "timeout http-keep-alive": timeout http-request, then timeout client;
// "timeout http-request": timeout client).
var timeoutFallbacks = map[string][]string{
	"queue":           {"connect"},
	"http-keep-alive": {"http-request", "client"},
	"http-request":    {"client"},
}

// timeoutOrFallback returns timeout name, the timeout that stands in for
// it, or Value "none" (wait forever) with Default set.
func (p *HAProxyProxy) timeoutOrFallback(name string) Setting {
	if s, ok := p.timeout(name); ok {
		return s
	}
	for _, f := range timeoutFallbacks[name] {
		if s, ok := p.timeout(f); ok {
			s.Name = "timeout " + name
			return s
		}
	}
	return Setting{Name: "timeout " + name, Value: "none", Default: true}
}
