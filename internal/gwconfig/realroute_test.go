package gwconfig

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
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
	runRealRoutes(t, realGateway{name: "apache2", program: "/usr/sbin/apache2", pkg: "apache2", conf: realRouteApache,
		backends: []string{"A", "B", "C", "D", "E", "F", "G"},
		setup:    apacheSetup,
		read: func(t *testing.T, conf string) router {
			a, err := parseApache(memSource{"/t/site.conf": []byte(conf)}, "/t/site.conf")
			if err != nil || len(a.Problems) > 0 {
				t.Fatalf("%v %v", err, a.Problems)
			}
			return a
		}}, []hostPath{
		{"a.test", "/app/x"},
		{"a.test", "/api/users"},
		{"a.test", "/api/static/x.css"},
		{"a.test", "/index.php"},
		{"a.test", "/loc/x"},
		{"a.test", "/other"},
		{"www.a.test", "/other"},
		{"x.wild.test", "/other"},
		{"nomatch.test", "/other"},
	})
}

// router is a parsed configuration that routes URLs.
type router interface {
	Route(u *url.URL) (*Route, error)
}

// hostPath is one request of a real-route test.
type hostPath struct{ host, path string }

// realGateway is a gateway that a real-route test runs on loopback.
type realGateway struct {
	name, program, pkg string // as messages name it; its path; the Debian package that installs it
	// conf is its configuration: {P} stands for its port, {DIR} for its
	// directory, {A}, {B}, ... for the backends' addresses (their ports
	// alone with ports set).
	conf     string
	backends []string
	ports    bool
	// dirMode, when set, is its directory's mode, for programs that drop
	// to their own user when started as root.
	dirMode os.FileMode
	// setup writes its files in dir and returns the arguments it runs with.
	setup func(t *testing.T, dir, conf string, port int) []string
	// read parses the configuration as gwdoctor does.
	read func(t *testing.T, conf string) router
	// firstOnly: the gateway sends to the first upstream Route names
	// (Squid's first allowed peer, every peer being up).
	firstOnly bool
}

// runRealRoutes starts g's backends and g itself, then sends each request
// and checks that the backend which gets it is one that Route names, or
// that g answered itself where Route names none. A {host} of the form
// "NAME.dev.test" is written with backend NAME's port in place of NAME.
func runRealRoutes(t *testing.T, g realGateway, reqs []hostPath) {
	t.Helper()
	program := requireProgram(t, g.program, g.pkg)
	backends, addr, got := startBackends(t, g.backends)
	var port int
	var conf string
	// The port is free when chosen and may be taken before the gateway
	// binds it: a start that fails is tried again on another port.
	for attempt := 0; ; attempt++ {
		port = freePort(t)
		dir := t.TempDir()
		if g.dirMode != 0 {
			openToDaemons(t, dir, g.dirMode)
		}
		pairs := []string{"{P}", fmt.Sprint(port), "{DIR}", dir}
		for _, n := range g.backends {
			a := addr[n]
			if g.ports {
				a = a[strings.LastIndex(a, ":")+1:]
			}
			pairs = append(pairs, "{"+n+"}", a)
		}
		conf = strings.NewReplacer(pairs...).Replace(g.conf)
		out := startServer(t, port, program, g.setup(t, dir, conf, port)...)
		if out == "" {
			break
		}
		if attempt == 2 {
			t.Fatalf("%s did not listen on 127.0.0.1:%d: %s", g.name, port, out)
		}
	}
	r := g.read(t, conf)
	for _, tc := range reqs {
		host := tc.host
		if name, ok := strings.CutSuffix(host, ".dev.test"); ok && addr[name] != "" {
			host = addr[name][strings.LastIndex(addr[name], ":")+1:] + ".dev.test"
		}
		real, status := fetch(t, port, host, tc.path, got)
		route, err := r.Route(mustURL(t, fmt.Sprintf("http://%s:%d%s", host, port, tc.path)))
		if err != nil {
			t.Fatal(err)
		}
		checkReal(t, g.name, host+tc.path, real, status, route, backends)
		if g.firstOnly && len(route.Upstreams) > 0 && backends[route.Upstreams[0].Addr] != real {
			t.Errorf("%s%s: %s sent it to %q, Route's first upstream is %q", host, tc.path, g.name, real, backends[route.Upstreams[0].Addr])
		}
	}
}

// writeConf writes a configuration file in dir and returns its path.
func writeConf(t *testing.T, dir, name, conf string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
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

// apacheSetup writes an httpd.conf that loads the proxy and rewrite
// modules, listens on port and includes the virtual hosts given, and
// returns apache2's arguments to run it in the foreground.
func apacheSetup(t *testing.T, dir, vhosts string, port int) []string {
	t.Helper()
	modules := "/usr/lib/apache2/modules"
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
	writeConf(t, dir, "site.conf", vhosts)
	return []string{"-X", "-f", writeConf(t, dir, "httpd.conf", conf)}
}
