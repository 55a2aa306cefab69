package gwconfig

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// maxVCLCalls bounds the subroutines one evaluation calls: VCL forbids
// recursion, and a VCL that has it is not loaded.
const maxVCLCalls = 64

// vclEval follows the statements of vcl_recv (then vcl_backend_fetch) for
// one request: the host and URL it carries, and what the statements set.
type vclEval struct {
	v      *Varnish
	prefix string // "req." in vcl_recv, "bereq." in vcl_backend_fetch
	host   string // the Host header
	url    string // the path and query
	notes  *[]string
	hint   *vclStmt // the last "set req.backend_hint = X;" (or bereq.backend) that ran
	synth  *vclStmt // a return (synth(...)) that answers the request in Varnish
	sets   map[string]*vclStmt
	calls  int
	done   bool
}

// Route follows vcl_recv for u: simple if/elsif chains on the URL and
// the Host header (regular expressions, equality), calls of other
// subroutines and "set req.backend_hint" to the backend or director that
// gets the request, then vcl_backend_fetch's "set bereq.backend" and its
// timeouts. A condition on anything else is read as false, with a note.
// Without a backend_hint, the backend called default, or the first one,
// gets the request. Varnish listens where varnishd's -a says, not in the
// VCL, so every URL has a route.
func (v *Varnish) Route(u *url.URL) (*Route, error) {
	if u == nil || u.Host == "" {
		return nil, fmt.Errorf("URL %q has no host", u)
	}
	r := &Route{Gateway: string(catalog.Varnish), URL: u.String(), Settings: []Setting{}}
	r.Server = v.subAt["vcl_recv"]
	if r.Server.File == "" {
		r.Server = Block{Name: "vcl " + v.File, File: v.File}
	}
	ev := &vclEval{v: v, prefix: "req.", host: strings.ToLower(u.Host), url: u.RequestURI(), notes: &r.Notes, sets: map[string]*vclStmt{}}
	ev.run(v.Subs["vcl_recv"])
	if ev.synth != nil {
		r.Location = Block{Name: ev.synth.String(), File: ev.synth.File, Line: ev.synth.Line}
		r.Notes = append(r.Notes, "vcl_recv answers the request itself (synth): no backend is asked")
		return r, nil
	}
	ev.prefix, ev.done = "bereq.", false
	ev.run(v.Subs["vcl_backend_fetch"])
	v.routeBackend(r, ev)
	return r, nil
}

// routeBackend fills r from the backend or director the evaluation chose.
func (v *Varnish) routeBackend(r *Route, ev *vclEval) {
	var backends []*VarnishBackend
	if ev.hint != nil {
		r.Location = Block{Name: ev.hint.String(), File: ev.hint.File, Line: ev.hint.Line}
		r.Target = vclText(ev.hint.Words[3:])
		backends = v.expand(r, ev.hint.Words[3:], 0)
	} else if b := v.defaultBackend(); b != nil {
		r.Location, r.Target = b.Block, b.Name
		r.Notes = append(r.Notes, "no backend_hint is set for this request: Varnish uses the backend called default, or the first one declared")
		backends = []*VarnishBackend{b}
	} else {
		r.Notes = append(r.Notes, "the VCL declares no backend")
		return
	}
	r.Protocol = ProtoHTTP
	for _, b := range backends {
		if b.None {
			r.Notes = append(r.Notes, fmt.Sprintf("backend %s is none: Varnish answers 503 without asking anything", b.Name))
			continue
		}
		if b.Upstream.Addr != "" {
			r.Upstreams = append(r.Upstreams, b.Upstream)
		}
	}
	for _, b := range backends {
		if !b.None {
			r.Settings = v.settings(b, ev)
			if b.Probe != nil {
				r.HealthCheck = b.Probe.healthCheck(b)
			}
			break
		}
	}
}

// expand returns the backends behind an expression: a backend's name, or
// a director's .backend(); the director's members are the upstreams'
// group.
func (v *Varnish) expand(r *Route, expr []vclToken, depth int) []*VarnishBackend {
	if len(expr) == 0 || depth > 8 {
		return nil
	}
	name := expr[0].text
	if b := v.backendNamed(name); b != nil && len(expr) == 1 {
		return []*VarnishBackend{b}
	}
	d := v.Directors[strings.TrimSuffix(name, ".backend")]
	if d == nil || !strings.HasSuffix(name, ".backend") {
		r.Notes = append(r.Notes, fmt.Sprintf("%s is neither a backend nor a director's backend() of this VCL: the backend is known only at run time", vclText(expr)))
		return nil
	}
	if depth == 0 {
		r.Notes = append(r.Notes, directorNote(d))
	}
	if len(d.Members) == 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("director %s adds no backends in vcl_init: its backends are known only at run time", d.Name))
	}
	var out []*VarnishBackend
	for _, m := range d.Members {
		if strings.HasSuffix(m, "()") {
			out = append(out, v.expand(r, []vclToken{{text: strings.TrimSuffix(m, "()"), kind: vclWord}, {text: "(", kind: vclPunct}}, depth+1)...)
			continue
		}
		b := v.backendNamed(m)
		if b == nil {
			r.Notes = append(r.Notes, fmt.Sprintf("director %s adds %s, which is not a backend of this VCL", d.Name, m))
			continue
		}
		c := *b
		c.Upstream.Group = d.Name
		out = append(out, &c)
	}
	return out
}

