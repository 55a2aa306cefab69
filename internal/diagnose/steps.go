package diagnose

import (
	"net"
	"net/url"
	"strings"
)

// fix is one operator step; Lines are keyed by gateway product, "" being
// the lines for any product, and "product/fastcgi" the product's lines when
// its upstream speaks FastCGI.
type fix struct {
	text  string
	lines map[string][]string
}

// fixes are the operator's steps for each cause, in the order worth doing.
var fixes = map[string][]fix{
	ClientRequestState: {
		{text: "Clear this site's cookies and cached files, or open it in a private window; if that fixes it, the named cookie or header is the trigger.", lines: nil},
		{text: "The request with this state makes the upstream fail, often by response headers that outgrow the gateway's buffers (a cookie echoed back in Set-Cookie) or request headers over the limit. Raise the buffer or stop the cookie from growing.", lines: map[string][]string{
			"nginx":  {"proxy_buffer_size 16k;", "proxy_buffers 8 16k;", "large_client_header_buffers 4 32k;"},
			"apache": {"LimitRequestFieldSize 16384"},
			"go":     {"Transport.MaxResponseHeaderBytes = 64 << 10 // in the reverse proxy's http.Transport"},
		}},
	},
	ClientDNS: {
		{text: "The site works; this machine (or its network's resolver) has a stale or wrong address for it. Flush the DNS cache, or use another resolver for now.", lines: map[string][]string{"": {
			"resolvectl flush-caches            # Linux with systemd-resolved",
			"sudo dscacheutil -flushcache; sudo killall -HUP mDNSResponder   # macOS",
			"ipconfig /flushdns                 # Windows",
		}}},
		{text: "If the site moved recently, the old record may live on until its TTL runs out: compare the answers of the resolvers with the authoritative one.", lines: map[string][]string{"": {
			"dig +short HOST", "dig +short HOST @1.1.1.1", "dig +trace HOST",
		}}},
	},
	ClientNetwork: {{text: "The site is reachable from elsewhere: check this network's proxy, firewall or VPN."}},
	DNSFailure: {
		{text: "Check the name's records at its authoritative servers, and that the domain has not expired.", lines: map[string][]string{"": {"dig +trace HOST", "whois DOMAIN"}}},
	},
	EdgeUnreachable: {
		{text: "Nothing accepts connections at the site's address: check that the gateway (or server) is running and listening on that port, and that a firewall allows it.", lines: map[string][]string{"": {"ss -ltnp | grep ':443\\|:80'", "systemctl status nginx"}}},
	},
	EdgeTLS: {
		{text: "Renew or fix the site's certificate: it must be valid now, chain to a trusted root (serve the intermediates) and name the host.", lines: map[string][]string{"": {"openssl s_client -connect HOST:SITE_PORT -servername HOST -showcerts </dev/null"}}},
	},
	EdgeRedirectLoop: {
		{text: "The site sends the browser round in a circle of redirects: find which layer sends each hop (PATH and REDIRECTS name them) and let only one of them decide the scheme and the host name."},
		{text: "When the loop alternates between http and https (or https redirects to itself) behind a CDN or TLS-terminating proxy, the origin sees plain HTTP and redirects to HTTPS: set the CDN to reach the origin over HTTPS (Cloudflare: SSL/TLS mode Full or Full (strict), not Flexible), or make the application trust X-Forwarded-Proto.", lines: map[string][]string{
			"":      {"curl -sI http://HOST/ ; curl -sI https://HOST/   # who sends each Location"},
			"nginx": {"if ($http_x_forwarded_proto = \"http\") { return 301 https://$host$request_uri; }   # redirect on the edge's scheme, not $scheme"},
		}},
		{text: "When the loop alternates between a name and its www. name, two layers disagree on the canonical host: keep the redirect in one place (the CDN's rule, the server block, or the application's site URL setting, such as WordPress's siteurl and home)."},
		{text: "When the loop repeats only with a cookie the site set, the redirect depends on a session or consent cookie that never takes: clear the site's cookies, and check the cookie's Domain, Path and Secure attributes."},
	},
	EdgeProtocol: {
		{text: "The site fails over one HTTP version only: the edge's HTTP/2 (or HTTP/3) stack rejects what HTTP/1.1 accepts. Check the edge's HTTP/2 limits (header list size, frame size, concurrent streams) and anything in front that rewrites HTTP/2, then file the stream error with the edge's vendor.", lines: map[string][]string{
			"":      {"curl -sv --http2 https://HOST/ -o /dev/null ; curl -sv --http1.1 https://HOST/ -o /dev/null"},
			"nginx": {"http2_max_field_size 16k;  # or large_client_header_buffers on nginx 1.19.7 and later", "http2 off;  # on the listen's server, as a stopgap"},
		}},
	},
	CDNOriginUnreachable: {
		{text: "The CDN cannot connect to the origin: make sure the origin server runs and listens on the port the CDN uses, and that its firewall allows the CDN's address ranges."},
		{text: "Test the origin directly with the site's Host header.", lines: map[string][]string{"": {"curl -sv --resolve HOST:443:ORIGIN_IP https://HOST/"}}},
	},
	CDNOriginTimeout: {
		{text: "The origin took longer than the CDN waits (Cloudflare: 100 s): find the slow request in the origin's logs, make it faster, or move long work to a background job."},
	},
	CDNOriginTLS: {
		{text: "Install a certificate on the origin that the CDN accepts (for Cloudflare Full (strict): valid, unexpired, matching the host, or a Cloudflare Origin CA certificate), and allow TLS 1.2+ on the origin."},
	},
	CDNOriginInvalid: {
		{text: "The origin's answer was empty, malformed or had oversized headers: check the origin's error log for crashes and its response header size."},
	},
	CDNInternal: {{text: "The error comes from inside the CDN: check the CDN's status page and open a ticket with the Ray ID or request ID shown."}},
	Upstream: {
		{text: "Read the gateway's error log at the time of this diagnosis for its own words (gwdoctor diagnose URL --log FILE finds the tagged requests).", lines: map[string][]string{
			"nginx":   {"tail -n 50 /var/log/nginx/error.log"},
			"apache":  {"tail -n 50 /var/log/apache2/error.log"},
			"haproxy": {"journalctl -u haproxy -n 50"},
			"":        {"journalctl -u <gateway> -n 50"},
		}},
		{text: "Check the upstream directly from the gateway host (gwdoctor diagnose URL --upstream ADDR) to tell refused, closed, invalid and slow apart."},
	},
	UpstreamRefused: {
		{text: "Start the upstream service, or point the gateway at the address and port it really listens on (localhost may resolve to ::1 while the app listens on 127.0.0.1 only).", lines: map[string][]string{
			"":      {"ss -ltnp", "systemctl status <app>"},
			"nginx": {"proxy_pass http://127.0.0.1:PORT;  # or fastcgi_pass unix:/run/php/php-fpm.sock;"},
		}},
	},
	UpstreamPermission: {{text: "Let the gateway's user open the socket (owner/mode of the socket, listen.owner in the FPM pool) or allow it in SELinux.", lines: map[string][]string{"": {"setsebool -P httpd_can_network_connect 1", "ls -l /run/php/"}}}},
	UpstreamUnreachable: {{text: "The gateway's connection to the upstream goes unanswered: check the upstream address, routes and firewall rules between the two hosts, from the gateway host.", lines: map[string][]string{
		"": {"nc -vz -w 3 UPSTREAM_HOST UPSTREAM_PORT", "ip route get UPSTREAM_HOST", "nft list ruleset | grep -i drop   # or: iptables -S | grep -i drop", "ss -ltn   # on the upstream host: is its listen queue full (Recv-Q at Send-Q)?"},
	}}},
	UpstreamDNS: {{text: "Make the upstream's name resolvable from the gateway, or use an address.", lines: map[string][]string{"nginx": {"resolver 127.0.0.53 valid=30s;"}}}},
	UpstreamTimeout: {
		{text: "Find what makes the request slow (slow query, external call, lock) in the application's logs; the gateway's timeout only names the symptom."},
		{text: "If the work is legitimately long, raise the gateway's timeout above it, and keep the application's own limit below the gateway's, so the application's error wins.", lines: map[string][]string{
			"nginx":         {"proxy_read_timeout 120s;", "fastcgi_read_timeout 120s;  # PHP-FPM behind nginx", "; php.ini: max_execution_time = 110", "; FPM pool: request_terminate_timeout = 115s"},
			"nginx/fastcgi": {"fastcgi_read_timeout 120s;", "; php.ini: max_execution_time = 110", "; FPM pool: request_terminate_timeout = 115s"},
			"apache":        {"ProxyTimeout 120"},
			"haproxy":       {"timeout server 120s"},
			"go":            {"Transport.ResponseHeaderTimeout = 120 * time.Second"},
			"caddy":         {"reverse_proxy localhost:8080 { transport http { response_header_timeout 120s } }"},
			"varnish":       {"backend default { .first_byte_timeout = 120s; }"},
			"squid":         {"read_timeout 2 minutes"},
			"envoy":         {"route: { timeout: 120s }"},
			"":              {"; PHP: max_execution_time = 110", "; FPM pool: request_terminate_timeout = 115s"},
		}},
	},
	UpstreamClosed: {
		{text: "The upstream dropped the connection before answering: look for crashes, killed workers (OOM killer, PHP-FPM request_terminate_timeout) and restarts at that time.", lines: map[string][]string{"": {"journalctl -k | grep -i 'killed process'", "grep -E 'SIGSEGV|SIGKILL|terminating' /var/log/php*-fpm.log"}}},
		{text: "If failures are intermittent and fast, the upstream's keep-alive timeout is probably shorter than the gateway's idle reuse: make the upstream keep idle connections open longer than the gateway does.", lines: map[string][]string{
			"nginx": {"keepalive_timeout 60s;  # in the upstream block: must be below the app's own idle timeout"},
			"go":    {"Transport.IdleConnTimeout = 30 * time.Second  // below the app's keep-alive timeout"},
		}},
	},
	UpstreamInvalid: {{text: "The port the gateway talks to does not speak the protocol the gateway expects: check that it is the application's HTTP port (not FastCGI, TLS, or another service), or PHP-FPM's FastCGI socket for fastcgi_pass, and that the application writes valid status lines and headers.", lines: map[string][]string{
		"nginx": {"proxy_pass http://127.0.0.1:8080;  # the application's HTTP port", "fastcgi_pass unix:/run/php/php8.2-fpm.sock;  # PHP-FPM's listen address (the pool's listen = line)", "ss -ltnp   # which program listens on that port"},
		"":      {"ss -ltnp   # which program listens on that port"},
	}}},
	UpstreamHeaderTooBig: {
		{text: "The upstream's response headers outgrow the gateway's buffer: trim them (cookies, Content-Security-Policy) or raise the buffer.", lines: map[string][]string{
			"nginx":         {"proxy_buffer_size 16k;", "proxy_buffers 8 16k;", "fastcgi_buffer_size 32k;  # PHP-FPM", "fastcgi_buffers 16 16k;"},
			"nginx/fastcgi": {"fastcgi_buffer_size 32k;", "fastcgi_buffers 16 16k;"},
			"haproxy":       {"tune.bufsize 32768  # global"},
			"go":            {"Transport.MaxResponseHeaderBytes = 64 << 10"},
			"apache":        {"ProxyIOBufferSize 65536"},
		}},
	},
	UpstreamTLS: {{text: "Fix TLS between the gateway and the upstream: give the upstream a certificate the gateway trusts for the name it uses, or tell the gateway which CA to trust.", lines: map[string][]string{
		"nginx":   {"proxy_ssl_verify on;", "proxy_ssl_trusted_certificate /etc/ssl/upstream-ca.pem;", "proxy_ssl_server_name on;"},
		"haproxy": {"server app 10.0.0.5:443 ssl verify required ca-file /etc/ssl/upstream-ca.pem sni str(app.internal)"},
		"go":      {"Transport.TLSClientConfig = &tls.Config{RootCAs: upstreamPool, ServerName: \"app.internal\"}"},
		"apache":  {"SSLProxyCACertificateFile /etc/ssl/upstream-ca.pem"},
	}}},
	UpstreamNoneHealthy: {{text: "Every upstream is marked down: check the health check target and the servers' state, and bring at least one back.", lines: map[string][]string{
		"haproxy": {"echo 'show servers state' | socat stdio /run/haproxy/admin.sock", "journalctl -u haproxy | grep 'is DOWN'"},
		"nginx":   {"grep -E 'no live upstreams|upstream server temporarily disabled' /var/log/nginx/error.log"},
	}}},
	UpstreamOverloaded: {{text: "The upstream is out of workers or connections: raise the pool (PHP-FPM pm.max_children, the app's worker count) only if memory allows, and find what holds the workers.", lines: map[string][]string{"": {"grep 'max_children' /var/log/php*-fpm.log", "; FPM pool: pm.max_children = 20"}}}},
	UpstreamTruncated: {{text: "The upstream broke off in the middle of its response: look for crashes or timeouts while streaming, and for a wrong Content-Length.", lines: map[string][]string{
		"nginx": {"grep 'prematurely closed connection while reading upstream' /var/log/nginx/error.log"},
		"":      {"curl -sS -o /dev/null -w '%{size_download} bytes\\n' -D - http://UPSTREAM/PATH   # compare with its Content-Length"},
	}}},
	UpstreamAppError: {{text: "The application itself answers with the error: read the application's own logs for this request; the gateway is fine."}},
	Unknown:          {{text: "Run again with --verbose and the gateway's logs (--log FILE) to gather more evidence."}},
}

