package lab

import (
	"os"
	"path/filepath"
	"strconv"
)

// squidHeaderBytes is Squid's default reply_header_max_size
// (http://www.squid-cache.org/Doc/config/reply_header_max_size/).
const squidHeaderBytes = 64 << 10

// buildSquid writes a squid.conf for a reverse proxy ("accel" mode) with t
// as its origin-server peer, no disk cache and short timeouts.
func buildSquid(t target, dir string, port int, opts GatewayOptions) (launch, GatewayTimeouts, error) {
	p := func(name string) string { return filepath.Join(dir, name) }
	peer := "cache_peer " + t.host + " parent " + strconv.Itoa(t.port) + " 0 no-query no-digest originserver name=app connect-timeout=" + itoa(seconds(opts.Connect))
	if t.tls {
		peer += " tls tls-cafile=" + SystemRoots
	}
	conf := `http_port 127.0.0.1:` + itoa(port) + ` accel defaultsite=lab.test no-vhost
` + peer + `
cache_peer_access app allow all
http_access allow all
never_direct allow all
cache deny all
cache_mem 8 MB
pid_filename ` + p("squid.pid") + `
access_log stdio:` + p("access.log") + `
cache_log ` + p("cache.log") + `
cache_store_log none
coredump_dir ` + dir + `
connect_timeout ` + itoa(seconds(opts.Connect)) + ` seconds
peer_connect_timeout ` + itoa(seconds(opts.Connect)) + ` seconds
read_timeout ` + itoa(seconds(opts.Response)) + ` seconds
shutdown_lifetime 0 seconds
icp_port 0
htcp_port 0
pinger_enable off
netdb_filename none
`
	if os.Geteuid() == 0 {
		// Squid drops to the proxy user, which must write its logs.
		if err := os.Chmod(dir, 0o777); err != nil {
			return launch{}, GatewayTimeouts{}, err
		}
	}
	return launch{
			args:    []string{"-N", "-f", p("squid.conf")},
			files:   map[string]string{"squid.conf": conf},
			logPath: p("cache.log"),
		}, GatewayTimeouts{
			Connect: opts.Connect, Response: opts.Response, MaxHeaderBytes: squidHeaderBytes,
			ConnectSetting: "connect_timeout", ResponseSetting: "read_timeout", HeaderSetting: "reply_header_max_size",
		}, nil
}
