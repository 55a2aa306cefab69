package logscan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// Lines of the forms testdata/world showed, one case per branch; a case
// that no published line covers says where its form is documented.
func TestParseVariants(t *testing.T) {
	tests := []struct {
		format string
		c      parseCase
	}{
		{"nginx-error", parseCase{"php fatal", `2016/02/21 16:42:36 [error] 19542#0: *156258 FastCGI sent in stderr: "PHP message: PHP Fatal error:  Call to undefined function add_item() in /srv/DojoController.php on line 53" while reading response header from upstream, client: 10.189.245.10, server: www.ninjawars.net, request: "POST /dojo/buyDimMak HTTP/1.1", upstream: "fastcgi://unix:/var/run/php5-fpm.sock:", host: "www.ninjawars.net"`, lineFailure, catalog.UpstreamAppError, 500, "unix:/var/run/php5-fpm.sock", "/dojo/buyDimMak"}},
		{"nginx-error", parseCase{"stderr at start-up", `nginx: [emerg] host not found in upstream in /etc/nginx/conf.d/proxy.conf:6`, lineOK, "", 0, "", ""}},
		{"apache-error", parseCase{"2.2 refused", `[Wed Dec 04 17:14:32 2019] [error] (111)Connection refused: proxy: HTTP: attempt to connect to 127.0.0.1:8212 (*) failed`, lineFailure, catalog.UpstreamRefused, 503, "127.0.0.1:8212", ""}},
		{"apache-error", parseCase{"2.2 disabled", `[Wed May 28 17:00:35 2014] [error] proxy: HTTP: disabled connection for (127.1.244.129)`, lineFailure, catalog.UpstreamNoneHealthy, 503, "127.1.244.129", ""}},
		{"apache-error", parseCase{"AH02454", `[Thu Sep 25 17:59:06.717056 2025] [proxy:error] [pid 25:tid 94] (2)No such file or directory: AH02454: FCGI: attempt to connect to Unix domain socket /run/php/php8.2-fpm.sock (localhost:8000) failed`, lineFailure, catalog.UpstreamRefused, 503, "", ""}},
		{"apache-error", parseCase{"AH01079 companion", `[Thu Sep 25 17:59:06.717077 2025] [proxy_fcgi:error] [pid 25:tid 94] [client 172.18.0.11:48176] AH01079: failed to make connection to backend: localhost`, lineOK, "", 0, "", ""}},
		{"nginx-error", parseCase{"a Lua script's own lookup", `2016/09/21 10:52:11 [error] 22#22: *5 [lua] access.lua:202: authenticate(): accounts.google.com could not be resolved (110: Operation timed out), client: 10.0.0.1, server: x, request: "GET / HTTP/1.1", host: "x"`, lineOK, "", 0, "", ""}},
		{"nginx-error", parseCase{"jdomain resolver failed", `2023/01/05 10:11:12 [error] 7#7: ngx_http_upstream_jdomain_module: resolver failed, "backend.internal" (110: Operation timed out)`, lineFailure, catalog.UpstreamDNS, 502, "", ""}},
		// Debian's vhost_combined (LogFormat "%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"").
		{"apache-access", parseCase{"vhost_combined", `shop.example:443 203.0.113.7 - - [05/Dec/2026:10:00:01 +0000] "GET /checkout HTTP/1.1" 502 341 "-" "curl/8.0"`, lineFailure, catalog.Upstream, 502, "", "/checkout"}},
		{"haproxy", parseCase{"tcplog nosrv", `10.42.0.1:12558 [03/Nov/2016:22:22:19.363] 900 900/<NOSRV> -1/-1/4 213 SC 0/0/0/0/0 0/0`, lineFailure, catalog.UpstreamNoneHealthy, 0, "900/<NOSRV>", ""}},
		{"haproxy", parseCase{"tcplog ok", `10.42.0.1:45202 [03/Nov/2016:22:22:18.053] 900 900_www/10.42.145.247 0/0/0 243 -- 1/1/0/0/0 0/0`, lineOK, "", 0, "", ""}},
		{"haproxy", parseCase{"frontend name spaced, server cut out", `fddd:1194:1194:1194::1000:51034 [26/Mar/2025:20:15:23.929] webserver ~ webserver 0/0/36/-1/476 502 1029 - - SH-- 8/4/15/14/0 0/0 "GET HTTP/2.0" fc_err=- bc_err=ERESET`, lineFailure, catalog.UpstreamClosed, 502, "webserver", ""}},
		{"haproxy", parseCase{"stderr alert, quoted", `[ALERT]    (301) : backend 'solacescalable_default-default-8443-pub_8443' has no server available!`, lineFailure, catalog.UpstreamNoneHealthy, 503, "solacescalable_default-default-8443-pub_8443", ""}},
		{"haproxy", parseCase{"check failed, server down", `[WARNING]  (8) : Health check for server csg-gateway/csggateway-app-1 failed, reason: Layer4 timeout, check duration: 2001ms, status: 0/2 DOWN.`, lineFailure, catalog.UpstreamUnreachable, 0, "csg-gateway/csggateway-app-1", ""}},
		{"haproxy", parseCase{"check failed, server up", `[WARNING]  (8) : Health check for server csg-gateway/csggateway-app-1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 2/3 UP.`, lineOK, "", 0, "", ""}},
		{"envoy-json", parseCase{"camel case", `{"responseCodeDetails":"upstream_reset_before_response_started{connection_failure}","requestPath":"/v1/k","startTime":"2021-07-21T09:42:36.514Z","responseFlags":"UF,URX","responseCode":"503","requestMethod":"GET"}`, lineFailure, catalog.UpstreamRefused, 503, "", "/v1/k"}},
		{"traefik", parseCase{"debug, quoted without its time", `level=debug msg="'502 Bad Gateway' caused by: dial tcp 10.244.0.146:5000: connect: connection refused"`, lineFailure, catalog.UpstreamRefused, 502, "10.244.0.146:5000", ""}},
		{"caddy", parseCase{"v1", `29/Jan/2016:15:17:26 +0100 [ERROR 502 /index.php] dial tcp 127.0.0.1:9000: connection refused`, lineFailure, catalog.UpstreamRefused, 502, "127.0.0.1:9000", "/index.php"}},
		// Caddy's console encoder (caddyserver.com/docs/caddyfile/directives/log, format console).
		{"caddy", parseCase{"console", "2023/04/23 10:00:00.000\tERROR\thttp.log.error\tdial tcp 127.0.0.1:8080: connect: connection refused\t{\"request\": {\"remote_ip\": \"127.0.0.1\", \"method\": \"GET\", \"uri\": \"/api\"}, \"duration\": 0.001, \"status\": 502}", lineFailure, catalog.UpstreamRefused, 502, "127.0.0.1:8080", "/api"}},
		// Caddy 2 beta's console lines kept zap's epoch time (testdata/world/caddy2-beta-tab-console-reset-by-peer).
		{"caddy", parseCase{"console, epoch time", "1.576867456328023e+09\terror\thttp.log.error\tread tcp 127.0.0.1:59660->127.0.0.1:5443: read: connection reset by peer\t{\"request\": {\"method\": \"GET\", \"uri\": \"/favicon.ico\"}, \"status\": 502}", lineFailure, catalog.UpstreamClosed, 502, "", "/favicon.ico"}},
		{"caddy", parseCase{"tab-separated, no zap level", "1234\tfoo\tbar\tbaz", lineMalformed, "", 0, "", ""}},
		{"caddy", parseCase{"console, RFC 3339 time", "2023-04-23T10:00:00.000Z\tinfo\thttp.log.access\thandled request\t{\"status\": 200}", lineOK, "", 0, "", ""}},
		{"traefik", parseCase{"debug", `time="2018-07-17T03:57:54Z" level=debug msg="'502 Bad Gateway' caused by: EOF"`, lineFailure, catalog.UpstreamClosed, 502, "", ""}},
		{"traefik", parseCase{"debug timeout", `time="2019-07-11T14:13:53Z" level=debug msg="'504 Gateway Timeout' caused by: dial tcp 10.255.2.192:8080: i/o timeout"`, lineFailure, catalog.UpstreamUnreachable, 504, "10.255.2.192:8080", ""}},
		{"traefik", parseCase{"clf unrouted", `10.0.0.2 - - [08/Jan/2023:12:28:57 +0000] "GET / HTTP/1.0" - - "-" "-" 746 "-" "-" 0ms`, lineOK, "", 0, "", ""}},
		// Traefik 1.4's CLF (middlewares/accesslog/logger_formatters.go):
		// a status never set printed by Go's fmt, and "-" unquoted for
		// fields it does not have (testdata/world/traefik-v1-clf-nil-status-undiscovered-backend).
		{"traefik", parseCase{"v1 clf nil status", `172.20.48.154 - - [12/Sep/2017:15:10:41 +0000] "GET /prometheus/alerts HTTP/1.1" %!d(<nil>) %!d(<nil>) - "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" 155025 - - 0ms`, lineOK, "", 0, "", ""}},
		{"traefik", parseCase{"v1 clf 502", `172.20.48.154 - - [12/Sep/2017:15:10:41 +0000] "GET /api HTTP/1.1" 502 11 - "curl/7.55.1" 155026 "frontend-api" "http://10.0.0.5:8080" 3ms`, lineFailure, catalog.Upstream, 502, "10.0.0.5:8080", "/api"}},
		{"traefik", parseCase{"v1 clf no server", `172.20.48.154 - - [12/Sep/2017:15:10:41 +0000] "GET /api HTTP/1.1" 503 19 - - 155027 "frontend-api" - 0ms`, lineFailure, catalog.UpstreamNoneHealthy, 503, "", "/api"}},
		// Traefik's CLF fields (doc.traefik.io/traefik/observability/access-logs).
		{"traefik", parseCase{"clf 502", `10.0.0.2 - - [08/Jan/2023:12:28:57 +0000] "GET /api HTTP/1.1" 502 11 "-" "curl/8" 747 "web@docker" "http://172.18.0.3:80" 2ms`, lineFailure, catalog.Upstream, 502, "172.18.0.3:80", "/api"}},
		{"lighttpd", parseCase{"through syslog", `(gw_backend.c.274) establishing connection failed: socket: unix:/tmp/php-fastcgi.socket-1: Connection refused`, lineFailure, catalog.UpstreamRefused, 503, "unix:/tmp/php-fastcgi.socket-1", ""}},
		// PHP's messages on mod_fastcgi's copy of its stderr
		// (testdata/world/lighttpd-fastcgi-stderr-max-execution-time-pihole).
		{"lighttpd", parseCase{"php max execution time", `2016-07-26 02:51:46: (mod_fastcgi.c.2695) FastCGI-stderr: PHP Fatal error:  Maximum execution time of 30 seconds exceeded in /var/www/html/admin/data.php on line 234`, lineFailure, catalog.UpstreamTimeout, 500, "", ""}},
		{"lighttpd", parseCase{"php warning", `2016-07-26 02:51:46: (mod_fastcgi.c.2695) FastCGI-stderr: PHP Warning:  max(): Array must contain at least one element in /var/www/html/admin/data.php on line 227`, lineOK, "", 0, "", ""}},
		{"lighttpd", parseCase{"php fatal, no space", `2024-07-09 07:00:03: (mod_fastcgi.c.487) FastCGI-stderr:PHP Fatal error:  Uncaught Error: Call to undefined function enable() in /var/www/html/admin/api.php:15`, lineFailure, catalog.UpstreamAppError, 500, "", ""}},
		{"lighttpd", parseCase{"1.4.79 wording, long path", `2025-07-13 19:22:02: (/usr/obj/usr/ports/www/lighttpd/work/lighttpd-1.4.79/src/gw_backend.c.533) connect() /var/lib/php/tmp/php-fastcgi.socket-3: Connection refused`, lineFailure, catalog.UpstreamRefused, 503, "/var/lib/php/tmp/php-fastcgi.socket-3", ""}},
		{"php-fpm", parseCase{"no time", `WARNING: [pool www] server reached pm.max_children setting (4), consider raising it`, lineFailure, catalog.UpstreamOverloaded, 504, "pool www", ""}},
		// FPM's syslog form (sapi/fpm/fpm/fpm_stdio.c, zlog.c: "[%s] " level).
		{"php-fpm", parseCase{"syslog", `[WARNING] [pool www] server reached pm.max_children setting (5), consider raising it`, lineFailure, catalog.UpstreamOverloaded, 504, "pool www", ""}},
		{"php-fpm", parseCase{"debug microseconds", `[28-May-2018 10:31:16.042398] DEBUG: pid 1, fpm_children_make(), line 421: [pool www] child 10 started`, lineOK, "", 0, "", ""}},
		{"php-fpm", parseCase{"access", `172.20.0.2 -  28/May/2018:10:31:15 +0000 "GET /index.php" 200`, lineOK, "", 0, "", ""}},
		// Squid 6's wording of a failed peer connection (squid-cache/squid#1772).
		{"squid-cache", parseCase{"squid 6", `2024/04/02 10:00:00 kid1| ERROR: Connection to 127.0.0.1:8080 failed`, lineFailure, catalog.Upstream, 503, "127.0.0.1:8080", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.format+"/"+tc.c.name, func(t *testing.T) {
			c := tc.c
			var e Entry
			v := newParser(t, tc.format, c.line).parse([]byte(c.line), &e)
			if v != c.verdict {
				t.Fatalf("verdict = %d, want %d", v, c.verdict)
			}
			if v != lineFailure {
				return
			}
			if e.Cause != c.cause || e.Status != c.status || e.Format != tc.format {
				t.Errorf("cause, status, format = %s, %d, %s; want %s, %d, %s", e.Cause, e.Status, e.Format, c.cause, c.status, tc.format)
			}
			if c.upstream != "" && e.Upstream != c.upstream || c.path != "" && e.Path != c.path {
				t.Errorf("upstream, path = %q, %q; want %q, %q", e.Upstream, e.Path, c.upstream, c.path)
			}
		})
	}
}

// TestVhostNotATimestamp checks that vhost_combined's "host:port " prefix
// is read only with a port of digits: a collector's timestamp in front of
// a combined line ("2026-08-21T00:00:00.002Z 198.51.100.1 - - [...") is no
// host and port, and docker's output of nginx is read as nginx's.
func TestVhostNotATimestamp(t *testing.T) {
	p := buildApacheAccess(parseOptions{loc: time.UTC}, nil)
	combined := `198.51.100.178 - - [21/Aug/2026:00:00:00 +0000] "GET /api HTTP/1.1" 502 157 "-" "curl/8.0"`
	for _, tc := range []struct {
		line string
		want verdict
	}{
		{"shop.example:443 " + combined, lineFailure},
		{combined, lineFailure},
		{"2026-08-21T00:00:00.002639512Z " + combined, lineMalformed},
		{"shop.example: " + combined, lineMalformed},
	} {
		var e Entry
		if got := p.parse([]byte(tc.line), &e); got != tc.want {
			t.Errorf("%.40q: %v, want %v", tc.line, got, tc.want)
		}
	}
	var lines []string
	for i := range 8 {
		at := fmt.Sprintf("2026-08-21T00:00:0%d.000000000Z ", i)
		lines = append(lines, at+fmt.Sprintf(`198.51.100.178 - - [21/Aug/2026:00:00:0%d +0000] "GET /p/%d HTTP/1.1" 200 25647 "-" "curl/8.0"`, i, i))
		if i == 5 {
			lines = append(lines, at+`2026/08/21 00:00:05 [error] 29#29: *3 connect() failed (111: Connection refused) while connecting to upstream, client: 198.51.100.178, server: _, request: "GET /api HTTP/1.1", upstream: "http://10.0.0.5:8080/api", host: "shop.example"`)
		}
	}
	path := filepath.Join(t.TempDir(), "docker.log")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Scan(context.Background(), []Source{{Name: path}}, Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Files[0]; f.Format != "nginx-access" || f.Wrapper != "docker" || f.Malformed != 0 {
		t.Errorf("read as %s in %q, %d malformed; want nginx-access in docker's, none malformed", f.Format, f.Wrapper, f.Malformed)
	}
}

// TestAccessWithoutSample checks the access parser built with no access
// line to choose its format by (the companion of an error log whose first
// lines are all errors): each line is read by the format that reads it,
// ingress-nginx's or combined with fields after it.
func TestAccessWithoutSample(t *testing.T) {
	p := buildNginxAccess(parseOptions{loc: time.UTC}, [][]byte{[]byte(`2026/08/21 00:00:00 [error] 812#812: *38 connect() failed`)})
	for _, line := range []string{
		`198.51.100.7 - - [21/Aug/2026:00:00:00 +0000] "GET /api HTTP/1.1" 502 157 "-" "curl/8.5.0" 200 10.0.0.11:8080 0.060 0.061`,
		`198.51.100.7 - - [21/Aug/2026:00:00:00 +0000] "GET /api HTTP/1.1" 502 157 "-" "curl/8.5.0" 312 0.002 [default-shop-80] [] 10.0.0.11:8080 0 0.002 502 4f8c2a1e0b7d`,
	} {
		var e Entry
		if v := p.parse([]byte(line), &e); v != lineFailure || e.Status != 502 {
			t.Errorf("%.60q: %v, status %d; want a failure with status 502", line, v, e.Status)
		}
	}
}
