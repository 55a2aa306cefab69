package gwconfig

import (
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Nginx is a parsed nginx configuration.
type Nginx struct {
	File       string       // the main file
	Directives []*Directive // the whole tree, includes expanded
	HTTP       *Directive   // the http block; nil when there is none
	Servers    []*NginxServer
	Upstreams  []*NginxUpstream
}

// NginxServer is one server block of the http block.
type NginxServer struct {
	Directive *Directive
	Listens   []Listen
	Names     []string // server_name arguments; "" when none is set
	Locations []*NginxLocation
}

// Listen is one listen directive. A server without one listens on *:80
// (https://nginx.org/en/docs/http/ngx_http_core_module.html#listen).
type Listen struct {
	Addr          string // host part; "" for all addresses
	Port          int
	Unix          string // socket path for listen unix:PATH
	DefaultServer bool
	SSL           bool
	File          string
	Line          int
}

// NginxLocation is one location block, possibly nested in another.
type NginxLocation struct {
	Directive *Directive
	Modifier  string // "", "=", "^~", "~", "~*", or "@" for a named location
	Pattern   string
	Parent    *NginxLocation // nil for a location directly in the server block
	Nested    []*NginxLocation
	re        *regexp.Regexp // for ~ and ~*; nil when RE2 cannot compile the PCRE
}

// NginxUpstream is an upstream block.
type NginxUpstream struct {
	Name      string
	Directive *Directive
	Servers   []Upstream
	Keepalive int // idle connections kept per worker; 0 when keepalive is not set
	// KeepaliveTimeout is how long an idle upstream connection is kept
	// (default 60s, https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive_timeout).
	KeepaliveTimeout Setting
}

// Block returns the location as a Block.
func (l *NginxLocation) Block() Block {
	name := "location " + l.Modifier + " " + l.Pattern
	if l.Modifier == "" {
		name = "location " + l.Pattern
	} else if l.Modifier == "@" {
		name = "location @" + l.Pattern
	}
	return Block{Name: name, File: l.Directive.File, Line: l.Directive.Line}
}

// parseNginx parses file from src and builds the model.
func parseNginx(src source, file string) (*Nginx, error) {
	tree, err := parseNginxTree(src, file)
	if err != nil {
		return nil, err
	}
	return buildNginx(file, tree)
}

func buildNginx(file string, tree []*Directive) (*Nginx, error) {
	n := &Nginx{File: file, Directives: tree}
	for _, d := range tree {
		if d.Name == "http" && d.IsBlock() {
			n.HTTP = d
		}
	}
	if n.HTTP == nil {
		return n, nil
	}
	for _, d := range n.HTTP.Block {
		switch {
		case d.Name == "server" && d.IsBlock():
			s, err := buildServer(d)
			if err != nil {
				return nil, err
			}
			n.Servers = append(n.Servers, s)
		case d.Name == "upstream" && d.IsBlock():
			u, err := buildUpstream(d)
			if err != nil {
				return nil, err
			}
			n.Upstreams = append(n.Upstreams, u)
		}
	}
	return n, nil
}

func buildServer(d *Directive) (*NginxServer, error) {
	s := &NginxServer{Directive: d}
	for _, c := range d.Block {
		switch c.Name {
		case "listen":
			l, err := parseListen(c)
			if err != nil {
				return nil, err
			}
			s.Listens = append(s.Listens, l)
		case "server_name":
			s.Names = append(s.Names, c.Args...)
		case "location":
			l, err := buildLocation(c, nil)
			if err != nil {
				return nil, err
			}
			s.Locations = append(s.Locations, l)
		}
	}
	if len(s.Listens) == 0 {
		s.Listens = []Listen{{Port: 80}}
	}
	return s, nil
}

func parseListen(d *Directive) (Listen, error) {
	if len(d.Args) == 0 {
		return Listen{}, parseErrorf(d.File, d.Line, `invalid number of arguments in "listen" directive`)
	}
	l := Listen{File: d.File, Line: d.Line}
	a := d.Args[0]
	switch {
	case strings.HasPrefix(a, "unix:"):
		l.Unix = strings.TrimPrefix(a, "unix:")
	case isDigits(a):
		l.Port, _ = strconv.Atoi(a)
	default:
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			host, port = a, "80" // "listen 127.0.0.1;" means port 80
		}
		p, err := strconv.Atoi(port)
		if err != nil || p < 1 || p > 65535 {
			return Listen{}, parseErrorf(d.File, d.Line, "invalid port in %q of the \"listen\" directive", a)
		}
		l.Addr, l.Port = strings.Trim(host, "[]"), p
		if l.Addr == "*" {
			l.Addr = ""
		}
	}
	for _, o := range d.Args[1:] {
		switch o {
		case "default_server", "default":
			l.DefaultServer = true
		case "ssl":
			l.SSL = true
		}
	}
	return l, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// buildLocation reads "location [modifier] pattern { ... }", also the form
// without a space after the modifier ("location ~^/a"), as nginx accepts.
func buildLocation(d *Directive, parent *NginxLocation) (*NginxLocation, error) {
	l := &NginxLocation{Directive: d, Parent: parent}
	switch len(d.Args) {
	case 1:
		l.Pattern = d.Args[0]
		for _, m := range []string{"=", "^~", "~*", "~", "@"} {
			if strings.HasPrefix(l.Pattern, m) && (m == "@" || len(l.Pattern) > len(m)) {
				l.Modifier, l.Pattern = m, l.Pattern[len(m):]
				break
			}
		}
	case 2:
		l.Modifier, l.Pattern = d.Args[0], d.Args[1]
		if !strings.Contains(" = ^~ ~ ~* ", " "+l.Modifier+" ") {
			return nil, parseErrorf(d.File, d.Line, "invalid location modifier %q", l.Modifier)
		}
	default:
		return nil, parseErrorf(d.File, d.Line, `invalid number of arguments in "location" directive`)
	}
	if l.Modifier == "~" || l.Modifier == "~*" {
		expr := l.Pattern
		if l.Modifier == "~*" {
			expr = "(?i)" + expr
		}
		l.re, _ = regexp.Compile(expr) // PCRE-only syntax stays nil: reported by Check
	}
	for _, c := range d.Block {
		if c.Name == "location" && c.IsBlock() {
			sub, err := buildLocation(c, l)
			if err != nil {
				return nil, err
			}
			l.Nested = append(l.Nested, sub)
		}
	}
	return l, nil
}

// buildUpstream reads an upstream block.
func buildUpstream(d *Directive) (*NginxUpstream, error) {
	u := &NginxUpstream{Name: d.Arg(0), Directive: d,
		KeepaliveTimeout: Setting{Name: "keepalive_timeout", Value: "60s", Duration: 60 * time.Second, Default: true}}
	for _, c := range d.Block {
		switch c.Name {
		case "server":
			s, err := parseUpstreamServer(c, u.Name)
			if err != nil {
				return nil, err
			}
			u.Servers = append(u.Servers, s)
		case "keepalive":
			u.Keepalive, _ = strconv.Atoi(c.Arg(0))
		case "keepalive_timeout":
			dur, err := parseTime(c.Arg(0), time.Second)
			if err != nil {
				return nil, parseErrorf(c.File, c.Line, "%v in \"keepalive_timeout\"", err)
			}
			u.KeepaliveTimeout = Setting{Name: c.Name, Value: c.Arg(0), Duration: dur, File: c.File, Line: c.Line}
		}
	}
	return u, nil
}

// parseUpstreamServer reads "server ADDRESS [weight=N] [max_fails=N]
// [fail_timeout=T] [backup] [down]" of an upstream block.
func parseUpstreamServer(d *Directive, group string) (Upstream, error) {
	if len(d.Args) == 0 {
		return Upstream{}, parseErrorf(d.File, d.Line, `invalid number of arguments in "server" directive`)
	}
	u := addrUpstream(d.Args[0], 80)
	u.Group, u.Name, u.File, u.Line = group, d.Args[0], d.File, d.Line
	u.Weight, u.MaxFails, u.FailTimeout = 1, 1, 10*time.Second
	for _, o := range d.Args[1:] {
		k, v, _ := strings.Cut(o, "=")
		var err error
		switch k {
		case "weight":
			u.Weight, err = strconv.Atoi(v)
		case "max_fails":
			u.MaxFails, err = strconv.Atoi(v)
		case "fail_timeout":
			u.FailTimeout, err = parseTime(v, time.Second)
		case "backup":
			u.Backup = true
		case "down":
			u.Down = true
		}
		if err != nil {
			return Upstream{}, parseErrorf(d.File, d.Line, "invalid parameter %q", o)
		}
	}
	return u, nil
}

// addrUpstream reads an address as nginx's *_pass and upstream server take
// it: "unix:/path", "host:port", or "host" with the default port.
func addrUpstream(a string, defPort int) Upstream {
	if p, ok := strings.CutPrefix(a, "unix:"); ok {
		return Upstream{Network: "unix", Addr: p, Weight: 1}
	}
	if _, _, err := net.SplitHostPort(a); err != nil {
		a = net.JoinHostPort(strings.Trim(a, "[]"), strconv.Itoa(defPort))
	}
	return Upstream{Network: "tcp", Addr: a, Weight: 1}
}

// ParseNginx reads the nginx configuration in file and the files it
// includes. Relative includes resolve against file's directory, as nginx
// resolves them against its configuration prefix.
func ParseNginx(file string) (*Nginx, error) {
	abs, err := absPath(file)
	if err != nil {
		return nil, err
	}
	return parseNginx(diskSource{}, abs)
}
