package gwconfig

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// Caddy's defaults for the settings a route reports, from the
// reverse_proxy documentation
// (https://caddyserver.com/docs/caddyfile/directives/reverse_proxy): the
// http and fastcgi transports dial for the catalog's dial_timeout (since
// Caddy 2.5, PR caddyserver/caddy#4436; before, 10 s); response_header_timeout and the
// read and write timeouts have none; idle upstream connections are kept
// 2 min; a response header may be 10 MiB; retries are off (lb_try_duration
// 0).
const (
	caddyKeepalive       = 2 * time.Minute
	caddyMaxHeaderBytes  = 10 << 20
	caddyDefaultNoLimit  = "none"
	caddyDefaultNoRetry  = "0"
	caddyFastCGITrans    = "fastcgi"
	caddyHTTPTransport   = "http"
	caddyPHPFastCGI      = "php_fastcgi"
	caddyReverseProxy    = "reverse_proxy"
	caddyMaxPortRange    = 100
	caddyUnknownUpstream = "its upstream is known only at run time"
)

// CaddyProxy is one reverse_proxy or php_fastcgi directive.
type CaddyProxy struct {
	Directive *CaddyDirective
	Kind      string   // "reverse_proxy" or "php_fastcgi"
	Matcher   string   // the matcher token ("/api/*", "@name", "*"); "" when none
	Targets   []string // the upstreams as written, "to" lines included
	Upstreams []Upstream
	Transport string // "http" or "fastcgi"
	TLS       bool   // HTTPS to the upstreams: an https:// upstream, port 443, or tls in the transport
	// Insecure is the tls_insecure_skip_verify line; nil when not written.
	Insecure *CaddyDirective
	// Dynamic is the "dynamic" line that gives the upstreams at run time;
	// nil when there is none.
	Dynamic *CaddyDirective
	// HealthCheck is the active health check (health_uri); nil when there
	// is none, or when it goes to another port or address than the
	// upstream's.
	HealthCheck *HealthCheck
	Notes       []string
	// Sub holds the last line of each subdirective of reverse_proxy, and
	// of the transport block, by name.
	Sub      map[string]*CaddyDirective
	settings map[string]Setting
}

// String returns the directive's line: "reverse_proxy /api/* app:8080".
func (p *CaddyProxy) String() string { return p.Directive.String() }

// isMatcherToken reports a matcher token: "*", a path, or "@name"
// (https://caddyserver.com/docs/caddyfile/matchers#syntax).
func isMatcherToken(s string) bool {
	return s == "*" || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "@")
}

// parseCaddyProxy reads a reverse_proxy or php_fastcgi directive. A part
// it cannot read is a problem and left out.
func parseCaddyProxy(d *CaddyDirective, probs *problems) *CaddyProxy {
	p := &CaddyProxy{Directive: d, Kind: d.Name, Transport: caddyHTTPTransport, Sub: map[string]*CaddyDirective{}, settings: map[string]Setting{}}
	if d.Name == caddyPHPFastCGI {
		p.Transport = caddyFastCGITrans
	}
	args := d.Args
	if len(args) > 0 && isMatcherToken(args[0]) {
		p.Matcher, args = args[0], args[1:]
	}
	p.Targets = append(p.Targets, args...)
	p.readBlock(d.Block, probs)
	h2c := false
	for _, t := range p.Targets {
		ups, tls, isH2C, note, err := caddyUpstream(t)
		if err != nil {
			probs.addf(d.File, d.Line, "upstream %q: %v", t, err)
			continue
		}
		if note != "" {
			p.Notes = append(p.Notes, note)
		}
		p.TLS, h2c = p.TLS || tls, h2c || isH2C
		for _, u := range ups {
			u.File, u.Line = d.File, d.Line
			p.Upstreams = append(p.Upstreams, u)
		}
	}
	for i := range p.Upstreams {
		u := &p.Upstreams[i]
		if u.Network == "tcp" && strings.HasSuffix(u.Addr, ":0") {
			// No port: 443 with TLS, else 80.
			port := "80"
			if p.TLS {
				port = "443"
			}
			u.Addr = strings.TrimSuffix(u.Addr, "0") + port
		}
		u.TLS = p.TLS && p.Transport == caddyHTTPTransport
	}
	if h2c {
		p.Notes = append(p.Notes, "the upstream speaks HTTP/2 over cleartext (h2c)")
	}
	if p.Dynamic != nil {
		p.Notes = append(p.Notes, fmt.Sprintf("%s (%s): the upstreams are looked up at run time", p.Dynamic.String(), where(p.Dynamic.File, p.Dynamic.Line)))
	}
	p.HealthCheck = p.healthCheck()
	return p
}

