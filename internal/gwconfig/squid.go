package gwconfig

import (
	"bytes"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Squid is a parsed squid.conf with its includes, as a reverse proxy
// ("accel" mode): its ports, its cache_peer lines and the ACLs and
// cache_peer_access rules that pick one for a request.
type Squid struct {
	File  string
	Ports []*SquidPort
	Peers []*SquidPeer // in the order written
	// ACLs are the acl lines by name; the values of several lines with
	// one name add up.
	ACLs map[string]*SquidACL
	// Settings holds the last line of each timeout directive read, by
	// name: connect_timeout, peer_connect_timeout, read_timeout,
	// forward_timeout, request_timeout.
	Settings map[string]Setting
	// NeverDirect is the never_direct lines: "allow all" forbids Squid to
	// go to the origin itself when no peer is allowed.
	NeverDirect []*squidLine
	// HTTPAccess is the http_access lines, in order: the first whose ACLs
	// all match allows or denies the request.
	HTTPAccess []*squidLine
	// Problems are the parts that could not be read (an include that is
	// missing, a bad cache_peer line, a time without a number); the rest
	// of the model stands without them.
	Problems []*ParseError
}

// squidLine is one directive of squid.conf.
type squidLine struct {
	Name string
	Args []string
	File string
	Line int
}

// String writes the line as in squid.conf.
func (l *squidLine) String() string {
	return strings.TrimSpace(l.Name + " " + strings.Join(l.Args, " "))
}

// SquidPort is an http_port or https_port line.
type SquidPort struct {
	Line    *squidLine
	Port    int
	TLS     bool // https_port
	Accel   bool // "accel": a reverse proxy for the sites it serves
	Default string
	// VHost is false with no-vhost: the Host header is ignored and every
	// request is for defaultsite.
	VHost bool
}

// SquidPeer is a cache_peer line.
type SquidPeer struct {
	Line   *squidLine
	Name   string // name=, else the host
	Host   string
	Port   int
	Type   string // parent, sibling, multicast
	Origin bool   // originserver: the peer is a web server
	TLS    bool   // ssl or tls
	// NoVerify is an sslflags=DONT_VERIFY_PEER or tls-flags option: any
	// certificate is accepted.
	NoVerify bool
	// ConnectTimeout is connect-timeout=N (seconds); 0 when not set.
	ConnectTimeout time.Duration
	Options        map[string]string // the options after the ICP port, "name=app" as name → app
	Access         []*squidLine      // its cache_peer_access lines
}

// SquidACL is the values of one acl name.
type SquidACL struct {
	Name   string
	Type   string // dstdomain, urlpath_regex, ...
	Values []string
	ICase  bool // -i before the values
	File   string
	Line   int
}

// squidTimeouts are the timeout directives read, with their defaults in
// the catalog.
var squidTimeouts = map[string]bool{
	"connect_timeout": true, "peer_connect_timeout": true, "read_timeout": true, "forward_timeout": true, "request_timeout": true,
}

// ParseSquid reads a squid.conf and the files it includes. What cannot be
// read is listed in Problems; the error is for a file that cannot be read
// at all.
func ParseSquid(file string) (*Squid, error) {
	file, err := absPath(file)
	if err != nil {
		return nil, err
	}
	return parseSquid(diskSource{}, file)
}

// parseSquid reads file from src.
func parseSquid(src source, file string) (*Squid, error) {
	s := &Squid{File: file, ACLs: map[string]*SquidACL{}, Settings: map[string]Setting{}}
	var probs problems
	r := &squidReader{src: src, probs: &probs}
	lines, err := r.read(file, nil)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		s.add(l, &probs)
	}
	s.Problems = probs
	return s, nil
}

// squidReader reads squid.conf's lines and expands its includes.
type squidReader struct {
	src   source
	probs *problems
	files int
}

