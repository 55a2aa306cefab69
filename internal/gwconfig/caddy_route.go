package gwconfig

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// caddyOrder is Caddy's default order of the handler directives
// (https://caddyserver.com/docs/caddyfile/directives#directive-order);
// directives not listed do not handle requests. skip_log and basicauth
// are the older names of log_skip and basic_auth.
var caddyOrder = []string{
	"tracing", "map", "vars", "fs", "root", "log_append", "skip_log", "log_skip", "log_name",
	"header", "copy_response_headers", "request_body", "redir", "method", "rewrite", "uri", "try_files",
	"basicauth", "basic_auth", "forward_auth", "request_header", "encode", "push", "intercept", "templates",
	"invoke", "handle", "route", "abort", "error", "copy_response", "respond", "metrics",
	"reverse_proxy", "php_fastcgi", "file_server", "acme_server",
}

// caddyAnswers are the directives that write the response themselves
// when their matcher matches: the rest of the chain does not run.
var caddyAnswers = map[string]bool{
	"abort": true, "error": true, "respond": true, "metrics": true, "redir": true, "acme_server": true,
}

// Route finds the site block that serves u (by port, then host: an exact
// name, then a wildcard, then a site for any host) and follows its
// directives in Caddy's order to the one that answers: a reverse_proxy or
// php_fastcgi with its upstreams, timeouts and health check, or a
// directive that answers itself. A matcher that depends on more than host
// and path is read as not matching, with a note.
func (c *Caddy) Route(u *url.URL) (*Route, error) {
	host, port, p, err := splitURL(u)
	if err != nil {
		return nil, err
	}
	site, notes, err := c.findSite(host, port, p)
	if err != nil {
		return nil, err
	}
	r := &Route{Gateway: string(catalog.Caddy), URL: u.String(), Notes: notes,
		Server: Block{Name: "site " + site.Block.Name, File: site.Block.File, Line: site.Block.Line}}
	ev := &caddyEval{site: site, host: host, path: p, notes: &r.Notes}
	d := ev.run(site.Directives, true)
	switch {
	case d == nil:
		r.Notes = append(r.Notes, "no directive handles "+ev.path+": Caddy answers 200 with an empty body")
	case site.proxyOf[d] != nil:
		routeCaddyProxy(r, site.proxyOf[d])
	default:
		r.Location = Block{Name: d.String(), File: d.File, Line: d.Line}
		r.Notes = append(r.Notes, fmt.Sprintf("%s answers the request itself", d.Name))
	}
	if r.Settings == nil {
		r.Settings = []Setting{}
	}
	return r, nil
}

// routeCaddyProxy fills r from the proxy that handles the request.
func routeCaddyProxy(r *Route, p *CaddyProxy) {
	d := p.Directive
	r.Location = Block{Name: p.String(), File: d.File, Line: d.Line}
	r.Target = strings.Join(p.Targets, " ")
	if r.Target == "" && p.Dynamic != nil {
		r.Target = p.Dynamic.String()
	}
	switch {
	case p.Transport == caddyFastCGITrans:
		r.Protocol = ProtoFastCGI
	case p.TLS:
		r.Protocol = ProtoHTTPS
	default:
		r.Protocol = ProtoHTTP
	}
	r.Upstreams = append(r.Upstreams, p.Upstreams...)
	r.Settings = p.Settings()
	r.HealthCheck = p.HealthCheck
	r.Notes = append(r.Notes, p.Notes...)
	if p.Kind == caddyPHPFastCGI {
		r.Notes = append(r.Notes, "php_fastcgi rewrites a path that is not a file to index.php (try_files {path} {path}/index.php index.php) "+
			"and sends the request to PHP when the path then ends in .php")
	}
}