// caddyTimeSettings are the subdirectives read as durations.
var caddyTimeSettings = map[string]bool{
	"dial_timeout": true, "response_header_timeout": true, "read_timeout": true, "write_timeout": true,
	"keepalive": true, "tls_timeout": true, "expect_continue_timeout": true,
	"lb_try_duration": true, "lb_try_interval": true, "health_interval": true, "health_timeout": true,
	"fail_duration": true, "unhealthy_latency": true,
}

// readBlock reads the subdirectives of reverse_proxy or php_fastcgi and
// its transport block.
func (p *CaddyProxy) readBlock(block []*CaddyDirective, probs *problems) {
	for _, s := range block {
		p.Sub[s.Name] = s
		switch {
		case s.Name == "to":
			p.Targets = append(p.Targets, s.Args...)
		case s.Name == "dynamic":
			p.Dynamic = s
		case s.Name == "transport":
			if t := s.Arg(0); t == caddyHTTPTransport || t == caddyFastCGITrans {
				p.Transport = t
			} else {
				p.Notes = append(p.Notes, fmt.Sprintf("transport %s (%s) is not read", t, where(s.File, s.Line)))
			}
			p.readBlock(s.Block, probs)
		case s.Name == "tls" || strings.HasPrefix(s.Name, "tls_") && s.Name != "tls_timeout":
			// Any tls_* option turns TLS on, as tls does.
			p.TLS = true
			if s.Name == "tls_insecure_skip_verify" {
				p.Insecure = s
			}
		case caddyTimeSettings[s.Name]:
			if len(s.Args) == 0 {
				probs.addf(s.File, s.Line, "%s needs a duration", s.Name)
				continue
			}
			d, err := caddyDuration(s.Arg(0))
			if err != nil && !(s.Name == "keepalive" && s.Arg(0) == "off") {
				probs.addf(s.File, s.Line, "%s %q: %v", s.Name, s.Arg(0), err)
				continue
			}
			p.settings[s.Name] = Setting{Name: s.Name, Value: s.Arg(0), Duration: d, File: s.File, Line: s.Line}
		case s.Name == "max_response_header":
			n, err := caddySize(s.Arg(0))
			if err != nil {
				probs.addf(s.File, s.Line, "max_response_header %q: %v", s.Arg(0), err)
				continue
			}
			p.settings[s.Name] = Setting{Name: s.Name, Value: s.Arg(0), Bytes: n, File: s.File, Line: s.Line}
		case s.Name == "lb_retries" || s.Name == "max_fails":
			p.settings[s.Name] = Setting{Name: s.Name, Value: s.Arg(0), File: s.File, Line: s.Line}
		}
	}
}

// caddyDuration reads a Caddy duration: Go's ("1m30s", "1.5s", "500ms")
// or whole days ("7d") (https://caddyserver.com/docs/conventions#durations).
// A number without a unit is not one.
func caddyDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 1e5 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	return d, nil
}

