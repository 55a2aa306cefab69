package gwconfig

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// maxInternalRedirects is nginx's limit on internal redirects of one request
// (NGX_HTTP_MAX_URI_CHANGES, src/http/ngx_http_request.h).
const maxInternalRedirects = 10

// Route finds the server block and location that handle u, following
// try_files fallbacks, and the upstreams and settings behind them.
func (n *Nginx) Route(u *url.URL) (*Route, error) {
	host, port, path, err := splitURL(u)
	if err != nil {
		return nil, err
	}
	srv, why := n.findServer(host, port)
	if srv == nil {
		return nil, fmt.Errorf("no nginx server block listens on port %d", port)
	}
	r := &Route{Gateway: string(catalog.Nginx), URL: u.String(), Notes: []string{why}}
	if srv.Directive.Line == 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%s has locations outside any server block: they are read as the locations of one server, as when the file is included in a server block", srv.Directive.File))
	}
	r.Server = Block{Name: serverName(srv), File: srv.Directive.File, Line: srv.Directive.Line}
	if ret, cond := serverReturns(srv, requestVars(u, host, path, srv, nil)); ret != nil {
		// The server block's rewrite phase runs before any location is
		// chosen: an if that holds with a return answers the request.
		r.Notes = append(r.Notes, fmt.Sprintf("the server block answers itself: %s when %s (%s)", directiveText(ret), cond, where(ret.File, ret.Line)))
		r.Settings = nginxSettings(n, srv, nil, "")
		return r, nil
	}
	loc := findLocation(srv.Locations, path)
	if loc != nil {
		if in := lookup([][]*Directive{loc.Directive.Block}, "internal"); in != nil {
			// Only nginx's own redirects may enter it; a request from
			// outside gets 404 (ngx_http_core_module, "internal").
			r.Location = loc.Block()
			r.Notes = append(r.Notes, fmt.Sprintf("%s is internal (%s): nginx answers 404 to a request from outside, no upstream is asked", loc.Block().Name, where(in.File, in.Line)))
			r.Settings = nginxSettings(n, srv, nil, "")
			return r, nil
		}
	}
	uri := path
	for i := 0; loc != nil && i < maxInternalRedirects; i++ {
		next, nextURI, note := rewriteLast(srv, loc, uri)
		if next == nil {
			next, nextURI, note = tryFilesFallback(srv, loc, path, uri)
		}
		if next == nil {
			break
		}
		r.Notes = append(r.Notes, note)
		loc, uri = next, nextURI
	}
	if loc == nil {
		note := fmt.Sprintf("no location matches %s: nginx serves it from the server block's root", path)
		if ret := lookup([][]*Directive{srv.Directive.Block}, "return"); ret != nil {
			note = fmt.Sprintf("the server block answers itself: %s (%s)", directiveText(ret), where(ret.File, ret.Line))
		}
		r.Notes = append(r.Notes, note)
		r.Settings = nginxSettings(n, srv, nil, "")
		return r, nil
	}
	r.Location = loc.Block()
	up := n.resolveTarget(r, srv, loc, requestVars(u, host, uri, srv, loc))
	r.Settings = nginxSettings(n, srv, loc, r.Protocol)
	if up != nil && up.Keepalive > 0 {
		s := up.KeepaliveTimeout
		s.Name = "upstream keepalive_timeout"
		r.Settings = append(r.Settings, s)
	}
	return r, nil
}

// splitURL returns the lower-case host, the port (80 or 443 by scheme when
// not given) and the path ("/" when empty) of u.
func splitURL(u *url.URL) (host string, port int, path string, err error) {
	if u == nil || u.Host == "" {
		return "", 0, "", fmt.Errorf("URL %q has no host", u)
	}
	host = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port = 80
	if u.Scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return "", 0, "", fmt.Errorf("URL %q: bad port", u)
		}
	}
	path = u.Path
	if path == "" {
		path = "/"
	}
	return host, port, path, nil
}

func serverName(s *NginxServer) string {
	if len(s.Names) == 0 {
		return "server (no server_name)"
	}
	return "server_name " + strings.Join(s.Names, " ")
}

