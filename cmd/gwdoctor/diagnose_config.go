package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/experiment"
	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
	"github.com/gwdoctor/gwdoctor/internal/report"
)

// gatewayConfigFlags name the gateway configurations a diagnosis reads.
type gatewayConfigFlags struct {
	nginx, haproxy, apache, phpFPM, phpINI string
}

func (c *gatewayConfigFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&c.nginx, "nginx-config", "", "read nginx's configuration (a file, or auto to run nginx -T), route the URL through it, probe its upstream and lint the settings on the way")
	fl.StringVar(&c.haproxy, "haproxy-config", "", "read HAProxy's configuration (haproxy.cfg) the same way")
	fl.StringVar(&c.apache, "apache-config", "", "read Apache's configuration (apache2.conf or a site file) the same way")
	fl.StringVar(&c.phpFPM, "php-fpm-config", "", "read a PHP-FPM pool configuration (www.conf or php-fpm.conf) to compare its timeouts")
	fl.StringVar(&c.phpINI, "php-ini", "", "read php.ini for max_execution_time")
}

func (c gatewayConfigFlags) sources() gwconfig.Sources {
	return gwconfig.Sources{Nginx: c.nginx, HAProxy: c.haproxy, Apache: c.apache, PHPFPM: c.phpFPM, PHPINI: c.phpINI}
}

func (c gatewayConfigFlags) any() bool {
	return c.nginx != "" || c.haproxy != "" || c.apache != "" || c.phpFPM != ""
}

// routePlan reads the configurations, routes the plan's URL through them
// and fills the plan from the route: the upstream to ask directly, unless
// --upstream chose one, and the timeouts and buffer sizes in force.
func routePlan(ctx context.Context, c gatewayConfigFlags, plan *experiment.Plan, lf *logFlags, notes *[]string) (*gwconfig.Route, error) {
	if !c.any() {
		return nil, nil
	}
	cfg, err := gwconfig.Load(ctx, c.sources())
	if err != nil {
		return nil, fmt.Errorf("reading the gateway configuration: %w", err)
	}
	u, err := url.Parse(plan.URL)
	if err != nil {
		return nil, usagef("bad URL %q", plan.URL)
	}
	route, err := cfg.Route(u)
	if err != nil {
		// The URL may name the site as the world sees it (a CDN, another
		// port): the diagnosis goes on without the route and says so.
		*notes = append(*notes, fmt.Sprintf("the URL does not route through the given configuration (%v); give --upstream to ask the upstream directly", err))
		return nil, nil
	}
	if plan.Upstream == "" {
		plan.Upstream = routeUpstream(route)
	}
	if route.Protocol == gwconfig.ProtoFastCGI && plan.FastCGIScript == "" && cfg.Nginx != nil {
		plan.FastCGIScript = nginxScriptFilename(cfg.Nginx, route, u.Path)
	}
	if len(lf.files) == 0 && cfg.Nginx != nil && route.Gateway == "nginx" {
		// The server's own error log is where nginx says why.
		lf.files = readable(nginxErrorLogs(cfg.Nginx, route))
	}
	if idle, ok := route.Setting("upstream keepalive_timeout"); ok && plan.KeepAliveWait == 0 {
		// The gateway keeps idle upstream connections: watch the
		// upstream's side a little longer than the gateway's.
		plan.KeepAliveWait = min(idle.Duration+time.Second, 15*time.Second)
	}
	if hc := route.HealthCheck; hc != nil {
		plan.HealthCheck = &experiment.HealthCheck{
			Method: hc.Method, Path: hc.Path, Host: hc.Host, Expect: hc.Expect,
			Where: fmt.Sprintf("%s:%d", hc.File, hc.Line), Accepts: hc.Accepts,
		}
	}
	plan.Limits = append(plan.Limits, routeLimits(route)...)
	return route, nil
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
		switch {
		case s.Duration > 0 && isResponseTimeout(s.Name):
			out = append(out, diagnose.Limit{Name: name, Product: r.Gateway, Timeout: s.Duration})
		case s.Duration > 0 && isConnectTimeout(s.Name):
			out = append(out, diagnose.Limit{Name: name, Product: r.Gateway, Timeout: s.Duration, Connect: true})
		case s.Bytes > 0 && isHeaderBuffer(s.Name):
			out = append(out, diagnose.Limit{Name: name, Product: r.Gateway, HeaderBytes: int(s.Bytes)})
		}
	}
	return out
}

// isResponseTimeout reports the settings that bound the wait for an
// upstream's answer.
func isResponseTimeout(name string) bool {
	switch name {
	case "proxy_read_timeout", "fastcgi_read_timeout", "uwsgi_read_timeout", "grpc_read_timeout",
		"timeout server", "ProxyTimeout", "Timeout", "timeout=", "request_terminate_timeout", "max_execution_time":
		return true
	}
	return false
}

