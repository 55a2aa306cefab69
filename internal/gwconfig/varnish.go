package gwconfig

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Varnish is a parsed VCL file (Varnish Cache 4.0 and later) with its
// includes: the backends and probes it declares, the directors vcl_init
// builds, and the subroutines that pick a backend for a request.
type Varnish struct {
	File     string
	Backends []*VarnishBackend // in the order declared
	// Probes are the named probe declarations; "default" applies to the
	// backends that have no .probe of their own.
	Probes    map[string]*VarnishProbe
	Directors map[string]*VarnishDirector
	// Subs holds the body of each subroutine, by name; a subroutine
	// declared more than once runs its parts in the order written, as
	// Varnish concatenates them.
	Subs  map[string][]*vclStmt
	subAt map[string]Block
	// Problems are the parts that could not be read (an include that is
	// missing, an attribute varnishd does not know, inline C); the rest of
	// the model stands without them.
	Problems []*ParseError
}

// VarnishBackend is one backend declaration.
type VarnishBackend struct {
	Name  string
	Block Block
	// None is "backend NAME none;": a backend that always fails (503).
	None     bool
	Upstream Upstream
	// Attrs are the attributes as written, by name without the dot.
	Attrs map[string]vclAttr
	// Probe is the backend's .probe, or the probe called default; nil
	// when it has none: Varnish then counts it as healthy at all times.
	Probe *VarnishProbe
}

// VarnishProbe is a health probe, named or written in a backend.
type VarnishProbe struct {
	Name  string // "" for a probe written in the backend
	File  string
	Line  int
	Attrs map[string]vclAttr
}

// VarnishDirector is a director that vcl_init creates with
// vmod_directors ("new vdir = directors.round_robin();") and its
// backends ("vdir.add_backend(app1);").
type VarnishDirector struct {
	Name    string
	Kind    string // "round_robin", "fallback", "random", "hash", "shard", ...
	File    string
	Line    int
	Members []string // backend names, or "other.backend()" for a director
}

// vclAttr is one attribute of a backend or probe: ".port = "8080";".
type vclAttr struct {
	Name  string // without the dot
	Value string // strings joined ("GET / HTTP/1.1\r\n..." for .request), or the word
	Toks  []vclToken
	Probe *VarnishProbe // for ".probe = { ... }"
	File  string
	Line  int
}

// String writes the attribute as in the VCL.
func (a vclAttr) String() string { return "." + a.Name + " = " + vclText(a.Toks) + ";" }

// ParseVarnish reads a VCL file and the files it includes; relative
// includes resolve against the directory of the file that includes them.
// What cannot be read is listed in Problems; the error is for a file that
// cannot be read at all.
func ParseVarnish(file string) (*Varnish, error) {
	file, err := absPath(file)
	if err != nil {
		return nil, err
	}
	return parseVarnish(diskSource{}, file)
}

// parseVarnish reads file from src.
func parseVarnish(src source, file string) (*Varnish, error) {
	r := &vclReader{src: src}
	toks, err := r.readFile(file, nil)
	if err != nil {
		return nil, err
	}
	v := &Varnish{File: file, Probes: map[string]*VarnishProbe{}, Directors: map[string]*VarnishDirector{},
		Subs: map[string][]*vclStmt{}, subAt: map[string]Block{}}
	p := &vclParser{toks: toks, probs: &r.probs}
	v.declarations(p)
	v.resolve(&r.probs)
	v.Problems = r.probs
	return v, nil
}

// declarations reads the top level: vcl, import, backend, probe, acl and
// sub declarations.
func (v *Varnish) declarations(p *vclParser) {
	for !p.done() {
		t := p.next()
		switch {
		case t.is(";"):
		case isElision(t):
			p.probs.addf(t.file, t.line, "%s: a part left out of the file", t.text)
		case t.kind == vclWord && (t.text == "vcl" || t.text == "import"):
			p.skipStatement()
		case t.kind == vclWord && t.text == "backend":
			v.backend(p, t)
		case t.kind == vclWord && t.text == "probe":
			name := p.next()
			if !p.peek().is("{") {
				p.probs.addf(t.file, t.line, "probe %s without a block", name.text)
				p.skipStatement()
				continue
			}
			open := p.next()
			v.Probes[name.text] = &VarnishProbe{Name: name.text, File: t.file, Line: t.line, Attrs: v.attrs(p, open, probeAttrs)}
		case t.kind == vclWord && t.text == "acl":
			p.skipStatement()
		case t.kind == vclWord && t.text == "sub":
			name := p.next()
			if p.peek().is("(") && p.pos+1 < len(p.toks) && p.toks[p.pos+1].is(")") {
				p.probs.addf(t.file, t.line, "sub %s(): varnishd wants no parentheses after a subroutine's name", name.text)
				p.pos += 2
			}
			if !p.peek().is("{") {
				p.probs.addf(t.file, t.line, "sub %s without a block", name.text)
				p.skipStatement()
				continue
			}
			if _, ok := v.subAt[name.text]; !ok {
				v.subAt[name.text] = Block{Name: "sub " + name.text, File: t.file, Line: t.line}
			}
			v.Subs[name.text] = append(v.Subs[name.text], p.statements(p.next())...)
		default:
			p.probs.addf(t.file, t.line, "%q is not a declaration varnishd knows at the top level", t.text)
			p.skipStatement()
		}
	}
}

