package gwconfig

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// settingKind says how a setting's value is read.
type settingKind int

const (
	kindText settingKind = iota
	kindTime             // first argument is a time
	kindSize             // last argument is a size
)

// nginxDefault is a setting that decides between a 502 and a 504, with the
// default nginx uses when it is not set.
type nginxDefault struct {
	name string
	def  string
	kind settingKind
}

// nginxCommon are reported on every route. Defaults are from
// https://nginx.org/en/docs/http/ngx_http_core_module.html.
var nginxCommon = []nginxDefault{
	{"keepalive_timeout", "75s", kindTime},
	{"large_client_header_buffers", "4 8k", kindSize},
	{"client_max_body_size", "1m", kindSize},
	{"resolver", "", kindText},
	{"resolver_timeout", "30s", kindTime},
}

// upstreamDefaults are the settings of the module that talks to the
// upstream, with "P" standing for proxy, fastcgi, uwsgi or grpc. Timeouts
// default to 60s and next_upstream to "error timeout" in all four modules
// (https://nginx.org/en/docs/http/ngx_http_proxy_module.html and its
// fastcgi, uwsgi and grpc siblings). P_buffer_size defaults to one memory
// page, 4k or 8k depending on the platform; 4k, the x86-64 Linux value, is
// assumed.
var upstreamDefaults = []nginxDefault{
	{"P_connect_timeout", "60s", kindTime},
	{"P_send_timeout", "60s", kindTime},
	{"P_read_timeout", nginxReadTimeout(), kindTime},
	{"P_buffer_size", "4k", kindSize},
	{"P_buffers", "8 4k", kindSize},
	{"P_next_upstream", "error timeout", kindText},
}

// nginxReadTimeout is the default of proxy_read_timeout, and of its
// fastcgi, uwsgi and grpc siblings, written as nginx writes it: "60s".
func nginxReadTimeout() string {
	d, _ := catalog.Nginx.DefaultTimeout("proxy_read_timeout")
	return formatDuration(d)
}

// modulePrefix returns the directive prefix of the module that speaks proto.
func modulePrefix(proto string) string {
	switch proto {
	case ProtoFastCGI, ProtoUWSGI, ProtoGRPC:
		return proto
	}
	return "proxy"
}

// nginxSettings returns the effective settings of a request handled by loc
// (nil for the server level) in srv, inherited location → enclosing
// locations → server → http as nginx merges them.
func nginxSettings(n *Nginx, srv *NginxServer, loc *NginxLocation, proto string) []Setting {
	chain := nginxChain(n, srv, loc)
	defs := append([]nginxDefault{}, nginxCommon...)
	if proto != "" {
		p := modulePrefix(proto)
		for _, d := range upstreamDefaults {
			if p == "grpc" && d.name == "P_buffers" {
				continue // the grpc module has no grpc_buffers
			}
			d.name = p + strings.TrimPrefix(d.name, "P")
			defs = append(defs, d)
		}
		if p == "proxy" {
			defs = append(defs, nginxDefault{"proxy_http_version", "1.0", kindText})
		}
	}
	var out []Setting
	for _, d := range defs {
		s, ok := effective(chain, d)
		if ok {
			out = append(out, s)
		}
	}
	return out
}

// nginxChain lists the blocks whose directives apply to a request, innermost
// first.
func nginxChain(n *Nginx, srv *NginxServer, loc *NginxLocation) [][]*Directive {
	var chain [][]*Directive
	for l := loc; l != nil; l = l.Parent {
		chain = append(chain, l.Directive.Block)
	}
	chain = append(chain, srv.Directive.Block)
	if n.HTTP != nil {
		chain = append(chain, n.HTTP.Block)
	}
	return chain
}

// lookup returns the first directive named name in chain, innermost first.
func lookup(chain [][]*Directive, name string) *Directive {
	for _, block := range chain {
		for _, d := range block {
			if d.Name == name {
				return d
			}
		}
	}
	return nil
}

