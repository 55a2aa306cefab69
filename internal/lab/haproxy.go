package lab

import (
	"path/filepath"
	"time"
)

// haproxyBufSize is HAProxy's default tune.bufsize, which bounds a response
// head (https://docs.haproxy.org/2.6/configuration.html#3.2-tune.bufsize).
const haproxyBufSize = 16384

// buildHAProxy writes a production-like haproxy.cfg: an HTTP frontend with
// httplog to stdout and one backend server t, with short timeouts.
func buildHAProxy(t target, dir string, port int, opts GatewayOptions) (launch, GatewayTimeouts, error) {
	server := "    server app " + t.addr()
	if t.tls {
		server += " ssl verify required ca-file " + SystemRoots + " sni str(lab.test)"
	}
	conf := haproxyConf(port, opts.Connect, opts.Response, "    option forwardfor\n", server+"\n")
	out := filepath.Join(dir, "haproxy.out")
	return launch{
			args:    []string{"-db", "-f", filepath.Join(dir, "haproxy.cfg")},
			files:   map[string]string{"haproxy.cfg": conf},
			logPath: out, // "log stdout" goes to the program's output
		}, GatewayTimeouts{
			Connect: opts.Connect, Response: opts.Response, MaxHeaderBytes: haproxyBufSize,
			ConnectSetting: "timeout connect", ResponseSetting: "timeout server", HeaderSetting: "tune.bufsize",
		}, nil
}

// haproxyConf is a production-like haproxy.cfg: httplog to stdout, the
// given timeouts, one HTTP frontend on port with extra lines, and the
// backend "app" with the given lines.
func haproxyConf(port int, connect, response time.Duration, frontend, backend string) string {
	return `global
    log stdout format raw local0 info
    maxconn 1024

defaults
    mode http
    log global
    option httplog
    option dontlognull
    timeout connect ` + ms(connect) + `
    timeout client 30s
    timeout server ` + ms(response) + `
    timeout http-request 10s

frontend web
    bind 127.0.0.1:` + itoa(port) + `
` + frontend + `    default_backend app

backend app
` + backend
}