// backendAttrs and probeAttrs are the attributes of a backend and a probe
// (https://varnish-cache.org/docs/7.1/reference/vcl-backend.html and
// vcl-probe.html); varnishd refuses others.
var (
	backendAttrs = map[string]bool{
		"host": true, "port": true, "path": true, "host_header": true, "connect_timeout": true,
		"first_byte_timeout": true, "between_bytes_timeout": true, "max_connections": true,
		"proxy_header": true, "preamble": true, "probe": true, "via": true, "authority": true,
		"wait_timeout": true, "wait_limit": true,
	}
	probeAttrs = map[string]bool{
		"url": true, "request": true, "expected_response": true, "timeout": true, "interval": true,
		"window": true, "threshold": true, "initial": true,
	}
)

// backend reads "backend NAME { ... }" or "backend NAME none;"; the word
// "backend" has been read.
func (v *Varnish) backend(p *vclParser, at vclToken) {
	name := p.next()
	b := &VarnishBackend{Name: name.text, Block: Block{Name: "backend " + name.text, File: at.file, Line: at.line}}
	switch {
	case p.peek().kind == vclWord && p.peek().text == "none":
		p.skipStatement()
		b.None = true
	case p.peek().is("{"):
		b.Attrs = v.attrs(p, p.next(), backendAttrs)
	default:
		p.probs.addf(at.file, at.line, "backend %s without a block", name.text)
		p.skipStatement()
		return
	}
	v.Backends = append(v.Backends, b)
}

// attrs reads ".name = value;" lines up to the "}" that closes the block
// opened at open; ".probe = { ... }" holds a probe's attributes.
func (v *Varnish) attrs(p *vclParser, open vclToken, known map[string]bool) map[string]vclAttr {
	out := map[string]vclAttr{}
	for {
		if p.done() {
			p.probs.addf(open.file, open.line, "the block opened here is not closed")
			return out
		}
		t := p.next()
		if t.is("}") {
			return out
		}
		if t.kind != vclWord || !strings.HasPrefix(t.text, ".") || !p.peek().is("=") {
			p.probs.addf(t.file, t.line, "%q is not an attribute (.name = value;)", t.text)
			p.skipStatement()
			continue
		}
		p.pos++ // "="
		a := vclAttr{Name: t.text[1:], File: t.file, Line: t.line}
		if !known[a.Name] {
			p.probs.addf(t.file, t.line, "unknown attribute .%s", a.Name)
		}
		if a.Name == "probe" && p.peek().is("{") {
			inner := p.next()
			a.Probe = &VarnishProbe{File: t.file, Line: t.line, Attrs: v.attrs(p, inner, probeAttrs)}
			a.Toks = []vclToken{{text: "{ ... }", kind: vclPunct}}
			out[a.Name] = a
			continue
		}
		for !p.done() && !p.peek().is(";") && !p.peek().is("}") {
			a.Toks = append(a.Toks, p.next())
		}
		if p.peek().is(";") {
			p.pos++
		}
		a.Value = attrValue(a.Toks)
		out[a.Name] = a
	}
}

// attrValue joins the strings of a value (".request" is several strings,
// each a line ending in CRLF), or returns the word.
func attrValue(toks []vclToken) string {
	var b strings.Builder
	strs := 0
	for _, t := range toks {
		if t.kind == vclString {
			b.WriteString(t.text)
			strs++
		}
	}
	if strs == 0 && len(toks) > 0 {
		return toks[0].text
	}
	return b.String()
}

