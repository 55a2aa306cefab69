package gwconfig

import (
	"fmt"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// checkCaddy lints the reverse_proxy and php_fastcgi directives of c
// against Caddy's documented behaviour
// (https://caddyserver.com/docs/caddyfile/directives/reverse_proxy).
func checkCaddy(c *Caddy) []Finding {
	var out []Finding
	for _, s := range c.Sites {
		for _, p := range s.Proxies {
			out = append(out, checkCaddyProxy(p)...)
			out = append(out, checkCaddyHealth(p)...)
		}
	}
	return out
}

// caddyFinding makes a finding about the proxy's line, or about a line
// of its block when at is set.
func caddyFinding(p *CaddyProxy, at *CaddyDirective, sev Severity, code string, cause catalog.Cause, msg, fix string) Finding {
	if at == nil {
		at = p.Directive
	}
	return Finding{Severity: sev, Code: code, Cause: cause, File: at.File, Line: at.Line, Directive: at.String(), Message: msg, Fix: fix}
}

// checkCaddyProxy looks at the transport of one proxy.
func checkCaddyProxy(p *CaddyProxy) []Finding {
	var out []Finding
	if p.Insecure != nil && p.TLS {
		out = append(out, caddyFinding(p, p.Insecure, Info, "caddy.tls_insecure_skip_verify", "",
			"tls_insecure_skip_verify: Caddy accepts any certificate from the upstream, so an expired or wrong certificate never fails here, "+
				"and neither does a machine in between that impersonates the upstream",
			"tls_trusted_ca_certs /path/to/upstream-ca.pem  # tls_trust_pool file /path/to/upstream-ca.pem on Caddy 2.8 and later"))
	}
	if p.Transport == caddyFastCGITrans {
		if _, ok := p.setting("read_timeout"); !ok {
			out = append(out, caddyFinding(p, nil, Info, "caddy.fastcgi_no_read_timeout", catalog.UpstreamTimeout,
				"the FastCGI transport has no read_timeout: Caddy waits for PHP as long as it takes, so a script that hangs holds its connection "+
					"and a PHP worker until PHP-FPM kills it (request_terminate_timeout, a 502) or the client gives up; Caddy itself never answers 504",
				"read_timeout 60s  # in the php_fastcgi block or transport fastcgi"))
		}
	}
	for _, name := range []string{"response_header_timeout", "read_timeout"} {
		if s, ok := p.setting(name); ok && s.Duration > 0 && s.Duration < shortReadTimeout {
			out = append(out, settingFinding(s, Warning, "caddy.read_timeout_short", catalog.UpstreamTimeout,
				fmt.Sprintf("%s is %s: every request the upstream answers more slowly fails with 504", s.Name, s.Value),
				s.Name+" 60s"))
			out[len(out)-1].Directive = s.Name + " " + s.Value
		}
	}
	return out
}

// checkCaddyHealth looks at how a proxy with several upstreams gets past
// one that is down. Without health checks (health_uri, fail_duration)
// Caddy keeps picking it; without retries (lb_try_duration, lb_retries,
// both off by default) a request that picked it fails with 502.
func checkCaddyHealth(p *CaddyProxy) []Finding {
	active := p.HealthCheck != nil || p.Sub["health_uri"] != nil || p.Sub["health_path"] != nil || p.Sub["health_port"] != nil
	fail, passive := p.setting("fail_duration")
	passive = passive && fail.Duration > 0
	try, retries := p.setting("lb_try_duration")
	retries = retries && try.Duration > 0 || p.Sub["lb_retries"] != nil
	var out []Finding
	if passive && p.Sub["unhealthy_status"] == nil {
		out = append(out, caddyFinding(p, p.Sub["fail_duration"], Info, "caddy.no_unhealthy_status", catalog.UpstreamAppError,
			"passive health checks (fail_duration) count the requests that fail to get a response (refused, reset, timed out), not answers "+
				"with an error status: an upstream that answers every request with 500 or 503 stays in rotation",
			"unhealthy_status 5xx"))
	}
	if len(p.Upstreams) < 2 || p.Dynamic != nil {
		return out
	}
	policy := ""
	if lp := p.Sub["lb_policy"]; lp != nil {
		policy = lp.Arg(0)
	}
	switch {
	case !active && !passive && !retries:
		msg := fmt.Sprintf("%s has %d upstreams and neither health checks (health_uri, fail_duration) nor retries (lb_try_duration): "+
			"while one is down Caddy goes on picking it, and each request that gets it fails with 502", p.Kind, len(p.Upstreams))
		if policy == "first" {
			msg += "; with lb_policy first there is no failover at all: every request goes to the first upstream"
		}
		out = append(out, caddyFinding(p, nil, Warning, "caddy.no_health_check", catalog.UpstreamRefused, msg,
			"lb_try_duration 5s  # and health_uri /healthz (a path that answers 200 while the application works)"))
	case !retries:
		out = append(out, caddyFinding(p, nil, Info, "caddy.no_retries", catalog.UpstreamRefused,
			fmt.Sprintf("%s has %d upstreams and no retries (lb_try_duration): until a health check marks a dead upstream down, "+
				"each request that picks it fails with 502 instead of going to another", p.Kind, len(p.Upstreams)),
			"lb_try_duration 5s"))
	}
	return out
}

// checkCaddyPHP compares the read_timeout of each FastCGI proxy with the
// request_terminate_timeout of the pool it reaches. Without a read_timeout
// Caddy waits for ever, which checkCaddyProxy reports.
func checkCaddyPHP(c *Caddy, fpm *PHPFPM) []Finding {
	if fpm == nil {
		return nil
	}
	var out []Finding
	for _, s := range c.Sites {
		for _, p := range s.Proxies {
			read, ok := p.setting("read_timeout")
			if p.Transport != caddyFastCGITrans || !ok || read.Duration <= 0 {
				continue
			}
			for _, u := range p.Upstreams {
				if pool := fpm.PoolAt(u); pool != nil {
					out = append(out, comparePHPTimeouts(pool, read, catalog.Caddy.Name())...)
					break
				}
			}
		}
	}
	return out
}
