package gwconfig

import (
	"cmp"
	"fmt"
	"net/textproto"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// apacheDefaultRetry is how long a worker that failed to connect stays in
// error state, refusing requests with 503 (ProxyPass retry=, default 60).
const apacheDefaultRetry = "60"

// Route finds the virtual host for u (by port, then ServerName or
// ServerAlias, else the first virtual host on the port, as Apache picks its
// default), then the first ProxyPass or ProxyPassMatch in configuration
// order that matches the path, else a SetHandler "proxy:" section.
func (a *Apache) Route(u *url.URL) (*Route, error) {
	host, port, p, err := splitURL(u)
	if err != nil {
		return nil, err
	}
	v, why := a.findVHost(host, port)
	r := &Route{Gateway: string(catalog.Apache), URL: u.String(), Server: v.Block, Notes: []string{why}}
	req := rewriteRequest(u, host, port, p)
	px := a.match(v, p, req)
	if fb := cmp.Or(v.Fallback, a.Main.Fallback); px == nil && fb != nil {
		// mod_dir sends a request that maps to no file to the fallback,
		// whose own handler then answers (a front controller in PHP).
		if px = a.match(v, fb.Arg(0), req); px != nil {
			how := "FallbackResource " + fb.Arg(0)
			if fb.Name == "RewriteRule" {
				how = "RewriteRule after RewriteCond %{REQUEST_FILENAME} !-f"
			}
			r.Notes = append(r.Notes, fmt.Sprintf("%s (%s): a path that is no file goes to %s", how, where(fb.File, fb.Line), fb.Arg(0)))
		}
	}
	if px == nil || px.Target == "!" {
		r.Notes = append(r.Notes, "no ProxyPass or proxy handler matches "+p+": Apache serves it itself")
		r.Settings = a.settings(v, nil)
		return r, nil
	}
	r.Location = Block{Name: px.String(), File: px.File, Line: px.Line}
	r.Target, r.Protocol = px.Target, apacheProtocol(px.Target)
	if name, ok := strings.CutPrefix(px.Target, "balancer://"); ok {
		name, _, _ = strings.Cut(name, "/")
		r.Upstreams = append(r.Upstreams, a.Balancers[name]...)
		if len(a.Balancers[name]) > 0 {
			r.Protocol = apacheProtocol(a.Balancers[name][0].Name)
		}
		r.HealthCheck = a.BalancerChecks[name]
	} else {
		up := apacheUpstream(px.Target)
		up.File, up.Line = px.File, px.Line
		r.Upstreams = append(r.Upstreams, up)
	}
	r.Settings = a.settings(v, px)
	return r, nil
}

// match returns the proxy rule for p in v, else in the main server, whose
// ProxyPass applies to virtual hosts too.
func (a *Apache) match(v *ApacheVHost, p string, req map[string]string) *ApacheProxy {
	px := v.match(p, req)
	if px == nil && v != a.Main {
		px = a.Main.match(p, req)
	}
	return px
}

func (a *Apache) findVHost(host string, port int) (*ApacheVHost, string) {
	var cands []*ApacheVHost
	for _, v := range a.VHosts {
		for _, l := range v.Addrs {
			if l.Port == port || l.Port == 0 {
				cands = append(cands, v)
				break
			}
		}
	}
	if len(cands) == 0 {
		return a.Main, fmt.Sprintf("no <VirtualHost> for port %d: the main server answers", port)
	}
	for _, v := range cands {
		for _, n := range v.Names {
			n = strings.ToLower(n)
			if n == host || (strings.ContainsAny(n, "*?") && globMatch(n, host)) {
				return v, fmt.Sprintf("virtual host chosen by ServerName/ServerAlias %s", n)
			}
		}
	}
	return cands[0], fmt.Sprintf("no ServerName matches %s: the first virtual host on port %d answers", host, port)
}

func globMatch(pattern, s string) bool {
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

// match returns the first proxy rule for p: a server-level RewriteRule [P],
// then ProxyPass and ProxyPassMatch in order
// (https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass: "the
// first match wins"), then proxy handlers.
func (v *ApacheVHost) match(p string, req map[string]string) *ApacheProxy {
	// mod_rewrite translates the URL in the server's context before
	// mod_proxy's ProxyPass does: with both matching, Apache 2.4 proxies
	// to the RewriteRule's target (tried with Debian's apache2 2.4).
	for _, kinds := range [][]string{{"RewriteRule"}, {"ProxyPass", "ProxyPassMatch"}} {
		for _, px := range v.Proxies {
			if !slices.Contains(kinds, px.Kind) {
				continue
			}
			if px.Kind == "RewriteRule" && !condsHold(px.conds, req) {
				continue
			}
			if (px.re != nil && px.re.MatchString(p)) || (px.re == nil && aliasMatch(p, px.Path)) {
				return px
			}
		}
	}
	for _, px := range v.Proxies {
		if px.Kind != "SetHandler" {
			continue
		}
		subject := p
		if px.onFile {
			subject = path.Base(p)
		}
		if px.re != nil && px.re.MatchString(subject) {
			return px
		}
		if px.re == nil && (px.onFile && subject == px.Path || !px.onFile && aliasMatch(p, px.Path)) {
			return px
		}
	}
	return nil
}

// aliasMatch is mod_alias's and mod_proxy's prefix match: when the prefix
// does not end in "/", it must be followed by "/" or the end of the path.
func aliasMatch(p, prefix string) bool {
	if !strings.HasPrefix(p, prefix) {
		return false
	}
	return strings.HasSuffix(prefix, "/") || len(p) == len(prefix) || p[len(prefix)] == '/'
}

// settings returns the effective timeouts of a request through px in v:
// the ProxyPass timeout= (else ProxyTimeout, else Timeout) first, which
// ends the wait for the response.
func (a *Apache) settings(v *ApacheVHost, px *ApacheProxy) []Setting {
	first := func(ss ...Setting) Setting {
		for _, s := range ss {
			if s.Name != "" {
				return s
			}
		}
		return Setting{}
	}
	timeout := first(v.Timeout, a.Main.Timeout, defaultSeconds(catalog.Apache, "Timeout"))
	proxyTimeout := first(v.ProxyTimeout, a.Main.ProxyTimeout)
	if proxyTimeout.Name == "" {
		proxyTimeout = timeout
		proxyTimeout.Name = "ProxyTimeout"
	}
	out := []Setting{}
	if px != nil {
		w := a.worker(px.Target)
		param := func(key string) (Setting, bool) {
			if t, ok := px.param(key); ok {
				return t, ok
			}
			return w.param(key)
		}
		if t, ok := param("timeout"); ok {
			out = append(out, t)
		}
		if t, ok := param("connectiontimeout"); ok {
			out = append(out, t)
		}
		retry, ok := param("retry")
		if !ok && px.Kind != "SetHandler" {
			retry, ok = Setting{Name: "retry=", Value: apacheDefaultRetry, Duration: 60 * time.Second, Default: true}, true
		}
		if ok {
			out = append(out, retry)
		}
	}
	return append(out, proxyTimeout, timeout)
}

// worker returns the parameters set with <Proxy URL> or ProxySet for the
// longest URL that target starts with; nil when there are none.
func (a *Apache) worker(target string) *ApacheProxy {
	var best *ApacheProxy
	for u, w := range a.Workers {
		if strings.HasPrefix(target, strings.TrimSuffix(u, "/")) && (best == nil || len(u) > len(best.Target)) {
			best = w
		}
	}
	return best
}

// param returns a key=value of a ProxyPass or worker as a time Setting
// named "key="; false when px is nil or does not set key.
func (px *ApacheProxy) param(key string) (Setting, bool) {
	if px == nil {
		return Setting{}, false
	}
	v, ok := px.Params[key]
	if !ok {
		return Setting{}, false
	}
	d, _ := parseTime(v, time.Second)
	return Setting{Name: key + "=", Value: v, Duration: d, File: px.File, Line: px.Line}, true
}

// rewriteRequest returns the server variables of mod_rewrite that a
// RewriteCond may test, for a plain GET of u without Upgrade or other
// request headers.
func rewriteRequest(u *url.URL, host string, port int, p string) map[string]string {
	https := "off"
	if u.Scheme == "https" {
		https = "on"
	}
	uri := u.RequestURI()
	return map[string]string{
		"HTTPS": https, "HTTP_HOST": u.Host, "SERVER_NAME": host, "SERVER_PORT": fmt.Sprint(port),
		"REQUEST_URI": p, "QUERY_STRING": u.RawQuery, "REQUEST_METHOD": "GET", "REQUEST_SCHEME": u.Scheme,
		"THE_REQUEST": "GET " + uri + " HTTP/1.1", "HTTP:Upgrade": "", "HTTP:Connection": "",
	}
}

// condsHold reports whether RewriteCond lines hold for req
// (https://httpd.apache.org/docs/2.4/mod/mod_rewrite.html#rewritecond):
// a test string that is one server variable, against a regular expression,
// "=string", "!" negating either, with the NC and OR flags; a file test
// takes the URL to name no file. A condition that tests anything else
// (environment, other headers) is not known to hold, and its rule is not
// taken.
func condsHold(conds []*Directive, req map[string]string) bool {
	// Conditions are ANDed; [OR] joins a condition with the next one.
	group := false // whether the current OR group holds so far
	for _, c := range conds {
		holds, known := condHolds(c, req)
		if !known {
			return false
		}
		group = group || holds
		flags := ""
		if len(c.Args) > 2 {
			flags = strings.ToUpper(strings.Trim(c.Args[2], "[]"))
		}
		if slices.Contains(strings.Split(flags, ","), "OR") {
			continue
		}
		if !group {
			return false
		}
		group = false
	}
	return true
}

var rewriteVarRe = regexp.MustCompile(`^%\{([A-Za-z_:-]+)\}$`)

func condHolds(c *Directive, req map[string]string) (holds, known bool) {
	if len(c.Args) < 2 {
		return false, false
	}
	if test, neg := strings.CutPrefix(c.Args[1], "!"); fileTest(test) {
		// A test of the file the path maps to: the URL is taken to name
		// no file on disk, as an application's routes do not (the same
		// assumption as FallbackResource's).
		return neg, true
	}
	m := rewriteVarRe.FindStringSubmatch(c.Args[0])
	if m == nil {
		return false, false
	}
	name := m[1]
	if h, ok := strings.CutPrefix(name, "HTTP:"); ok {
		name = "HTTP:" + textproto.CanonicalMIMEHeaderKey(h)
	}
	v, ok := req[name]
	if !ok {
		return false, false
	}
	pat := c.Args[1]
	nc := len(c.Args) > 2 && slices.Contains(strings.Split(strings.ToUpper(strings.Trim(c.Args[2], "[]")), ","), "NC")
	neg := strings.HasPrefix(pat, "!")
	pat = strings.TrimPrefix(pat, "!")
	switch {
	case strings.HasPrefix(pat, "="):
		want := strings.Trim(pat[1:], `"`)
		holds = v == want || (nc && strings.EqualFold(v, want))
	case strings.HasPrefix(pat, "-") || strings.HasPrefix(pat, "<") || strings.HasPrefix(pat, ">"):
		return false, false // file tests and comparisons
	default:
		expr := pat
		if nc {
			expr = "(?i)" + expr
		}
		re, err := compilePCRE(expr)
		if err != nil {
			return false, false
		}
		holds = re.MatchString(v)
	}
	return holds != neg, true
}

// fileTest reports RewriteCond's tests of a file: -f, -d, -s, -l, -L, -h,
// -x, -F and -U.
func fileTest(p string) bool {
	switch p {
	case "-f", "-d", "-s", "-l", "-L", "-h", "-x", "-F", "-U":
		return true
	}
	return false
}
