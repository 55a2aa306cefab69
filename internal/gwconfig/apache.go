package gwconfig

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Apache is a parsed Apache httpd configuration.
type Apache struct {
	File       string
	Directives []*Directive // the whole tree, includes expanded, <IfModule> and the like flattened
	Main       *ApacheVHost // the main server: what is outside any <VirtualHost>
	VHosts     []*ApacheVHost
	Balancers  map[string][]Upstream // <Proxy balancer://NAME> members by NAME
	// BalancerChecks are the HTTP health checks (mod_proxy_hcheck) of the
	// balancers whose members set hcmethod to an HTTP method, by NAME.
	BalancerChecks map[string]*HealthCheck
	// Workers are the parameters set for a backend URL by <Proxy URL
	// key=value ...> or ProxySet, by URL: they apply to every ProxyPass and
	// SetHandler that sends requests there
	// (https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxyset).
	Workers map[string]*ApacheProxy
	// Problems are the parts that could not be read (an include that is
	// missing, a section left open, a rule with a bad expression); the
	// rest of the model stands without them.
	Problems []*ParseError
}

// ApacheVHost is a <VirtualHost> section, or the main server.
type ApacheVHost struct {
	Block   Block
	Addrs   []Listen // from <VirtualHost ADDR:PORT ...>; port 0 for any
	Names   []string // ServerName then ServerAlias
	Proxies []*ApacheProxy
	// Timeout (default 60 s) and ProxyTimeout (default Timeout) as set in
	// this section; zero Settings when not set here
	// (https://httpd.apache.org/docs/2.4/mod/core.html#timeout,
	// https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxytimeout).
	Timeout, ProxyTimeout Setting
	// Fallback is FallbackResource's local URL, set in this section or in
	// one of its <Directory> or <Location> sections: where mod_dir sends a
	// request that maps to no file
	// (https://httpd.apache.org/docs/2.4/mod/mod_dir.html#fallbackresource).
	Fallback *Directive
}

// ApacheProxy is one way a request reaches an upstream: ProxyPass,
// ProxyPassMatch, or SetHandler "proxy:..." in a <FilesMatch>, <Files>,
// <Location> or <LocationMatch> section.
type ApacheProxy struct {
	Kind   string // "ProxyPass", "ProxyPassMatch", "RewriteRule" (with [P]) or "SetHandler"
	Path   string // the local path prefix, or the regular expression
	Target string // the backend URL as written; "!" excludes Path from proxying
	Params map[string]string
	File   string
	Line   int
	re     *pcre
	onFile bool // the expression applies to the file name (<Files>, <FilesMatch>)
	// conds are the RewriteCond lines before a RewriteRule: the rule
	// applies only when they hold.
	conds []*Directive
}

// ParseApache reads an Apache configuration file (apache2.conf, httpd.conf
// or one site file) and what it includes. Relative includes resolve against
// ServerRoot when it is set, else the directory of file, which is
// ServerRoot in Debian's and Red Hat's layouts (for a site file, its
// parent directory is tried too). What cannot be read is listed in
// Problems; the error is for a file that cannot be read at all.
func ParseApache(file string) (*Apache, error) {
	file, err := absPath(file)
	if err != nil {
		return nil, err
	}
	return parseApache(diskSource{}, file)
}

// parseApache reads file and its includes; the error is for a main file
// that cannot be read.
func parseApache(src source, file string) (*Apache, error) {
	p := &apacheParser{src: src, root: dirOf(file)}
	tree, err := p.parseFile(file)
	if err != nil {
		return nil, err
	}
	a := &Apache{File: file, Directives: tree, Balancers: map[string][]Upstream{}, BalancerChecks: map[string]*HealthCheck{},
		Workers: map[string]*ApacheProxy{}, Main: &ApacheVHost{Block: Block{Name: "main server", File: file}}}
	probs := &p.problems
	for _, d := range tree {
		if strings.EqualFold(d.Name, "VirtualHost") && d.IsBlock() {
			v := &ApacheVHost{Block: Block{Name: "<VirtualHost " + strings.Join(d.Args, " ") + ">", File: d.File, Line: d.Line}}
			for _, arg := range d.Args {
				v.Addrs = append(v.Addrs, apacheVHostAddr(arg, d))
			}
			a.collect(v, d.Block, probs)
			a.VHosts = append(a.VHosts, v)
		}
	}
	a.collect(a.Main, tree, probs)
	a.Problems = *probs
	return a, nil
}

