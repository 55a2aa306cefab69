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
	lines          []hline
	defaults       *HAProxyProxy
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

// ParseHAProxy reads an HAProxy configuration file.
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

func parseHAProxy(file string, data []byte) (*HAProxy, error) {
	h := &HAProxy{File: file, BufSize: Setting{Name: "tune.bufsize", Value: "16384", Bytes: 16384, Default: true}}
	var cur *HAProxyProxy // nil in global and ignored sections
	var defaults *HAProxyProxy
	section := ""
	for i, raw := range strings.Split(string(data), "\n") {
		words, err := splitHAProxyLine(raw)
		if err != nil {
			return nil, parseErrorf(file, i+1, "%v", err)
		}
		if len(words) == 0 {
			continue
		}
		if haproxySections[words[0]] {
			section, cur = words[0], nil
			switch section {
			case "defaults":
				defaults = &HAProxyProxy{Kind: "defaults", Name: strings.Join(words[1:], " "), File: file, Line: i + 1, ACLs: map[string][]string{}}
				cur = defaults
			case "frontend", "backend", "listen":
				if len(words) < 2 {
					return nil, parseErrorf(file, i+1, "%s needs a name", section)
				}
				cur = &HAProxyProxy{Kind: section, Name: words[1], File: file, Line: i + 1, defaults: defaults, ACLs: map[string][]string{}}
				h.Proxies = append(h.Proxies, cur)
			}
			continue
		}
		if section == "" {
			return nil, parseErrorf(file, i+1, "%q outside of any section", words[0])
		}
		if section == "global" && words[0] == "tune.bufsize" && len(words) > 1 {
			n, err := strconv.ParseInt(words[1], 10, 64)
			if err != nil {
				return nil, parseErrorf(file, i+1, "tune.bufsize %q is not a number", words[1])
			}
			h.BufSize = Setting{Name: "tune.bufsize", Value: words[1], Bytes: n, File: file, Line: i + 1}
		}
		if cur != nil {
			if err := cur.add(file, hline{words: words, line: i + 1}); err != nil {
				return nil, err
			}
		}
	}
	return h, nil
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
		return l
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
	for q := p; q != nil; q = q.defaults {
		for i := len(q.lines) - 1; i >= 0; i-- {
			w := q.lines[i].words
			if len(w) >= 3 && w[0] == "timeout" && w[1] == name {
				d, _ := parseTime(w[2], time.Millisecond) // HAProxy times are in ms unless a unit is given
				return Setting{Name: "timeout " + name, Value: w[2], Duration: d, File: q.File, Line: q.lines[i].line}, true
			}
		}
	}
	return Setting{}, false
}

// proxy returns the backend or listen section called name.
func (h *HAProxy) proxy(name string) *HAProxyProxy {
	for _, p := range h.Proxies {
		if p.Name == name && p.Kind != "frontend" {
			return p
		}
	}
	return nil
}
