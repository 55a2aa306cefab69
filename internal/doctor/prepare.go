package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/experiment"
	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
)

// defaultLogSettle is how long a diagnosis waits for the gateways to write
// the lines of its last requests.
const defaultLogSettle = 300 * time.Millisecond

// prepared is a request made ready to run: the plan completed from the
// route, the logs to read, and what became of each configuration.
type prepared struct {
	plan   experiment.Plan
	route  *gwconfig.Route
	logs   []LogFile
	req    Request
	inputs []diagnose.Input
	notes  []string
	settle time.Duration
}

// prepare reads the gateway configurations, routes the URL through them and
// completes the plan from the route: the upstream to ask directly (unless
// the plan names one), the FastCGI script, the timeouts and buffers in
// force, the health check, and nginx's error log when no log was given.
func prepare(ctx context.Context, req Request) prepared {
	p := prepared{plan: req.Plan, logs: req.Logs, req: req, notes: req.Notes, settle: req.LogSettle}
	if p.settle <= 0 {
		p.settle = defaultLogSettle
	}
	cfg := p.loadConfig(ctx)
	if cfg == nil {
		return p
	}
	u, err := url.Parse(p.plan.URL)
	if err != nil {
		return p
	}
	route, err := cfg.Route(u)
	if err != nil {
		// The URL may name the site as the world sees it (a CDN, another
		// port): the diagnosis goes on without the route and says so.
		p.notes = append(p.notes, fmt.Sprintf("the URL does not route through the given configuration (%v); give --upstream to ask the upstream directly", err))
		return p
	}
	p.route = route
	p.fromRoute(cfg, route, u)
	return p
}

// loadConfig reads every configuration given, recording each as an input.
func (p *prepared) loadConfig(ctx context.Context) *gwconfig.Config {
	s := p.req.Config
	if s == (gwconfig.Sources{}) {
		return nil
	}
	cfg, errs := gwconfig.LoadEach(ctx, s)
	bad := map[string]bool{}
	for _, e := range errs {
		bad[e.Product] = true
		p.inputs = append(p.inputs, configUnusable(e))
	}
	for _, c := range []struct{ product, file string }{
		{"nginx", s.Nginx}, {"haproxy", s.HAProxy}, {"apache", s.Apache}, {"caddy", s.Caddy}, {"varnish", s.Varnish}, {"squid", s.Squid}, {"lighttpd", s.Lighttpd}, {"php_fpm", s.PHPFPM}, {"php_fpm", s.PHPINI},
	} {
		if c.file != "" && !bad[c.product] {
			p.inputs = append(p.inputs, diagnose.Input{Kind: "config", Name: c.file, Status: diagnose.InputUsed, Format: c.product,
				NotRead: notRead(cfg, c.product)})
		}
	}
	return cfg
}

// notRead lists the parts of a product's configuration that its parser
// skipped, at most maxNotRead of them.
func notRead(cfg *gwconfig.Config, product string) []string {
	if cfg == nil {
		return nil
	}
	var probs []*gwconfig.ParseError
	switch {
	case product == "nginx" && cfg.Nginx != nil:
		probs = cfg.Nginx.Problems
	case product == "haproxy" && cfg.HAProxy != nil:
		probs = cfg.HAProxy.Problems
	case product == "apache" && cfg.Apache != nil:
		probs = cfg.Apache.Problems
	case product == "caddy" && cfg.Caddy != nil:
		probs = cfg.Caddy.Problems
	case product == "varnish" && cfg.Varnish != nil:
		probs = cfg.Varnish.Problems
	case product == "squid" && cfg.Squid != nil:
		probs = cfg.Squid.Problems
	case product == "lighttpd" && cfg.Lighttpd != nil:
		probs = cfg.Lighttpd.Problems
	}
	var out []string
	for _, pe := range probs {
		if len(out) == maxNotRead {
			out = append(out, fmt.Sprintf("and %d more", len(probs)-maxNotRead))
			break
		}
		out = append(out, pe.Error())
	}
	return out
}

// maxNotRead is how many skipped parts of one configuration an input lists.
const maxNotRead = 5

// configUnusable says why a configuration could not be read and what
// would let it be read.
func configUnusable(e *gwconfig.SourceError) diagnose.Input {
	in := diagnose.Input{Kind: "config", Name: e.File, Status: diagnose.InputUnusable, Format: e.Product}
	var pe *gwconfig.ParseError
	switch {
	case errors.Is(e.Err, fs.ErrNotExist):
		in.Reason, in.Hint = "missing", "check the path; "+configHint(e.Product)
	case errors.Is(e.Err, fs.ErrPermission):
		in.Reason, in.Hint = "permission denied", "run gwdoctor as a user that may read it (root, or with sudo)"
	case errors.As(e.Err, &pe) && pe.Line > 0:
		in.Name = pe.File
		in.Reason, in.Hint = "parse error at "+pe.Error(), "check the file with the product's own test ("+configHint(e.Product)+")"
	default:
		in.Reason, in.Hint = e.Err.Error(), configHint(e.Product)
	}
	return in
}