// findSite picks the site for host on port. A request on the HTTP port to
// a site that Caddy serves over HTTPS gets a redirect (automatic HTTPS);
// the route is then that of the HTTPS request, with a note.
func (c *Caddy) findSite(host string, port int, p string) (*CaddySite, []string, error) {
	type cand struct {
		s        *CaddySite
		a        CaddyAddr
		redirect bool
	}
	var cands []cand
	for _, s := range c.Sites {
		for _, a := range s.Addrs {
			if a.Path != "" && !caddyPathMatch(a.Path, p) {
				continue
			}
			switch {
			case a.Port == port:
				cands = append(cands, cand{s, a, false})
			case port == c.HTTPPort && a.Scheme == "" && a.Host != "" && a.servesHTTPS(c) && c.AutoHTTPS != "disable_redirects":
				cands = append(cands, cand{s, a, true})
			}
		}
	}
	if len(cands) == 0 {
		return nil, nil, fmt.Errorf("no Caddy site is served on port %d", port)
	}
	for _, rank := range []func(a CaddyAddr) (bool, string){
		func(a CaddyAddr) (bool, string) { return a.Host == host, "site chosen by its address " + a.Host },
		func(a CaddyAddr) (bool, string) {
			return strings.HasPrefix(a.Host, "*.") && caddyWildcard(a.Host, host), "site chosen by the wildcard " + a.Host
		},
		func(a CaddyAddr) (bool, string) {
			return strings.Contains(a.Host, "{"), "the site's address " + a.Host + " comes from a placeholder: read as any host"
		},
		func(a CaddyAddr) (bool, string) {
			return a.Host == "", fmt.Sprintf("the site for any host on port %d answers", port)
		},
	} {
		for _, redirect := range []bool{false, true} {
			for _, cd := range cands {
				if ok, why := rank(cd.a); ok && cd.redirect == redirect {
					notes := []string{why}
					if redirect {
						notes = append(notes, fmt.Sprintf("Caddy redirects http:// to https:// on port %d (automatic HTTPS): this is the route of the https:// request", port))
					}
					return cd.s, notes, nil
				}
			}
		}
	}
	return nil, nil, fmt.Errorf("no Caddy site on port %d has the address %s: Caddy answers 200 with an empty body (or fails the TLS handshake)", port, host)
}

// caddyWildcard matches "*.example.com" against one label more: Caddy's
// wildcards stand for one label, not several.
func caddyWildcard(pattern, host string) bool {
	rest, ok := strings.CutSuffix(host, pattern[1:])
	return ok && rest != "" && !strings.Contains(rest, ".")
}

// caddyEval follows a site's directives for one request.
type caddyEval struct {
	site  *CaddySite
	host  string
	path  string
	notes *[]string
	depth int
}

// run evaluates ds (sorted in Caddy's order unless literal, as in a route
// block) and returns the directive that answers, or nil when none does.
func (ev *caddyEval) run(ds []*CaddyDirective, sorted bool) *CaddyDirective {
	if ev.depth++; ev.depth > maxIncludeDepth {
		return nil
	}
	defer func() { ev.depth-- }()
	if sorted {
		ds = sortCaddyDirectives(ds)
	}
	for i := 0; i < len(ds); i++ {
		d := ds[i]
		name := caddyGroup(d.Name)
		if name == "handle" {
			// handle and handle_path blocks are mutually exclusive: the
			// first that matches runs, and the chain goes on after them.
			j := i
			for j < len(ds) && caddyGroup(ds[j].Name) == "handle" {
				j++
			}
			if h := ev.handleGroup(ds[i:j]); h != nil {
				return h
			}
			i = j - 1
			continue
		}
		if h, done := ev.step(d); done {
			return h
		}
	}
	return nil
}

// caddyGroup sorts and groups handle_path as handle, as Caddy does.
func caddyGroup(name string) string {
	if name == "handle_path" {
		return "handle"
	}
	return name
}

// handleGroup runs the first handle or handle_path that matches.
func (ev *caddyEval) handleGroup(ds []*CaddyDirective) *CaddyDirective {
	for _, d := range ds {
		m := ev.matchDirective(d)
		if m != caddyYes {
			continue
		}
		saved := ev.path
		if d.Name == "handle_path" {
			ev.path = caddyStripPrefix(ev.path, d.Arg(0))
		}
		h := ev.run(d.Block, true)
		if h == nil {
			ev.path = saved
		}
		return h
	}
	return nil
}

// step evaluates one directive: it answers (done), changes the path, or
// passes.
func (ev *caddyEval) step(d *CaddyDirective) (*CaddyDirective, bool) {
	proxy := ev.site.proxyOf[d]
	isFileServer := d.Name == "file_server" && !slices.ContainsFunc(d.Block, func(b *CaddyDirective) bool { return b.Name == "pass_thru" })
	if !caddyAnswers[d.Name] && proxy == nil && !isFileServer &&
		d.Name != "route" && d.Name != "rewrite" && d.Name != "uri" && d.Name != "try_files" && d.Name != "forward_auth" {
		return nil, false
	}
	switch ev.matchDirective(d) {
	case caddyNo:
		return nil, false
	case caddyUnknown:
		*ev.notes = append(*ev.notes, fmt.Sprintf("%s (%s) may take the request: its matcher depends on more than host and path, read here as not matching",
			d.String(), where(d.File, d.Line)))
		return nil, false
	}
	switch d.Name {
	case "route":
		h := ev.run(d.Block, false)
		return h, h != nil
	case "rewrite":
		ev.rewrite(d, d.Arg(len(d.Args)-1))
	case "uri":
		ev.uri(d)
	case "try_files":
		*ev.notes = append(*ev.notes, fmt.Sprintf("%s (%s) rewrites to the first file that exists; read here as none", d.String(), where(d.File, d.Line)))
	case "forward_auth":
		*ev.notes = append(*ev.notes, fmt.Sprintf("%s (%s) asks another upstream first: its failure is a gateway error too", d.String(), where(d.File, d.Line)))
	default:
		return d, true
	}
	return nil, false
}