// directorNote says how a director picks among its backends
// (https://varnish-cache.org/docs/7.1/reference/vmod_directors.html).
func directorNote(d *VarnishDirector) string {
	how := map[string]string{
		"round_robin": "takes its healthy backends in turn",
		"fallback":    "sends every request to the first healthy backend, in the order added",
		"random":      "picks a healthy backend at random, by weight",
		"hash":        "picks a healthy backend by a hash of its argument",
		"shard":       "picks a healthy backend by consistent hashing",
	}[d.Kind]
	if how == "" {
		how = "picks a backend its own way"
	}
	return fmt.Sprintf("director %s (%s, %s) %s; a backend is healthy unless its probe says otherwise", d.Name, d.Kind, where(d.File, d.Line), how)
}

// run follows stmts until a return.
func (ev *vclEval) run(stmts []*vclStmt) {
	for _, s := range stmts {
		if ev.done {
			return
		}
		switch {
		case s.If:
			ok, known := ev.cond(s.Words)
			if !known {
				*ev.notes = append(*ev.notes, fmt.Sprintf("the condition %s (%s) is not read: taken as false", s.String(), where(s.File, s.Line)))
			}
			if ok {
				ev.run(s.Then)
			} else {
				ev.run(s.Else)
			}
		case s.head() == "set" || s.head() == "unset":
			ev.set(s)
		case s.head() == "call" && len(s.Words) > 1:
			if ev.calls++; ev.calls > maxVCLCalls {
				return
			}
			ev.run(ev.v.Subs[s.Words[1].text])
		case s.head() == "return":
			ev.done = true
			if len(s.Words) > 2 && strings.HasPrefix(s.Words[2].text, "synth") && ev.prefix == "req." {
				ev.synth = s
			}
		}
	}
}

// set records what a set statement changes: the backend, the URL or Host
// header that later conditions read, or a timeout of the fetch.
func (ev *vclEval) set(s *vclStmt) {
	w := s.Words
	if len(w) < 2 {
		return
	}
	lhs := strings.ToLower(w[1].text)
	rhs := []vclToken(nil)
	if len(w) > 3 && w[2].is("=") {
		rhs = w[3:]
	}
	switch lhs {
	case "req.backend_hint", "req.backend", "bereq.backend":
		if rhs != nil && (ev.prefix == "req." || lhs == "bereq.backend") {
			ev.hint = s
		}
	case ev.prefix + "url", ev.prefix + "http.host":
		if len(rhs) == 1 && rhs[0].kind == vclString {
			if lhs == ev.prefix+"url" {
				ev.url = rhs[0].text
			} else {
				ev.host = strings.ToLower(rhs[0].text)
			}
			return
		}
		*ev.notes = append(*ev.notes, fmt.Sprintf("%s (%s) changes %s in a way that is not followed", s.String(), where(s.File, s.Line), w[1].text))
	case "bereq.connect_timeout", "bereq.first_byte_timeout", "bereq.between_bytes_timeout":
		if ev.prefix == "bereq." {
			ev.sets[strings.TrimPrefix(lhs, "bereq.")] = s
		}
	}
}

// cond evaluates a condition with three values: its truth, and whether
// it could be read at all.
func (ev *vclEval) cond(toks []vclToken) (val, known bool) {
	c := &vclCond{ev: ev, toks: toks}
	val, known = c.or()
	if c.pos != len(toks) {
		return false, false
	}
	return val, known
}

// vclCond is a recursive-descent reader of a condition: ||, &&, !,
// parentheses, and comparisons of the URL or Host header with a string.
type vclCond struct {
	ev   *vclEval
	toks []vclToken
	pos  int
}

func (c *vclCond) peek() vclToken {
	if c.pos < len(c.toks) {
		return c.toks[c.pos]
	}
	return vclToken{}
}

func (c *vclCond) or() (bool, bool) {
	v, k := c.and()
	for c.peek().is("||") {
		c.pos++
		v2, k2 := c.and()
		switch {
		case k && v || k2 && v2:
			v, k = true, true
		default:
			v, k = false, k && k2
		}
	}
	return v, k
}

