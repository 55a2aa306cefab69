package gwconfig

import (
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
	runRealRoutes(t, realGateway{name: "squid", program: "/usr/sbin/squid", pkg: "squid", conf: realRouteSquid,
		backends: []string{"A", "B", "C", "D"}, ports: true, firstOnly: true,
		dirMode: 0o777, // squid drops to its own user, which writes its log
		setup: func(t *testing.T, dir, conf string, port int) []string {
			return []string{"-N", "-f", writeConf(t, dir, "squid.conf", conf)}
		},
		read: func(t *testing.T, conf string) router {
			return parseSquidMem(t, map[string]string{"/s/squid.conf": conf})
		}}, []hostPath{
		{"shop.test", "/api/x"},
		{"www.shop.test", "/page"},
		{"admin.test", "/"},
		{"other.test", "/"},
	})
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
	runRealRoutes(t, realGateway{name: "lighttpd", program: "/usr/sbin/lighttpd", pkg: "lighttpd", conf: realRouteLighttpd,
		backends: []string{"A", "B", "C", "D", "E"}, ports: true,
		setup: func(t *testing.T, dir, conf string, port int) []string {
			mkdir(t, filepath.Join(dir, "www"))
			return []string{"-D", "-f", writeConf(t, dir, "lighttpd.conf", conf)}
		},
		read: func(t *testing.T, conf string) router {
			return parseLighttpdMem(t, map[string]string{"/l/lighttpd.conf": conf})
		}}, []hostPath{
		{"b.test", "/api/x"},
		{"a.test", "/api/x"},
		{"a.test", "/api/v2/x"},
		{"a.test", "/index.php"},
		{"a.test", "/page"},
	})
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