// apacheVHostAddr reads "*:80", "_default_:443", "10.0.0.1:8080" or "*".
func apacheVHostAddr(arg string, d *Directive) Listen {
	l := Listen{File: d.File, Line: d.Line}
	host, port, err := net.SplitHostPort(arg)
	if err != nil {
		host = arg
	}
	l.Port, _ = strconv.Atoi(port)
	if host != "*" && host != "_default_" {
		l.Addr = strings.Trim(host, "[]")
	}
	return l
}

// collect reads the directives of one server into v; sections other than
// <VirtualHost> are searched for proxy settings. A directive it cannot read
// is a problem and left out.
func (a *Apache) collect(v *ApacheVHost, block []*Directive, probs *problems) {
	var conds []*Directive // the RewriteCond lines before the next RewriteRule
	for _, d := range block {
		name := strings.ToLower(d.Name)
		if d.IsBlock() {
			if name != "virtualhost" {
				a.collectSection(v, d, probs)
			}
			continue
		}
		switch name {
		case "servername", "serveralias":
			v.Names = append(v.Names, d.Args...)
		case "timeout", "proxytimeout":
			s, err := apacheTimeSetting(d)
			if err != nil {
				probs.add(d.File, d.Line, err)
				continue
			}
			if name == "timeout" {
				v.Timeout = s
			} else {
				v.ProxyTimeout = s
			}
		case "proxypass", "proxypassmatch":
			px, err := apacheProxyPass(d, "")
			if err != nil {
				probs.add(d.File, d.Line, err)
				continue
			}
			v.Proxies = append(v.Proxies, px)
		case "proxyset":
			a.setWorker(d.Arg(0), d.Args[min(1, len(d.Args)):], d)
		case "fallbackresource":
			v.setFallback(d)
		case "rewritecond":
			if fc := frontController(block, d); fc != nil {
				v.Fallback = fc
			}
			conds = append(conds, d)
		case "rewriterule":
			if px := apacheRewriteProxy(d, probs); px != nil {
				px.conds = conds
				v.Proxies = append(v.Proxies, px)
			}
			conds = nil
		}
	}
}

// apacheRewriteProxy reads "RewriteRule PATTERN URL [P,...]", mod_rewrite's
// way to proxy: the pattern is matched against the path, as
// ProxyPassMatch's is (https://httpd.apache.org/docs/2.4/rewrite/flags.html#flag_p).
// Rules without the P flag rewrite or redirect, and are not followed here.
// The RewriteCond lines before a rule are kept with it (ApacheProxy.conds).
func apacheRewriteProxy(d *Directive, probs *problems) *ApacheProxy {
	if len(d.Args) < 3 {
		return nil
	}
	flags := strings.Split(strings.Trim(d.Args[2], "[]"), ",")
	if !slices.ContainsFunc(flags, func(f string) bool { return strings.EqualFold(strings.TrimSpace(f), "P") }) {
		return nil
	}
	re, err := compilePCRE(d.Args[0])
	if err != nil {
		probs.addf(d.File, d.Line, "regular expression %q: %v", d.Args[0], err)
		return nil
	}
	return &ApacheProxy{Kind: "RewriteRule", Path: d.Args[0], Target: d.Args[1], Params: map[string]string{}, File: d.File, Line: d.Line, re: re}
}