// caddySize reads a size as go-humanize does: "16KiB", "10MB", "4096".
func caddySize(s string) (int64, error) {
	units := []struct {
		suffix string
		n      int64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"kb", 1000}, {"mb", 1000 * 1000}, {"gb", 1000 * 1000 * 1000},
		{"k", 1000}, {"m", 1000 * 1000}, {"g", 1000 * 1000 * 1000}, {"b", 1}}
	low := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(low, u.suffix); ok {
			low, mult = strings.TrimSpace(n), u.n
			break
		}
	}
	n, err := strconv.ParseInt(low, 10, 64)
	if err != nil || n < 0 || n > 1<<40/mult {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return n * mult, nil
}

// caddyUpstream reads one upstream address: "localhost:9000",
// "http://app", "https://api.example" (TLS), "h2c://grpc:50051",
// "unix//run/php/php-fpm.sock", "app:8001-8003" (a port range). An
// address with a placeholder, or an SRV name ("srv+http://"), is known
// only at run time: no upstream, and a note that says so. A missing port
// reads as 0 and is filled in by the caller.
func caddyUpstream(addr string) (ups []Upstream, tls, h2c bool, note string, err error) {
	if strings.Contains(addr, "{") {
		if strings.Contains(addr, "{$") {
			return nil, false, false, fmt.Sprintf("upstream %s comes from the environment when Caddy starts: %s", addr, caddyUnknownUpstream), nil
		}
		return nil, false, false, fmt.Sprintf("upstream %s has placeholders: %s", addr, caddyUnknownUpstream), nil
	}
	if strings.HasPrefix(addr, "srv+") {
		return nil, false, false, fmt.Sprintf("upstream %s is an SRV record: %s", addr, caddyUnknownUpstream), nil
	}
	for _, pre := range []string{"unix//", "unix+h2c//"} {
		if p, ok := strings.CutPrefix(addr, pre); ok {
			return []Upstream{{Network: "unix", Addr: "/" + p, Weight: 1}}, false, pre == "unix+h2c//", "", nil
		}
	}
	if scheme, rest, ok := strings.Cut(addr, "://"); ok {
		switch strings.ToLower(scheme) {
		case "http":
		case "https":
			tls = true
		case "h2c":
			h2c = true
		default:
			return nil, false, false, "", fmt.Errorf("scheme %q is not http, https or h2c", scheme)
		}
		if strings.ContainsAny(rest, "/?") {
			return nil, false, false, "", fmt.Errorf("an upstream cannot have a path: rewrite the request instead")
		}
		addr = rest
		if _, _, e := net.SplitHostPort(addr); e != nil {
			port := "80"
			if tls {
				port = "443"
			}
			addr = net.JoinHostPort(strings.Trim(addr, "[]"), port)
		}
	}
	if i := strings.Index(addr, "/"); i >= 0 && (strings.HasPrefix(addr, "tcp") || strings.HasPrefix(addr, "ip")) {
		addr = addr[i+1:] // "tcp/host:port", "tcp4/...": the network is TCP anyway
	}
	host, port, e := net.SplitHostPort(addr)
	if e != nil {
		host, port = strings.Trim(addr, "[]"), "0"
	}
	if host == "" && port == "" {
		return nil, false, false, "", fmt.Errorf("no address")
	}
	lo, hi, isRange := strings.Cut(port, "-")
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	if !isRange {
		b, err2 = a, err1
	}
	if err1 != nil || err2 != nil || a < 0 || b > 65535 || b < a || b-a >= caddyMaxPortRange {
		return nil, false, false, "", fmt.Errorf("port %q is not a port or a short range of ports", port)
	}
	for n := a; n <= b; n++ {
		ups = append(ups, Upstream{Network: "tcp", Addr: net.JoinHostPort(host, strconv.Itoa(n)), Weight: 1})
	}
	return ups, tls || port == "443", h2c, "", nil
}