// rewrite follows "rewrite [matcher] TO" when TO uses only {path} and
// {uri}; otherwise the path is kept, with a note.
func (ev *caddyEval) rewrite(d *CaddyDirective, to string) {
	to = strings.NewReplacer("{path}", ev.path, "{uri}", ev.path, "{http.request.uri.path}", ev.path, "{query}", "").Replace(to)
	to, _, _ = strings.Cut(to, "?")
	if strings.Contains(to, "{") || !strings.HasPrefix(to, "/") {
		*ev.notes = append(*ev.notes, fmt.Sprintf("%s (%s) is not followed: the path is kept", d.String(), where(d.File, d.Line)))
		return
	}
	*ev.notes = append(*ev.notes, fmt.Sprintf("%s (%s) rewrites the path to %s", d.String(), where(d.File, d.Line), to))
	ev.path = to
}

// uri follows strip_prefix and strip_suffix; other forms keep the path.
func (ev *caddyEval) uri(d *CaddyDirective) {
	args := d.Args
	if len(args) > 0 && isMatcherToken(args[0]) {
		args = args[1:]
	}
	if len(args) < 2 {
		return
	}
	switch args[0] {
	case "strip_prefix":
		ev.path = caddyStripPrefix(ev.path, args[1])
	case "strip_suffix":
		ev.path = strings.TrimSuffix(ev.path, args[1])
	default:
		*ev.notes = append(*ev.notes, fmt.Sprintf("%s (%s) is not followed: the path is kept", d.String(), where(d.File, d.Line)))
	}
}

