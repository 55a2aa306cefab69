package logscan

import (
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// parseCase is one line and what its format's parser must make of it.
type parseCase struct {
	name     string
	line     string
	verdict  verdict
	cause    catalog.Cause
	status   int
	upstream string
	path     string
}

// newParser builds the parser of a format as a file of these lines would get it.
func newParser(t testing.TB, name string, sample ...string) parser {
	t.Helper()
	f, err := lookupFormat(name)
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	for _, s := range sample {
		lines = append(lines, []byte(s))
	}
	return f.build(parseOptions{loc: time.UTC}, lines)
}

func runParseCases(t *testing.T, format string, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newParser(t, format, tc.line)
			var e Entry
			v := p.parse([]byte(tc.line), &e)
			if v != tc.verdict {
				t.Fatalf("verdict = %d, want %d", v, tc.verdict)
			}
			if v != lineFailure {
				return
			}
			if e.Cause != tc.cause || e.Status != tc.status {
				t.Errorf("cause, status = %s, %d; want %s, %d", e.Cause, e.Status, tc.cause, tc.status)
			}
			if tc.upstream != "" && e.Upstream != tc.upstream {
				t.Errorf("upstream = %q, want %q", e.Upstream, tc.upstream)
			}
			if tc.path != "" && e.Path != tc.path {
				t.Errorf("path = %q, want %q", e.Path, tc.path)
			}
			if e.Time.IsZero() || e.Format != format {
				t.Errorf("time %v, format %q: want a time and %q", e.Time, e.Format, format)
			}
		})
	}
}

const ngxTail = `, client: 203.0.113.7, server: example.com, request: "GET /api?x=1 HTTP/1.1", upstream: "http://10.0.0.5:8080/api?x=1", host: "example.com"`

