package gwconfig

import (
	"testing"
)

// realRouteCaddy exercises what Route models of Caddy's handling: the
// directive order (redir and respond before reverse_proxy), handle blocks
// (the most specific first, one of them runs), handle_path, route (kept in
// order), named matchers with path, host and not, and site selection by
// host. {A}..{F} stand for the backends' addresses, {P} for Caddy's port.
const realRouteCaddy = `{
	admin off
	auto_https off
}
http://a.test:{P} {
	@api path /api/*
	@notimg not path *.png
	reverse_proxy @api {A}
	redir /old /new 301
	handle /static/* {
		reverse_proxy {B}
	}
	handle_path /strip/* {
		reverse_proxy {C}
	}
	route /ordered/* {
		respond /ordered/stop 403
		reverse_proxy {D}
	}
	handle @notimg {
		reverse_proxy {E}
	}
	handle {
		respond "fallback" 404
	}
}
http://b.test:{P} {
	reverse_proxy {F}
}
`

// TestCaddyRoutesAsCaddy runs Debian's caddy on loopback with
// realRouteCaddy and checks, request by request, that the backend which
// gets it is the one Route names, or that Caddy answered itself where Route
// names none.
func TestCaddyRoutesAsCaddy(t *testing.T) {
	runRealRoutes(t, realGateway{name: "caddy", program: "/usr/bin/caddy", pkg: "caddy", conf: realRouteCaddy,
		backends: []string{"A", "B", "C", "D", "E", "F"},
		setup: func(t *testing.T, dir, conf string, port int) []string {
			t.Setenv("HOME", dir)
			t.Setenv("XDG_DATA_HOME", dir)
			t.Setenv("XDG_CONFIG_HOME", dir)
			return []string{"run", "--config", writeConf(t, dir, "Caddyfile", conf), "--adapter", "caddyfile"}
		},
		read: func(t *testing.T, conf string) router {
			return parseCaddyMem(t, map[string]string{"/c/Caddyfile": conf})
		}}, []hostPath{
		{"a.test", "/api/users"},
		{"a.test", "/old"},
		{"a.test", "/static/app.js"},
		{"a.test", "/strip/x"},
		{"a.test", "/ordered/stop"},
		{"a.test", "/ordered/go"},
		{"a.test", "/page"},
		{"a.test", "/logo.png"},
		{"b.test", "/anything"},
	})
}
