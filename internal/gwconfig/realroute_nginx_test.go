package gwconfig

import (
	"context"
	"fmt"
	"net"
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
// nginx's port, {DIR} for its directory.
const realRouteNginx = `master_process off;
daemon off;
error_log {DIR}/error.log;
pid {DIR}/nginx.pid;
events {}
http {
  access_log off;
  upstream pool { server {E}; }
  map $http_x_tenant $tenant_backend { default {F}; blue {G}; }
  server {
    listen 127.0.0.1:{P};
    server_name app.test;
    root {DIR}/html;
    set $app_backend {H};
    location = /exact { proxy_pass http://{A}; }
    location ^~ /static/ { proxy_pass http://{B}; }
    location ~ \.php$ { proxy_pass http://{C}; }
    location /api/ {
      proxy_pass http://{D};
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
	runRealRoutes(t, realGateway{name: "nginx", program: "/usr/sbin/nginx", pkg: "nginx", conf: realRouteNginx,
		backends: []string{"A", "B", "C", "D", "E", "F", "G", "H"},
		setup: func(t *testing.T, dir, conf string, port int) []string {
			mkdir(t, filepath.Join(dir, "html"))
			return []string{"-p", dir, "-c", writeConf(t, dir, "nginx.conf", conf)}
		},
		read: func(t *testing.T, conf string) router {
			n, err := parseNginxFiles(t, "/t/nginx.conf", map[string]string{"/t/nginx.conf": conf})
			if err != nil || len(n.Problems) > 0 {
				t.Fatalf("%v %v", err, n.Problems)
			}
			return n
		}}, []hostPath{
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
		{"H.dev.test", "/"},
		{"other.test", "/"},
	})
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
