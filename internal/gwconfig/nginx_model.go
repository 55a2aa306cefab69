package gwconfig

import (
	"net"
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
	// Problems are the parts that could not be read (an include that is
	// missing, a block cut short, a directive with bad arguments); the rest
	// of the model stands without them.
	Problems []*ParseError
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
	re        *pcre // for ~ and ~*; nil when the expression cannot be read (a problem says so)
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
	// Balancer is the directive that picks the server of each request at
	// run time (balancer_by_lua_block, as ingress-nginx writes it); the
	// server lines are then placeholders. nil when there is none.
	Balancer *Directive
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

// parseNginx parses file from src and builds the model. The error is for a
// main file that cannot be read.
func parseNginx(src source, file string) (*Nginx, error) {
	tree, probs, err := parseNginxTree(src, file)
	if err != nil {
		return nil, err
	}
	n := buildNginx(file, tree, &probs)
	n.Problems = probs
	return n, nil
}

// buildNginx builds the model of tree. A file with no http block is read as
// the inside of one when it holds server or upstream blocks, as a site file
// of conf.d or sites-enabled does; locations outside any server block are
// read as one server's, as in a snippet included by a server block.
func buildNginx(file string, tree []*Directive, probs *problems) *Nginx {
	n := &Nginx{File: file, Directives: tree}
	for _, d := range tree {
		if d.Name == "http" && d.IsBlock() {
			n.HTTP = d
		}
	}
	if n.HTTP == nil && hasBlock(tree, "server", "upstream", "location") {
		n.HTTP = &Directive{Name: "http", File: file, Block: tree}
	}
	if n.HTTP == nil {
		return n
	}
	if !hasBlock(n.HTTP.Block, "server") && hasBlock(n.HTTP.Block, "location") {
		n.Servers = append(n.Servers, buildServer(&Directive{Name: "server", File: file, Block: n.HTTP.Block}, probs))
	}
	for _, d := range n.HTTP.Block {
		switch {
		case d.Name == "server" && d.IsBlock():
			n.Servers = append(n.Servers, buildServer(d, probs))
		case d.Name == "upstream" && d.IsBlock():
			n.Upstreams = append(n.Upstreams, buildUpstream(d, probs))
		}
	}
	return n
}

// hasBlock reports whether ds holds a block directive with one of names.
func hasBlock(ds []*Directive, names ...string) bool {
	for _, d := range ds {
		for _, name := range names {
			if d.Name == name && d.IsBlock() {
				return true
			}
		}
	}
	return false
}

// buildServer reads a server block; a listen or location it cannot read is
// a problem and left out.
func buildServer(d *Directive, probs *problems) *NginxServer {
	s := &NginxServer{Directive: d}
	for _, c := range d.Block {
		switch c.Name {
		case "listen":
			l, err := parseListen(c)
			if err != nil {
				probs.add(c.File, c.Line, err)
				continue
			}
			s.Listens = append(s.Listens, l)
		case "server_name":
			s.Names = append(s.Names, c.Args...)
		case "location":
			if l := buildLocation(c, nil, probs); l != nil {
				s.Locations = append(s.Locations, l)
			}
		}
	}
	if len(s.Listens) == 0 {
		s.Listens = []Listen{{Port: 80}}
	}
	return s
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
// A location it cannot read is a problem, and nil.
func buildLocation(d *Directive, parent *NginxLocation, probs *problems) *NginxLocation {
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
			probs.addf(d.File, d.Line, "invalid location modifier %q", l.Modifier)
			return nil
		}
	default:
		probs.addf(d.File, d.Line, `invalid number of arguments in "location" directive`)
		return nil
	}
	if l.Modifier == "~" || l.Modifier == "~*" {
		expr := l.Pattern
		if l.Modifier == "~*" {
			expr = "(?i)" + expr
		}
		re, err := compilePCRE(expr)
		if err != nil {
			probs.addf(d.File, d.Line, "location %s %s: the regular expression cannot be read here (%v); requests are routed as if it matched nothing", l.Modifier, l.Pattern, err)
		}
		l.re = re
	}
	for _, c := range d.Block {
		if c.Name == "location" && c.IsBlock() {
			if sub := buildLocation(c, l, probs); sub != nil {
				l.Nested = append(l.Nested, sub)
			}
		}
	}
	return l
}

// buildUpstream reads an upstream block; a server or setting it cannot read
// is a problem and left out.
func buildUpstream(d *Directive, probs *problems) *NginxUpstream {
	u := &NginxUpstream{Name: d.Arg(0), Directive: d,
		KeepaliveTimeout: Setting{Name: "keepalive_timeout", Value: "60s", Duration: 60 * time.Second, Default: true}}
	for _, c := range d.Block {
		switch c.Name {
		case "server":
			s, err := parseUpstreamServer(c, u.Name)
			if err != nil {
				probs.add(c.File, c.Line, err)
				continue
			}
			u.Servers = append(u.Servers, s)
		case "keepalive":
			u.Keepalive, _ = strconv.Atoi(c.Arg(0))
		case "balancer_by_lua_block", "balancer_by_lua_file":
			u.Balancer = c
		case "keepalive_timeout":
			dur, err := parseTime(c.Arg(0), time.Second)
			if err != nil {
				probs.addf(c.File, c.Line, "%v in \"keepalive_timeout\"", err)
				continue
			}
			u.KeepaliveTimeout = Setting{Name: c.Name, Value: c.Arg(0), Duration: dur, File: c.File, Line: c.Line}
		}
	}
	return u
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
// resolves them against its configuration prefix (for a site file of
// conf.d/ or sites-enabled/, its parent directory is tried too). What
// cannot be read is listed in Problems; the error is for a file that cannot
// be read at all.
func ParseNginx(file string) (*Nginx, error) {
	abs, err := absPath(file)
	if err != nil {
		return nil, err
	}
	return parseNginx(diskSource{}, abs)
}