// effective returns the value of one setting; ok is false for a setting
// without a default that is not set.
func effective(chain [][]*Directive, def nginxDefault) (Setting, bool) {
	s := Setting{Name: def.name, Value: def.def, Default: true}
	if d := lookup(chain, def.name); d != nil {
		s = Setting{Name: def.name, Value: strings.Join(d.Args, " "), File: d.File, Line: d.Line}
	} else if def.def == "" {
		return s, false
	}
	fields := strings.Fields(s.Value)
	if len(fields) == 0 {
		return s, true
	}
	switch def.kind {
	case kindTime:
		s.Duration, _ = parseTime(fields[0], time.Second)
	case kindSize:
		s.Bytes, _ = parseSize(fields[len(fields)-1])
	}
	return s, true
}

// passDirectives name the directives that hand a request to an upstream,
// with the protocol each speaks.
var passDirectives = []struct{ name, proto string }{
	{"proxy_pass", ProtoHTTP}, {"fastcgi_pass", ProtoFastCGI},
	{"uwsgi_pass", ProtoUWSGI}, {"grpc_pass", ProtoGRPC},
}

// passDirective returns the location's proxy_pass, fastcgi_pass, uwsgi_pass
// or grpc_pass; these are not inherited from enclosing blocks.
func (l *NginxLocation) passDirective() *Directive {
	for _, d := range l.Directive.Block {
		for _, p := range passDirectives {
			if d.Name == p.name {
				return d
			}
		}
	}
	return nil
}

// resolveTarget fills r's Target, Protocol and Upstreams from loc's pass
// directive, with the request's variables put in, and returns the upstream
// block it names, if any.
func (n *Nginx) resolveTarget(r *Route, srv *NginxServer, loc *NginxLocation, vars map[string]reqVar) *NginxUpstream {
	d := loc.passDirective()
	if d == nil {
		if pass, cond := ifPass(loc, vars); pass != nil {
			r.Notes = append(r.Notes, fmt.Sprintf("the if (%s) at %s holds for this request: its %s applies", cond, where(pass.File, pass.Line), pass.Name))
			d = pass
		}
	}
	if d == nil {
		r.Notes = append(r.Notes, "the location has no proxy_pass or fastcgi_pass: nginx answers itself")
		for _, c := range loc.Directive.Block {
			if c.Name == "if" && c.IsBlock() && (&NginxLocation{Directive: c}).passDirective() != nil {
				r.Notes = append(r.Notes, fmt.Sprintf("except when the if at %s holds: its upstream is not followed here", where(c.File, c.Line)))
			}
		}
		return nil
	}
	r.Target = d.Arg(0)
	arg, missing := expandVars(d.Arg(0), vars)
	if arg != d.Arg(0) {
		// "proxy_pass $upstream" with "set $upstream https://host/...",
		// "proxy_pass http://localhost:$port" with a server_name capture:
		// the address is written in the file or in the request.
		r.Notes = append(r.Notes, varNotes(d.Arg(0), vars)...)
		if len(missing) == 0 {
			t := parsePassTarget(&Directive{Name: d.Name, Args: []string{arg}})
			if t.unix == "" && n.upstream(t.host) == nil {
				r.Notes = append(r.Notes, fmt.Sprintf("%s has variables: nginx resolves %q for each request", d.Name, t.host))
			}
		}
	}
	if len(missing) == 1 {
		if vals, from := n.choices(missing[0]); len(vals) > 0 {
			// split_clients or map: each value is the route of some requests.
			r.Notes = append(r.Notes, fmt.Sprintf("%s %s (%s) gives $%s one of %s: each request takes one of their routes", from.Name, strings.Join(from.Args, " "), where(from.File, from.Line), missing[0], strings.Join(vals, ", ")))
			var first *NginxUpstream
			for _, v := range vals {
				one := map[string]reqVar{missing[0]: {value: v}}
				a, _ := expandVars(arg, one)
				up := n.passUpstreams(r, &Directive{Name: d.Name, Args: []string{a}, File: d.File, Line: d.Line})
				if first == nil {
					first = up
				}
			}
			return first
		}
	}
	return n.passUpstreams(r, &Directive{Name: d.Name, Args: []string{arg}, File: d.File, Line: d.Line})
}