func TestParseNginxError(t *testing.T) {
	pre := "2026/08/21 10:15:02 [error] 2187#2187: *4711 "
	runParseCases(t, "nginx-error", []parseCase{
		// limit_req in the lab's nginx 1.22.1.
		{"limit_req", `2026/11/26 04:11:37 [error] 21640#21640: *10 limiting requests, excess: 0.953 by zone "perip", client: 127.0.0.1, server: lab.test, request: "GET /?gwdoctor=248b30b45148-5 HTTP/1.1", host: "127.0.0.1:37889"`, lineFailure, catalog.UpstreamOverloaded, 503, "", "/?gwdoctor=248b30b45148-5"},
		{"refused", pre + "connect() failed (111: Connection refused) while connecting to upstream" + ngxTail, lineFailure, catalog.UpstreamRefused, 502, "10.0.0.5:8080", "/api?x=1"},
		{"refused bsd", pre + "connect() failed (61: Connection refused) while connecting to upstream" + ngxTail, lineFailure, catalog.UpstreamRefused, 502, "", ""},
		{"socket missing", "2026/08/21 10:15:02 [crit] 2187#2187: *4712 connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 203.0.113.7, server: example.com, request: \"GET /index.php HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"example.com\"", lineFailure, catalog.UpstreamRefused, 502, "unix:/run/php/php8.2-fpm.sock", "/index.php"},
		{"permission", "2026/08/21 10:15:02 [crit] 2187#2187: *1 connect() to unix:/run/app.sock failed (13: Permission denied) while connecting to upstream" + ngxTail, lineFailure, catalog.UpstreamPermission, 502, "", ""},
		{"backlog full", pre + "connect() to unix:/run/php.sock failed (11: Resource temporarily unavailable) while connecting to upstream" + ngxTail, lineFailure, catalog.UpstreamOverloaded, 502, "", ""},
		{"no route", pre + "connect() failed (113: No route to host) while connecting to upstream" + ngxTail, lineFailure, catalog.UpstreamUnreachable, 504, "", ""},
		{"connect timeout", pre + "upstream timed out (110: Connection timed out) while connecting to upstream" + ngxTail, lineFailure, catalog.UpstreamUnreachable, 504, "", ""},
		{"read timeout", pre + "upstream timed out (110: Connection timed out) while reading response header from upstream" + ngxTail, lineFailure, catalog.UpstreamTimeout, 504, "", ""},
		{"musl timeout", pre + "upstream timed out (110: Operation timed out) while reading response header from upstream" + ngxTail, lineFailure, catalog.UpstreamTimeout, 504, "", ""},
		{"closed", pre + "upstream prematurely closed connection while reading response header from upstream" + ngxTail, lineFailure, catalog.UpstreamClosed, 502, "", ""},
		{"reset", pre + "recv() failed (104: Connection reset by peer) while reading response header from upstream" + ngxTail, lineFailure, catalog.UpstreamClosed, 502, "", ""},
		{"broken pipe", pre + "writev() failed (32: Broken pipe) while sending request to upstream" + ngxTail, lineFailure, catalog.UpstreamClosed, 502, "", ""},
		{"fastcgi stdout", pre + "upstream prematurely closed FastCGI stdout while reading response header from upstream" + ngxTail, lineFailure, catalog.UpstreamClosed, 502, "", ""},
		{"invalid header", pre + `upstream sent invalid header: "X-Bad\x01..." while reading response header from upstream` + ngxTail, lineFailure, catalog.UpstreamInvalid, 502, "", ""},
		{"http09", pre + "upstream sent no valid HTTP/1.0 header while reading response header from upstream" + ngxTail, lineFailure, catalog.UpstreamInvalid, 0, "", ""},
		{"fastcgi version", pre + "upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream" + ngxTail, lineFailure, catalog.UpstreamInvalid, 502, "", ""},
		{"too big", pre + "upstream sent too big header while reading response header from upstream" + ngxTail, lineFailure, catalog.UpstreamHeaderTooBig, 502, "", ""},
		{"no live", pre + "no live upstreams while connecting to upstream, client: 203.0.113.7, server: example.com, request: \"GET / HTTP/1.1\", upstream: \"http://backend/\", host: \"example.com\"", lineFailure, catalog.UpstreamNoneHealthy, 502, "backend", "/"},
		{"dns", pre + "backend.internal could not be resolved (3: Host not found)" + ngxTail, lineFailure, catalog.UpstreamDNS, 502, "", ""},
		{"no resolver", pre + "no resolver defined to resolve backend.internal" + ngxTail, lineFailure, catalog.UpstreamDNS, 502, "", ""},
		{"tls", pre + "SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream" + ngxTail, lineFailure, catalog.UpstreamTLS, 502, "", ""},
		{"tls verify", pre + "upstream SSL certificate verify error: (10:certificate has expired) while SSL handshaking to upstream" + ngxTail, lineFailure, catalog.UpstreamTLS, 502, "", ""},
		{"truncated", pre + "upstream prematurely closed connection while reading upstream" + ngxTail, lineFailure, catalog.UpstreamTruncated, 502, "", ""},
		{"chunked", pre + "upstream sent invalid chunked response while reading upstream" + ngxTail, lineFailure, catalog.UpstreamTruncated, 502, "", ""},
		{"fastcgi stderr", pre + `FastCGI sent in stderr: "Primary script unknown" while reading response header from upstream` + ngxTail, lineOK, "", 0, "", ""},
		// PHP's fatal error for max_execution_time (Zend/zend_execute_API.c), answered with PHP's 500.
		{"php max execution time", pre + `FastCGI sent in stderr: "PHP message: PHP Fatal error:  Maximum execution time of 30 seconds exceeded in /srv/report.php on line 12" while reading response header from upstream` + ngxTail, lineFailure, catalog.UpstreamTimeout, 500, "", "/api?x=1"},
		{"client closed", "2026/08/21 10:15:02 [info] 2187#2187: *9 client prematurely closed connection, client: 203.0.113.7, server: example.com", lineOK, "", 0, "", ""},
		{"static 404", "2026/08/21 10:15:02 [error] 2187#2187: *9 open() \"/srv/www/favicon.ico\" failed (2: No such file or directory), client: 203.0.113.7, server: example.com, request: \"GET /favicon.ico HTTP/1.1\", host: \"example.com\"", lineOK, "", 0, "", ""},
		{"startup", "2026/08/21 10:15:02 [notice] 1#1: start worker processes", lineOK, "", 0, "", ""},
		{"garbage", "hello world", lineMalformed, "", 0, "", ""},
		{"bad date", "2026/13/21 10:15:02 [error] 1#1: *1 no live upstreams", lineMalformed, "", 0, "", ""},
	})
}