// isConnectTimeout reports the settings that bound connecting to an
// upstream.
func isConnectTimeout(name string) bool {
	switch name {
	case "proxy_connect_timeout", "fastcgi_connect_timeout", "uwsgi_connect_timeout", "grpc_connect_timeout",
		"timeout connect", "connectiontimeout=":
		return true
	}
	return false
}

// isHeaderBuffer reports the settings that bound an upstream's response head.
func isHeaderBuffer(name string) bool {
	return name == "proxy_buffer_size" || name == "fastcgi_buffer_size" || name == "uwsgi_buffer_size" ||
		name == "tune.bufsize"
}

// explainRoute ties the diagnosis to the setting that fired.
func explainRoute(d *report.Diagnosis, route *gwconfig.Route) {
	if route == nil {
		return
	}
	d.Route = route
	d.Findings = gwconfig.Explain(route, measured(d))
}

// measured is what the diagnosis learned about the upstream: how long it
// took (asked directly, or as long as the gateway waited) and how large
// its response head was.
func measured(d *report.Diagnosis) gwconfig.Measured {
	m := gwconfig.Measured{Cause: d.Verdict.Cause}
	for _, a := range d.Evidence.Upstream {
		if a.Probe == nil || a.Probe.Response == nil {
			continue
		}
		m.UpstreamTime = max(m.UpstreamTime, a.Probe.Timings.TTFB)
		m.HeaderBytes = max(m.HeaderBytes, a.Probe.Response.HeaderBytes)
	}
	if k := d.Evidence.UpstreamKeepAlive; k != nil && k.Closed {
		m.UpstreamKeepAlive = k.Idle
	}
	if m.UpstreamTime == 0 {
		for _, a := range d.Evidence.Tries {
			if a.Failed() && a.Probe != nil {
				m.UpstreamTime = max(m.UpstreamTime, a.Probe.Timings.TTFB.Round(10*time.Millisecond))
			}
		}
	}
	return m
}

// nginxScriptFilename works out the SCRIPT_FILENAME that nginx sends for
// path on route: the location's fastcgi_param SCRIPT_FILENAME (Debian's
// fastcgi.conf sets $document_root$fastcgi_script_name) with root
// inherited from the server and http blocks. "" when a variable it does
// not know remains.
func nginxScriptFilename(n *gwconfig.Nginx, route *gwconfig.Route, path string) string {
	chain := directiveChain(n.Directives, route.Location.File, route.Location.Line)
	if len(chain) == 0 {
		return ""
	}
	var script, root string
	for i := len(chain) - 1; i >= 0; i-- { // innermost first
		for _, d := range chain[i].Block {
			switch {
			case script == "" && d.Name == "fastcgi_param" && d.Arg(0) == "SCRIPT_FILENAME":
				script = d.Arg(1)
			case root == "" && d.Name == "root":
				root = d.Arg(0)
			}
		}
	}
	if strings.HasSuffix(path, "/") {
		path += "index.php"
	}
	r := strings.NewReplacer("$document_root", root, "$realpath_root", root,
		"$fastcgi_script_name", path, "$request_filename", root+path)
	script = r.Replace(script)
	if script == "" || strings.Contains(script, "$") {
		return ""
	}
	return script
}

// directiveChain returns the blocks from the top of the tree down to the
// block directive written at file:line, itself included.
func directiveChain(ds []*gwconfig.Directive, file string, line int) []*gwconfig.Directive {
	for _, d := range ds {
		if !d.IsBlock() {
			continue
		}
		if d.File == file && d.Line == line {
			return []*gwconfig.Directive{d}
		}
		if sub := directiveChain(d.Block, file, line); sub != nil {
			return append([]*gwconfig.Directive{d}, sub...)
		}
	}
	return nil
}

// nginxErrorLogs returns the error_log files in force for route: the
// innermost error_log directives on the way to its location, or the main
// context's. Logs to stderr, syslog or memory are left out; relative paths
// are taken from the main file's directory.
func nginxErrorLogs(n *gwconfig.Nginx, route *gwconfig.Route) []string {
	chain := directiveChain(n.Directives, route.Location.File, route.Location.Line)
	levels := [][]*gwconfig.Directive{n.Directives}
	for _, d := range chain {
		levels = append(levels, d.Block)
	}
	for i := len(levels) - 1; i >= 0; i-- {
		var out []string
		for _, d := range levels[i] {
			if d.Name != "error_log" {
				continue
			}
			p := d.Arg(0)
			if p == "" || p == "stderr" || strings.HasPrefix(p, "syslog:") || strings.HasPrefix(p, "memory:") {
				continue
			}
			if !filepath.IsAbs(p) {
				p = filepath.Join(filepath.Dir(n.File), p)
			}
			out = append(out, p)
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// readable keeps the files that can be opened.
func readable(files []string) []string {
	var out []string
	for _, f := range files {
		if fh, err := os.Open(f); err == nil {
			fh.Close()
			out = append(out, f)
		}
	}
	return out
}