// findServer picks the server block for host on port as nginx does
// (https://nginx.org/en/docs/http/request_processing.html and
// https://nginx.org/en/docs/http/server_names.html): among the servers that
// listen on the port, an exact name, then the longest wildcard starting with
// "*", then the longest ending with "*", then the first matching regular
// expression; else the port's default_server, else its first server.
func (n *Nginx) findServer(host string, port int) (*NginxServer, string) {
	var cands []*NginxServer
	var def *NginxServer
	for _, s := range n.Servers {
		for _, l := range s.Listens {
			if l.Unix == "" && l.Port == port {
				cands = append(cands, s)
				if l.DefaultServer && def == nil {
					def = s
				}
				break
			}
		}
	}
	if len(cands) == 0 {
		return n.behindProxy(host, port)
	}
	if s, how := matchServerName(cands, host); s != nil {
		return s, fmt.Sprintf("server chosen by server_name: %s matches %s", how, host)
	}
	if def != nil {
		return def, fmt.Sprintf("no server_name matches %s: the default_server of port %d answers", host, port)
	}
	return cands[0], fmt.Sprintf("no server_name matches %s: the first server on port %d answers (no default_server)", host, port)
}

func matchServerName(cands []*NginxServer, host string) (*NginxServer, string) {
	var bestStart, bestEnd *NginxServer
	var startName, endName string
	for _, s := range cands {
		for _, name := range s.Names {
			name = strings.ToLower(name)
			switch {
			case name == host:
				return s, "exact name " + name
			case strings.HasPrefix(name, "*.") && strings.HasSuffix(host, name[1:]) && len(name) > len(startName),
				strings.HasPrefix(name, ".") && (host == name[1:] || strings.HasSuffix(host, name)) && len(name) > len(startName):
				bestStart, startName = s, name
			case strings.HasSuffix(name, ".*") && strings.HasPrefix(host, name[:len(name)-1]) && len(name) > len(endName):
				bestEnd, endName = s, name
			}
		}
	}
	if bestStart != nil {
		return bestStart, "wildcard " + startName
	}
	if bestEnd != nil {
		return bestEnd, "wildcard " + endName
	}
	for _, s := range cands {
		for _, name := range s.Names {
			if !strings.HasPrefix(name, "~") {
				continue
			}
			if re, err := regexp.Compile(name[1:]); err == nil && re.MatchString(host) {
				return s, "regular expression " + name
			}
		}
	}
	return nil, ""
}

// findLocation picks the location for path among locs as nginx does
// (https://nginx.org/en/docs/http/ngx_http_core_module.html#location and
// ngx_http_core_find_location): an exact "=" match ends the search; else the
// longest matching prefix is remembered and its nested locations searched;
// unless that prefix has "^~", regular expressions are then tried in order
// of appearance, the first match winning (with its own nested locations);
// else the remembered prefix is used.
func findLocation(locs []*NginxLocation, path string) *NginxLocation {
	l, _ := findLocationRC(locs, path)
	return l
}

// findLocationRC returns the location and whether the search is final (an
// exact or regular-expression match).
func findLocationRC(locs []*NginxLocation, path string) (*NginxLocation, bool) {
	var best *NginxLocation
	for _, l := range locs {
		switch l.Modifier {
		case "=":
			if l.Pattern == path {
				return l, true
			}
		case "", "^~":
			if strings.HasPrefix(path, l.Pattern) && (best == nil || len(l.Pattern) > len(best.Pattern)) {
				best = l
			}
		}
	}
	result := best
	if best != nil {
		sub, final := findLocationRC(best.Nested, path)
		if final {
			return sub, true
		}
		if sub != nil {
			result = sub
		}
		if best.Modifier == "^~" {
			return result, false
		}
	}
	for _, l := range locs {
		if l.re != nil && l.re.MatchString(path) {
			if sub := findLocation(l.Nested, path); sub != nil {
				return sub, true
			}
			return l, true
		}
	}
	return result, false
}

// tryFilesFallback follows the last argument of a try_files in loc, which
// is where nginx sends a request for a file that does not exist: a named
// location ("@app") or an internal redirect ("/index.php?$args",
// "/index.php$request_uri") of the request for reqURI, now at uri. Routing
// assumes no file exists, the case of application URLs. It returns the
// location and the URI it handles.
func tryFilesFallback(srv *NginxServer, loc *NginxLocation, reqURI, uri string) (*NginxLocation, string, string) {
	if loc.passDirective() != nil {
		return nil, "", ""
	}
	var tf *Directive
	for _, d := range loc.Directive.Block {
		if d.Name == "try_files" && len(d.Args) >= 2 {
			tf = d
		}
	}
	if tf == nil {
		return nil, "", ""
	}
	last := tf.Args[len(tf.Args)-1]
	note := fmt.Sprintf("try_files (%s) falls back to %s when no file matches", where(tf.File, tf.Line), last)
	if name, ok := strings.CutPrefix(last, "@"); ok {
		for _, l := range srv.Locations {
			if l.Modifier == "@" && l.Pattern == name {
				return l, uri, note
			}
		}
		return nil, "", ""
	}
	if !strings.HasPrefix(last, "/") {
		return nil, "", "" // "=404" and the like: nginx answers itself
	}
	next := expandURI(last, reqURI, uri)
	l := findLocation(srv.Locations, next)
	if l == loc && next == uri {
		return nil, "", ""
	}
	return l, next, note
}

