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

// realRouteApache exercises what Route models of Apache's proxying: virtual
// hosts by ServerName and ServerAlias and the port's first one as default,
// a RewriteRule [P] with and without a condition against ProxyPass,
// ProxyPass in order with "!" exclusions, ProxyPassMatch, and ProxyPass
// inside <Location>. {A}..{G} stand for the backends' addresses, {P} for
// Apache's port.
const realRouteApache = `<VirtualHost 127.0.0.1:{P}>
  ServerName default.test
  ProxyPass / http://{G}/
</VirtualHost>
<VirtualHost 127.0.0.1:{P}>
  ServerName a.test
  ServerAlias www.a.test *.wild.test
  RewriteEngine On
  RewriteCond %{HTTP:Upgrade} websocket [NC]
  RewriteRule ^/(.*) http://{A}/$1 [P]
  RewriteRule ^/app/(.*) http://{B}/$1 [P,L]
  ProxyPass /api/static !
  ProxyPass /api/ http://{C}/
  ProxyPassMatch ^/(.*\.php)$ http://{D}/$1
  <Location /loc/>
    ProxyPass http://{E}/
  </Location>
  ProxyPass / http://{F}/
</VirtualHost>
`

// TestApacheRoutesAsApache runs Debian's apache2 on loopback with
// realRouteApache and checks, request by request, that the backend which
// gets it is the one Route names, or that Apache answered itself where
// Route names none.
func TestApacheRoutesAsApache(t *testing.T) {
	apache := requireProgram(t, "/usr/sbin/apache2", "apache2")
	names := []string{"A", "B", "C", "D", "E", "F", "G"}
	backends, addr, got := startBackends(t, names)
	var port int
	var vhosts string
	for attempt := 0; ; attempt++ {
		port = freePort(t)
		pairs := []string{"{P}", fmt.Sprint(port)}
		for _, n := range names {
			pairs = append(pairs, "{"+n+"}", addr[n])
		}
		vhosts = strings.NewReplacer(pairs...).Replace(realRouteApache)
		out := startApache(t, apache, port, vhosts)
		if out == "" {
			break
		}
		if attempt == 2 {
			t.Fatalf("apache2 did not listen on 127.0.0.1:%d: %s", port, out)
		}
	}
	a, err := parseApache(memSource{"/t/site.conf": []byte(vhosts)}, "/t/site.conf")
	if err != nil || len(a.Problems) > 0 {
		t.Fatalf("%v %v", err, a.Problems)
	}
	for _, tc := range []struct{ host, path string }{
		{"a.test", "/app/x"},
		{"a.test", "/api/users"},
		{"a.test", "/api/static/x.css"},
		{"a.test", "/index.php"},
		{"a.test", "/loc/x"},
		{"a.test", "/other"},
		{"www.a.test", "/other"},
		{"x.wild.test", "/other"},
		{"nomatch.test", "/other"},
	} {
		real, status := fetch(t, port, tc.host, tc.path, got)
		r, err := a.Route(mustURL(t, fmt.Sprintf("http://%s:%d%s", tc.host, port, tc.path)))
		if err != nil {
			t.Fatal(err)
		}
		checkReal(t, "apache2", tc.host+tc.path, real, status, r, backends)
	}
}

// startBackends starts a Go HTTP server on loopback for each name; each
// request it gets sends its name on the channel. It returns the names by
// address and the addresses by name.
func startBackends(t *testing.T, names []string) (map[string]string, map[string]string, chan string) {
	t.Helper()
	backends, addr := map[string]string{}, map[string]string{}
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
	return backends, addr, got
}

// fetch sends GET path to the gateway on port with the Host header a
// client sends (the host and the port), and returns the backend that got
// it ("" when none did within 300 ms) and the status.
func fetch(t *testing.T, port int, host, path string, got chan string) (string, int) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d%s", port, path), nil)
	req.Host = fmt.Sprintf("%s:%d", host, port)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case real := <-got:
		return real, resp.StatusCode
	case <-time.After(300 * time.Millisecond):
		return "", resp.StatusCode
	}
}

// checkReal fails when the backend the gateway chose is not one that r
// names, or when the gateway answered itself and r names an upstream.
func checkReal(t *testing.T, gateway, req, real string, status int, r *Route, backends map[string]string) {
	t.Helper()
	var predicted []string
	for _, u := range r.Upstreams {
		predicted = append(predicted, backends[u.Addr])
	}
	t.Logf("%s: real %q predicted %q", req, real, predicted)
	if real == "" && len(predicted) > 0 || real != "" && !slices.Contains(predicted, real) {
		t.Errorf("%s: %s sent it to %q (status %d), Route names %q (%s; %q)", req, gateway, real, status, predicted, r.Location.Name, r.Notes)
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

// startApache runs apache2 in the foreground on port with the virtual
// hosts given, and returns its output when it does not come to listen.
func startApache(t *testing.T, apache string, port int, vhosts string) string {
	t.Helper()
	modules := "/usr/lib/apache2/modules"
	dir := t.TempDir()
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
	if err := os.WriteFile(filepath.Join(dir, "site.conf"), []byte(vhosts), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "httpd.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return startServer(t, port, apache, "-X", "-f", filepath.Join(dir, "httpd.conf"))
}