// read returns the lines of file with its includes in place: "#" starts a
// comment, a line that ends in "\" goes on on the next, and "include
// PATTERN" reads the files the pattern matches
// (http://www.squid-cache.org/Doc/config/include/ lists the syntax).
func (r *squidReader) read(file string, stack includeStack) ([]*squidLine, error) {
	if r.files++; r.files > maxFiles {
		return nil, parseErrorf(file, 0, "more than %d files included", maxFiles)
	}
	data, err := r.src.readFile(file)
	if err != nil {
		return nil, &ParseError{File: file, Msg: err.Error(), Err: err}
	}
	data = bytes.ReplaceAll(stripBOM(data), []byte("\r\n"), []byte("\n"))
	stack = append(stack, file)
	var out []*squidLine
	raw := strings.Split(string(data), "\n")
	for i := 0; i < len(raw); i++ {
		n, text := i+1, raw[i]
		for strings.HasSuffix(text, "\\") && i+1 < len(raw) {
			i++
			text = strings.TrimSuffix(text, "\\") + " " + raw[i]
		}
		if j := strings.IndexByte(text, '#'); j >= 0 {
			text = text[:j]
		}
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		l := &squidLine{Name: f[0], Args: f[1:], File: file, Line: n}
		if l.Name != "include" {
			out = append(out, l)
			continue
		}
		for _, pat := range l.Args {
			out = append(out, r.include(l, pat, stack)...)
		}
	}
	return out, nil
}

// include reads the files one include pattern names.
func (r *squidReader) include(l *squidLine, pat string, stack includeStack) []*squidLine {
	files, err := expandIncludeFrom(r.src, filepath.Dir(l.File), pat)
	if err != nil {
		r.probs.addf(l.File, l.Line, "include %s: %v", pat, err)
		return nil
	}
	var out []*squidLine
	for _, f := range files {
		if err := stack.check(f); err != nil {
			r.probs.addf(l.File, l.Line, "include %s: %v", pat, err)
			continue
		}
		ls, err := r.read(f, stack)
		if err != nil {
			r.probs.addf(l.File, l.Line, "include %s: %v", pat, err)
			continue
		}
		out = append(out, ls...)
	}
	return out
}

// add reads one line into the model.
func (s *Squid) add(l *squidLine, probs *problems) {
	var err error
	switch {
	case l.Name == "http_port" || l.Name == "https_port":
		err = s.addPort(l)
	case l.Name == "cache_peer":
		err = s.addPeer(l)
	case l.Name == "cache_peer_access":
		err = s.addAccess(l)
	case l.Name == "acl":
		err = s.addACL(l)
	case l.Name == "never_direct":
		s.NeverDirect = append(s.NeverDirect, l)
	case l.Name == "http_access" && len(l.Args) >= 1:
		s.HTTPAccess = append(s.HTTPAccess, l)
	case squidTimeouts[l.Name]:
		var d time.Duration
		if d, err = squidTime(l.Args); err == nil {
			s.Settings[l.Name] = Setting{Name: l.Name, Value: strings.Join(l.Args, " "), Duration: d, File: l.File, Line: l.Line}
		}
	case l.Name == "if" || l.Name == "else" || l.Name == "endif":
		err = fmt.Errorf("conditionals are not followed; the lines of every branch are read")
	}
	if err != nil {
		probs.addf(l.File, l.Line, "%s: %v", l.Name, err)
	}
}

// addPort reads "http_port [ADDR:]PORT [accel] [defaultsite=HOST] [no-vhost] ...".
func (s *Squid) addPort(l *squidLine) error {
	if len(l.Args) == 0 {
		return fmt.Errorf("no port")
	}
	p := &SquidPort{Line: l, TLS: l.Name == "https_port", VHost: true}
	port := l.Args[0]
	if _, pp, err := net.SplitHostPort(port); err == nil {
		port = pp
	}
	n, err := strconv.Atoi(port)
	if err != nil || n <= 0 || n > 65535 {
		return fmt.Errorf("%q is not a port", l.Args[0])
	}
	p.Port = n
	for _, a := range l.Args[1:] {
		k, v, _ := strings.Cut(a, "=")
		switch k {
		case "accel":
			p.Accel = true
		case "defaultsite":
			p.Default, p.Accel = strings.ToLower(v), true // defaultsite implies accel
		case "vhost":
			p.Accel = true
		case "no-vhost":
			p.VHost = false
		}
	}
	s.Ports = append(s.Ports, p)
	return nil
}