// expandURI writes the path of an internal redirect with the variables a
// request's URI gives ($request_uri, $uri, $document_uri; the query
// string ones are empty for a URL without one), cut at the "?" and at a
// variable left unknown.
func expandURI(target, reqURI, uri string) string {
	r := strings.NewReplacer("${request_uri}", reqURI, "$request_uri", reqURI, "${uri}", uri, "$uri", uri,
		"$document_uri", uri, "$is_args", "", "$args", "", "$query_string", "")
	s := r.Replace(target)
	if i := strings.IndexAny(s, "?$"); i >= 0 {
		s = s[:i]
	}
	return s
}

// behindProxy finds the server of a URL whose port no server block
// listens on: the URL names the site as the world sees it, through a CDN
// or another proxy first, which passes the Host header on. The server is
// chosen by server_name among all, or is the only one there is.
func (n *Nginx) behindProxy(host string, port int) (*NginxServer, string) {
	var all []*NginxServer
	for _, s := range n.Servers {
		for _, l := range s.Listens {
			if l.Unix == "" {
				all = append(all, s)
				break
			}
		}
	}
	if s, how := matchServerName(all, host); s != nil {
		return s, fmt.Sprintf("no server block listens on port %d, so the URL reaches nginx through another proxy first; server chosen by server_name: %s matches %s", port, how, host)
	}
	if len(all) == 1 {
		return all[0], fmt.Sprintf("no server block listens on port %d, so the URL reaches nginx through another proxy first; nginx has one server block, which answers", port)
	}
	return nil, ""
}

// serverReturns finds an "if (COND) { return ...; }" of the server block
// whose condition holds for the request (ifHolds: a variable alone, or
// compared with "=", "!=", "~" or "~*"). Conditions on variables the
// request does not give are not evaluated.
func serverReturns(srv *NginxServer, vars map[string]reqVar) (*Directive, string) {
	for _, d := range srv.Directive.Block {
		if d.Name != "if" || !d.IsBlock() {
			continue
		}
		ret := lookup([][]*Directive{d.Block}, "return")
		if ret == nil {
			continue
		}
		cond := ifCond(d)
		if holds, known := ifHolds(cond, vars); known && holds {
			return ret, cond
		}
	}
	return nil, ""
}

// nginxCapture is a capture in a replacement: nginx's $1 is Go's ${1}, and
// a digit after it is no part of its name.
var nginxCapture = regexp.MustCompile(`\$([0-9])`)

// rewriteLast follows a "rewrite REGEX REPLACEMENT last" of loc whose
// expression matches uri: nginx searches the locations again for the new
// URI (ngx_http_rewrite_module). A replacement that starts with a scheme
// is a redirect, not followed.
func rewriteLast(srv *NginxServer, loc *NginxLocation, uri string) (*NginxLocation, string, string) {
	for _, d := range loc.Directive.Block {
		if d.Name != "rewrite" || len(d.Args) < 3 || d.Args[2] != "last" {
			continue
		}
		repl := d.Args[1]
		if strings.Contains(repl, "://") || strings.HasPrefix(repl, "$scheme") {
			continue
		}
		re, err := compilePCRE(d.Args[0])
		if err != nil {
			continue
		}
		m := re.FindStringSubmatchIndex(uri)
		if m == nil {
			continue
		}
		tmpl := nginxCapture.ReplaceAllString(repl, "$${$1}")
		next := string(re.re2.ExpandString(nil, tmpl, uri, m))
		next, _, _ = strings.Cut(next, "?")
		nl := findLocation(srv.Locations, next)
		if nl == nil {
			return nil, "", ""
		}
		return nl, next, fmt.Sprintf("rewrite %s %s last (%s) sends %s to %s, which %s takes", d.Args[0], repl, where(d.File, d.Line), uri, next, nl.Block().Name)
	}
	return nil, "", ""
}
