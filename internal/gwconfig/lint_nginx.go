package gwconfig

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// Thresholds of the nginx lint.
const (
	shortReadTimeout = 5 * time.Second
	longReadTimeout  = 10 * time.Minute
	// maxConnectTimeout: "this timeout cannot usually exceed 75 seconds"
	// (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_connect_timeout).
	maxConnectTimeout = 75 * time.Second
	smallHeaderBuffer = 4 << 10
)

// nginxPass is one location that hands requests to an upstream, with what
// the lint needs around it.
type nginxPass struct {
	srv   *NginxServer
	loc   *NginxLocation
	d     *Directive
	t     passTarget
	up    *NginxUpstream // the upstream block the target names, if any
	chain [][]*Directive
	// needsResolver is false when every host the target's variables can
	// give is an address or an upstream block's name: nginx resolves none.
	needsResolver bool
}

// passes lists every location of n with a pass directive.
func (n *Nginx) passes() []nginxPass {
	var out []nginxPass
	var walk func(srv *NginxServer, locs []*NginxLocation)
	walk = func(srv *NginxServer, locs []*NginxLocation) {
		for _, l := range locs {
			if d := l.passDirective(); d != nil {
				p := nginxPass{srv: srv, loc: l, d: d, t: parsePassTarget(d), chain: nginxChain(n, srv, l), needsResolver: true}
				if hosts, ok := n.staticHosts(srv, l, d); ok && p.t.hasVars {
					p.needsResolver = slices.ContainsFunc(hosts, func(h string) bool { return !isIPHost(h) && n.upstream(h) == nil })
				}
				if !p.t.explicitPort && !strings.Contains(p.t.host, "$") {
					p.up = n.upstream(p.t.host)
				}
				out = append(out, p)
			}
			walk(srv, l.Nested)
		}
	}
	for _, s := range n.Servers {
		walk(s, s.Locations)
	}
	return out
}

func checkNginx(n *Nginx) []Finding {
	var out []Finding
	seen := map[string]bool{}
	add := func(f Finding) {
		key := f.Code + "|" + f.Where()
		if !seen[key] {
			seen[key] = true
			out = append(out, f)
		}
	}
	for _, p := range n.passes() {
		for _, f := range checkPassTarget(p) {
			add(f)
		}
		for _, f := range checkPassSettings(p) {
			add(f)
		}
	}
	for _, u := range n.Upstreams {
		for _, f := range checkUpstreamBlock(u) {
			add(f)
		}
	}
	walkDirectives(n.Directives, func(d *Directive) {
		if d.Name == "ssl" && len(d.Args) == 1 {
			// ngx_http_ssl_module: "ssl" was deprecated in 1.15.0 and
			// removed in 1.25.1, where nginx stops at "unknown directive".
			add(Finding{Severity: Error, Code: "nginx.ssl_directive", Cause: catalog.EdgeUnreachable,
				File: d.File, Line: d.Line, Directive: directiveText(d),
				Message: "the ssl directive was removed in nginx 1.25.1: nginx refuses to start with it (\"unknown directive \"ssl\"\"), and older releases warn",
				Fix:     "listen 443 ssl;  # and drop the ssl line"})
		}
	})
	return out
}

// walkDirectives calls fn for every directive of the tree, blocks' inside
// included.
func walkDirectives(ds []*Directive, fn func(*Directive)) {
	for _, d := range ds {
		fn(d)
		walkDirectives(d.Block, fn)
	}
}

// checkPassTarget looks at where a location sends its requests.
func checkPassTarget(p nginxPass) []Finding {
	var out []Finding
	d, t := p.d, p.t
	if t.hasVars && p.up == nil && !isIPHost(t.host) && t.unix == "" && lookup(p.chain, "resolver") == nil && p.needsResolver {
		out = append(out, Finding{Severity: Warning, Code: "nginx.no_resolver", Cause: catalog.UpstreamDNS,
			File: d.File, Line: d.Line, Directive: directiveText(d),
			Message: fmt.Sprintf("%s has variables, so nginx resolves %q for each request, but no resolver is set: "+
				"unless it names an upstream block, nginx answers 502 and logs \"no resolver defined to resolve\"", d.Name, t.host),
			Fix: "resolver 127.0.0.53 valid=30s;"})
	}
	if p.up != nil || strings.Contains(t.host, "$") || t.unix != "" {
		return out
	}
	if f, ok := hostFinding(d, hostOf(t.host)); ok {
		out = append(out, f)
	}
	return out
}

