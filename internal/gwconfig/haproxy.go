package gwconfig

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// HAProxy is a parsed haproxy.cfg.
type HAProxy struct {
	File string
	// BufSize is tune.bufsize: the buffer a whole request or response
	// header must fit in (default 16384, HAProxy configuration.txt §3.2).
	BufSize Setting
	// Proxies are the frontend, backend and listen sections in order.
	Proxies []*HAProxyProxy
	// Problems are the lines that could not be read; the rest of the
	// model stands without them.
	Problems []*ParseError
}

// HAProxyProxy is a frontend, backend or listen section with the defaults
// section it inherits from.
type HAProxyProxy struct {
	Kind           string // "frontend", "backend" or "listen"
	Name           string
	File           string
	Line           int
	Binds          []Listen
	DefaultBackend string
	UseBackends    []UseBackend
	ACLs           map[string][]string // ACL name → each definition's words
	Servers        []Upstream
	Options        []string // "httpchk", "redispatch", ...
	// SRVTemplates are the server-template lines whose servers DNS SRV
	// records give at run time.
	SRVTemplates []hline
	lines        []hline
	defaults     *HAProxyProxy
}

// UseBackend is one use_backend rule: the backend and its condition as
// written ("if is_api").
type UseBackend struct {
	Backend string
	Cond    string
	File    string
	Line    int
}

// hline is one line of a section, split into words.
type hline struct {
	words []string
	line  int
}

// haproxySections start a section; other keywords belong to the current one.
var haproxySections = map[string]bool{
	"global": true, "defaults": true, "frontend": true, "backend": true, "listen": true,
	"resolvers": true, "peers": true, "userlist": true, "mailers": true, "program": true,
	"http-errors": true, "ring": true, "cache": true, "fcgi-app": true,
}

// ParseHAProxy reads an HAProxy configuration file. A line it cannot read
// is listed in Problems and skipped; the error is for a file that cannot be
// read at all.
func ParseHAProxy(file string) (*HAProxy, error) {
	file, err := absPath(file)
	if err != nil {
		return nil, err
	}
	data, err := diskSource{}.readFile(file)
	if err != nil {
		return nil, &ParseError{File: file, Msg: err.Error(), Err: err}
	}
	return parseHAProxy(file, data)
}

// parseHAProxy reads data; a line it cannot read is a problem and skipped.
// The error is always nil: it is kept for the callers' symmetry with the
// other parsers.
func parseHAProxy(file string, data []byte) (*HAProxy, error) {
	h := &HAProxy{File: file, BufSize: Setting{Name: "tune.bufsize", Value: "16384", Bytes: 16384, Default: true}}
	r := &haproxyReader{h: h, file: file, named: map[string]*HAProxyProxy{}}
	for i, raw := range strings.Split(string(stripBOM(data)), "\n") {
		words, err := splitHAProxyLine(raw)
		if err != nil {
			r.probs.addf(file, i+1, "%v", err)
			continue
		}
		if len(words) > 0 {
			r.line(words, i+1)
		}
	}
	h.Problems = r.probs
	return h, nil
}

// haproxyReader holds the state of parseHAProxy between lines.
type haproxyReader struct {
	h        *HAProxy
	file     string
	section  string
	cur      *HAProxyProxy // nil in global and ignored sections
	defaults *HAProxyProxy // the last defaults section
	named    map[string]*HAProxyProxy
	probs    problems
}

// line reads one line of words.
func (r *haproxyReader) line(words []string, n int) {
	if haproxySections[words[0]] {
		r.startSection(words, n)
		return
	}
	if r.section == "" {
		r.probs.addf(r.file, n, "%q outside of any section", words[0])
		return
	}
	if r.section == "global" && words[0] == "tune.bufsize" && len(words) > 1 {
		v, err := strconv.ParseInt(words[1], 10, 64)
		if err != nil {
			r.probs.addf(r.file, n, "tune.bufsize %q is not a number", words[1])
			return
		}
		r.h.BufSize = Setting{Name: "tune.bufsize", Value: words[1], Bytes: v, File: r.file, Line: n}
	}
	if r.cur != nil {
		if err := r.cur.add(r.file, hline{words: words, line: n}); err != nil {
			r.probs.add(r.file, n, err)
		}
	}
}