// frontController reads the rewrite that sends every path that is no file
// to one script, the way FallbackResource does: "RewriteCond
// %{REQUEST_FILENAME} !-f" (and "!-d") right before "RewriteRule ^
// index.php [L]" with a pattern that matches any path, a local target and
// no P or R flag. cond is a RewriteCond of block; it returns a directive
// whose argument is the script's path, nil when cond starts no such rule.
func frontController(block []*Directive, cond *Directive) *Directive {
	i := slices.Index(block, cond)
	if i < 0 || !isNoFileCond(cond) {
		return nil
	}
	for _, d := range block[i+1:] {
		if strings.EqualFold(d.Name, "RewriteCond") {
			if !isNoFileCond(d) {
				return nil
			}
			continue
		}
		if !strings.EqualFold(d.Name, "RewriteRule") || len(d.Args) < 2 {
			return nil
		}
		switch d.Args[0] {
		case "^", ".", "^(.*)$", "(.*)", "^.*$", ".*", "^/(.*)$", "^(.+)$", "(.+)", ".?":
		default:
			return nil
		}
		if len(d.Args) > 2 {
			for _, f := range strings.Split(strings.Trim(d.Args[2], "[]"), ",") {
				f = strings.ToUpper(strings.TrimSpace(f))
				if f == "P" || f == "R" || strings.HasPrefix(f, "R=") || f == "F" || f == "G" {
					return nil
				}
			}
		}
		target, _, _ := strings.Cut(d.Args[1], "?")
		if target == "" || target == "-" || strings.Contains(target, "://") || strings.Contains(target, "$") {
			return nil
		}
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		return &Directive{Name: "RewriteRule", Args: []string{target}, File: d.File, Line: d.Line}
	}
	return nil
}

// isNoFileCond reports a "RewriteCond %{REQUEST_FILENAME} !-f" or "!-d".
func isNoFileCond(d *Directive) bool {
	return len(d.Args) >= 2 && strings.EqualFold(d.Args[0], "%{REQUEST_FILENAME}") && (d.Args[1] == "!-f" || d.Args[1] == "!-d")
}

// setFallback keeps a FallbackResource; "disabled" turns an inherited one
// off.
func (v *ApacheVHost) setFallback(d *Directive) {
	if strings.EqualFold(d.Arg(0), "disabled") {
		v.Fallback = nil
		return
	}
	if strings.HasPrefix(d.Arg(0), "/") {
		v.Fallback = d
	}
}

// collectSection reads <Proxy balancer://...> and <Proxy URL key=value>,
// and ProxyPass or SetHandler inside <Location>, <LocationMatch>, <Files>
// and <FilesMatch>, also within their <If>, <ElseIf> and <Else>.
func (a *Apache) collectSection(v *ApacheVHost, d *Directive, probs *problems) {
	kind := strings.ToLower(d.Name)
	if kind == "proxy" {
		if name, ok := strings.CutPrefix(d.Arg(0), "balancer://"); ok {
			a.collectBalancer(strings.TrimSuffix(name, "/"), d.Block)
		}
		a.setWorker(d.Arg(0), d.Args[min(1, len(d.Args)):], d)
		for _, c := range d.Block {
			if strings.EqualFold(c.Name, "ProxySet") {
				a.setWorker(d.Arg(0), c.Args, c)
			}
		}
		return
	}
	if kind == "directory" || kind == "location" {
		for _, c := range d.Block {
			if strings.EqualFold(c.Name, "FallbackResource") {
				v.setFallback(c)
			}
			if fc := frontController(d.Block, c); strings.EqualFold(c.Name, "RewriteCond") && fc != nil {
				v.Fallback = fc
			}
		}
	}
	if kind != "location" && kind != "locationmatch" && kind != "files" && kind != "filesmatch" {
		return
	}
	pattern := d.Arg(len(d.Args) - 1)
	isRegex := strings.HasSuffix(kind, "match") || d.Arg(0) == "~"
	for _, c := range conditionalBlocks(d.Block) {
		var px *ApacheProxy
		switch strings.ToLower(c.Name) {
		case "proxypass":
			if !strings.HasPrefix(kind, "location") {
				continue
			}
			var err error
			if px, err = apacheProxyPass(c, pattern); err != nil {
				probs.add(c.File, c.Line, err)
				continue
			}
		case "sethandler":
			target, ok := strings.CutPrefix(c.Arg(0), "proxy:")
			if !ok {
				continue
			}
			px = &ApacheProxy{Kind: "SetHandler", Path: pattern, Target: target, File: c.File, Line: c.Line}
		default:
			continue
		}
		px.onFile = strings.HasPrefix(kind, "files")
		if isRegex {
			re, err := compilePCRE(pattern)
			if err != nil {
				probs.addf(d.File, d.Line, "regular expression %q: %v", pattern, err)
				return
			}
			px.re = re
		}
		v.Proxies = append(v.Proxies, px)
	}
}