// hostFinding reports an upstream written as a host name: localhost, or a
// name resolved once at start-up.
func hostFinding(d *Directive, host string) (Finding, bool) {
	switch {
	case strings.EqualFold(host, "localhost"):
		fixed := *d
		fixed.Args = append([]string{}, d.Args...)
		fixed.Args[0] = strings.Replace(d.Args[0], "localhost", "127.0.0.1", 1)
		return Finding{Severity: Warning, Code: "nginx.localhost_upstream", Cause: catalog.UpstreamRefused,
			File: d.File, Line: d.Line, Directive: directiveText(d),
			Message: "the upstream is \"localhost\", which resolves to ::1 as well as 127.0.0.1, and nginx uses both addresses: " +
				"an app that listens on only one of them (often 127.0.0.1, or ::1 for Node.js 17 and later) refuses the other, " +
				"nginx logs \"connect() failed (111: Connection refused)\" and retries, and answers 502 when the tries run out",
			Fix: directiveText(&fixed)}, true
	case host != "" && !isIPHost(host) && !hasParam(d, "resolve"):
		return Finding{Severity: Info, Code: "nginx.static_hostname", Cause: catalog.UpstreamUnreachable,
			File: d.File, Line: d.Line, Directive: directiveText(d),
			Message: fmt.Sprintf("nginx resolves %q once, at start-up or reload, and keeps the address: "+
				"when the upstream's address changes, requests go to the old one until nginx is reloaded", host),
			Fix: staticHostnameFix(d, host)}, true
	}
	return Finding{}, false
}

func hasParam(d *Directive, p string) bool {
	for _, a := range d.Args[1:] {
		if a == p {
			return true
		}
	}
	return false
}