// caddyStripPrefix takes prefix (a path matcher's, "/api/*" or "/api")
// off p, keeping a leading slash.
func caddyStripPrefix(p, prefix string) string {
	prefix = strings.TrimRight(strings.TrimSuffix(prefix, "*"), "/")
	if len(p) >= len(prefix) && strings.EqualFold(p[:len(prefix)], prefix) {
		p = p[len(prefix):]
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

// sortCaddyDirectives sorts ds in Caddy's directive order; directives of
// the same name by their matchers: a single path first, longest first, a
// path without "*" before the same with it; then other matchers as
// written; then none (https://caddyserver.com/docs/caddyfile/directives#sorting-algorithm).
func sortCaddyDirectives(ds []*CaddyDirective) []*CaddyDirective {
	out := slices.Clone(ds)
	slices.SortStableFunc(out, func(a, b *CaddyDirective) int {
		ia, ib := slices.Index(caddyOrder, caddyGroup(a.Name)), slices.Index(caddyOrder, caddyGroup(b.Name))
		if ia != ib {
			return ia - ib
		}
		ka, la, sa := matcherRank(a)
		kb, lb, sb := matcherRank(b)
		switch {
		case ka != kb:
			return ka - kb
		case la != lb:
			return lb - la
		case sa != sb && !sa:
			return -1
		case sa != sb:
			return 1
		}
		return 0
	})
	return out
}

// matcherRank ranks a directive's matcher for sorting: 0 a single path
// (with its length without a trailing "*", and whether it has one), 1
// another matcher, 2 none.
func matcherRank(d *CaddyDirective) (kind, length int, star bool) {
	m := directiveMatcher(d)
	switch {
	case m == "" || m == "*":
		return 2, 0, false
	case strings.HasPrefix(m, "/"):
		t := strings.TrimSuffix(m, "*")
		return 0, len(t), t != m
	}
	return 1, 0, false
}

// directiveMatcher returns the matcher token of d, or "". A rewrite with
// one argument has none: the argument is where it rewrites to.
func directiveMatcher(d *CaddyDirective) string {
	if len(d.Args) == 0 || !isMatcherToken(d.Args[0]) || d.Name == "rewrite" && len(d.Args) == 1 {
		return ""
	}
	return d.Args[0]
}

// caddyTri is the outcome of a matcher: it matches, it does not, or it
// depends on what is not known here (headers, files, the client).
type caddyTri int

const (
	caddyNo caddyTri = iota
	caddyYes
	caddyUnknown
)

func (ev *caddyEval) matchDirective(d *CaddyDirective) caddyTri {
	m := directiveMatcher(d)
	switch {
	case m == "" || m == "*":
		return caddyYes
	case strings.HasPrefix(m, "/"):
		return triOf(caddyPathMatch(m, ev.path))
	}
	def, ok := ev.site.Matchers[m[1:]]
	if !ok {
		*ev.notes = append(*ev.notes, fmt.Sprintf("matcher %s (%s) is not defined in the site", m, where(d.File, d.Line)))
		return caddyUnknown
	}
	return ev.matchSet(caddyMatcherLines(def))
}

func triOf(b bool) caddyTri {
	if b {
		return caddyYes
	}
	return caddyNo
}

// caddyMatcherLines returns the matchers of a named matcher's definition:
// its block, or its one line ("@api path /api/*").
func caddyMatcherLines(def *CaddyDirective) []*CaddyDirective {
	if def.HasBlock {
		return def.Block
	}
	if len(def.Args) == 0 {
		return nil
	}
	if strings.HasPrefix(def.Args[0], "/") {
		return []*CaddyDirective{{Name: "path", Args: def.Args, File: def.File, Line: def.Line}}
	}
	return []*CaddyDirective{{Name: def.Args[0], Args: def.Args[1:], File: def.File, Line: def.Line}}
}

// matchSet evaluates matchers that must all match; lines of the same
// kind are one matcher whose values any may match
// (https://caddyserver.com/docs/caddyfile/matchers#named-matchers).
func (ev *caddyEval) matchSet(lines []*CaddyDirective) caddyTri {
	byKind := map[string][]string{}
	var kinds []string
	out := caddyYes
	for _, l := range lines {
		if l.Name == "not" {
			inner := l.Block
			if !l.HasBlock {
				inner = caddyMatcherLines(&CaddyDirective{Args: l.Args, File: l.File, Line: l.Line})
			}
			out = triAnd(out, triNot(ev.matchSet(inner)))
			continue
		}
		if _, seen := byKind[l.Name]; !seen {
			kinds = append(kinds, l.Name)
		}
		byKind[l.Name] = append(byKind[l.Name], l.Args...)
	}
	for _, k := range kinds {
		out = triAnd(out, ev.matchKind(k, byKind[k]))
	}
	return out
}

// matchKind evaluates one kind of matcher with its values.
func (ev *caddyEval) matchKind(kind string, vals []string) caddyTri {
	switch kind {
	case "path":
		for _, v := range vals {
			if caddyPathMatch(v, ev.path) {
				return caddyYes
			}
		}
		return caddyNo
	case "host":
		for _, v := range vals {
			v = strings.ToLower(v)
			if v == ev.host || strings.HasPrefix(v, "*.") && caddyWildcard(v, ev.host) {
				return caddyYes
			}
		}
		return caddyNo
	case "path_regexp":
		if len(vals) == 0 {
			return caddyUnknown
		}
		re, err := regexp.Compile(vals[len(vals)-1])
		if err != nil {
			return caddyUnknown
		}
		return triOf(re.MatchString(ev.path))
	}
	return caddyUnknown
}

func triAnd(a, b caddyTri) caddyTri {
	switch {
	case a == caddyNo || b == caddyNo:
		return caddyNo
	case a == caddyUnknown || b == caddyUnknown:
		return caddyUnknown
	}
	return caddyYes
}

func triNot(a caddyTri) caddyTri {
	switch a {
	case caddyYes:
		return caddyNo
	case caddyNo:
		return caddyYes
	}
	return caddyUnknown
}

// caddyPathMatch is Caddy's path matcher: case-insensitive; exact without
// "*"; a prefix with a trailing "*", a suffix with a leading one, a
// substring with both; else a glob in which "*" does not cross "/"
// (https://caddyserver.com/docs/caddyfile/matchers#path).
func caddyPathMatch(pattern, p string) bool {
	pattern, p = strings.ToLower(pattern), strings.ToLower(p)
	n := strings.Count(pattern, "*")
	switch {
	case pattern == "*":
		return true
	case n == 0:
		return p == pattern
	case n == 1 && strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(p, pattern[:len(pattern)-1])
	case n == 1 && strings.HasPrefix(pattern, "*"):
		return strings.HasSuffix(p, pattern[1:])
	case n == 2 && strings.HasPrefix(pattern, "*") && strings.HasSuffix(pattern, "*") && len(pattern) > 2:
		return strings.Contains(p, pattern[1:len(pattern)-1])
	}
	ok, err := path.Match(pattern, p)
	return err == nil && ok
}
