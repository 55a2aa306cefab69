package gwconfig

import (
	"cmp"
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
	req := haproxyReq{host: hostHeader(u, host), path: path, tls: u.Scheme == "https", tcp: fe.mode() == "tcp"}
	if req.tcp {
		r.Notes = append(r.Notes, fmt.Sprintf("%s %s runs in TCP mode (no \"mode http\"): its HTTP rules (http-request, redirect) are ignored and conditions on the path or headers never match", fe.Kind, fe.Name))
	}
	if note, ok := fe.answersItself(req); ok && !req.tcp {
		r.Notes = append(r.Notes, note)
		r.Settings = h.settings(fe, nil)
		return r, nil
	}
	be := fe
	// A listen section may switch too; with no rule that matches it
	// serves the request with its own servers.
	if fe.Kind == "frontend" || len(fe.UseBackends) > 0 || fe.DefaultBackend != "" {
		name, notes := fe.pickBackend(req)
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
	for _, t := range be.SRVTemplates {
		r.Notes = append(r.Notes, fmt.Sprintf("%s (%s): the servers' addresses and ports come from DNS SRV records at run time", strings.Join(t.words, " "), where(be.File, t.line)))
	}
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
func (p *HAProxyProxy) pickBackend(req haproxyReq) (string, []string) {
	var notes []string
	for _, ub := range p.UseBackends {
		match, known := p.evalCond(ub.Cond, req)
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
func (p *HAProxyProxy) evalCond(cond string, req haproxyReq) (match, known bool) {
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
		if w == "{" || w == "!{" {
			j := i + 1
			for j < len(words) && words[j] != "}" {
				j++
			}
			m, ok = evalACL(strings.Join(words[i+1:min(j, len(words))], " "), req)
			m = m != (w == "!{")
			i = j
		} else {
			name, not := strings.CutPrefix(w, "!")
			m, ok = p.evalNamedACL(name, req)
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
func (p *HAProxyProxy) evalNamedACL(name string, req haproxyReq) (bool, bool) {
	defs, ok := p.ACLs[name]
	if !ok {
		return false, false
	}
	for _, d := range defs {
		m, known := evalACL(d, req)
		if !known {
			return false, false
		}
		if m {
			return true, true
		}
	}
	return false, true
}

// haproxyReq is what conditions may read of a request here: its Host
// header (with a port that is not the scheme's default), its path and
// whether it came over TLS.
type haproxyReq struct {
	host, path string
	tls        bool
	tcp        bool // the frontend runs in TCP mode: no HTTP fetch has a value
}

// evalACL evaluates one ACL body "FETCH [-i] [-m TYPE] VALUE..." for the
// fetches that depend on the host, the path or TLS only: path, path_beg,
// path_end, path_sub, path_dir, path_reg, hdr(host) and its _beg, _end,
// _dom, _sub and _reg forms (the header's name in any case, req. in front
// or not), and ssl_fc (configuration.txt §7.3.6: a fetch's suffix, or -m,
// says how its patterns match).
func evalACL(body string, req haproxyReq) (match, known bool) {
	w := strings.Fields(body)
	if len(w) == 0 {
		return false, false
	}
	fetch := strings.TrimPrefix(w[0], "req.")
	if fetch == "ssl_fc" {
		return req.tls, true
	}
	if len(w) < 2 {
		return false, false
	}
	var vals []string
	fold, method := false, ""
	for i := 1; i < len(w); i++ {
		switch w[i] {
		case "-i":
			fold = true
		case "-m":
			if i+1 < len(w) {
				i++
				method = w[i]
			}
		case "--":
		default:
			vals = append(vals, w[i])
		}
	}
	base, arg, _ := strings.Cut(strings.TrimSuffix(fetch, ")"), "(")
	kind, suffix, _ := strings.Cut(base, "_")
	if req.tcp && (kind == "path" || kind == "hdr") {
		return false, true // HTTP fetches have no value in TCP mode
	}
	var subject string
	switch {
	case kind == "path" && arg == "":
		subject = req.path
	case kind == "hdr" && strings.EqualFold(arg, "host"):
		subject = req.host
	default:
		return false, false
	}
	if method == "" {
		method = cmp.Or(suffix, "str")
	}
	test, ok := haproxyMatch[method]
	if !ok {
		return false, false
	}
	for _, v := range vals {
		s := subject
		if fold {
			s, v = strings.ToLower(s), strings.ToLower(v)
		}
		m, ok := test(s, v)
		if !ok {
			return false, false
		}
		if m {
			return true, true
		}
	}
	return false, true
}

// haproxyMatch are the pattern matching methods of ACLs (-m TYPE); ok is
// false for a pattern that cannot be read (a regex Go does not take).
var haproxyMatch = map[string]func(s, v string) (m, ok bool){
	"str": func(s, v string) (bool, bool) { return s == v, true },
	"beg": func(s, v string) (bool, bool) { return strings.HasPrefix(s, v), true },
	"end": func(s, v string) (bool, bool) { return strings.HasSuffix(s, v), true },
	"sub": func(s, v string) (bool, bool) { return strings.Contains(s, v), true },
	"dir": func(s, v string) (bool, bool) { return delimited(s, v, "/"), true },
	"dom": func(s, v string) (bool, bool) { return delimited(s, v, "/."), true },
	"reg": func(s, v string) (bool, bool) {
		re, err := compilePCRE(v)
		if err != nil {
			return false, false
		}
		return re.MatchString(s), true
	},
}

// delimited reports whether v is found in s between delimiters (any of
// seps) or the ends of s, as -m dir and -m dom match.
func delimited(s, v, seps string) bool {
	if v == "" {
		return false
	}
	for i := 0; i+len(v) <= len(s); i++ {
		if s[i:i+len(v)] != v {
			continue
		}
		before := i == 0 || strings.IndexByte(seps, s[i-1]) >= 0
		after := i+len(v) == len(s) || strings.IndexByte(seps, s[i+len(v)]) >= 0
		if before && after {
			return true
		}
	}
	return false
}

// answersItself tells whether the frontend answers the request itself
// before any backend is chosen: an "http-request redirect" or "redirect"
// rule (or an "http-request return" or "deny") whose condition holds.
// A rule whose condition cannot be read here is passed over.
func (p *HAProxyProxy) answersItself(req haproxyReq) (string, bool) {
	for _, l := range p.lines {
		w := l.words
		var cond string
		switch {
		case len(w) >= 2 && w[0] == "http-request" && (w[1] == "redirect" || w[1] == "return" || w[1] == "deny"):
			cond = haproxyCond(w[2:])
		case len(w) >= 1 && w[0] == "redirect":
			cond = haproxyCond(w[1:])
		default:
			continue
		}
		if m, known := p.evalCond(cond, req); known && m {
			return fmt.Sprintf("%s (%s) answers the request: HAProxy answers it itself, no backend is asked", strings.Join(w, " "), where(p.File, l.line)), true
		}
	}
	return "", false
}

// haproxyCond returns the "if|unless ..." tail of a rule's words, "" when
// it has none.
func haproxyCond(w []string) string {
	for i, x := range w {
		if x == "if" || x == "unless" {
			return strings.Join(w[i:], " ")
		}
	}
	return ""
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

// hostHeader is the Host header a browser sends for u: the host, with the
// port when it is not the scheme's default. HAProxy's hdr(host) fetches
// match the header as sent, port and all.
func hostHeader(u *url.URL, host string) string {
	p := u.Port()
	if p == "" || (u.Scheme == "http" && p == "80") || (u.Scheme == "https" && p == "443") {
		return host
	}
	return host + ":" + p
}