// hostOf returns the host part of "host", "host:port" or "[v6]:port".
func hostOf(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

func isIPHost(hostport string) bool { return net.ParseIP(hostOf(hostport)) != nil }

// checkPassSettings looks at the timeouts, buffers and keep-alive settings
// that apply to one location.
func checkPassSettings(p nginxPass) []Finding {
	var out []Finding
	pre := modulePrefix(p.t.proto)
	get := func(name, def string, kind settingKind) Setting {
		s, _ := effective(p.chain, nginxDefault{name, def, kind})
		return s
	}
	if s := get(pre+"_read_timeout", nginxReadTimeout(), kindTime); !s.Default && s.Duration < shortReadTimeout {
		out = append(out, settingFinding(s, Warning, "nginx.read_timeout_short", catalog.UpstreamTimeout,
			fmt.Sprintf("%s is %s: every request the upstream answers more slowly fails with 504", s.Name, s.Value),
			fmt.Sprintf("%s %s;", s.Name, nginxReadTimeout())))
	} else if s.Duration >= longReadTimeout {
		out = append(out, settingFinding(s, Info, "nginx.read_timeout_long", catalog.UpstreamTimeout,
			fmt.Sprintf("%s is %s: clients and CDNs in front usually give up first (Cloudflare after 100 s, with a 524), and slow requests hold connections", s.Name, s.Value),
			fmt.Sprintf("%s 120s;", s.Name)))
	}
	if s := get(pre+"_connect_timeout", "60s", kindTime); s.Duration > maxConnectTimeout {
		out = append(out, settingFinding(s, Info, "nginx.connect_timeout_long", catalog.UpstreamUnreachable,
			fmt.Sprintf("%s is %s, but the kernel usually gives up connecting after about 75 s; a dropped connection is better detected in a few seconds", s.Name, s.Value),
			fmt.Sprintf("%s 5s;", s.Name)))
	}
	if pre == "proxy" || pre == "fastcgi" {
		if s := get(pre+"_buffer_size", "4k", kindSize); s.Bytes > 0 && s.Bytes <= smallHeaderBuffer {
			out = append(out, settingFinding(s, Info, "nginx.header_buffer_small", catalog.UpstreamHeaderTooBig,
				fmt.Sprintf("%s is %s: a response whose headers are larger (big Set-Cookie or Content-Security-Policy headers) fails with 502, \"upstream sent too big header\"", s.Name, s.Value),
				fmt.Sprintf("%s 16k; %s_buffers 8 16k;", s.Name, pre)))
		}
	}
	if p.up != nil && p.up.Keepalive > 0 && pre == "proxy" {
		out = append(out, checkKeepalive(p)...)
	}
	for i := range out {
		if out[i].File == "" { // a default: point at the server block it applies to
			out[i].File, out[i].Line = p.srv.Directive.File, p.srv.Directive.Line
			out[i].Message += " (the default)"
		}
	}
	return out
}

// settingFinding makes a finding about s; for a default value it points at
// the location the default applies to.
func settingFinding(s Setting, sev Severity, code string, cause catalog.Cause, msg, fix string) Finding {
	f := Finding{Severity: sev, Code: code, Cause: cause, File: s.File, Line: s.Line, Message: msg, Fix: fix}
	if !s.Default {
		f.Directive = s.Name + " " + s.Value + ";"
	}
	return f
}

// checkKeepalive: connections to an upstream are kept alive only with
// HTTP/1.1 and an empty Connection header
// (https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive).
func checkKeepalive(p nginxPass) []Finding {
	ver, _ := effective(p.chain, nginxDefault{"proxy_http_version", "1.0", kindText})
	conn := connectionHeaderCleared(p.chain)
	if ver.Value == "1.1" && conn {
		return nil
	}
	closeNote := ""
	if !conn {
		closeNote = ` with "Connection: close"`
	}
	return []Finding{{Severity: Info, Code: "nginx.keepalive_unused",
		File: p.d.File, Line: p.d.Line, Directive: directiveText(p.d),
		Message: fmt.Sprintf("upstream %s has keepalive %d, but this location sends HTTP/%s%s: "+
			"every request opens a new connection", p.up.Name, p.up.Keepalive, ver.Value,
			closeNote),
		Fix: `proxy_http_version 1.1; proxy_set_header Connection "";`}}
}

// connectionHeaderCleared reports whether proxy_set_header Connection "" is
// in effect. proxy_set_header is inherited only by blocks that set none of
// their own, so the innermost block with any proxy_set_header decides.
func connectionHeaderCleared(chain [][]*Directive) bool {
	for _, block := range chain {
		found := false
		for _, d := range block {
			if d.Name != "proxy_set_header" {
				continue
			}
			found = true
			// A variable, as ingress-nginx's $connection_upgrade, is
			// mapped to "" for requests that do not upgrade.
			if strings.EqualFold(d.Arg(0), "Connection") && (d.Arg(1) == "" || strings.HasPrefix(d.Arg(1), "$")) {
				return true
			}
		}
		if found {
			return false
		}
	}
	return false
}

// checkUpstreamBlock looks at the servers of an upstream block.
func checkUpstreamBlock(u *NginxUpstream) []Finding {
	var out []Finding
	live := 0
	for _, s := range u.Servers {
		if !s.Down {
			live++
		}
		d := &Directive{Name: "server", Args: []string{s.Name}, File: s.File, Line: s.Line}
		if s.Network == "tcp" {
			if f, ok := hostFinding(d, hostOf(s.Addr)); ok {
				out = append(out, f)
			}
		}
	}
	if live == 0 {
		d := u.Directive
		out = append(out, Finding{Severity: Error, Code: "nginx.no_live_upstreams", Cause: catalog.UpstreamNoneHealthy,
			File: d.File, Line: d.Line, Directive: "upstream " + u.Name,
			Message: fmt.Sprintf("every server of upstream %s is marked down: nginx answers 502 and logs \"no live upstreams\"", u.Name),
			Fix:     "remove \"down\" from at least one server"})
	}
	return out
}

// staticHostnameFix is how to have nginx resolve host again: a variable in
// a pass directive, or, for a server line of an upstream block, its
// resolve parameter (nginx 1.27.3 and later, with a zone and a resolver).
func staticHostnameFix(d *Directive, host string) string {
	if d.Name == "server" {
		return fmt.Sprintf("resolver 127.0.0.53 valid=30s; zone upstream_zone 64k; server %s resolve;", strings.Join(d.Args, " "))
	}
	return fmt.Sprintf("resolver 127.0.0.53 valid=30s; set $upstream %s; then use $upstream in %s", host, d.Name)
}
