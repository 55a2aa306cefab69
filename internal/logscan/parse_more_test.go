package logscan

import (
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

func TestParseApacheError(t *testing.T) {
	runParseCases(t, "apache-error", []parseCase{
		{"AH01144 no protocol handler", "[Sat May 02 10:00:00.000000 2026] [proxy:warn] [pid 1:tid 2] [client 10.0.0.9:5555] AH01144: No protocol handler was valid for the URL /socket.io/1/ (scheme 'ws'). If you are using a DSO version of mod_proxy, make sure the proxy submodules are included in the configuration using LoadModule.", lineFailure, catalog.Unknown, 502, "", ""},
		{"AH00957 refused", "[Fri Aug 21 10:15:02.123456 2026] [proxy:error] [pid 1234:tid 140001] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 (localhost:8080) failed", lineFailure, catalog.UpstreamRefused, 503, "127.0.0.1:8080", ""},
		{"AH00957 timeout", "[Fri Aug 21 10:15:02.123456 2026] [proxy:error] [pid 1234:tid 140001] (110)Connection timed out: AH00957: http: attempt to connect to 10.0.0.9:8080 (app:8080) failed", lineFailure, catalog.UpstreamUnreachable, 502, "10.0.0.9:8080", ""},
		{"AH00952 socket refused", "[Fri Nov 11 17:38:48.627827 2016] [proxy:error] [pid 12721:tid 2934961200] (13)Permission denied: AH00952: FCGI: error creating fam 2 socket for target 127.0.0.1", lineFailure, catalog.UpstreamPermission, 503, "", ""},
		// mod_proxy_balancer and mod_proxy_hcheck, as the lab's Apache 2.4.71 logs them.
		{"AH01170 all workers down", "[Thu Nov 26 03:27:08.414497 2026] [proxy_balancer:error] [pid 7402:tid 7430] [client 127.0.0.1:57860] AH01170: balancer://app: All workers are in error state", lineFailure, catalog.UpstreamNoneHealthy, 503, "app", ""},
		{"AH03303 check disables", "[Thu Nov 26 03:27:05.412671 2026] [proxy_hcheck:info] [pid 7402:tid 7409] AH03303: Threaded Health check DISABLING http://127.0.0.1:46311", lineFailure, catalog.UpstreamNoneHealthy, 503, "http://127.0.0.1:46311", ""},
		{"AH03303 check enables", "[Thu Nov 26 03:27:05.412671 2026] [proxy_hcheck:info] [pid 7402:tid 7409] AH03303: Threaded Health check ENABLING http://127.0.0.1:46311", lineOK, "", 0, "", ""},
		{"AH01114 companion", "[Fri Aug 21 10:15:02.123500 2026] [proxy_http:error] [pid 1234:tid 140001] [client 203.0.113.7:51234] AH01114: HTTP: failed to make connection to backend: localhost", lineOK, "", 0, "", ""},
		{"AH01102 timeout", "[Fri Aug 21 10:16:02.000001 2026] [proxy_http:error] [pid 1234:tid 140002] (70007)The timeout specified has expired: [client 203.0.113.7:51240] AH01102: error reading status line from remote server localhost:8080", lineFailure, catalog.UpstreamTimeout, 502, "localhost:8080", ""},
		{"AH01102 eof", "[Fri Aug 21 10:16:02.000001 2026] [proxy_http:error] [pid 1234:tid 140002] (70014)End of file found: [client 203.0.113.7:51240] AH01102: error reading status line from remote server localhost:8080", lineFailure, catalog.UpstreamClosed, 502, "localhost:8080", ""},
		{"AH00898 companion", "[Fri Aug 21 10:16:02.000050 2026] [proxy:error] [pid 1234:tid 140002] [client 203.0.113.7:51240] AH00898: Error reading from remote server returned by /report", lineOK, "", 0, "", ""},
		{"dns", "[Fri Aug 21 10:16:02.000050 2026] [proxy:error] [pid 1234:tid 140002] [client 203.0.113.7:51240] AH00898: DNS lookup failure for: backend.internal returned by /shop", lineFailure, catalog.UpstreamDNS, 502, "backend.internal", "/shop"},
		{"disabled", "[Fri Aug 21 10:16:03.000050 2026] [proxy:error] [pid 1234:tid 140002] AH00940: http: disabled connection for (localhost:8080)", lineFailure, catalog.UpstreamNoneHealthy, 503, "localhost:8080", ""},
		{"bad header", "[Fri Aug 21 10:16:03.000050 2026] [proxy_http:warn] [pid 1234:tid 140002] [client 203.0.113.7:1] AH01106: bad HTTP/1.1 header returned by /x (GET)", lineFailure, catalog.UpstreamInvalid, 502, "", ""},
		{"ssl proxy", "[Fri Aug 21 10:16:03.000050 2026] [ssl:error] [pid 1234:tid 140002] AH02004: SSL Proxy: Peer certificate is expired", lineFailure, catalog.UpstreamTLS, 502, "", ""},
		{"fcgi header", "[Fri Aug 21 10:16:03.000050 2026] [proxy_fcgi:error] [pid 1234:tid 140002] [client 203.0.113.7:1] AH01067: Failed to read FastCGI header", lineFailure, catalog.UpstreamClosed, 502, "", ""},
		{"not proxy", "[Fri Aug 21 10:16:03.000050 2026] [core:error] [pid 1234:tid 140002] [client 203.0.113.7:1] AH00126: Invalid URI in request GET /%% HTTP/1.1", lineOK, "", 0, "", ""},
		{"nginx line", "2026/08/21 10:15:02 [error] 1#1: *1 no live upstreams", lineMalformed, "", 0, "", ""},
	})
}

func TestParseApacheAccess(t *testing.T) {
	runParseCases(t, "apache-access", []parseCase{
		{"common 503", `203.0.113.7 - frank [21/Aug/2026:10:15:02 -0700] "GET /apache_pb.gif HTTP/1.0" 503 299`, lineFailure, catalog.Upstream, 503, "", "/apache_pb.gif"},
		{"combined 200", `203.0.113.7 - - [21/Aug/2026:10:15:02 -0700] "GET / HTTP/1.1" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08"`, lineOK, "", 0, "", ""},
		{"escaped request", `203.0.113.7 - - [21/Aug/2026:10:15:02 -0700] "GET /a\"b HTTP/1.1" 502 0 "-" "-"`, lineFailure, catalog.Upstream, 502, "", `/a\"b`},
		// testdata/world/caddy-v1-clf-502-16-redacted-client-server-ip.
		{"client redacted with a space", `(server ip) - - [05/Nov/2017:10:07:56 +0000] "HEAD / HTTP/1.1" 502 16`, lineFailure, catalog.Upstream, 502, "", "/"},
	})
}

func TestParseHAProxy(t *testing.T) {
	pre := "Aug 21 10:15:02 lb haproxy[674]: "
	runParseCases(t, "haproxy", []parseCase{
		{"a field more before the state", `haproxy[10341]: 127.0.0.1:45396 [14/Oct/2020:14:14:14.713] fe be/srv1 0/0/-1/-1/2002 503 237 0 - - SC-- 1/1/0/0/0 0/0 "GET / HTTP/1.1"`, lineFailure, catalog.UpstreamRefused, 503, "be/srv1", "/"},
		{"TLS handshake failure line", `haproxy[153]: 10.0.1.179:1527 [21/Feb/2023:14:49:40.001] fe_sni/1: SSL handshake failure`, lineOK, "", 0, "", ""},
		// option httplog clf (configuration.txt §8.2.3): the termination state after the five timers.
		{"clf refused", `haproxy[30170]: 10.0.0.9 - - [10/Mar/2022:14:00:56 +0000] "GET /api HTTP/1.1" 503 217 "" "" 59794 528 "fe" "be" "srv1" 0 0 -1 -1 3 SC-- 4 1 0 0 3 0 0 "" ""`, lineFailure, catalog.UpstreamRefused, 503, "srv1", "/api"},
		{"clf client abort", `haproxy[30170]: 10.0.0.9 - - [10/Mar/2022:14:00:56 +0000] "GET /5.js HTTP/1.1" 503 217 "" "" 59794 528 "fe" "be" "srv1" 0 0 -1 -1 3 CC-- 4 1 0 0 0 0 0 "" ""`, lineOK, "", 0, "", ""},
		{"PH", pre + `127.0.0.1:33320 [21/Aug/2026:10:15:02.925] px-http px-http/srv1 9/0/7/14/30 502 243 - - PH-- 3/2/2/0/0 0/0 "GET /cgi-bin/bug.cgi? HTTP/1.0"`, lineFailure, catalog.UpstreamInvalid, 502, "px-http/srv1", "/cgi-bin/bug.cgi?"},
		{"SC", pre + `10.0.0.1:34552 [21/Aug/2026:15:26:31.462] px-http px-http/srv1 3183/-1/-1/-1/11215 503 0 - - SC-- 205/202/202/115/3 0/0 "HEAD / HTTP/1.0"`, lineFailure, catalog.UpstreamRefused, 503, "", ""},
		// Health-check events, as the lab's HAProxy 2.6.12 writes them.
		{"down L7", pre + `Server app/app is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`, lineFailure, catalog.UpstreamNoneHealthy, 0, "app/app", ""},
		{"down L4 refused, stderr in the journal", pre + `[WARNING]  (4484) : Server be/s2 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 1 active and 0 backup servers left.`, lineFailure, catalog.UpstreamRefused, 0, "be/s2", ""},
		{"down L4 timeout", pre + `Server be/s3 is DOWN, reason: Layer4 timeout, check duration: 2001ms. 0 active and 0 backup servers left.`, lineFailure, catalog.UpstreamUnreachable, 0, "be/s3", ""},
		{"up", pre + `Server be/s3 is UP, reason: Layer7 check passed, code: 200, check duration: 1ms. 1 active and 0 backup servers online.`, lineOK, "", 0, "", ""},
		{"NOSRV", pre + `10.0.0.1:34552 [21/Aug/2026:15:26:31.462] fe be/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 1/1/0/0/0 0/0 "GET / HTTP/1.1"`, lineFailure, catalog.UpstreamNoneHealthy, 503, "be/<NOSRV>", ""},
		{"sH", pre + `10.0.0.1:1 [21/Aug/2026:15:26:31.462] fe be/s1 0/0/1/-1/30001 504 194 - - sH-- 1/1/0/0/0 0/0 "POST /report HTTP/1.1"`, lineFailure, catalog.UpstreamTimeout, 504, "", "/report"},
		{"SH", pre + `10.0.0.1:1 [21/Aug/2026:15:26:31.462] fe be/s1 0/0/1/-1/3 502 209 - - SH-- 1/1/0/0/0 0/0 "GET / HTTP/1.1"`, lineFailure, catalog.UpstreamClosed, 502, "", ""},
		{"SD truncated", pre + `10.0.0.1:1 [21/Aug/2026:15:26:31.462] fe be/s1 0/0/1/5/9 200 1024 - - SD-- 1/1/0/0/0 0/0 "GET /big HTTP/1.1"`, lineFailure, catalog.UpstreamTruncated, 200, "", ""},
		{"sQ", pre + `10.0.0.1:1 [21/Aug/2026:15:26:31.462] fe be/s1 0/5000/-1/-1/5000 503 217 - - sQ-- 9/9/9/9/0 0/40 "GET / HTTP/1.1"`, lineFailure, catalog.UpstreamOverloaded, 503, "", ""},
		{"app 503", pre + `10.0.0.1:1 [21/Aug/2026:15:26:31.462] fe be/s1 0/0/1/5/9 503 80 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"`, lineFailure, catalog.UpstreamAppError, 503, "", ""},
		{"ok", pre + `10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"`, lineOK, "", 0, "", ""},
		{"client abort", pre + `10.0.1.2:33317 [06/Feb/2009:12:14:14.655] fe be/s1 10/0/30/-1/109 -1 0 - - CH-- 1/1/1/1/0 0/0 "GET / HTTP/1.1"`, lineOK, "", 0, "", ""},
		{"no server", "Aug 21 10:15:02 lb haproxy[674]: backend be has no server available!", lineFailure, catalog.UpstreamNoneHealthy, 503, "be", ""},
	})
}

func TestParseEnvoy(t *testing.T) {
	runParseCases(t, "envoy", []parseCase{
		{"UF", `[2026-08-21T10:15:02.310Z] "POST /api/v1/locations HTTP/2" 503 UF 154 0 226 - "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "10.0.2.1:80"`, lineFailure, catalog.UpstreamRefused, 503, "10.0.2.1:80", "/api/v1/locations"},
		{"UH", `[2026-08-21T10:15:02.310Z] "GET / HTTP/1.1" 503 UH 0 19 0 - "-" "curl/8.5.0" "id-1" "api" "-"`, lineFailure, catalog.UpstreamNoneHealthy, 503, "", "/"},
		{"URX,UT", `[2026-08-21T10:15:02.310Z] "GET / HTTP/1.1" 504 URX,UT 0 24 15000 - "-" "curl/8.5.0" "id-2" "api" "10.0.2.1:80"`, lineFailure, catalog.UpstreamTimeout, 504, "", ""},
		{"UPE", `[2026-08-21T10:15:02.310Z] "GET / HTTP/1.1" 502 UPE 0 87 2 - "-" "curl/8.5.0" "id-3" "api" "10.0.2.1:80"`, lineFailure, catalog.UpstreamInvalid, 502, "", ""},
		{"UO", `[2026-08-21T10:15:02.310Z] "GET / HTTP/1.1" 503 UO 0 81 0 - "-" "curl/8.5.0" "id-4" "api" "-"`, lineFailure, catalog.UpstreamOverloaded, 503, "", ""},
		{"via upstream", `[2026-08-21T10:15:02.310Z] "GET / HTTP/1.1" 503 - 0 81 4 3 "-" "curl/8.5.0" "id-5" "api" "10.0.2.1:80"`, lineFailure, catalog.UpstreamAppError, 503, "10.0.2.1:80", ""},
		{"istio UC", `[2026-08-21T10:15:02.123Z] "GET /api HTTP/1.1" 503 UC upstream_reset_before_response_started{connection_termination} - "-" 0 95 3 - "-" "curl/8.5.0" "6f1c2f3e" "api.example.com" "10.1.2.3:8080" outbound|8080||api.default.svc.cluster.local 10.1.9.9:45678 10.96.0.10:8080 10.1.9.9:45670 - default`, lineFailure, catalog.UpstreamClosed, 503, "10.1.2.3:8080", "/api"},
		{"istio tls", `[2026-08-21T10:15:02.123Z] "GET /api HTTP/1.1" 503 UF upstream_reset_before_response_started{remote_connection_failure|TLS_error} - "TLS_error:_CERTIFICATE_VERIFY_FAILED" 0 95 3 - "-" "curl/8.5.0" "6f1c" "api" "10.1.2.3:8443" outbound 10.1.9.9:1 10.96.0.10:1 10.1.9.9:2 - default`, lineFailure, catalog.UpstreamTLS, 503, "10.1.2.3:8443", ""},
		{"ok", `[2026-08-21T10:15:02.310Z] "GET / HTTP/1.1" 200 - 0 612 3 2 "-" "curl/8.5.0" "id-6" "api" "10.0.2.1:80"`, lineOK, "", 0, "", ""},
		{"no route 404", `[2026-08-21T10:15:02.310Z] "GET /x HTTP/1.1" 404 NR 0 0 0 - "-" "curl/8.5.0" "id-7" "api" "-"`, lineOK, "", 0, "", ""},
		// RESPONSE_CODE_DETAILS after the flags, as in
		// testdata/world/compose-t-envoy-ut-uh-uf-upe-uo-nc-urx-scenarios.
		{"details, refused", `[2024-07-20T07:09:48.470Z] "GET /f HTTP/1.1" 503 UF upstream_reset_before_response_started{connection_failure,delayed_connect_error:_111} 0 145 0 - "-" "curl/8.4.0" "id-8" "api" "172.28.0.2:801"`, lineFailure, catalog.UpstreamRefused, 503, "172.28.0.2:801", "/f"},
		{"reset after the response started", `[2024-07-20T07:23:58.586Z] "GET /a HTTP/1.1" 200 UPE upstream_reset_after_response_started{protocol_error} 0 19 1006 0 "-" "curl/8.4.0" "id-9" "api" "192.168.5.2:8080"`, lineFailure, catalog.UpstreamTruncated, 200, "192.168.5.2:8080", ""},
		{"NC", `[2024-07-20T07:38:15.899Z] "GET /n HTTP/1.1" 503 NC cluster_not_found 0 0 0 - "-" "curl/8.4.0" "id-10" "api" "-"`, lineFailure, catalog.UpstreamNoneHealthy, 503, "", "/n"},
		{"NC answered 404", `[2024-07-20T07:38:15.899Z] "GET /n HTTP/1.1" 404 NC cluster_not_found 0 0 0 - "-" "curl/8.4.0" "id-11" "api" "-"`, lineOK, "", 0, "", ""},
		{"URX, the upstream's 500", `[2024-07-20T07:45:34.828Z] "GET /r HTTP/1.1" 500 URX via_upstream 0 680 59 59 "-" "curl/8.4.0" "id-12" "api" "192.168.48.2:8080"`, lineOK, "", 0, "", ""},
		// Istio's format before 1.8: a quoted mixer status, then the
		// transport failure reason (testdata/world/istio-uf-urx-sds-tls-and-uaex-runbook).
		{"TLS reason second", `[2022-05-10T16:27:29.232Z] "POST /hb HTTP/2" 503 UF,URX "-" "TLS error: Secret is not supplied by SDS"`, lineFailure, catalog.UpstreamTLS, 503, "", "/hb"},
	})
}

func TestParseCaddy(t *testing.T) {
	req := `"request":{"remote_ip":"127.0.0.1","remote_port":"50442","proto":"HTTP/1.1","method":"GET","host":"localhost","uri":"/api","headers":{}}`
	runParseCases(t, "caddy", []parseCase{
		{"refused", `{"level":"error","ts":1787307302.56,"logger":"http.log.error.log0","msg":"dial tcp 127.0.0.1:4040: connect: connection refused",` + req + `,"duration":0.025,"status":502,"err_id":"xxbwvxhij","err_trace":"reverseproxy.statusError (reverseproxy.go:886)"}`, lineFailure, catalog.UpstreamRefused, 502, "127.0.0.1:4040", "/api"},
		{"timeout", `{"level":"error","ts":1787307302.56,"logger":"http.log.error","msg":"net/http: timeout awaiting response headers",` + req + `,"status":504}`, lineFailure, catalog.UpstreamTimeout, 504, "", ""},
		{"no upstreams", `{"level":"error","ts":1787307302.56,"logger":"http.log.error","msg":"no upstreams available",` + req + `,"status":503}`, lineFailure, catalog.UpstreamNoneHealthy, 503, "", ""},
		{"eof", `{"level":"error","ts":1787307302.56,"logger":"http.log.error","msg":"EOF",` + req + `,"status":502}`, lineFailure, catalog.UpstreamClosed, 502, "", ""},
		{"access 502", `{"level":"error","ts":1787307302.58,"logger":"http.log.access.log0","msg":"handled request",` + req + `,"bytes_read":0,"user_id":"","duration":0.02,"size":0,"status":502,"resp_headers":{"Server":["Caddy"]}}`, lineFailure, catalog.Upstream, 502, "", "/api"},
		{"access 200", `{"level":"info","ts":1787307302.58,"logger":"http.log.access.log0","msg":"handled request",` + req + `,"status":200}`, lineOK, "", 0, "", ""},
		{"startup", `{"level":"info","ts":1787307300.1,"logger":"tls","msg":"cleaning storage unit"}`, lineOK, "", 0, "", ""},
		// Caddy 2.6.2 in the lab, its upstream breaking off a 200.
		{"aborted", `{"level":"error","ts":1795661335.7111862,"logger":"http.handlers.reverse_proxy","msg":"aborting with incomplete response","error":"unexpected EOF"}`, lineFailure, catalog.UpstreamTruncated, 0, "", ""},
		{"aborted by the client", `{"level":"error","ts":1627068156.869175,"logger":"http.handlers.reverse_proxy","msg":"aborting with incomplete response","error":"context canceled"}`, lineOK, "", 0, "", ""},
		{"aborted writing to the client", `{"level":"error","ts":1738190927.871553,"logger":"http.handlers.reverse_proxy","msg":"aborting with incomplete response","error":"writing: http2: stream closed"}`, lineOK, "", 0, "", ""},
		{"aborted, cut", `{"level":"error","ts":1795661335.7,"logger":"http.handlers.reverse_proxy","msg":"aborting with incomplete response","error":}`, lineMalformed, "", 0, "", ""},
		{"not json", `{"level":"error","ts":1787307302.56,"logger":"x","status":502,`, lineMalformed, "", 0, "", ""},
	})
}

func TestParseTraefik(t *testing.T) {
	runParseCases(t, "traefik", []parseCase{
		{"own JSON log", `{"level":"debug","msg":"http: TLS handshake error from 10.0.0.9:5555: remote error: tls: bad certificate","time":"2026-08-21T10:15:02Z"}`, lineOK, "", 0, "", ""},
		{"v3 console TLS 500", `2026-08-21T10:15:02Z DBG httputil/proxy.go:113 > 500 Internal Server Error error="tls: failed to verify certificate: x509: cannot validate certificate for 10.0.0.5 because it doesn't contain any IP SANs"`, lineFailure, catalog.UpstreamTLS, 500, "", ""},
		{"generated 502", `{"ClientHost":"203.0.113.7","DownstreamStatus":502,"OriginStatus":0,"RequestMethod":"GET","RequestPath":"/api","ServiceURL":"http://10.0.0.5:8080","ServiceAddr":"10.0.0.5:8080","StartUTC":"2026-08-21T10:15:02.123456789Z","level":"info","msg":""}`, lineFailure, catalog.Upstream, 502, "10.0.0.5:8080", "/api"},
		{"no server", `{"ClientHost":"203.0.113.7","DownstreamStatus":503,"RequestMethod":"GET","RequestPath":"/","StartUTC":"2026-08-21T10:15:02Z"}`, lineFailure, catalog.UpstreamNoneHealthy, 503, "", "/"},
		{"timeout", `{"ClientHost":"203.0.113.7","DownstreamStatus":504,"OriginStatus":0,"RequestMethod":"GET","RequestPath":"/slow","ServiceURL":"http://10.0.0.5:8080","StartUTC":"2026-08-21T10:15:02Z"}`, lineFailure, catalog.UpstreamTimeout, 504, "10.0.0.5:8080", ""},
		{"passthrough", `{"ClientHost":"203.0.113.7","DownstreamStatus":502,"OriginStatus":502,"RequestMethod":"GET","RequestPath":"/","ServiceURL":"http://10.0.0.5:8080","StartUTC":"2026-08-21T10:15:02Z"}`, lineFailure, catalog.UpstreamAppError, 502, "", ""},
		{"ok", `{"ClientHost":"203.0.113.7","DownstreamStatus":200,"OriginStatus":200,"StartUTC":"2026-08-21T10:15:02Z"}`, lineOK, "", 0, "", ""},
		{"own status text", `{"ClientHost":"203.0.113.7","DownstreamStatus":502,"OriginStatus":502,"OriginContentSize":11,"RequestMethod":"GET","RequestPath":"/","ServiceURL":"http://10.0.0.5:8080","StartUTC":"2026-08-21T10:15:02Z"}`, lineFailure, catalog.Upstream, 502, "", ""},
		{"v3 console refused", `2026-08-21T10:15:02Z DBG httputil/proxy.go:121 > 502 Bad Gateway error="dial tcp 10.0.0.5:8080: connect: connection refused"`, lineFailure, catalog.UpstreamRefused, 502, "10.0.0.5:8080", ""},
		{"v3 console other", `2026-08-21T10:15:02Z INF github.com/traefik/traefik/v3/cmd/traefik/traefik.go:100 > Traefik version 3.0.0 built on 2024-04-29`, lineOK, "", 0, "", ""},
		{"caddy line", `{"level":"info","ts":1,"logger":"http.log.access","status":200}`, lineMalformed, "", 0, "", ""},
	})
}

func TestParsePHPFPM(t *testing.T) {
	runParseCases(t, "php-fpm", []parseCase{
		{"max children", "[21-Aug-2026 10:15:02] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it", lineFailure, catalog.UpstreamOverloaded, 504, "pool www", ""},
		{"ondemand", "[21-Aug-2026 10:15:02] WARNING: [pool www] server reached max_children setting (5), consider raising it", lineFailure, catalog.UpstreamOverloaded, 504, "", ""},
		{"terminated", `[21-Aug-2026 10:15:32] WARNING: [pool www] child 1234, script '/var/www/report.php' (request: "GET /report.php") execution timed out (30.000123 sec), terminating`, lineFailure, catalog.UpstreamTimeout, 502, "pool www", "/report.php"},
		{"sigkill", "[21-Aug-2026 10:15:33] WARNING: [pool www] child 1234 exited on signal 9 (SIGKILL) after 12.500000 seconds from start", lineFailure, catalog.UpstreamClosed, 502, "", ""},
		{"segv", "[21-Aug-2026 10:15:33] WARNING: [pool www] child 1235 exited on signal 11 (SIGSEGV - core dumped) after 3.100000 seconds from start", lineFailure, catalog.UpstreamClosed, 502, "", ""},
		{"sigterm", "[21-Aug-2026 10:15:33] WARNING: [pool www] child 1234 exited on signal 15 (SIGTERM) after 30.100000 seconds from start", lineOK, "", 0, "", ""},
		{"exit code", "[21-Aug-2026 10:15:33] WARNING: [pool www] child 1236 exited with code 255 after 0.100000 seconds from start", lineFailure, catalog.UpstreamClosed, 502, "", ""},
		{"exit 0", "[21-Aug-2026 10:15:33] NOTICE: [pool www] child 1236 exited with code 0 after 300.100000 seconds from start", lineOK, "", 0, "", ""},
		{"busy", "[21-Aug-2026 10:15:33] WARNING: [pool www] seems busy (you may need to increase pm.start_servers, or pm.min/max_spare_servers), spawning 8 children, there are 0 idle, and 12 total children", lineOK, "", 0, "", ""},
		{"started", "[21-Aug-2026 10:15:33] NOTICE: fpm is running, pid 1000", lineOK, "", 0, "", ""},
	})
}

func TestParseSquid(t *testing.T) {
	runParseCases(t, "squid", []parseCase{
		{"503", "1787307302.779    180 192.168.0.224 TCP_MISS/503 4112 GET http://shop.example/ - HIER_NONE/- text/html", lineFailure, catalog.Upstream, 503, "", "/"},
		{"504", "1787307302.779  60001 192.168.0.224 TCP_MISS/504 4112 GET http://shop.example/slow - HIER_DIRECT/93.184.216.34 text/html", lineFailure, catalog.UpstreamTimeout, 504, "93.184.216.34", ""},
		{"ok", "1787307302.779     12 192.168.0.224 TCP_MEM_HIT/200 1024 GET http://shop.example/a.css - HIER_NONE/- text/css", lineOK, "", 0, "", ""},
		{"tunnel", "1787307302.779   1200 192.168.0.224 TCP_TUNNEL/200 5120 CONNECT shop.example:443 - HIER_DIRECT/93.184.216.34 -", lineOK, "", 0, "", ""},
	})
}

func TestParseLighttpd(t *testing.T) {
	runParseCases(t, "lighttpd", []parseCase{
		{"refused", "2026-08-21 10:15:02: (gw_backend.c.261) establishing connection failed: socket: tcp:127.0.0.1:9000: Connection refused", lineFailure, catalog.UpstreamRefused, 503, "127.0.0.1:9000", ""},
		{"socket", "2026-08-21 10:15:02: (gw_backend.c.261) establishing connection failed: socket: unix:/run/php.sock: No such file or directory", lineFailure, catalog.UpstreamRefused, 503, "unix:/run/php.sock", ""},
		{"down", "2026-08-21 10:15:02: (gw_backend.c.918) all handlers for /index.php? on .php are down.", lineFailure, catalog.UpstreamNoneHealthy, 503, "", "/index.php?"},
		{"read timeout", "2026-08-21 10:15:02: (gw_backend.c.2190) read timeout on socket: tcp:127.0.0.1:9000 (fd: 12)", lineFailure, catalog.UpstreamTimeout, 504, "127.0.0.1:9000", ""},
		{"closed", "2026-08-21 10:15:02: (gw_backend.c.2050) error: unexpected close of gw connection for /x.php? (no gw process on socket: unix:/run/php.sock ?) 1", lineFailure, catalog.UpstreamClosed, 502, "", ""},
		{"start", "2026-08-21 10:15:01: (server.c.1588) server started (lighttpd/1.4.69)", lineOK, "", 0, "", ""},
	})
}

func TestParseALB(t *testing.T) {
	tail := ` "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 0 2026-08-21T10:15:00.364000Z "forward" "-" `
	runParseCases(t, "alb", []parseCase{
		{"lambda", `http 2026-08-21T10:15:02.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 - 0.000 0.001 0.000 502 - 34 366 "GET http://www.example.com:80/ HTTP/1.1"` + tail + `"LambdaInvalidResponse" "-" "-" "-" "-"`, lineFailure, catalog.UpstreamInvalid, 502, "", "http://www.example.com:80/"},
		{"target 503", `https 2026-08-21T10:15:02.186641Z app/lb/1 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 503 503 34 366 "GET https://www.example.com:443/x HTTP/1.1"` + tail + `"-" "10.0.0.1:80" "503" "-" "-"`, lineFailure, catalog.UpstreamAppError, 503, "10.0.0.1:80", ""},
		{"closed 502", `http 2026-08-21T10:15:02.186641Z app/lb/1 192.168.131.39:2817 10.0.0.1:80 0.000 -1 -1 502 - 34 366 "POST http://www.example.com:80/pay HTTP/1.1"` + tail + `"-" "10.0.0.1:80" "-" "-" "-"`, lineFailure, catalog.Upstream, 502, "10.0.0.1:80", ""},
		{"target closed mid-request", `http 2026-08-21T10:15:02.186641Z app/lb/1 192.168.131.39:2817 10.0.0.1:80 0.001 4.205 -1 502 - 34 366 "GET http://www.example.com:80/ HTTP/1.1"` + tail + `"-" "10.0.0.1:80" "-" "-" "-"`, lineFailure, catalog.UpstreamClosed, 502, "10.0.0.1:80", ""},
		{"no targets", `http 2026-08-21T10:15:02.186641Z app/lb/1 192.168.131.39:2817 - -1 -1 -1 503 - 34 366 "GET http://www.example.com:80/ HTTP/1.1"` + tail + `"-" "-" "-" "-" "-"`, lineFailure, catalog.UpstreamNoneHealthy, 503, "", ""},
		{"timeout", `http 2026-08-21T10:15:02.186641Z app/lb/1 192.168.131.39:2817 10.0.0.1:80 0.000 -1 -1 504 - 34 366 "GET http://www.example.com:80/ HTTP/1.1"` + tail + `"-" "10.0.0.1:80" "-" "-" "-"`, lineFailure, catalog.UpstreamTimeout, 504, "", ""},
		{"ok", `http 2026-08-21T10:15:02.186641Z app/lb/1 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1"` + tail + `"-" "10.0.0.1:80" "200" "-" "-"`, lineOK, "", 0, "", ""},
		{"classic, instance's 503", `2017-06-26T08:38:27.991796Z my-elb 172.27.19.150:43326 172.27.19.217:80 0.00008 0.000626 0.000057 503 503 566 326 "POST http://internal-x.elb.amazonaws.com:80/api/v1/hoge HTTP/1.0" "Xxxx/1.0.4" - -`, lineFailure, catalog.UpstreamAppError, 503, "172.27.19.217:80", "http://internal-x.elb.amazonaws.com:80/api/v1/hoge"},
		{"classic, no backend", `2015-08-03T19:35:21.383076Z my-elb 1.1.1.1:63484 - -1 -1 -1 504 0 0 0 "GET https://x:443/y HTTP/1.1"`, lineFailure, catalog.Upstream, 504, "", ""},
		{"classic, no instance", `2015-08-03T19:35:21.383076Z my-elb 1.1.1.1:63484 - -1 -1 -1 503 0 0 0 "GET https://x:443/y HTTP/1.1"`, lineFailure, catalog.UpstreamNoneHealthy, 503, "", ""},
		{"classic, tcp listener", `2017-11-22T16:33:26.751965Z ELB 46.133.22.112:50991 192.168.1.48:443 0.00073 0.000009 0.000013 - - 255 2933 "- - - " "-" - -`, lineOK, "", 0, "", ""},
	})
}
