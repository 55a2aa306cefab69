package gwconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// realRouteSquid exercises what Route models of Squid as a reverse proxy:
// cache_peer_access rules with dstdomain, urlpath_regex and negation, in
// the order of the peers. {A}..{D} stand for the backends' ports, {P} for
// Squid's, {DIR} for its directory.
const realRouteSquid = `http_port 127.0.0.1:{P} accel defaultsite=shop.test vhost
acl shop dstdomain .shop.test
acl admin dstdomain admin.test
acl api urlpath_regex ^/api/
cache_peer 127.0.0.1 parent {A} 0 no-query no-digest originserver name=api
cache_peer_access api allow shop api
cache_peer_access api deny all
cache_peer 127.0.0.1 parent {B} 0 no-query no-digest originserver name=web
cache_peer_access web allow shop !api
cache_peer_access web deny all
cache_peer 127.0.0.1 parent {C} 0 no-query no-digest originserver name=adm
cache_peer_access adm allow admin
cache_peer_access adm deny all
cache_peer 127.0.0.1 parent {D} 0 no-query no-digest originserver name=rest
cache_peer_access rest allow all
http_access allow all
never_direct allow all
cache deny all
cache_mem 8 MB
pid_filename {DIR}/squid.pid
access_log none
cache_log {DIR}/cache.log
cache_store_log none
coredump_dir {DIR}
shutdown_lifetime 0 seconds
icp_port 0
htcp_port 0
pinger_enable off
netdb_filename none
`

// TestSquidRoutesAsSquid runs Debian's squid on loopback with
// realRouteSquid and checks, request by request, that the peer which gets
// it is the first that Route names.
func TestSquidRoutesAsSquid(t *testing.T) {
	squid := requireProgram(t, "/usr/sbin/squid", "squid")
	names := []string{"A", "B", "C", "D"}
	backends, addr, got := startBackends(t, names)
	var port int
	var conf string
	for attempt := 0; ; attempt++ {
		port = freePort(t)
		dir := t.TempDir()
		openToDaemons(t, dir, 0o777) // squid drops to its own user, which writes its log
		pairs := []string{"{P}", fmt.Sprint(port), "{DIR}", dir}
		for _, n := range names {
			pairs = append(pairs, "{"+n+"}", addr[n][strings.LastIndex(addr[n], ":")+1:])
		}
		conf = strings.NewReplacer(pairs...).Replace(realRouteSquid)
		file := filepath.Join(dir, "squid.conf")
		if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		out := startServer(t, port, squid, "-N", "-f", file)
		if out == "" {
			break
		}
		if attempt == 2 {
			t.Fatalf("squid did not listen on 127.0.0.1:%d: %s", port, out)
		}
	}
	s := parseSquidMem(t, map[string]string{"/s/squid.conf": conf})
	for _, tc := range []struct{ host, path string }{
		{"shop.test", "/api/x"},
		{"www.shop.test", "/page"},
		{"admin.test", "/"},
		{"other.test", "/"},
	} {
		real, status := fetch(t, port, tc.host, tc.path, got)
		r, err := s.Route(mustURL(t, fmt.Sprintf("http://%s:%d%s", tc.host, port, tc.path)))
		if err != nil {
			t.Fatal(err)
		}
		checkReal(t, "squid", tc.host+tc.path, real, status, r, backends)
		// Squid sends to the first allowed peer that is up: all are up.
		if len(r.Upstreams) > 0 && backends[r.Upstreams[0].Addr] != real {
			t.Errorf("%s%s: squid sent it to %q, Route's first peer is %q", tc.host, tc.path, real, backends[r.Upstreams[0].Addr])
		}
	}
}

// realRouteLighttpd exercises what Route models of lighttpd: conditional
// blocks on the Host header and the URL, nested, with else, and
// proxy.server keys by prefix, by suffix and "" for every path.
// {A}..{E} stand for the backends' ports, {P} for lighttpd's, {DIR} for
// its directory.
const realRouteLighttpd = `server.modules = ("mod_proxy")
server.bind = "127.0.0.1"
server.port = {P}
server.document-root = "{DIR}/www"
server.errorlog = "{DIR}/error.log"
server.pid-file = "{DIR}/lighttpd.pid"
proxy.server = ("" => (("host" => "127.0.0.1", "port" => {E})))
$HTTP["host"] =~ "^b\.test" {
  proxy.server = ("" => (("host" => "127.0.0.1", "port" => {B})))
}
else $HTTP["url"] =~ "^/api/" {
  proxy.server = ("/api/v2/" => (("host" => "127.0.0.1", "port" => {C})),
                  "" => (("host" => "127.0.0.1", "port" => {A})))
}
$HTTP["url"] =~ "\.php$" {
  proxy.server = (".php" => (("host" => "127.0.0.1", "port" => {D})))
}
`

// TestLighttpdRoutesAsLighttpd runs Debian's lighttpd on loopback with
// realRouteLighttpd and checks, request by request, that the backend which
// gets it is the one Route names.
func TestLighttpdRoutesAsLighttpd(t *testing.T) {
	lighttpd := requireProgram(t, "/usr/sbin/lighttpd", "lighttpd")
	names := []string{"A", "B", "C", "D", "E"}
	backends, addr, got := startBackends(t, names)
	var port int
	var conf string
	for attempt := 0; ; attempt++ {
		port = freePort(t)
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "www"), 0o755); err != nil {
			t.Fatal(err)
		}
		pairs := []string{"{P}", fmt.Sprint(port), "{DIR}", dir}
		for _, n := range names {
			pairs = append(pairs, "{"+n+"}", addr[n][strings.LastIndex(addr[n], ":")+1:])
		}
		conf = strings.NewReplacer(pairs...).Replace(realRouteLighttpd)
		file := filepath.Join(dir, "lighttpd.conf")
		if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		out := startServer(t, port, lighttpd, "-D", "-f", file)
		if out == "" {
			break
		}
		if attempt == 2 {
			t.Fatalf("lighttpd did not listen on 127.0.0.1:%d: %s", port, out)
		}
	}
	l := parseLighttpdMem(t, map[string]string{"/l/lighttpd.conf": conf})
	for _, tc := range []struct{ host, path string }{
		{"b.test", "/api/x"},
		{"a.test", "/api/x"},
		{"a.test", "/api/v2/x"},
		{"a.test", "/index.php"},
		{"a.test", "/page"},
	} {
		real, status := fetch(t, port, tc.host, tc.path, got)
		r, err := l.Route(mustURL(t, fmt.Sprintf("http://%s:%d%s", tc.host, port, tc.path)))
		if err != nil {
			t.Fatal(err)
		}
		checkReal(t, "lighttpd", tc.host+tc.path, real, status, r, backends)
	}
}

// openToDaemons gives dir the mode and lets every user traverse its
// parents up to the temporary directory, for programs that drop to their
// own user when started as root (squid, varnishd).
func openToDaemons(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
	for d := filepath.Dir(dir); d != filepath.Dir(d) && strings.HasPrefix(d, os.TempDir()+"/"); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}
