package gwconfig

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// squidRequest is what Squid's ACLs look at for one request.
type squidRequest struct {
	host string // the site: the Host header, or defaultsite with no-vhost
	port int    // the port the request is for
	path string // the path and query
	url  string
	at   *SquidPort
}

// Route finds the accel http_port that u arrives on and the cache_peer
// lines whose cache_peer_access rules allow it, in the order written
// (Squid sends the request to the first that is up, or spreads requests
// with round-robin), with the connect and read timeouts in force and
// Squid's defaults where unset. ACL types other than dstdomain,
// dstdom_regex, urlpath_regex, url_regex, port, localport, myportname and
// all are read as not matching, with a note.
func (s *Squid) Route(u *url.URL) (*Route, error) {
	host, port, _, err := splitURL(u)
	if err != nil {
		return nil, err
	}
	at, notes, err := s.findPort(port)
	if err != nil {
		return nil, err
	}
	req := &squidRequest{host: host, port: port, path: u.RequestURI(), url: u.String(), at: at}
	if !at.VHost && at.Default != "" {
		req.host = at.Default
		notes = append(notes, "no-vhost: every request is for defaultsite "+at.Default)
	}
	r := &Route{Gateway: string(catalog.Squid), URL: u.String(), Notes: notes, Settings: []Setting{},
		Server: Block{Name: at.Line.String(), File: at.Line.File, Line: at.Line.Line}}
	if note, denied := s.denied(req); denied {
		r.Notes = append(r.Notes, note)
		return r, nil
	}
	var peers []*SquidPeer
	for _, p := range s.Peers {
		if s.allowed(p, req, &r.Notes) {
			peers = append(peers, p)
		}
	}
	if len(peers) == 0 {
		s.routeDirect(r, req)
		return r, nil
	}
	first := peers[0]
	r.Location = Block{Name: first.Line.String(), File: first.Line.File, Line: first.Line.Line}
	r.Target, r.Protocol = first.Name, ProtoHTTP
	if first.TLS {
		r.Protocol = ProtoHTTPS
	}
	for _, p := range peers {
		r.Upstreams = append(r.Upstreams, Upstream{Name: p.Name, Network: "tcp", Addr: net.JoinHostPort(p.Host, strconv.Itoa(p.Port)),
			Weight: 1, TLS: p.TLS, File: p.Line.File, Line: p.Line.Line})
	}
	if len(peers) > 1 {
		how := "to the first that is up"
		if _, rr := first.Options["round-robin"]; rr {
			how = "to each in turn (round-robin), skipping those that are down"
		}
		r.Notes = append(r.Notes, fmt.Sprintf("%d cache_peer lines allow this request: Squid sends it %s, "+
			"and marks a peer down after connect-fail-limit (10) failed connects", len(peers), how))
	}
	if !first.Origin {
		r.Notes = append(r.Notes, "cache_peer "+first.Name+" has no originserver option: Squid talks to it as to a proxy")
	}
	r.Settings = s.settings(first)
	return r, nil
}

// findPort picks the accel http_port (or https_port) for port; a URL on
// another port reaches Squid through another proxy first, and the first
// accel port answers.
func (s *Squid) findPort(port int) (*SquidPort, []string, error) {
	var first *SquidPort
	for _, p := range s.Ports {
		if p.Port == port && p.Accel {
			return p, nil, nil
		}
		if p.Accel && first == nil {
			first = p
		}
	}
	if first == nil {
		return nil, nil, fmt.Errorf("no Squid http_port is in accelerator mode (accel): this squid.conf is a forward proxy's")
	}
	return first, []string{fmt.Sprintf("no accel http_port %d: the URL reaches Squid through another proxy first, and %s (%s) answers",
		port, first.Line.String(), where(first.Line.File, first.Line.Line))}, nil
}

// routeDirect fills r for a request that no cache_peer may take: Squid
// goes to the site itself unless never_direct forbids it.
func (s *Squid) routeDirect(r *Route, req *squidRequest) {
	if s.neverDirect() {
		r.Notes = append(r.Notes, "no cache_peer is allowed for this request and never_direct forbids going to the site itself: "+
			"Squid answers 503 (ERR_CANNOT_FORWARD)")
		return
	}
	addr := net.JoinHostPort(req.host, strconv.Itoa(req.port))
	r.Location = Block{Name: "direct to " + addr}
	r.Target, r.Protocol = addr, ProtoHTTP
	r.Upstreams = []Upstream{{Network: "tcp", Addr: addr, Weight: 1}}
	r.Notes = append(r.Notes, "no cache_peer is allowed for this request: Squid goes to the site itself, by its name in DNS")
	r.Settings = []Setting{s.setting("connect_timeout"), s.setting("read_timeout"), s.setting("forward_timeout")}
}

// neverDirect reports a "never_direct allow all" line.
func (s *Squid) neverDirect() bool {
	for _, l := range s.NeverDirect {
		if len(l.Args) >= 2 && l.Args[0] == "allow" && l.Args[1] == "all" {
			return true
		}
	}
	return false
}

// setting returns a timeout directive as written, or Squid's default
// from the catalog.
func (s *Squid) setting(name string) Setting {
	if st, ok := s.Settings[name]; ok {
		return st
	}
	d, _ := catalog.Squid.DefaultTimeout(name)
	return Setting{Name: name, Value: squidDuration(d), Duration: d, Default: true}
}

