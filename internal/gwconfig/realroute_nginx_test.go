package gwconfig

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// realRouteNginx exercises what Route models of nginx's request
// processing: exact, ^~, regular-expression and nested locations, a
// rewrite ... last, try_files to a named location, variables from set, a
// map and a regular server_name's capture, an if that does not hold, and
// the default server. {A}..{H} stand for the backends' addresses, {P} for
// nginx's port, {D} for its directory.
const realRouteNginx = `master_process off;
daemon off;
error_log {D}/error.log;
pid {D}/nginx.pid;
events {}
http {
  access_log off;
  upstream pool { server {E}; }
  map $http_x_tenant $tenant_backend { default {F}; blue {G}; }
  server {
    listen 127.0.0.1:{P};
    server_name app.test;
    root {D}/html;
    set $app_backend {H};
    location = /exact { proxy_pass http://{A}; }
    location ^~ /static/ { proxy_pass http://{B}; }
    location ~ \.php$ { proxy_pass http://{C}; }
    location /api/ {
      proxy_pass http://{D2};
      location ~ ^/api/v2/ { proxy_pass http://pool; }
    }
    location /var/ { proxy_pass http://$app_backend; }
    location /map/ { proxy_pass http://$tenant_backend; }
    location /old/ { rewrite ^/old/(.*)$ /api/$1 last; }
    location /try/ { try_files $uri @fallback; }
    location @fallback { proxy_pass http://{A}; }
    location / { return 404; }
  }
  server {
    listen 127.0.0.1:{P};
    server_name ~^(?<port>[0-9]+)\.dev\.test$;
    location / { proxy_pass http://127.0.0.1:$port; }
  }
  server {
    listen 127.0.0.1:{P} default_server;
    location / {
      if ($http_x_go) { proxy_pass http://{B}; }
      return 418;
    }
  }
}
`

// TestNginxRoutesAsNginx runs Debian's nginx on loopback with
// realRouteNginx and checks, request by request, that the backend which
// gets it is one that Route names, and that nginx answers itself where
// Route names none.
func TestNginxRoutesAsNginx(t *testing.T) {
	nginx := requireProgram(t, "/usr/sbin/nginx", "nginx")
	names := []string{"A", "B", "C", "D2", "E", "F", "G", "H"}
	backends, addr, got := startBackends(t, names)
	var port int
	var conf string
	for attempt := 0; ; attempt++ {
		port = freePort(t)
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "html"), 0o755); err != nil {
			t.Fatal(err)
		}
		pairs := []string{"{P}", fmt.Sprint(port), "{D2}", addr["D2"], "{D}", dir}
		for _, n := range names {
			pairs = append(pairs, "{"+n+"}", addr[n])
		}
		conf = strings.NewReplacer(pairs...).Replace(realRouteNginx)
		if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		out := startServer(t, port, nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"))
		if out == "" {
			break
		}
		if attempt == 2 {
			t.Fatalf("nginx did not listen on 127.0.0.1:%d: %s", port, out)
		}
	}
	n, err := parseNginxFiles(t, "/t/nginx.conf", map[string]string{"/t/nginx.conf": conf})
	if err != nil || len(n.Problems) > 0 {
		t.Fatalf("%v %v", err, n.Problems)
	}
	hPort := addr["H"][strings.LastIndex(addr["H"], ":")+1:]
	for _, tc := range []struct{ host, path string }{
		{"app.test", "/exact"},
		{"app.test", "/exact/more"},
		{"app.test", "/static/x.php"},
		{"app.test", "/foo/x.php"},
		{"app.test", "/api/users"},
		{"app.test", "/api/v2/users"},
		{"app.test", "/var/x"},
		{"app.test", "/map/x"},
		{"app.test", "/old/users"},
		{"app.test", "/try/nofile"},
		{hPort + ".dev.test", "/"},
		{"other.test", "/"},
	} {
		real, status := fetch(t, port, tc.host, tc.path, got)
		r, err := n.Route(mustURL(t, fmt.Sprintf("http://%s:%d%s", tc.host, port, tc.path)))
		if err != nil {
			t.Fatal(err)
		}
		checkReal(t, "nginx", tc.host+tc.path, real, status, r, backends)
	}
}

// startServer runs a gateway in the foreground until the test ends, and
// returns its output when it does not come to listen on port.
func startServer(t *testing.T, port int, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, name, args...)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cancel(); <-exited })
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-exited:
			return "exited: " + out.String()
		default:
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return ""
		}
		if time.Now().After(deadline) {
			return "timed out: " + out.String()
		}
		time.Sleep(50 * time.Millisecond)
	}
}