// resolve fills each backend's upstream and probe, and reads the
// directors of vcl_init.
func (v *Varnish) resolve(probs *problems) {
	for _, b := range v.Backends {
		if b.None {
			continue
		}
		u, err := b.upstream()
		if err != nil {
			probs.addf(b.Block.File, b.Block.Line, "backend %s: %v", b.Name, err)
		}
		b.Upstream = u
		b.Probe = v.probeOf(b, probs)
		b.Upstream.Check = b.Probe != nil
	}
	v.readDirectors(v.Subs["vcl_init"], probs)
}

// upstream reads .host and .port, or .path (a unix socket, Varnish 6.4
// and later). A port in .host wins; without one, port 80.
func (b *VarnishBackend) upstream() (Upstream, error) {
	u := Upstream{Name: b.Name, Weight: 1, File: b.Block.File, Line: b.Block.Line}
	host, hasHost := b.Attrs["host"]
	path, hasPath := b.Attrs["path"]
	switch {
	case hasHost && hasPath:
		return u, fmt.Errorf(".host and .path are both set; varnishd wants one")
	case hasPath:
		u.Network, u.Addr = "unix", path.Value
		return u, nil
	case !hasHost:
		return u, fmt.Errorf("neither .host nor .path is set")
	}
	u.Network = "tcp"
	h, port := host.Value, "80"
	if hh, pp, err := net.SplitHostPort(h); err == nil {
		h, port = hh, pp
	} else if p, ok := b.Attrs["port"]; ok {
		port = p.Value
	}
	if port == "http" {
		port = "80"
	}
	if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
		return u, fmt.Errorf("port %q is not a number", port)
	}
	u.Addr = net.JoinHostPort(strings.Trim(h, "[]"), port)
	return u, nil
}

// probeOf returns the backend's probe: its .probe, by name or written in
// place, or else the probe called default.
func (v *Varnish) probeOf(b *VarnishBackend, probs *problems) *VarnishProbe {
	a, ok := b.Attrs["probe"]
	switch {
	case !ok:
		return v.Probes["default"]
	case a.Probe != nil:
		return a.Probe
	}
	if p := v.Probes[a.Value]; p != nil {
		return p
	}
	probs.addf(a.File, a.Line, "backend %s: no probe called %q", b.Name, a.Value)
	return nil
}

// readDirectors reads "new NAME = directors.KIND(...);" and
// "NAME.add_backend(BACKEND, ...);" in vcl_init, inside ifs too.
func (v *Varnish) readDirectors(stmts []*vclStmt, probs *problems) {
	for _, s := range stmts {
		if s.If {
			v.readDirectors(s.Then, probs)
			v.readDirectors(s.Else, probs)
			continue
		}
		w := s.Words
		switch {
		case s.head() == "new" && len(w) >= 4 && w[2].is("="):
			kind := w[3].text
			if i := strings.LastIndexByte(kind, '.'); i >= 0 {
				kind = kind[i+1:]
			}
			v.Directors[w[1].text] = &VarnishDirector{Name: w[1].text, Kind: kind, File: s.File, Line: s.Line}
		case len(w) >= 3 && strings.HasSuffix(s.head(), ".add_backend") && w[1].is("("):
			d := v.Directors[strings.TrimSuffix(s.head(), ".add_backend")]
			if d == nil {
				probs.addf(s.File, s.Line, "%s: no director of that name", s.String())
				continue
			}
			m := w[2].text
			if len(w) >= 5 && w[3].is("(") && w[4].is(")") {
				m += "()" // another director's .backend()
			}
			d.Members = append(d.Members, m)
		}
	}
}

// backendNamed returns the backend called name, or nil.
func (v *Varnish) backendNamed(name string) *VarnishBackend {
	for _, b := range v.Backends {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// defaultBackend is the backend a request goes to when VCL picks none:
// the one called default, else the first declared
// (https://varnish-cache.org/docs/7.1/reference/vcl-backend.html).
func (v *Varnish) defaultBackend() *VarnishBackend {
	if b := v.backendNamed("default"); b != nil {
		return b
	}
	if len(v.Backends) > 0 {
		return v.Backends[0]
	}
	return nil
}

// vclDuration reads a VCL duration: a number and one of the units ms, s,
// m, h, d, w, y ("3.5s", "500ms", "1m").
func vclDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		d      time.Duration
	}{{"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour},
		{"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour}, {"y", 365 * 24 * time.Hour}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(n, 64)
			if err != nil || f < 0 || f > 1e6 {
				break
			}
			return time.Duration(f * float64(u.d)), nil
		}
	}
	return 0, fmt.Errorf("invalid duration %q", s)
}