func TestParseNginxAccess(t *testing.T) {
	runParseCases(t, "nginx-access", []parseCase{
		{"nginx proxy manager", `[12/Jan/2023:05:24:15 +0000] - 502 502 - GET https shop.example "/api" [Client 77.51.203.17] [Length 166] [Gzip -] [Sent-to 172.31.21.178] "curl/8.5.0" "-"`, lineFailure, catalog.Upstream, 502, "", "/api"},
		{"ingress-nginx before 0.22", `223.65.108.109 - [223.65.108.109] - - [29/Dec/2018:16:02:02 +0000] "GET /health HTTP/1.1" 502 157 "-" "curl/8.5.0" 240 0.002 [ns-svc-8888] 10.36.0.1:8888, 10.36.0.1:8888 0, 0 0.000, 0.001 502, 502 d22a768555620d053d72cfc24178e3b4`, lineFailure, catalog.Upstream, 502, "10.36.0.1:8888", "/health"},
		{"combined 502", `203.0.113.7 - - [21/Aug/2026:10:15:02 +0200] "GET /api HTTP/1.1" 502 157 "-" "curl/8.5.0"`, lineFailure, catalog.Upstream, 502, "", "/api"},
		{"combined 200", `203.0.113.7 - - [21/Aug/2026:10:15:02 +0200] "GET / HTTP/1.1" 200 612 "-" "Mozilla/5.0 (X11; Linux x86_64)"`, lineOK, "", 0, "", ""},
		{"no response sent", `203.0.113.7 - - [21/Aug/2026:10:15:02 +0200] "CONNECT www.example.com:443 HTTP/1.1" 000 0 "-" "curl/8.5.0"`, lineOK, "", 0, "", ""},
		{"escaped quote", `203.0.113.7 - - [21/Aug/2026:10:15:02 +0000] "GET /a\x22b HTTP/1.1" 504 0 "-" "a \"quoted\" agent"`, lineFailure, catalog.Upstream, 504, "", `/a\x22b`},
		{"combined plus extras", `203.0.113.7 - - [21/Aug/2026:10:15:02 +0000] "POST /pay HTTP/2.0" 503 10 "https://shop.example/" "Mozilla/5.0" 0.001 rid-1`, lineFailure, catalog.Upstream, 503, "", "/pay"},
		{"ingress passthrough", `10.1.2.3 - - [21/Aug/2026:10:15:02 +0000] "GET /v1 HTTP/1.1" 503 19 "-" "Go-http-client/1.1" 123 0.004 [default-api-80] [] 10.1.5.6:8080 19 0.004 503 0a1b2c`, lineFailure, catalog.UpstreamAppError, 503, "10.1.5.6:8080", "/v1"},
		{"ingress retried", `10.1.2.3 - - [21/Aug/2026:10:15:02 +0000] "GET /v1 HTTP/1.1" 502 150 "-" "curl/8" 80 0.010 [default-api-80] [] 10.1.5.6:8080, 10.1.5.7:8080 0, 0 0.004, 0.006 502, 502 0a1b2c`, lineFailure, catalog.Upstream, 502, "10.1.5.7:8080", "/v1"},
		// A CDN's status of an upstream behind the CDN is a gateway error
		// too, passed on by nginx; a 500 is not one.
		{"passed-on 522", `10.1.2.3 - - [21/Aug/2026:10:15:02 +0000] "GET /v1 HTTP/1.1" 522 19 "-" "Go-http-client/1.1" 123 0.004 [default-api-80] [] 10.1.5.6:8080 19 0.004 522 0a1b2c`, lineFailure, catalog.UpstreamAppError, 522, "10.1.5.6:8080", "/v1"},
		{"combined 530", `203.0.113.7 - - [21/Aug/2026:10:15:02 +0000] "GET / HTTP/1.1" 530 0 "-" "-"`, lineFailure, catalog.Upstream, 530, "", "/"},
		{"combined 500", `203.0.113.7 - - [21/Aug/2026:10:15:02 +0000] "GET / HTTP/1.1" 500 0 "-" "-"`, lineOK, "", 0, "", ""},
		{"client redacted in brackets", `<my ip> - - [21/Aug/2026:10:15:02 +0000] "GET /api HTTP/1.1" 502 157 "-" "curl/8.5.0"`, lineFailure, catalog.Upstream, 502, "", "/api"},
		{"not a log", `{"msg":"hello"}`, lineMalformed, "", 0, "", ""},
		{"bad status", `203.0.113.7 - - [21/Aug/2026:10:15:02 +0000] "GET / HTTP/1.1" abc 0 "-" "-"`, lineMalformed, "", 0, "", ""},
	})
}

func TestCustomLogFormat(t *testing.T) {
	def := `$remote_addr [$time_iso8601] $request_method $request_uri $status $upstream_status "$upstream_addr" $upstream_header_time $connection $request_id`
	f, err := compileLogFormat(def)
	if err != nil {
		t.Fatal(err)
	}
	p := &accessLog{f: f, product: catalog.Nginx, format: "nginx-access", loc: time.UTC}
	tests := []struct {
		line     string
		cause    catalog.Cause
		upstream string
		conn     int64
	}{
		{`1.2.3.4 [2026-08-21T10:15:02+00:00] GET /x?y=1 502 502 "127.0.0.1:9000" - 77 abc`, catalog.Upstream, "127.0.0.1:9000", 77},
		{`1.2.3.4 [2026-08-21T10:15:02+00:00] GET /x 502 502 "127.0.0.1:9000" 0.120 78 abd`, catalog.UpstreamAppError, "127.0.0.1:9000", 78},
		{`1.2.3.4 [2026-08-21T10:15:02+00:00] GET /x 504 504 "unix:/run/app.sock" - 79 abe`, catalog.Upstream, "unix:/run/app.sock", 79},
	}
	for _, tc := range tests {
		var e Entry
		if v := p.parse([]byte(tc.line), &e); v != lineFailure {
			t.Fatalf("%s: verdict %d", tc.line, v)
		}
		if e.Cause != tc.cause || e.Upstream != tc.upstream || e.Conn != tc.conn || e.Method != "GET" {
			t.Errorf("%s: got %s %q conn %d %s; want %s %q %d GET", tc.line, e.Cause, e.Upstream, e.Conn, e.Method, tc.cause, tc.upstream, tc.conn)
		}
	}
	for _, bad := range []string{`$status$body_bytes_sent`, `$remote_addr only`, `$ {x}`} {
		if _, err := compileLogFormat(bad); err == nil {
			t.Errorf("compileLogFormat(%q) did not fail", bad)
		}
	}
}
