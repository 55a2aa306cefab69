package logscan

import (
	"strings"
	"testing"
)

// worldCases6 is the sixth round of testdata/world: published lines the
// readers were not written against, read as worldCase says. A format
// "a|b" names a file that mixes two logs, where either may be detected
// first.
var worldCases6 = []worldCase{
	// Caddy 2 JSON: a dial that timed out (an ELB health check), and a
	// Caddy 2 beta console line with tab-separated fields: the upstream
	// reset the connection before its response.
	{"caddy-json-dial-io-timeout-elb-healthcheck", "caddy", "unreachable"},
	{"caddy2-beta-tab-console-reset-by-peer", "caddy", "closed"},
	// Caddy 1's access log is Common Log Format, which does not name its
	// product; 16 bytes is Caddy's own "502 Bad Gateway" body, with no
	// detail. Clients redacted as "a.b.c.d" and "(server ip)".
	{"caddy-v1-clf-502-16-redacted-client-server-ip", "caddy|nginx-access|apache-access", strings.Repeat("upstream ", 5)},
	// Envoy's default format under "docker compose logs -t": UT, UH, UF
	// (errno 111), UPE after the response had started (a cut body), UO
	// (circuit breaker), a 200, NC (the route's cluster does not exist:
	// the gateway has no upstream for it), and a 500 the upstream sent
	// after the retries (URX): a 500 is no gateway status, and an
	// upstream's 500 passed on is no failure here, as in
	// docker-ts-istio-proxy. The "request_info" lines are the upstream's
	// own log.
	{"compose-t-envoy-ut-uh-uf-upe-uo-nc-urx-scenarios", "envoy", "x timeout none_healthy refused truncated x overloaded . none_healthy x x x x ."},
	// WebSockets closed by the client (DC) and by the idle timeout (SI).
	{"compose-t-envoy-websocket-101-dc-si", "envoy", ". ."},
	// A vendor runbook: UF,URX because Envoy had no client certificate to
	// give (TLS to the upstream failed), and UAEX logged 503: the external
	// authorization service failed, which of its failures is not said.
	{"istio-uf-urx-sds-tls-and-uaex-runbook", "envoy", "tls upstream"},
	// rsyslog in front of HAProxy's own syslog line; the published text
	// carries markdown links around the client address and the header.
	{"rsyslog-haproxy-sh-502-markdown-links", "haproxy", "closed closed"},
	// <PRI> in front, extra spaces before the status; sH-- 504 is the
	// server timeout. The last line is the HAProxy manual's example.
	{"pri-haproxy-sh-504-padded-then-409-doc-example", "haproxy", "timeout . ."},
	// Traefik 1.4 logged no status for an undiscovered backend (a 404).
	{"traefik-v1-clf-nil-status-undiscovered-backend", "traefik", "."},
	{"compose-traefik-v2-debug-config-noise", "traefik", ". . ."},
	// Varnish: varnishlog's FetchError without detail, and a compose-
	// wrapped JSON varnishncsa log whose backend-side record ("b") explains
	// the client-side 503 ("c") of the same request: errno 111.
	{"varnishlog-fetcherror-no-backend-connection-vmod-dynamic", "varnish", ". . upstream"},
	{"compose-varnish-json-ncsa-fetch-error-errno-111", "varnish", "refused j"},
	// An ALB redirect has no target and times of -1: no failure.
	{"alb-301-redirect-dash-target-minus-one-then-200", "alb", ". ."},
	{"squid-access-miss-200-refresh-miss-docker", "squid", ". . . . ."},
	// lighttpd: the request-bearing "response not received" line carries
	// the cause of the "unexpected end-of-file" before it.
	{"lighttpd-pihole-eof-response-not-received-balena", "lighttpd", ". . . closed . closed ."},
	// The "(" before "mod_fastcgi.c" is missing as published. A PHP fatal
	// error and its stack-trace lines; the end-of-file line's "response
	// not received" line was not published, so it carries the cause.
	{"lighttpd-no-paren-php-fatal-stack-then-eof-wsl", "lighttpd", "app_error . . . closed"},
	// php-cgi cannot start: no request failed; one message runs onto a
	// second line without a prefix.
	{"lighttpd-php-cgi-failed-to-start-gentoo-continuation", "lighttpd", ". . . . . . x . . . . ."},
	// PHP warnings are no failure; max_execution_time is a timeout.
	{"lighttpd-fastcgi-stderr-max-execution-time-pihole", "lighttpd", ". . . . . . . . . timeout ."},
	// PHP-FPM lines without their date, from a vendor's documentation.
	{"phpfpm-no-date-vendor-doc-four-warnings", "php-fpm", "overloaded timeout closed closed"},
	// nginx and PHP-FPM lines, each without its date.
	{"nginx-no-date-timeout-then-phpfpm-no-date-max-children", "nginx-error|php-fpm", "timeout overloaded"},
	{"nginx-no-date-prematurely-closed-meinheld", "nginx-error", "closed"},
	// An access line in a custom log_format that is not given, then
	// error lines; the buffered-to-a-file warning is no failure.
	{"nginx-readme-iso8601-access-refused-buffered-warn", "nginx-error", "x refused ."},
	// A custom access format ("$ssl_protocol/$ssl_cipher" after the
	// address): ELB health checks answered 200.
	{"nginx-access-ssl-cipher-field-alb-healthcheck", "nginx-access", ". . . ."},
	// A pager cut each line at the screen's edge ("$") and the post quoted
	// them ("> "); errno 111 and "no live upstreams" survive.
	{"nginx-pager-truncated-dollar-blockquote-refused-no-live", "nginx-error", "refused refused refused refused none_healthy none_healthy refused refused none_healthy none_healthy refused refused none_healthy none_healthy refused refused"},
	// The add-on's own "[13:20:45] INFO:" line before nginx's.
	{"s6-bashio-info-then-nginx-refused-hassio", "nginx-error", "x refused"},
	// docker swarm's service prefix, supervisord's "DEBG 'x' stdout
	// output:" lines and uWSGI's own complaint (the request's headers
	// exceed its buffer), then nginx's resets.
	{"swarm-supervisord-uwsgi-block-size-nginx-reset", "nginx-error", "x x x x x closed closed"},
	// nginx's combined access lines beside gunicorn's (its CLF access
	// lines read as access lines, its debug and app lines not); the app
	// had the last request when nginx answered 504. A 504 alone is no
	// cause: nginx answers a connect timeout with 504 too, and so the
	// bare access line reads as upstream (TestParseNginxAccess).
	{"compose-nginx-access-504-beside-gunicorn-debug", "nginx-access", ". . x x x x . . x x x upstream upstream"},
	// Apache: AH01067 carries the cause, the AH01075 reset of the same
	// request does not; the first line has a quote marker ("> ").
	{"apache-fcgi-header-blockquote-marker-devilbox", "apache-error", "closed ."},
	{"apache-fcgi-header-freebsd-tid-redacted-client", "apache-error", "closed"},
	// Bare messages: the request body could not be passed, why is not
	// said; AH01097 repeats AH01084's failure. The second file's only
	// line is lowercase and cut as published.
	{"apache-bare-ah01084-ah01097-pass-request-body-sury", "apache-error", "upstream ."},
	{"apache-lowercase-ah01097-fragment-401-early", "apache-error", "upstream"},
	// Heroku's logplex prefix: the router passed on the dyno's 503; in
	// the dyno, Apache's access line carries the cause that its AH01067
	// explains (PHP-FPM's child died of SIGILL), AH01075 repeats it.
	{"heroku-router-apache-fcgi-reset-phpfpm-sigill", "apache-error", "app_error . closed closed j"},
}