// passUpstreams adds the upstreams of pass directive d (its argument with
// the known variables put in) to r, and returns the upstream block it names.
func (n *Nginx) passUpstreams(r *Route, d *Directive) *NginxUpstream {
	t := parsePassTarget(d)
	r.Protocol = t.proto
	if t.hasVars {
		r.Notes = append(r.Notes, fmt.Sprintf("%s has variables: nginx resolves %q for each request", d.Name, t.host))
	}
	if strings.Contains(t.host, "$") {
		return nil
	}
	if up := n.upstream(t.host); up != nil && !t.explicitPort {
		if b := up.Balancer; b != nil {
			r.Notes = append(r.Notes, fmt.Sprintf("upstream %s picks the server of each request at run time with %s (%s): its server lines are placeholders (ingress-nginx lists its backends with kubectl ingress-nginx backends)", up.Name, b.Name, where(b.File, b.Line)))
			return up
		}
		r.Upstreams = append(r.Upstreams, up.Servers...)
		return up
	}
	u := addrUpstream(t.host, t.defPort)
	if t.unix != "" {
		u = Upstream{Network: "unix", Addr: t.unix, Weight: 1}
	}
	u.File, u.Line = d.File, d.Line
	r.Upstreams = append(r.Upstreams, u)
	return nil
}

// upstream returns the upstream block called name.
func (n *Nginx) upstream(name string) *NginxUpstream {
	for _, u := range n.Upstreams {
		if u.Name == name {
			return u
		}
	}
	return nil
}

// passTarget is a pass directive's address, taken apart.
type passTarget struct {
	proto        string
	host         string // "host", "host:port" or an upstream name
	unix         string // socket path for unix: addresses
	defPort      int
	explicitPort bool
	hasVars      bool
}

// parsePassTarget reads "proxy_pass http://host:port/uri",
// "proxy_pass http://unix:/path:/uri", "fastcgi_pass 127.0.0.1:9000",
// "fastcgi_pass unix:/run/php.sock", "grpc_pass grpcs://host" and the like.
func parsePassTarget(d *Directive) passTarget {
	arg := d.Arg(0)
	t := passTarget{proto: ProtoHTTP, defPort: 80, hasVars: strings.Contains(arg, "$")}
	for _, p := range passDirectives {
		if p.name == d.Name {
			t.proto = p.proto
		}
	}
	// "unix:///run/app.sock" is a socket path written with extra slashes,
	// not a URL with the scheme "unix".
	if scheme, rest, ok := strings.Cut(arg, "://"); ok && scheme != "unix" {
		arg = rest
		switch scheme {
		case "https", "grpcs", "suwsgi":
			t.defPort = 443
			if t.proto == ProtoHTTP {
				t.proto = ProtoHTTPS
			}
		}
	}
	if p, ok := strings.CutPrefix(arg, "unix:"); ok {
		if d.Name == "proxy_pass" {
			p, _, _ = strings.Cut(p, ":") // http://unix:/path:/uri
		}
		if strings.HasPrefix(p, "/") {
			p = path.Clean(p)
		}
		t.unix, t.host = p, "unix:"+p
		return t
	}
	if i := strings.IndexAny(arg, "/?"); i >= 0 && d.Name == "proxy_pass" {
		arg = arg[:i]
	}
	// "http://127.0.0.1:11000$request_uri": a variable of the URI after
	// a host written out.
	for _, v := range []string{"$request_uri", "$uri", "$is_args", "$args", "$query_string", "$document_uri"} {
		if i := strings.Index(arg, v); i > 0 {
			arg = arg[:i]
		}
	}
	t.host = arg
	t.explicitPort = strings.Contains(strings.TrimPrefix(arg, "["), ":") && !strings.HasSuffix(arg, "]")
	return t
}