// configHint names the product's own way to show or test its configuration.
func configHint(product string) string {
	switch product {
	case "nginx":
		return "nginx -T prints the configuration in force (--nginx-config auto runs it)"
	case "haproxy":
		return "haproxy -c -f /etc/haproxy/haproxy.cfg checks it"
	case "apache":
		return "apachectl -t checks it; apachectl -V names the main file"
	case "caddy":
		return "caddy validate --config /etc/caddy/Caddyfile checks it; caddy adapt prints it as JSON"
	case "varnish":
		return "varnishd -C -f /etc/varnish/default.vcl compiles it"
	case "squid":
		return "squid -k parse -f /etc/squid/squid.conf checks it"
	case "lighttpd":
		return "lighttpd -tt -f /etc/lighttpd/lighttpd.conf checks it; lighttpd -p prints it as lighttpd reads it"
	default:
		return "php-fpm -t checks it"
	}
}

// fromRoute completes the plan from the route.
func (p *prepared) fromRoute(cfg *gwconfig.Config, route *gwconfig.Route, u *url.URL) {
	if p.plan.Upstream == "" {
		p.plan.Upstream = routeUpstream(route)
	}
	switch route.Protocol {
	case gwconfig.ProtoHTTP, gwconfig.ProtoHTTPS:
		p.plan.GatewaySpeaks = "http"
	case gwconfig.ProtoFastCGI:
		p.plan.GatewaySpeaks = "fastcgi"
	}
	if route.Protocol == gwconfig.ProtoFastCGI && p.plan.FastCGIScript == "" && cfg.Nginx != nil {
		p.plan.FastCGIScript = cfg.Nginx.ScriptFilename(route, u.Path)
	}
	if len(p.logs) == 0 && cfg.Nginx != nil && route.Gateway == "nginx" {
		// The server's own error log is where nginx says why.
		for _, f := range cfg.Nginx.ErrorLogs(route) {
			p.logs = append(p.logs, LogFile{Name: f, FromConfig: true})
		}
	}
	if idle, ok := route.Setting("upstream keepalive_timeout"); ok && p.plan.KeepAliveWait == 0 {
		// The gateway keeps idle upstream connections: watch the
		// upstream's side a little longer than the gateway's.
		p.plan.KeepAliveWait = min(idle.Duration+time.Second, 15*time.Second)
	}
	if hc := route.HealthCheck; hc != nil {
		p.plan.HealthCheck = &experiment.HealthCheck{
			Method: hc.Method, Path: hc.Path, Host: hc.Host, Expect: hc.Expect,
			Where: fmt.Sprintf("%s:%d", hc.File, hc.Line), Accepts: hc.Accepts,
		}
	}
	p.plan.Limits = append(p.plan.Limits, routeLimits(route)...)
}

// routeUpstream picks the server a diagnosis asks directly: the first one
// in use that the probes can speak to, in the form of --upstream.
func routeUpstream(r *gwconfig.Route) string {
	switch r.Protocol {
	case gwconfig.ProtoHTTP, gwconfig.ProtoHTTPS, gwconfig.ProtoFastCGI:
	default:
		return ""
	}
	for _, up := range r.Upstreams {
		if up.Down || up.Backup {
			continue
		}
		switch {
		case r.Protocol == gwconfig.ProtoFastCGI && up.Network == "unix":
			return "fcgi:unix:" + up.Addr
		case r.Protocol == gwconfig.ProtoFastCGI:
			return "fcgi://" + up.Addr
		case up.Network == "unix":
			return "unix:" + up.Addr
		case up.TLS || r.Protocol == gwconfig.ProtoHTTPS:
			return "https://" + up.Addr
		default:
			return up.Addr
		}
	}
	return ""
}

// routeLimits turns the route's timeouts and header buffers into the limits
// the judge compares failures with, named with the file and line that set
// them.
func routeLimits(r *gwconfig.Route) []diagnose.Limit {
	var out []diagnose.Limit
	for _, s := range r.Settings {
		name := s.Name + " " + s.Value + " (" + s.Where() + ")"
		switch s.Limit() {
		case gwconfig.LimitResponse:
			if s.Duration > 0 {
				out = append(out, diagnose.Limit{Name: name, Product: r.Gateway, Timeout: s.Duration})
			}
		case gwconfig.LimitConnect:
			if s.Duration > 0 {
				out = append(out, diagnose.Limit{Name: name, Product: r.Gateway, Timeout: s.Duration, Connect: true})
			}
		case gwconfig.LimitHeader:
			if s.Bytes > 0 {
				out = append(out, diagnose.Limit{Name: name, Product: r.Gateway, HeaderBytes: int(s.Bytes)})
			}
		}
	}
	return out
}