// healthCheck returns the active health check: health_uri (health_path
// in older Caddy) with health_method (GET), health_headers' Host and
// health_status (any 2xx when not set: Caddy's healthchecks.go marks a
// host down on a status "< 200 || >= 300"). Active checks do not run for
// dynamic upstreams, and one sent to health_port or health_upstream is not
// the upstream's own address: both are left out with a note.
func (p *CaddyProxy) healthCheck() *HealthCheck {
	uri := p.Sub["health_uri"]
	if uri == nil {
		uri = p.Sub["health_path"]
	}
	other := p.Sub["health_port"]
	if other == nil {
		other = p.Sub["health_upstream"]
	}
	switch {
	case uri == nil && other == nil:
		return nil
	case p.Dynamic != nil:
		p.Notes = append(p.Notes, "active health checks do not run for dynamic upstreams")
		return nil
	case other != nil:
		p.Notes = append(p.Notes, fmt.Sprintf("%s (%s): the health check goes elsewhere than the upstream", other.String(), where(other.File, other.Line)))
		return nil
	}
	hc := &HealthCheck{Method: "GET", Path: uri.Arg(0), Expect: "status 200-299", File: uri.File, Line: uri.Line}
	if m := p.Sub["health_method"]; m != nil {
		hc.Method = strings.ToUpper(m.Arg(0))
	}
	if h := p.Sub["health_headers"]; h != nil {
		for _, l := range h.Block {
			if strings.EqualFold(l.Name, "Host") {
				hc.Host = l.Arg(0)
			}
		}
	}
	if st := p.Sub["health_status"]; st != nil {
		hc.Expect = caddyStatusExpect(st.Arg(0))
	}
	if b := p.Sub["health_body"]; b != nil {
		p.Notes = append(p.Notes, fmt.Sprintf("the health check also wants the body to match %q, which is not replayed", b.Arg(0)))
	}
	return hc
}

// caddyStatusExpect writes a Caddy status ("200", "2xx") as a HealthCheck
// expectation.
func caddyStatusExpect(s string) string {
	if c, ok := strings.CutSuffix(strings.ToLower(s), "xx"); ok && len(c) == 1 {
		return "status " + c + "00-" + c + "99"
	}
	return "status " + s
}

// setting returns the setting name as written in the block, or false.
func (p *CaddyProxy) setting(name string) (Setting, bool) {
	s, ok := p.settings[name]
	return s, ok
}

// Settings returns the effective timeouts and limits of the proxy, set or
// by default, in a fixed order: for the http transport dial_timeout,
// response_header_timeout, read_timeout and write_timeout (when set),
// keepalive, max_response_header; for fastcgi dial_timeout, read_timeout,
// write_timeout; then lb_try_duration.
func (p *CaddyProxy) Settings() []Setting {
	get := func(name, def string, d time.Duration) Setting {
		if s, ok := p.settings[name]; ok {
			return s
		}
		return Setting{Name: name, Value: def, Duration: d, Default: true}
	}
	dial, _ := catalog.Caddy.DefaultTimeout("dial_timeout")
	out := []Setting{get("dial_timeout", formatDuration(dial), dial)}
	if p.Transport == caddyFastCGITrans {
		out = append(out, get("read_timeout", caddyDefaultNoLimit, 0), get("write_timeout", caddyDefaultNoLimit, 0))
	} else {
		out = append(out, get("response_header_timeout", caddyDefaultNoLimit, 0))
		for _, n := range []string{"read_timeout", "write_timeout"} {
			if s, ok := p.settings[n]; ok {
				out = append(out, s)
			}
		}
		out = append(out, get("keepalive", formatDuration(caddyKeepalive), caddyKeepalive))
		mh, ok := p.settings["max_response_header"]
		if !ok {
			mh = Setting{Name: "max_response_header", Value: "10MiB", Bytes: caddyMaxHeaderBytes, Default: true}
		}
		out = append(out, mh)
	}
	return append(out, get("lb_try_duration", caddyDefaultNoRetry, 0))
}