// startSection opens a section. A proxy inherits the last defaults section,
// or the named one of "from NAME" (HAProxy 2.4 and later,
// configuration.txt §4 "Proxies").
func (r *haproxyReader) startSection(words []string, n int) {
	r.section, r.cur = words[0], nil
	name, from := "", ""
	if len(words) > 1 {
		name = words[1]
	}
	if len(words) > 3 && words[2] == "from" {
		from = words[3]
	} else if len(words) > 2 && words[1] == "from" {
		name, from = "", words[2]
	}
	parent := r.defaults
	if from != "" {
		if parent = r.named[from]; parent == nil {
			r.probs.addf(r.file, n, "defaults section %q not found", from)
		}
	}
	switch r.section {
	case "defaults":
		d := &HAProxyProxy{Kind: "defaults", Name: name, File: r.file, Line: n, ACLs: map[string][]string{}}
		if from != "" {
			d.defaults = parent
		}
		r.defaults, r.cur = d, d
		if name != "" {
			r.named[name] = d
		}
	case "frontend", "backend", "listen":
		if name == "" {
			r.probs.addf(r.file, n, "%s needs a name", r.section)
			r.section = "ignored"
			return
		}
		r.cur = &HAProxyProxy{Kind: r.section, Name: name, File: r.file, Line: n, defaults: parent, ACLs: map[string][]string{}}
		r.h.Proxies = append(r.h.Proxies, r.cur)
		if r.section != "backend" && len(words) > 2 && words[2] != "from" {
			// HAProxy 1.x's "listen NAME ADDR:PORT[,...]": the address on
			// the section's line is its bind.
			for _, a := range strings.Split(words[2], ",") {
				r.cur.Binds = append(r.cur.Binds, haproxyBind(a, r.file, n))
			}
		}
	}
}

// splitHAProxyLine splits a line into words: "#" starts a comment, double
// and single quotes group words, a backslash escapes the next character
// (HAProxy configuration.txt §2.2).
func splitHAProxyLine(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote, inWord = c, true
		case c == '\\' && i+1 < len(s) && quote != '\'':
			i++
			cur.WriteByte(s[i])
			inWord = true
		case quote == 0 && c == '#':
			i = len(s)
		case quote == 0 && (c == ' ' || c == '\t' || c == '\r'):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quoted string")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// add records one line of a proxy section.
func (p *HAProxyProxy) add(file string, l hline) error {
	p.lines = append(p.lines, l)
	w := l.words
	switch w[0] {
	case "bind":
		if len(w) < 2 {
			return parseErrorf(file, l.line, "bind needs an address")
		}
		for _, a := range strings.Split(w[1], ",") {
			p.Binds = append(p.Binds, haproxyBind(a, file, l.line))
		}
	case "default_backend":
		if len(w) < 2 {
			return parseErrorf(file, l.line, "default_backend needs a backend name")
		}
		p.DefaultBackend = w[1]
	case "use_backend":
		if len(w) < 2 {
			return parseErrorf(file, l.line, "use_backend needs a backend name")
		}
		p.UseBackends = append(p.UseBackends, UseBackend{Backend: w[1], Cond: strings.Join(w[2:], " "), File: file, Line: l.line})
	case "acl":
		if len(w) >= 3 {
			p.ACLs[w[1]] = append(p.ACLs[w[1]], strings.Join(w[2:], " "))
		}
	case "option":
		if len(w) >= 2 {
			p.Options = append(p.Options, w[1])
		}
	case "server":
		if len(w) < 3 {
			return parseErrorf(file, l.line, "server needs a name and an address")
		}
		s, err := haproxyServer(w, p.defaultServer(), file, l.line)
		if err != nil {
			return err
		}
		s.Group = p.Name
		p.Servers = append(p.Servers, s)
	case "server-template":
		// "server-template PREFIX NUM|LOW-HIGH FQDN[:PORT] [params]": servers
		// named PREFIX1... whose addresses DNS gives at run time; one
		// Upstream stands for them all, named as written.
		if len(w) < 4 {
			return parseErrorf(file, l.line, "server-template needs a prefix, a number and an address")
		}
		if strings.HasPrefix(w[3], "_") {
			// A DNS SRV name ("_http._tcp.app.service.consul"): the
			// servers' addresses and ports come from its records at run
			// time; there is no address to write down.
			p.SRVTemplates = append(p.SRVTemplates, l)
			return nil
		}
		s, err := haproxyServer(append([]string{w[0], w[1] + w[2]}, w[3:]...), p.defaultServer(), file, l.line)
		if err != nil {
			return err
		}
		s.Group = p.Name
		p.Servers = append(p.Servers, s)
	}
	return nil
}

// defaultServer returns the words of the default-server line in effect.
func (p *HAProxyProxy) defaultServer() []string {
	for q := p; q != nil; q = q.defaults {
		for i := len(q.lines) - 1; i >= 0; i-- {
			if q.lines[i].words[0] == "default-server" {
				return q.lines[i].words[1:]
			}
		}
	}
	return nil
}

// haproxyBind reads a bind address: ":80", "*:443", "1.2.3.4:80",
// "[::]:80", "unix@/path" or "/path".
func haproxyBind(a, file string, line int) Listen {
	l := Listen{File: file, Line: line}
	if strings.HasPrefix(a, "/") || strings.HasPrefix(a, "unix@") {
		l.Unix = strings.TrimPrefix(a, "unix@")
		return l
	}
	a = strings.TrimPrefix(strings.TrimPrefix(a, "ipv4@"), "ipv6@")
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		// HAProxy takes the port after the last colon: ":::443" is
		// IPv6's any address ("::") on 443.
		i := strings.LastIndexByte(a, ':')
		if i < 0 {
			return l
		}
		host, port = a[:i], a[i+1:]
	}
	l.Port, _ = strconv.Atoi(port) // a port range such as 8000-8010 reads as 0
	if host != "*" && host != "" && host != "0.0.0.0" && host != "::" {
		l.Addr = host
	}
	return l
}

