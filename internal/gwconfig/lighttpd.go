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

// Lighttpd is a parsed lighttpd.conf (lighttpd 1.4) with its includes:
// assignments and the conditional blocks around them, with var.x
// variables already put in place.
type Lighttpd struct {
	File string
	Root *LighttpdBlock
	// Problems are the parts that could not be read (an include that is
	// missing, include_shell, a condition or array cut short); the rest of
	// the model stands without them.
	Problems []*ParseError
}

// LighttpdBlock is the top level or one conditional block.
type LighttpdBlock struct {
	Cond   *LighttpdCond // nil at the top level and for a plain else
	Else   bool          // an "else { ... }" block
	Unread bool          // a condition that could not be read: never matches
	Items  []lighttpdItem
}

// lighttpdItem is an assignment, or a conditional with its else branches.
type lighttpdItem struct {
	Assign *LighttpdAssign
	Chain  []*LighttpdBlock
}

// LighttpdAssign is "key = value", "key += value" or "key := value".
type LighttpdAssign struct {
	Key, Op string
	Value   *lhValue
	File    string
	Line    int
}

// LighttpdCond is `$HTTP["host"] == "example.com"`.
type LighttpdCond struct {
	Field   string // `$HTTP["host"]`
	Op      string // ==, !=, =~, !~, =^, =$
	Pattern string
	File    string
	Line    int
}

// ParseLighttpd reads a lighttpd.conf and the files it includes (relative
// to the including file's directory); include_shell is never run, and
// what it would add is listed in Problems with the other parts not read.
// The error is for a file that cannot be read at all.
func ParseLighttpd(file string) (*Lighttpd, error) {
	file, err := absPath(file)
	if err != nil {
		return nil, err
	}
	return parseLighttpd(diskSource{}, file)
}

// parseLighttpd reads file from src.
func parseLighttpd(src source, file string) (*Lighttpd, error) {
	r := &lighttpdReader{src: src, vars: map[string]*lhValue{}}
	l := &Lighttpd{File: file, Root: &LighttpdBlock{}}
	if err := r.readFile(file, nil, l.Root); err != nil {
		return nil, err
	}
	l.Problems = r.probs
	return l, nil
}

// lhRequest is what lighttpd's conditions look at.
type lhRequest struct {
	host, path, query, scheme string
	port                      int
}

// lhEffective is the configuration in force for one request: the last
// assignment of each key on the way, and the innermost block that matched.
type lhEffective struct {
	values map[string]*LighttpdAssign
	block  *LighttpdCond
	notes  []string
}

// Route applies the conditional blocks that match u ($HTTP["host"],
// $HTTP["url"], $HTTP["querystring"], $HTTP["scheme"], $SERVER["socket"];
// conditions on anything else are read as false, with a note), then finds
// the proxy.server or fastcgi.server entry for the path as lighttpd
// matches them: "" matches every path, a key that starts with "/" a
// prefix, any other key a suffix (".php"); the first in the order written
// wins. lighttpd listens where server.port and $SERVER["socket"] say; the
// port is not checked.
func (l *Lighttpd) Route(u *url.URL) (*Route, error) {
	host, port, path, err := splitURL(u)
	if err != nil {
		return nil, err
	}
	if u.Port() != "" {
		host = net.JoinHostPort(host, u.Port())
	}
	req := &lhRequest{host: host, path: path, query: u.RawQuery, scheme: u.Scheme, port: port}
	eff := &lhEffective{values: map[string]*LighttpdAssign{}}
	eff.walk(l.Root, req)
	r := &Route{Gateway: string(catalog.Lighttpd), URL: u.String(), Notes: eff.notes, Settings: []Setting{}}
	r.Server = Block{Name: "global", File: l.File}
	if c := eff.block; c != nil {
		r.Server = Block{Name: c.String(), File: c.File, Line: c.Line}
	}
	for _, mod := range eff.handlerOrder() {
		key := map[string]string{"mod_proxy": "proxy.server", "mod_fastcgi": "fastcgi.server"}[mod]
		a := eff.values[key]
		if a == nil {
			continue
		}
		if ext, hosts, ok := lhMatch(a.Value, path); ok {
			routeLighttpd(r, a, ext, hosts)
			return r, nil
		}
	}
	r.Notes = append(r.Notes, "no proxy.server or fastcgi.server entry matches "+path+": lighttpd answers from server.document-root itself")
	return r, nil
}

// handlerOrder is the order of mod_proxy and mod_fastcgi in
// server.modules, mod_proxy first when neither is named.
func (e *lhEffective) handlerOrder() []string {
	out := []string{}
	if m := e.values["server.modules"]; m != nil {
		for _, v := range m.Value.List {
			if s := v.text(); s == "mod_proxy" || s == "mod_fastcgi" {
				out = append(out, s)
			}
		}
	}
	for _, s := range []string{"mod_proxy", "mod_fastcgi"} {
		if !strings.Contains(strings.Join(out, " "), s) {
			out = append(out, s)
		}
	}
	return out
}

