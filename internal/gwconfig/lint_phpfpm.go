package gwconfig

import (
	"fmt"
	"strconv"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// checkPHPFPM lints the pools on their own.
func checkPHPFPM(c *PHPFPM) []Finding {
	var out []Finding
	for _, p := range c.Pools {
		if p.Listen.Name == "" {
			out = append(out, Finding{Severity: Error, Code: "php_fpm.no_listen", Cause: catalog.UpstreamRefused,
				File: p.File, Line: p.Line, Message: fmt.Sprintf("pool %s has no listen address: PHP-FPM refuses to start it", p.Name),
				Fix: "listen = /run/php/php-fpm.sock"})
		}
		if p.MaxChildren.Name == "" {
			out = append(out, Finding{Severity: Error, Code: "php_fpm.no_max_children", Cause: catalog.UpstreamRefused,
				File: p.File, Line: p.Line, Message: fmt.Sprintf("pool %s has no pm.max_children: PHP-FPM refuses to start it", p.Name),
				Fix: "pm.max_children = 10"})
		} else if n, _ := strconv.Atoi(p.MaxChildren.Value); n > 0 && n < 4 {
			out = append(out, settingFinding(p.MaxChildren, Info, "php_fpm.few_children", catalog.UpstreamOverloaded,
				fmt.Sprintf("pool %s runs at most %d workers: %d slow requests at once make every other request wait in the listen queue, and the gateway times out or is refused", p.Name, n, n),
				"pm.max_children = 10"))
		}
		if p.Network == "unix" && p.ListenMode.Name == "" && p.ListenOwner.Name == "" && p.ListenACLUsers.Name == "" && p.ListenACLGroups.Name == "" {
			out = append(out, Finding{Severity: Info, Code: "php_fpm.socket_owner", Cause: catalog.UpstreamPermission,
				File: p.Listen.File, Line: p.Listen.Line, Directive: "listen = " + p.Listen.Value,
				Message: fmt.Sprintf("pool %s's socket belongs to the user PHP-FPM runs as, with mode 0660: the gateway's user (www-data, nginx, apache) must be that user or in its group, or connecting fails with \"Permission denied\"", p.Name),
				Fix:     "listen.owner = www-data\nlisten.group = www-data"})
		}
	}
	return out
}

// checkNginxPHP compares nginx's fastcgi_read_timeout with the
// request_terminate_timeout of the pool each fastcgi_pass reaches.
func checkNginxPHP(n *Nginx, c *PHPFPM) []Finding {
	if c == nil {
		return nil
	}
	var out []Finding
	for _, p := range n.passes() {
		if p.t.proto != ProtoFastCGI {
			continue
		}
		var pool *Pool
		if p.t.unix != "" {
			pool = c.PoolAt(Upstream{Network: "unix", Addr: p.t.unix})
		} else if p.up == nil {
			pool = c.PoolAt(addrUpstream(p.t.host, 9000))
		} else if len(p.up.Servers) > 0 {
			pool = c.PoolAt(p.up.Servers[0])
		}
		if pool == nil {
			continue
		}
		read, _ := effective(p.chain, nginxDefault{"fastcgi_read_timeout", nginxReadTimeout(), kindTime})
		out = append(out, comparePHPTimeouts(pool, read, string(catalog.Nginx))...)
	}
	return out
}

// comparePHPTimeouts compares a gateway's read timeout with the pool's
// request_terminate_timeout and max_execution_time.
func comparePHPTimeouts(pool *Pool, read Setting, gateway string) []Finding {
	rt := pool.RequestTerminateTimeout
	var out []Finding
	switch {
	case rt.Duration > 0 && rt.Duration < read.Duration:
		out = append(out, settingFinding(rt, Warning, "php_fpm.terminate_before_gateway", catalog.UpstreamClosed,
			fmt.Sprintf("pool %s kills a worker after request_terminate_timeout %s, before %s's %s %s (%s): "+
				"a slow script ends with the connection closed before a response, which reads like a crash%s",
				pool.Name, rt.Value, gateway, read.Name, read.Value, read.Where(), nginxStatusNote(gateway)),
			"request_terminate_timeout = "+formatDuration(read.Duration)))
	case rt.Duration == 0:
		met := pool.MaxExecutionTime
		if met.Duration == 0 || met.Duration >= read.Duration {
			out = append(out, Finding{Severity: Info, Code: "php_fpm.runs_after_gateway", Cause: catalog.UpstreamTimeout,
				File: pool.File, Line: pool.Line,
				Message: fmt.Sprintf("pool %s never kills a slow worker (request_terminate_timeout is off) and max_execution_time is %s (%s): "+
					"after %s's %s %s (%s) gives up with a 504 the script still runs and holds a worker; piled up, they exhaust pm.max_children",
					pool.Name, met.Value, met.Where(), gateway, read.Name, read.Value, read.Where()),
				Fix: "request_terminate_timeout = " + formatDuration(read.Duration)})
		}
	}
	return out
}

// nginxStatusNote tells, for nginx, the status a killed worker gives.
func nginxStatusNote(gateway string) string {
	if gateway != string(catalog.Nginx) {
		return ""
	}
	return ` (a 502, "upstream prematurely closed connection", rather than a 504)`
}