// conditionalBlocks returns the directives of block with those of its <If>,
// <ElseIf> and <Else> sections in their place: whether the condition holds
// depends on the request, and the handler it sets is the one of interest.
func conditionalBlocks(block []*Directive) []*Directive {
	var out []*Directive
	for _, c := range block {
		switch strings.ToLower(c.Name) {
		case "if", "elseif", "else":
			if c.IsBlock() {
				out = append(out, conditionalBlocks(c.Block)...)
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// setWorker records the key=value parameters given for the backend URL
// target, later ones overriding earlier ones.
func (a *Apache) setWorker(target string, args []string, d *Directive) {
	if target == "" || target == "*" || len(args) == 0 {
		return
	}
	w := a.Workers[target]
	if w == nil {
		w = &ApacheProxy{Kind: "Proxy", Path: target, Target: target, Params: map[string]string{}}
		a.Workers[target] = w
	}
	for _, kv := range args {
		if k, val, ok := strings.Cut(kv, "="); ok {
			w.Params[strings.ToLower(k)] = val
			w.File, w.Line = d.File, d.Line
		}
	}
}

func (a *Apache) collectBalancer(name string, block []*Directive) {
	for _, c := range block {
		if !strings.EqualFold(c.Name, "BalancerMember") || len(c.Args) == 0 {
			continue
		}
		u := apacheUpstream(c.Arg(0))
		u.Name, u.Group, u.File, u.Line = c.Arg(0), name, c.File, c.Line
		var method, uri, expr string
		for _, kv := range c.Args[1:] {
			k, val, _ := strings.Cut(kv, "=")
			switch strings.ToLower(k) {
			case "loadfactor":
				u.Weight, _ = strconv.Atoi(val)
			case "status":
				u.Down = strings.Contains(strings.ToUpper(val), "D")
				u.Backup = strings.Contains(strings.ToUpper(val), "H")
			case "hcmethod":
				method = strings.ToUpper(val)
			case "hcuri":
				uri = val
			case "hcexpr":
				expr = val
			}
		}
		// mod_proxy_hcheck: hcmethod is TCP (a connect only) unless set to
		// OPTIONS, HEAD or GET (or their "11" forms, HTTP/1.1); hcuri is
		// appended to the member's URL; a 2xx or 3xx passes unless hcexpr
		// names a ProxyHCExpr.
		u.Check = method != ""
		if m := strings.TrimSuffix(method, "11"); (m == "GET" || m == "HEAD" || m == "OPTIONS") && a.BalancerChecks[name] == nil {
			path := "/"
			if mu, err := url.Parse(c.Arg(0)); err == nil && mu.Path != "" {
				path = mu.Path
			}
			if uri != "" {
				path = strings.TrimSuffix(path, "/") + "/" + strings.TrimPrefix(uri, "/")
			}
			hc := &HealthCheck{Method: m, Path: path, File: c.File, Line: c.Line}
			if expr != "" {
				hc.Expect = "expr " + expr
			}
			a.BalancerChecks[name] = hc
		}
		a.Balancers[name] = append(a.Balancers[name], u)
	}
}

// apacheProxyPass reads "ProxyPass [path] !|url [key=value ...]"; path is
// implied inside a <Location> section.
func apacheProxyPass(d *Directive, implied string) (*ApacheProxy, error) {
	args := d.Args
	px := &ApacheProxy{Kind: "ProxyPass", Params: map[string]string{}, File: d.File, Line: d.Line}
	if strings.EqualFold(d.Name, "ProxyPassMatch") {
		px.Kind = "ProxyPassMatch"
	}
	if implied == "" {
		if len(args) < 2 {
			return nil, parseErrorf(d.File, d.Line, "%s needs a path and a URL", d.Name)
		}
		px.Path, args = args[0], args[1:]
	} else {
		if len(args) < 1 {
			return nil, parseErrorf(d.File, d.Line, "%s needs a URL", d.Name)
		}
		px.Path = implied
	}
	px.Target = args[0]
	for _, kv := range args[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue // flags such as "nocanon" and "interpolate"
		}
		px.Params[strings.ToLower(k)] = v
	}
	if px.Kind == "ProxyPassMatch" {
		re, err := compilePCRE(px.Path)
		if err != nil {
			return nil, parseErrorf(d.File, d.Line, "regular expression %q: %v", px.Path, err)
		}
		px.re = re
	}
	return px, nil
}

// apacheTimeSetting reads a Timeout or ProxyTimeout in seconds.
func apacheTimeSetting(d *Directive) (Setting, error) {
	dur, err := parseTime(d.Arg(0), time.Second)
	if err != nil {
		return Setting{}, parseErrorf(d.File, d.Line, "%s: %v", d.Name, err)
	}
	return Setting{Name: d.Name, Value: d.Arg(0), Duration: dur, File: d.File, Line: d.Line}, nil
}

// apacheUpstream reads a backend URL: "http://host:port/path",
// "fcgi://127.0.0.1:9000/", "unix:/run/php.sock|fcgi://localhost/".
func apacheUpstream(target string) Upstream {
	if sock, rest, ok := strings.Cut(target, "|"); ok && strings.HasPrefix(sock, "unix:") {
		u := Upstream{Network: "unix", Addr: strings.TrimPrefix(sock, "unix:"), Weight: 1}
		u.TLS = strings.HasPrefix(rest, "https:")
		return u
	}
	// The host and port end where the path or a variable of the target
	// begins: "http://127.0.0.1:8181%{REQUEST_URI}", "http://app$1".
	scheme, rest, ok := strings.Cut(target, "://")
	host := rest
	if i := strings.IndexAny(rest, "/%$?"); i >= 0 {
		host = rest[:i]
	}
	if !ok || host == "" {
		return Upstream{Network: "tcp", Addr: target, Weight: 1}
	}
	port := map[string]int{"https": 443, "wss": 443, "ajp": 8009, "fcgi": 9000}[scheme]
	if port == 0 {
		port = 80
	}
	u := addrUpstream(host, port)
	u.TLS = scheme == "https" || scheme == "wss"
	return u
}

// apacheProtocol names the protocol of a backend URL.
func apacheProtocol(target string) string {
	if _, rest, ok := strings.Cut(target, "|"); ok {
		target = rest
	}
	scheme, _, _ := strings.Cut(target, "://")
	switch scheme {
	case "fcgi":
		return ProtoFastCGI
	case "https", "wss":
		return ProtoHTTPS
	case "http", "ws", "h2c":
		return ProtoHTTP
	}
	return scheme
}

func dirOf(file string) string {
	if i := strings.LastIndexByte(file, '/'); i >= 0 {
		return file[:max(i, 1)]
	}
	return "."
}

// String names the proxy rule as written: "ProxyPass /api/ http://127.0.0.1:9001/".
func (px *ApacheProxy) String() string {
	return fmt.Sprintf("%s %s %s", px.Kind, px.Path, px.Target)
}