// walk applies the assignments of b and of the conditional blocks that
// match, in the order written.
func (e *lhEffective) walk(b *LighttpdBlock, req *lhRequest) {
	for _, it := range b.Items {
		if a := it.Assign; a != nil {
			if prev := e.values[a.Key]; a.Op == "+=" && prev != nil {
				joined := *a
				joined.Value = lhConcat(prev.Value, a.Value)
				a = &joined
			}
			e.values[a.Key] = a
			continue
		}
		for _, br := range it.Chain {
			if br.Else {
				e.walk(br, req)
				break
			}
			if br.Unread {
				continue
			}
			ok, known := br.Cond.match(req)
			if !known {
				e.notes = append(e.notes, fmt.Sprintf("the condition %s (%s) is not read: taken as false", br.Cond, where(br.Cond.File, br.Cond.Line)))
			}
			if ok {
				e.block = br.Cond
				e.walk(br, req)
				break
			}
		}
	}
}

// match evaluates the condition against the request.
func (c *LighttpdCond) match(req *lhRequest) (ok, known bool) {
	var subject string
	switch c.Field {
	case `$HTTP["host"]`:
		subject = req.host
	case `$HTTP["url"]`:
		subject = req.path
	case `$HTTP["querystring"]`:
		subject = req.query
	case `$HTTP["scheme"]`:
		subject = req.scheme
	case `$SERVER["socket"]`:
		// ":8080" or "IP:8080": the port is what can be told.
		_, p, err := net.SplitHostPort(c.Pattern)
		if err != nil || (c.Op != "==" && c.Op != "!=") {
			return false, false
		}
		return (p == strconv.Itoa(req.port)) == (c.Op == "=="), true
	default:
		return false, false
	}
	switch c.Op {
	case "==", "!=":
		return (subject == c.Pattern) == (c.Op == "=="), true
	case "=^":
		return strings.HasPrefix(subject, c.Pattern), true
	case "=$":
		return strings.HasSuffix(subject, c.Pattern), true
	}
	re, err := regexp.Compile(c.Pattern)
	if err != nil {
		return false, false
	}
	return re.MatchString(subject) == (c.Op == "=~"), true
}

// lhMatch finds the entry of a proxy.server or fastcgi.server array for
// path, and its hosts.
func lhMatch(v *lhValue, path string) (ext string, hosts []*lhValue, ok bool) {
	if v == nil {
		return "", nil, false
	}
	for i, key := range v.Keys {
		matches := key == "" || strings.HasPrefix(key, "/") && strings.HasPrefix(path, key) ||
			!strings.HasPrefix(key, "/") && strings.HasSuffix(path, key)
		if !matches {
			continue
		}
		entry := v.List[i]
		if entry.get("host") != nil || entry.get("socket") != nil {
			return key, []*lhValue{entry}, true // one host written without its own parentheses
		}
		return key, entry.List, true
	}
	return "", nil, false
}

// lhTimeouts are the per-host timeouts of lighttpd 1.4.59 and later, in
// seconds.
var lhTimeouts = []string{"connect-timeout", "write-timeout", "read-timeout"}

// routeLighttpd fills r from the matched entry.
func routeLighttpd(r *Route, a *LighttpdAssign, ext string, hosts []*lhValue) {
	r.Location = Block{Name: fmt.Sprintf("%s %q", a.Key, ext), File: a.File, Line: a.Line}
	r.Protocol = ProtoHTTP
	if a.Key == "fastcgi.server" {
		r.Protocol = ProtoFastCGI
	}
	for _, h := range hosts {
		if u, ok := lhUpstream(h, a.Key); ok {
			r.Upstreams = append(r.Upstreams, u)
		}
	}
	if len(r.Upstreams) > 0 {
		u := r.Upstreams[0]
		r.Target = u.Addr
		if u.Network == "unix" {
			r.Target = "unix:" + u.Addr
		}
	}
	if len(hosts) == 0 {
		return
	}
	first, unset := hosts[0], []string{}
	for _, name := range lhTimeouts {
		v := first.get(name)
		if v == nil {
			unset = append(unset, name)
			continue
		}
		n, err := strconv.Atoi(v.text())
		if err != nil || n < 0 {
			continue
		}
		r.Settings = append(r.Settings, Setting{Name: name, Value: v.text(), Duration: time.Duration(n) * time.Second, File: v.File, Line: v.Line})
	}
	if len(unset) > 0 {
		r.Notes = append(r.Notes, strings.Join(unset, ", ")+" not set: lighttpd's own defaults apply (these options exist since lighttpd 1.4.59)")
	}
	if a.Key == "fastcgi.server" && first.get("check-local").text() != "disable" {
		r.Notes = append(r.Notes, `check-local is not "disable": lighttpd answers 404 itself when the file is not under server.document-root, without asking the backend`)
	}
}

// lhUpstream reads one host of an entry: "socket", or "host" with
// "port" (80 by default for mod_proxy).
func lhUpstream(h *lhValue, key string) (Upstream, bool) {
	u := Upstream{Weight: 1, File: h.File, Line: h.Line}
	if s := h.get("socket"); s != nil {
		u.Network, u.Addr = "unix", s.text()
		return u, u.Addr != ""
	}
	host := h.get("host").text()
	port := h.get("port").text()
	if port == "" && key == "proxy.server" {
		port = "80"
	}
	if host == "" || port == "" {
		return u, false
	}
	u.Network, u.Addr = "tcp", net.JoinHostPort(host, port)
	return u, true
}