// squidDuration writes d in Squid's time-units: "30 seconds", "15 minutes".
func squidDuration(d time.Duration) string {
	if d%time.Minute == 0 && d > 0 {
		return strconv.Itoa(int(d/time.Minute)) + " minutes"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " seconds"
}

// settings returns the timeouts of a request sent to peer p: its
// connect-timeout= or peer_connect_timeout, read_timeout and
// forward_timeout, which bounds the connect as well
// (http://www.squid-cache.org/Doc/config/peer_connect_timeout/).
func (s *Squid) settings(p *SquidPeer) []Setting {
	conn := s.setting("peer_connect_timeout")
	if p.ConnectTimeout > 0 {
		conn = Setting{Name: "connect-timeout=", Value: p.Options["connect-timeout"], Duration: p.ConnectTimeout, File: p.Line.File, Line: p.Line.Line}
	}
	return []Setting{conn, s.setting("read_timeout"), s.setting("forward_timeout")}
}

// allowed applies the peer's cache_peer_access lines as Squid does: the
// first line whose ACLs all match decides; when none does, the opposite
// of the last line's action; a peer with no lines is allowed.
func (s *Squid) allowed(p *SquidPeer, req *squidRequest, notes *[]string) bool {
	if len(p.Access) == 0 {
		return true
	}
	for _, l := range p.Access {
		all, unread := s.matchAll(l.Args[2:], req)
		if unread != "" {
			*notes = append(*notes, fmt.Sprintf("acl %s on %s (%s) is not read: taken as not matching", unread, l.String(), where(l.File, l.Line)))
		}
		if all {
			return l.Args[1] == "allow"
		}
	}
	return p.Access[len(p.Access)-1].Args[1] == "deny"
}

// matchAll reports whether every ACL of an access line's names ("!" for
// not) matches req, in order as Squid reads them: the first that does not
// match ends the line. unread names an ACL that is not read, which is
// taken as not matching.
func (s *Squid) matchAll(names []string, req *squidRequest) (all bool, unread string) {
	for _, name := range names {
		neg := strings.HasPrefix(name, "!")
		v, known := s.matchACL(strings.TrimPrefix(name, "!"), req)
		if !known {
			return false, strings.TrimPrefix(name, "!")
		}
		if v == neg {
			return false, ""
		}
	}
	return true, ""
}

// matchACL matches one ACL against the request; known is false for an
// ACL that is not defined or of a type not read.
func (s *Squid) matchACL(name string, req *squidRequest) (match, known bool) {
	if name == "all" {
		return true, true
	}
	a := s.ACLs[name]
	if a == nil {
		return false, false
	}
	for _, v := range a.Values {
		if strings.HasPrefix(v, `"`) {
			return false, false // the values are in a file
		}
		m, ok := a.matchValue(v, req)
		if !ok {
			return false, false
		}
		if m {
			return true, true
		}
	}
	return false, true
}

// matchValue matches one value of the ACL.
func (a *SquidACL) matchValue(v string, req *squidRequest) (match, known bool) {
	re := func(subject string) (bool, bool) {
		if a.ICase {
			v = "(?i)" + v
		}
		rx, err := regexp.Compile(v)
		if err != nil {
			return false, false
		}
		return rx.MatchString(subject), true
	}
	switch a.Type {
	case "dstdomain":
		v = strings.ToLower(v)
		if d, ok := strings.CutPrefix(v, "."); ok {
			return req.host == d || strings.HasSuffix(req.host, v), true
		}
		return req.host == v, true
	case "dstdom_regex":
		return re(req.host)
	case "urlpath_regex":
		return re(req.path)
	case "url_regex":
		return re(req.url)
	case "port", "localport":
		want := req.port
		if a.Type == "localport" {
			want = req.at.Port
		}
		lo, hi, isRange := strings.Cut(v, "-")
		if !isRange {
			hi = lo
		}
		l, err1 := strconv.Atoi(lo)
		h, err2 := strconv.Atoi(hi)
		return err1 == nil && err2 == nil && want >= l && want <= h, err1 == nil && err2 == nil
	case "myportname":
		name := req.at.Line.Args[0]
		for _, o := range req.at.Line.Args[1:] {
			if n, ok := strings.CutPrefix(o, "name="); ok {
				name = n
			}
		}
		return name == v, true
	}
	return false, false
}

// denied applies the http_access lines to req: the first whose ACLs all
// match decides; when none does, the answer is the opposite of the last
// line's (squid.conf.documented, "http_access"). A line that names an ACL
// not read here stops the reading: the request is taken as allowed. A
// file without http_access lines is read as a part of a larger one.
func (s *Squid) denied(req *squidRequest) (string, bool) {
	for _, l := range s.HTTPAccess {
		all, unread := s.matchAll(l.Args[1:], req)
		if unread != "" {
			return "", false
		}
		if all {
			if l.Args[0] == "deny" {
				return fmt.Sprintf("%s (%s) denies the request: Squid answers 403 itself, no peer is asked", l.String(), where(l.File, l.Line)), true
			}
			return "", false
		}
	}
	if n := len(s.HTTPAccess); n > 0 && s.HTTPAccess[n-1].Args[0] == "allow" {
		last := s.HTTPAccess[n-1]
		return fmt.Sprintf("no http_access line matches, and the last (%s, %s) allows: the default is the opposite, Squid answers 403 itself", last.String(), where(last.File, last.Line)), true
	}
	return "", false
}