// placeholders maps the words that stand for this diagnosis's own values
// in the lines of fixes (HOST, UPSTREAM_HOST, ...) to those values, where
// the evidence has them. Longer words come first, so that UPSTREAM_HOST is
// not read as UPSTREAM_ plus HOST.
func placeholders(e *Evidence) *strings.Replacer {
	var pairs []string
	var upHost, upPort string
	if a := e.UpstreamAddr; a != "" && !strings.Contains(a, "unix:") {
		hostport := a
		if _, rest, ok := strings.Cut(a, "://"); ok {
			hostport = rest
		}
		hostport = strings.TrimSuffix(hostport, "/")
		if h, p, err := net.SplitHostPort(hostport); err == nil {
			upHost, upPort = h, p
			pairs = append(pairs, "UPSTREAM_HOST", h, "UPSTREAM_PORT", p)
		}
	}
	if upHost == "" {
		// Kept as they are, so that HOST is not read inside them.
		pairs = append(pairs, "UPSTREAM_HOST", "UPSTREAM_HOST", "UPSTREAM_PORT", "UPSTREAM_PORT", "UPSTREAM/PATH", "UPSTREAM/PATH")
	}
	if u, err := url.Parse(e.URL); err == nil && u.Hostname() != "" {
		path := u.EscapedPath()
		if path == "" {
			path = "/"
		}
		if upHost != "" {
			pairs = append(pairs, "UPSTREAM/PATH", net.JoinHostPort(upHost, upPort)+path)
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		pairs = append(pairs, "SITE_PORT", port, "HOST", u.Hostname())
	}
	if o := e.OriginAddr; o != "" {
		if h, _, err := net.SplitHostPort(o); err == nil {
			o = h
		}
		pairs = append(pairs, "ORIGIN_IP", o)
	}
	return strings.NewReplacer(pairs...)
}

// steps returns what to do now: the visitor's steps first, then the
// operator's, with lines for the gateway product when they exist, and the
// diagnosis's own host names and addresses put in where it knows them.
func steps(v Verdict, product string, fastcgi bool, fill *strings.Replacer) []Step {
	var out []Step
	if v.Cause == OK {
		return []Step{}
	}
	switch {
	case v.Cause == ClientRequestState, v.Cause == ClientDNS, v.Cause == ClientNetwork:
		// The visitor's own step is the first fix below.
	case v.Cause == EdgeTLS:
		out = append(out, Step{Who: "visitor", Text: "Your browser warns about this site's certificate: do not go past the warning to sign in or pay; it is the site's to fix, and another device or network will not help."})
	case v.Persistence == "":
		out = append(out, Step{Who: "visitor", Text: "This error page comes from the site's side, not from your browser or device. Whether it still fails, one page cannot tell: try again in a few minutes, or let gwdoctor ask the site itself (gwdoctor ADDRESS)."})
	case v.Persistence == Intermittent || v.Persistence == Recovered:
		out = append(out, Step{Who: "visitor", Text: "The failure comes and goes: retrying a page you are only reading is worth it, after a few seconds."})
	default:
		out = append(out, Step{Who: "visitor", Text: "It is not your browser, device or network: every try failed at the site's side. Retrying now will not help; try again in a few minutes."})
	}
	out = append(out, Step{Who: "visitor", Text: "Do not resubmit a payment or an order while the site fails: first check your email, bank or account for a confirmation, since the request may have gone through."})
	for i, f := range fixes[v.Cause] {
		who := "operator"
		if (v.Cause == ClientRequestState || v.Cause == ClientDNS || v.Cause == ClientNetwork) && i == 0 {
			who = "visitor"
		}
		var lines []string
		if fastcgi {
			lines = f.lines[product+"/fastcgi"]
		}
		if lines == nil {
			lines = f.lines[product]
		}
		if lines == nil {
			lines = f.lines[""]
		}
		var filled []string
		for _, l := range lines {
			filled = append(filled, fill.Replace(l))
		}
		out = append(out, Step{Who: who, Text: f.text, Lines: filled})
	}
	return out
}
