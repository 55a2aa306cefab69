package logscan

import "testing"

// worldCases7 is the seventh round of testdata/world: published lines the
// readers were not written against, read as worldCase says. A format
// "a|b" names a file that mixes two logs, where either may be detected
// first. Markdown left in a line as published (a quote marker "> ", the
// backticks of inline code, a code block's indent) is part of the line.
var worldCases7 = []worldCase{
	// (20014) with no data: the backend closed the connection before a
	// status line (ap_rgetline on an empty brigade), as in
	// apache-status-line-etherpad.
	{"apache-ah01102-20014-inline-code-hassio", "apache-error", "closed"},
	{"phpfpm-max-children-pool-nextcloud-freenas-jail", "php-fpm", "overloaded"},
	// PHP-FPM's old wording ("max_children", no "pm."), then Apache 2.4
	// with an ErrorLogFormat that has no module and a source position:
	// AH01075 with 70007 and no "(polling)" is PHP-FPM's silence past the
	// proxy timeout; the client's address is redacted and has no port.
	{"phpfpm-max-children-then-apache-fcgi-timeout-source-pos-grav", "php-fpm|apache-error", "overloaded timeout"},
	// kubectl --timestamps in front of PHP-FPM's own access log (its
	// default access.format, which no format here reads) and one
	// max_children warning.
	{"k8s-ts-phpfpm-access-lines-around-max-children-truecharts", "php-fpm", "x x x x x overloaded x x x x x x x"},
	// The shell prompt, then istio-ingressgateway's JSON access log: UAEX
	// is Envoy refusing the request because its authorization check
	// (Mixer's policy check, which had no healthy upstream of its own)
	// failed; the route's upstream was never tried. As in round 6, UAEX
	// reads as upstream.
	{"kubectl-prompt-istio14-json-uaex-policy-unavailable", "envoy-json", "x upstream"},
	// AWS's own example, quoted in an issue: target_processing_time 4.205
	// and response_processing_time -1, no target status: the target closed
	// the connection while the request was outstanding (AWS knowledge
	// center, "elb-alb-troubleshoot-502-errors").
	{"alb-blockquote-doc-example-502-target-closed-minus-one", "alb", "closed"},
	{"heroku-router-h12-plain-paragraph-sendgrid", "heroku", "timeout"},
	// Heroku's router format of 2012: "Error H12 (Request timeout) ->".
	{"heroku-router-2012-error-h12-arrow-empty-queue-wait", "heroku", "timeout timeout timeout"},
	// H18 with sock=client: the client closed its socket while the router
	// waited or sent the response; no upstream failure. The poster cut the
	// path, host, request_id, fwd and dyno fields out, leaving two spaces.
	{"heroku-router-h18-sock-client-and-h12-fields-removed", "heroku", ". . timeout timeout timeout timeout ."},
	{"heroku-router-h12-starred-path-host-empty-fwd", "heroku", "timeout timeout timeout timeout"},
	// Papertrail's syslog form of logplex lines; the app's own line is no
	// router line.
	{"papertrail-heroku-router-h12-then-app-line-200", "heroku", "timeout x"},
	// H82: the app has no running dyno (its free quota is used up), so the
	// router has nothing to send the request to.
	{"heroku-router-h82-free-quota-inline-code", "heroku", "none_healthy"},
	// Rails and Unicorn lines of the dyno around two H12s; Unicorn killing
	// its own worker after 31 s is the app server's line, not the router's.
	{"heroku-rails-started-h12-unquoted-path-unicorn-kill", "heroku", "x timeout timeout x x x"},
	// The app answered 200 in about a second; the client went away (H18,
	// sock=client).
	{"heroku-rails-200-then-h18-sock-client-bitbucket", "heroku", "x x x x x . x x x x x"},
	// NGINX Inc's controller (main log_format with "$http_x_forwarded_for"):
	// each of the two later access lines has its No route to host error
	// line; the first access line's error line was not published.
	{"nginx-kic-access-502-and-no-route-to-host-pairs", "nginx-access|nginx-error", "upstream j j unreachable unreachable"},
	{"nginx-indented-code-prematurely-closed-daemonset", "nginx-error", "closed"},
	// One request's three tries: refused on IPv4, then ENETUNREACH (101)
	// on two IPv6 addresses of the same upstream name.
	{"nginx-refused-then-ipv6-network-unreachable-tries-engintron", "nginx-error", "refused unreachable unreachable"},
	{"nginx-uwsgi-timeout-redacted-client-host-port-x", "nginx-error", "timeout timeout"},
	// A debug "upstream roundtrip" that got 200, then a gRPC stream whose
	// client (Cloudflare) canceled: "context canceled" is the client's.
	{"caddy-json-debug-grpc-roundtrip-200-then-context-canceled", "caddy", ". ."},
	// Caddy's console encoder, its tabs published as spaces.
	{"caddy-console-spaces-incomplete-response-context-canceled-xray", "caddy", "."},
	// "writing: http2: stream closed": Caddy could not write the response
	// to the client's HTTP/2 stream, which the client had closed.
	{"journald-caddy-incomplete-response-writing-client-stream-closed", "caddy", "."},
	// nginx_ajp_module's connect timeouts, without the date, to three
	// servers of one upstream.
	{"nginx-no-date-ajp-connect-timeout-three-servers", "nginx-error", "unreachable unreachable unreachable"},
	// A forward proxy (ngx_http_proxy_connect_module): the tunnel's
	// connect timed out; the access line is another CONNECT, logged 000.
	{"nginx-proxy-connect-tunnel-timeout-then-connect-000-access", "nginx-error|nginx-access", "unreachable ."},
	{"nginx-odoo-longpolling-refused-xx-client-empty-server", "nginx-error", "refused refused"},
	{"nginx-refused-h2-request-mastodon-puma", "nginx-error", "refused"},
	// Apache's lines without their date, each in backticks: AH00957 carries
	// the errno, as in apache24-prefork-refused-freedombox; AH00959 and
	// AH01114 follow from it.
	{"apache-bare-ah00957-ah00959-ah01114-inline-code-mastodon", "apache-error", "refused . ."},
	// An indented code block; a pager cut the first line at "client$". The
	// info line is a client that never sent a request.
	{"nginx-indented-pager-cut-puma-refused-then-client-closed-info", "nginx-error", "refused ."},
	{"nginx-single-quoted-bare-message-refused-engintron", "nginx-error", "refused"},
	// The socket does not exist (2: ENOENT), while nginx fetched its
	// 500.html error page through the same upstream.
	{"nginx-crit-no-date-puma-sock-missing-500-html", "nginx-error", "refused"},
	{"nginx-blockquote-fpm-reset-reading-header-roundcube", "nginx-error", "closed closed closed"},
	{"nginx-inline-code-fastcgi-timeout-zabbix-api", "nginx-error", "timeout"},
	{"nginx-reset-reading-header-apache-8080-partly-redacted-engintron", "nginx-error", "closed"},
	{"ingress-nginx-closed-angle-placeholders-websocket", "nginx-error", "closed closed closed"},
	// OpenShift's router (HAProxy) logs to syslog with an RFC 3339 time and
	// the host's address; "Proxy x started." is start-up, no failure. A
	// request no route matched goes to openshift_default, which has no
	// server: <NOSRV>, SC--, 503.
	{"syslog-rfc3339-openshift-router-proxy-started-nosrv-sc", "haproxy", ". . . . . . . . none_healthy . . . . ."},
	// Grafana's log table ("time | line") in front of Envoy's default
	// format: UF with connection_timeout after 4999 ms.
	{"loki-table-prefix-envoy-uf-connection-timeout-otel-demo", "envoy", "unreachable"},
	// Caddy's console encoder with its tabs, in backticks: the upstream's
	// name did not resolve (the DNS lookup timed out).
	{"caddy-console-tabs-inline-code-dns-lookup-timeout-windmill", "caddy", "dns"},
}

// worldOpen7 names the files of worldCases7 not yet read as they should be,
// and why; the test logs them instead of failing, and fails when one is
// read right, so that it leaves this list.
var worldOpen7 = map[string]string{
	"heroku-rails-200-then-h18-sock-client-bitbucket":                "one router line, no failure (the client's H18), among the app's own lines: too little to name the format",
	"caddy-console-spaces-incomplete-response-context-canceled-xray": "Caddy's console line with its tabs published as spaces: its fields cannot be told apart",
}

func TestWorldRound7(t *testing.T) { runWorldRound(t, "7", worldCases7, worldOpen7) }