// worldOpen6 names the files of worldCases6 not yet read as they should be,
// and why; the test logs them instead of failing, and fails when one is
// read right, so that it leaves this list.
var worldOpen6 = map[string]string{
	"compose-varnish-json-ncsa-fetch-error-errno-111": "a JSON format of varnishncsa's (-j -F) with the project's own keys (\"Varnish-Side\", \"Fetch-Error\"): no fixed field names to read, and its backend-side line names no client or request ID to join the client-side 503 by",
	"lighttpd-no-paren-php-fatal-stack-then-eof-wsl":  "the \"(\" before each source position was lost where the lines were published, and the end-of-file line carries the cause only because its \"response not received\" line was not published (in lighttpd-pihole-eof-response-not-received-balena that line carries it, and the end-of-file line before it is not counted): a line's reading cannot depend on a line missing after it",
	"nginx-access-ssl-cipher-field-alb-healthcheck":   "aptible's own log_format (proxy_log in its nginx.conf.erb: $ssl_protocol/$ssl_cipher and $host between the client and the time), which is not given; with --nginx-log-format set to it the four lines are read",
	"apache-lowercase-ah01097-fragment-401-early":     "the AH code lower-cased and the message cut, as an issue's title has them (\"ah01097: pass request body failed to\"); a bare message is read from the AH code Apache writes",
	"heroku-router-apache-fcgi-reset-phpfpm-sigill":   "heroku logs mixes four logs (the router's, which the heroku format reads, Apache's error and access logs, PHP-FPM's) where a file is read with two formats at most, the dyno's lines are published out of time order, and the AH01067 that explains the access line names no request to join it by",
}

func TestWorldRound6(t *testing.T) { runWorldRound(t, "6", worldCases6, worldOpen6) }