func (c *vclCond) and() (bool, bool) {
	v, k := c.not()
	for c.peek().is("&&") {
		c.pos++
		v2, k2 := c.not()
		switch {
		case k && !v || k2 && !v2:
			v, k = false, true
		default:
			v, k = v && v2, k && k2
		}
	}
	return v, k
}

func (c *vclCond) not() (bool, bool) {
	if c.peek().is("!") {
		c.pos++
		v, k := c.not()
		return !v, k
	}
	if c.peek().is("(") {
		c.pos++
		v, k := c.or()
		if !c.peek().is(")") {
			return false, false
		}
		c.pos++
		return v, k
	}
	return c.compare()
}

// compare reads "VAR OP STRING" where VAR is the URL or the Host header.
func (c *vclCond) compare() (bool, bool) {
	if c.pos+2 >= len(c.toks) {
		c.pos = len(c.toks)
		return false, false
	}
	lhs, op, rhs := c.toks[c.pos], c.toks[c.pos+1], c.toks[c.pos+2]
	c.pos += 3
	var subject string
	switch strings.ToLower(lhs.text) {
	case c.ev.prefix + "url":
		subject = c.ev.url
	case c.ev.prefix + "http.host":
		subject = c.ev.host
	default:
		return false, false
	}
	if rhs.kind != vclString || op.kind != vclPunct {
		return false, false
	}
	switch op.text {
	case "==":
		return subject == rhs.text, true
	case "!=":
		return subject != rhs.text, true
	case "~", "!~":
		re, err := regexp.Compile(rhs.text)
		if err != nil {
			return false, false // PCRE that RE2 does not have (look-arounds)
		}
		return re.MatchString(subject) == (op.text == "~"), true
	}
	return false, false
}

// settings returns the backend's timeouts: set in vcl_backend_fetch, else
// in the backend, else varnishd's parameters of the same names
// (https://varnish-cache.org/docs/7.1/reference/varnishd.html#connect-timeout,
// #first-byte-timeout, #between-bytes-timeout); then .max_connections
// when set.
func (v *Varnish) settings(b *VarnishBackend, ev *vclEval) []Setting {
	var out []Setting
	for _, name := range []string{"connect_timeout", "first_byte_timeout", "between_bytes_timeout"} {
		s := defaultSetting(catalog.Varnish, name)
		if a, ok := b.Attrs[name]; ok {
			if d, err := vclDuration(a.Value); err == nil {
				s = Setting{Name: name, Value: a.Value, Duration: d, File: a.File, Line: a.Line}
			}
		}
		if st := ev.sets[name]; st != nil && len(st.Words) == 4 {
			if d, err := vclDuration(st.Words[3].text); err == nil {
				s = Setting{Name: name, Value: st.Words[3].text, Duration: d, File: st.File, Line: st.Line}
			}
		}
		out = append(out, s)
	}
	if a, ok := b.Attrs["max_connections"]; ok {
		out = append(out, Setting{Name: "max_connections", Value: a.Value, File: a.File, Line: a.Line})
	}
	return out
}

// defaultSetting is the catalog's default of a product's timeout, written
// as a duration.
func defaultSetting(p catalog.Product, name string) Setting {
	d, _ := p.DefaultTimeout(name)
	return Setting{Name: name, Value: formatDuration(d), Duration: d, Default: true}
}

// healthCheck turns the probe into the request it sends: .request as
// written, else GET .url (default "/") with the backend's .host_header
// or .host as Host; it passes on .expected_response (default 200).
func (p *VarnishProbe) healthCheck(b *VarnishBackend) *HealthCheck {
	hc := &HealthCheck{Method: "GET", Path: "/", Expect: "status 200", File: p.File, Line: p.Line}
	if a, ok := p.Attrs["url"]; ok {
		hc.Path = a.Value
	}
	if h, ok := b.Attrs["host_header"]; ok {
		hc.Host = strings.TrimSpace(strings.TrimPrefix(h.Value, "Host:"))
	} else if h, ok := b.Attrs["host"]; ok {
		hc.Host = h.Value
	}
	if a, ok := p.Attrs["request"]; ok {
		for i, t := range a.Toks {
			if t.kind != vclString {
				continue
			}
			if i == 0 {
				if f := strings.Fields(t.text); len(f) >= 2 {
					hc.Method, hc.Path = f[0], f[1]
				}
			} else if k, val, ok := strings.Cut(t.text, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "host") {
				hc.Host = strings.TrimSpace(val)
			}
		}
	}
	if a, ok := p.Attrs["expected_response"]; ok {
		hc.Expect = "status " + a.Value
	}
	return hc
}
