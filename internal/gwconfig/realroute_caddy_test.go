package gwconfig

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
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
	backends := map[string]string{}
	addr := map[string]string{}
	got := make(chan string, 16)
	for _, name := range names {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		backends[ln.Addr().String()], addr[name] = name, ln.Addr().String()
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got <- name
			io.WriteString(w, name)
		}), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	}
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
	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
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
		hostport := fmt.Sprintf("%s:%d", tc.host, port)
		req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d%s", port, tc.path), nil)
		req.Host = hostport
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		real := ""
		select {
		case real = <-got:
		case <-time.After(300 * time.Millisecond):
		}
		r, err := c.Route(mustURL(t, "http://"+hostport+tc.path))
		if err != nil {
			t.Fatal(err)
		}
		var predicted []string
		for _, u := range r.Upstreams {
			predicted = append(predicted, backends[u.Addr])
		}
		t.Logf("%s%s: real %q predicted %q", tc.host, tc.path, real, predicted)
		if real == "" && len(predicted) > 0 || real != "" && !slices.Contains(predicted, real) {
			t.Errorf("%s%s: caddy sent it to %q (status %d), Route names %q (%s; %q)", tc.host, tc.path, real, resp.StatusCode, predicted, r.Location.Name, r.Notes)
		}
	}
}