// haproxyServer reads "server NAME ADDR[:PORT] [param...]" with the
// default-server parameters before its own.
func haproxyServer(w, defaults []string, file string, line int) (Upstream, error) {
	var u Upstream
	if strings.HasPrefix(w[2], "<") {
		// A documentation placeholder ("<Home Assistant Server IP>:8123")
		// left in the file: HAProxy refuses to start.
		return u, parseErrorf(file, line, "server %s: the address %q is a placeholder, not an address: HAProxy does not start", w[1], strings.Join(w[2:], " "))
	}
	if strings.HasPrefix(w[2], "unix@") || strings.HasPrefix(w[2], "/") {
		u = Upstream{Network: "unix", Addr: strings.TrimPrefix(w[2], "unix@")}
	} else {
		// A server without a port uses the port the client connected to;
		// it reads as port 0 here.
		u = addrUpstream(strings.TrimPrefix(strings.TrimPrefix(w[2], "ipv4@"), "ipv6@"), 0)
	}
	u.Name, u.Weight, u.File, u.Line = w[1], 1, file, line
	params := append(append([]string{}, defaults...), w[3:]...)
	for i := 0; i < len(params); i++ {
		switch params[i] {
		case "check":
			u.Check = true
		case "no-check":
			u.Check = false
		case "ssl":
			u.TLS = true
		case "backup":
			u.Backup = true
		case "resolvers":
			u.resolvers = true
		case "disabled":
			u.Down = true
		case "enabled":
			u.Down = false
		case "weight":
			if i+1 < len(params) {
				i++
				n, err := strconv.Atoi(params[i])
				if err != nil {
					return Upstream{}, parseErrorf(file, line, "weight %q is not a number", params[i])
				}
				u.Weight = n
			}
		}
	}
	return u, nil
}

// timeout returns the effective "timeout NAME" of p: its own, else its
// defaults section's.
func (p *HAProxyProxy) timeout(name string) (Setting, bool) {
	old := haproxyOldTimeouts[name]
	for q := p; q != nil; q = q.defaults {
		for i := len(q.lines) - 1; i >= 0; i-- {
			w := q.lines[i].words
			var v string
			switch {
			case len(w) >= 3 && w[0] == "timeout" && w[1] == name:
				v = w[2]
			case old != "" && len(w) >= 2 && w[0] == old:
				v = w[1]
			default:
				continue
			}
			d, _ := parseTime(v, time.Millisecond) // HAProxy times are in ms unless a unit is given
			return Setting{Name: "timeout " + name, Value: v, Duration: d, File: q.File, Line: q.lines[i].line}, true
		}
	}
	return Setting{}, false
}

// haproxyOldTimeouts are the keywords of HAProxy 1.x that "timeout
// client", "connect" and "server" replaced (configuration.txt of 1.4:
// clitimeout, contimeout, srvtimeout; refused since 2.1).
var haproxyOldTimeouts = map[string]string{"client": "clitimeout", "connect": "contimeout", "server": "srvtimeout"}

// proxy returns the backend or listen section called name.
func (h *HAProxy) proxy(name string) *HAProxyProxy {
	for _, p := range h.Proxies {
		if p.Name == name && p.Kind != "frontend" {
			return p
		}
	}
	return nil
}

// mode returns the proxy's mode, "http" or "tcp", from its own "mode" line
// or its defaults section's; HAProxy's default is tcp. A section without
// a defaults section is read as a fragment of a larger file, whose
// defaults (Debian's haproxy.cfg among them) set "mode http": "" then.
func (p *HAProxyProxy) mode() string {
	for q := p; q != nil; q = q.defaults {
		for i := len(q.lines) - 1; i >= 0; i-- {
			if w := q.lines[i].words; w[0] == "mode" && len(w) > 1 {
				return w[1]
			}
		}
	}
	if p.defaults == nil {
		return ""
	}
	return "tcp"
}
