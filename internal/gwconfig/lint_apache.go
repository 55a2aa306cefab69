package gwconfig

import (
	"fmt"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// checkApache lints the proxy rules and balancers of a.
func checkApache(a *Apache) []Finding {
	var out []Finding
	for _, v := range append([]*ApacheVHost{a.Main}, a.VHosts...) {
		for _, px := range v.Proxies {
			out = append(out, checkApacheProxy(a, px)...)
		}
	}
	for name, members := range a.Balancers {
		live := 0
		for _, m := range members {
			if !m.Down {
				live++
			}
		}
		if live == 0 && len(members) > 0 {
			m := members[0]
			out = append(out, Finding{Severity: Error, Code: "apache.no_live_members", Cause: catalog.UpstreamNoneHealthy,
				File: m.File, Line: m.Line, Message: fmt.Sprintf("every member of balancer://%s is disabled: Apache answers 503", name),
				Fix: "remove status=D from at least one BalancerMember"})
		}
	}
	return out
}

func checkApacheProxy(a *Apache, px *ApacheProxy) []Finding {
	if px.Target == "!" {
		return nil
	}
	var out []Finding
	up := apacheUpstream(px.Target)
	if px.Kind != "SetHandler" && up.Network == "tcp" && hostOf(up.Addr) != "" {
		d := &Directive{Name: px.Kind, Args: []string{px.Path, px.Target}, File: px.File, Line: px.Line}
		if f, ok := hostFinding(d, hostOf(up.Addr)); ok && f.Code == "nginx.localhost_upstream" {
			f.Code = "apache.localhost_upstream"
			f.Severity = Info
			f.Message = "the backend is \"localhost\", which can resolve to ::1 as well as 127.0.0.1: Apache tries the addresses in turn, " +
				"and the one the app does not listen on costs a refused connection (AH00957) on each new connection"
			f.Directive = px.String()
			f.Fix = px.Kind + " " + px.Path + " " + replaceLocalhost(px.Target)
			out = append(out, f)
		}
	}
	// A RewriteRule [P] takes no worker parameters: it goes through a
	// worker of its own URL's, or mod_proxy's default one.
	if _, ok := px.Params["retry"]; !ok && px.Kind != "SetHandler" && px.Kind != "RewriteRule" && !isBalancer(px.Target) {
		out = append(out, Finding{Severity: Info, Code: "apache.retry_default", Cause: catalog.UpstreamNoneHealthy,
			File: px.File, Line: px.Line, Directive: px.String(),
			Message: "no retry= on this ProxyPass: after one failed connection Apache puts the backend in error state for 60 s " +
				"and answers 503 (AH00940 \"disabled connection\") even once the backend is back",
			Fix: px.String() + " retry=0"})
	}
	if t, ok := px.param("timeout"); ok && t.Duration > 0 && t.Duration < shortReadTimeout {
		out = append(out, settingFinding(t, Warning, "apache.timeout_short", catalog.UpstreamTimeout,
			fmt.Sprintf("timeout=%s on %s: every response slower than that fails, with a 502 on Apache", t.Value, px.String()),
			"add timeout=60 to the ProxyPass line"))
	}
	return out
}

func isBalancer(target string) bool { return len(target) > 11 && target[:11] == "balancer://" }

func replaceLocalhost(s string) string {
	for i := 0; i+9 <= len(s); i++ {
		if s[i:i+9] == "localhost" {
			return s[:i] + "127.0.0.1" + s[i+9:]
		}
	}
	return s
}

// checkApachePHP compares Apache's timeout for each FastCGI backend with
// the request_terminate_timeout of the pool it reaches.
func checkApachePHP(a *Apache, c *PHPFPM) []Finding {
	if c == nil {
		return nil
	}
	var out []Finding
	for _, v := range append([]*ApacheVHost{a.Main}, a.VHosts...) {
		for _, px := range v.Proxies {
			if px.Target == "!" || apacheProtocol(px.Target) != ProtoFastCGI {
				continue
			}
			pool := c.PoolAt(apacheUpstream(px.Target))
			if pool == nil {
				continue
			}
			read, _ := firstSetting(&Route{Settings: a.settings(v, px)}, readTimeoutNames)
			out = append(out, comparePHPTimeouts(pool, read, "Apache")...)
		}
	}
	return out
}
