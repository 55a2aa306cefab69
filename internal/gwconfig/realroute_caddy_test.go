package gwconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	caddy := requireProgram(t, "/usr/bin/caddy", "caddy")
	names := []string{"A", "B", "C", "D", "E", "F"}
	backends, addr, got := startBackends(t, names)
	var port int
	var conf string
	for attempt := 0; ; attempt++ {
		port = freePort(t)
		pairs := []string{"{P}", fmt.Sprint(port)}
		for _, n := range names {
			pairs = append(pairs, "{"+n+"}", addr[n])
		}
		conf = strings.NewReplacer(pairs...).Replace(realRouteCaddy)
		dir := t.TempDir()
		file := filepath.Join(dir, "Caddyfile")
		if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Setenv("HOME", dir)
		t.Setenv("XDG_DATA_HOME", dir)
		t.Setenv("XDG_CONFIG_HOME", dir)
		out := startServer(t, port, caddy, "run", "--config", file, "--adapter", "caddyfile")
		if out == "" {
			break
		}
		if attempt == 2 {
			t.Fatalf("caddy did not listen on 127.0.0.1:%d: %s", port, out)
		}
	}
	c := parseCaddyMem(t, map[string]string{"/c/Caddyfile": conf})
	for _, tc := range []struct{ host, path string }{
		{"a.test", "/api/users"},
		{"a.test", "/old"},
		{"a.test", "/static/app.js"},
		{"a.test", "/strip/x"},
		{"a.test", "/ordered/stop"},
		{"a.test", "/ordered/go"},
		{"a.test", "/page"},
		{"a.test", "/logo.png"},
		{"b.test", "/anything"},
	} {
		real, status := fetch(t, port, tc.host, tc.path, got)
		r, err := c.Route(mustURL(t, fmt.Sprintf("http://%s:%d%s", tc.host, port, tc.path)))
		if err != nil {
			t.Fatal(err)
		}
		checkReal(t, "caddy", tc.host+tc.path, real, status, r, backends)
	}
}