// addPeer reads "cache_peer HOST TYPE HTTP-PORT ICP-PORT [OPTIONS]".
func (s *Squid) addPeer(l *squidLine) error {
	if len(l.Args) < 4 {
		return fmt.Errorf("want a host, a type, an HTTP port and an ICP port")
	}
	n, err := strconv.Atoi(l.Args[2])
	if err != nil || n <= 0 || n > 65535 {
		return fmt.Errorf("HTTP port %q is not a port", l.Args[2])
	}
	p := &SquidPeer{Line: l, Host: strings.Trim(l.Args[0], "[]"), Name: l.Args[0], Port: n, Type: l.Args[1], Options: map[string]string{}}
	for _, a := range l.Args[4:] {
		k, v, _ := strings.Cut(a, "=")
		p.Options[k] = v
		switch k {
		case "name":
			p.Name = v
		case "originserver":
			p.Origin = true
		case "ssl", "tls":
			p.TLS = true
		case "sslflags", "tls-flags":
			p.NoVerify = strings.Contains(v, "DONT_VERIFY_PEER")
		case "connect-timeout":
			secs, err := strconv.Atoi(v)
			if err != nil || secs < 0 {
				return fmt.Errorf("connect-timeout=%s is not a number of seconds", v)
			}
			p.ConnectTimeout = time.Duration(secs) * time.Second
		}
	}
	for _, o := range s.Peers {
		if strings.EqualFold(o.Name, p.Name) {
			return fmt.Errorf("a peer called %s is already defined (%s)", p.Name, where(o.Line.File, o.Line.Line))
		}
	}
	s.Peers = append(s.Peers, p)
	return nil
}

// peerNamed returns the cache_peer called name (names are not case
// sensitive), or nil.
func (s *Squid) peerNamed(name string) *SquidPeer {
	for _, p := range s.Peers {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

// addAccess reads "cache_peer_access NAME allow|deny [!]ACL ...".
func (s *Squid) addAccess(l *squidLine) error {
	if len(l.Args) < 2 || l.Args[1] != "allow" && l.Args[1] != "deny" {
		return fmt.Errorf("want a peer name, allow or deny, and ACLs")
	}
	p := s.peerNamed(l.Args[0])
	if p == nil {
		return fmt.Errorf("no cache_peer called %s", l.Args[0])
	}
	p.Access = append(p.Access, l)
	return nil
}

// addACL reads "acl NAME TYPE [-i] VALUES...".
func (s *Squid) addACL(l *squidLine) error {
	if len(l.Args) < 2 {
		return fmt.Errorf("want a name and a type")
	}
	a := s.ACLs[l.Args[0]]
	if a == nil {
		a = &SquidACL{Name: l.Args[0], Type: l.Args[1], File: l.File, Line: l.Line}
		s.ACLs[a.Name] = a
	} else if a.Type != l.Args[1] {
		return fmt.Errorf("acl %s was a %s, not a %s", a.Name, a.Type, l.Args[1])
	}
	for _, v := range l.Args[2:] {
		if v == "-i" || v == "+i" {
			a.ICase = v == "-i"
			continue
		}
		a.Values = append(a.Values, v)
	}
	return nil
}

// squidTime reads Squid's time-units: a number and a unit ("30 seconds",
// "1 minute", "2.5 hours"); a number alone is in seconds.
func squidTime(args []string) (time.Duration, error) {
	if len(args) == 0 {
		return 0, fmt.Errorf("no time")
	}
	f, err := strconv.ParseFloat(args[0], 64)
	if err != nil || f < 0 || f > 1e9 {
		return 0, fmt.Errorf("%q is not a number", args[0])
	}
	unit := time.Second
	if len(args) > 1 {
		units := map[string]time.Duration{
			"millisecond": time.Millisecond, "msec": time.Millisecond, "second": time.Second, "sec": time.Second,
			"minute": time.Minute, "min": time.Minute, "hour": time.Hour, "day": 24 * time.Hour,
			"week": 7 * 24 * time.Hour, "fortnight": 14 * 24 * time.Hour,
		}
		u, ok := units[strings.TrimSuffix(strings.ToLower(args[1]), "s")]
		if !ok {
			return 0, fmt.Errorf("unknown time unit %q", args[1])
		}
		unit = u
	}
	return time.Duration(f * float64(unit)), nil
}
