package gwconfig

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestApacheRoutesAsApache runs Debian's apache2 on loopback with rules
// that compete for the same paths (a RewriteRule [P], with and without
// conditions, against ProxyPass) and checks that the backend which gets
// each request is the one Route names.
func TestApacheRoutesAsApache(t *testing.T) {
	apache := requireProgram(t, "/usr/sbin/apache2", "apache2")
	backends := map[string]string{} // address → name
	got := make(chan string, 8)
	for _, name := range []string{"rewrite", "ws", "proxypass"} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		backends[ln.Addr().String()] = name
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got <- name
			io.WriteString(w, name)
		}), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	}
	addrOf := func(name string) string {
		for a, n := range backends {
			if n == name {
				return a
			}
		}
		return ""
	}
	// The port is free when chosen and may be taken before apache2 binds
	// it: a start that fails is tried again on another port.
	var port int
	var vhost string
	for attempt := 0; ; attempt++ {
		port = freePort(t)
		var out string
		vhost, out = startApache(t, apache, port, addrOf)
		if out == "" {
			break
		}
		if attempt == 2 {
			t.Fatalf("apache2 did not listen on 127.0.0.1:%d: %s", port, out)
		}
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	client := &http.Client{Timeout: 5 * time.Second}
	a, err := parseApache(memSource{"/t/site.conf": []byte(vhost)}, "/t/site.conf")
	if err != nil || len(a.Problems) > 0 {
		t.Fatalf("%v %v", err, a.Problems)
	}
	for _, path := range []string{"/app/x", "/other"} {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Host = "a.example"
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var real string
		select {
		case real = <-got:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no backend got the request (status %d)", path, resp.StatusCode)
		}
		r, err := a.Route(mustURL(t, "http://a.example:"+fmt.Sprint(port)+path))
		if err != nil {
			t.Fatal(err)
		}
		var predicted string
		for _, u := range r.Upstreams {
			predicted = backends[u.Addr]
		}
		if predicted != real {
			t.Errorf("%s: apache2 sent it to %s, Route names %s (%s)", path, real, predicted, r.Location.Name)
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startApache runs apache2 in the foreground on port with the test's
// virtual host, and returns the host's text and, when it does not come to
// listen, its output.
func startApache(t *testing.T, apache string, port int, addrOf func(string) string) (string, string) {
	t.Helper()
	modules := "/usr/lib/apache2/modules"
	dir := t.TempDir()
	vhost := fmt.Sprintf(`<VirtualHost 127.0.0.1:%d>
  ServerName a.example
  RewriteEngine On
  RewriteCond %%{HTTP:Upgrade} websocket [NC]
  RewriteRule ^/(.*) http://%s/$1 [P]
  RewriteRule ^/app/(.*) http://%s/$1 [P,L]
  ProxyPass / http://%s/
</VirtualHost>
`, port, addrOf("ws"), addrOf("rewrite"), addrOf("proxypass"))
	conf := fmt.Sprintf(`ServerRoot %[1]s
PidFile %[1]s/httpd.pid
ErrorLog %[1]s/error.log
ServerName localhost
LoadModule mpm_event_module %[2]s/mod_mpm_event.so
LoadModule authz_core_module %[2]s/mod_authz_core.so
LoadModule proxy_module %[2]s/mod_proxy.so
LoadModule proxy_http_module %[2]s/mod_proxy_http.so
LoadModule rewrite_module %[2]s/mod_rewrite.so
Listen 127.0.0.1:%[3]d
Include %[1]s/site.conf
`, dir, modules, port)
	if err := os.WriteFile(filepath.Join(dir, "site.conf"), []byte(vhost), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "httpd.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return vhost, startServer(t, port, apache, "-X", "-f", filepath.Join(dir, "httpd.conf"))
}
