package catalog

// remedies holds every fix text, keyed by cause, then by product and
// protocol. A cause's steps say what to do in the order worth doing, with
// lines per target; its advice is one sentence per change in a product's
// own directives, for summaries of many failures. Directives are the
// products' own: nginx ngx_http_proxy_module / ngx_http_fastcgi_module /
// ngx_http_upstream_module, PHP-FPM's pool configuration, Apache mod_proxy,
// HAProxy's configuration manual, Envoy's cluster settings, Caddy's
// reverse_proxy, Traefik's serversTransport, squid.conf, the AWS ALB
// attributes.
var remedies = map[Cause]remedy{
	ClientRequestState: {steps: []Step{
		{Text: "Clear this site's cookies and cached files, or open it in a private window; if that fixes it, the named cookie or header is the trigger."},
		{Text: "The request with this state makes the upstream fail, often by response headers that outgrow the gateway's buffers (a cookie echoed back in Set-Cookie) or request headers over the limit. Raise the buffer or stop the cookie from growing.", lines: map[Target][]string{
			{Nginx, HTTP}:  {"proxy_buffer_size 16k;", "proxy_buffers 8 16k;", "large_client_header_buffers 4 32k;"},
			{Apache, HTTP}: {"LimitRequestFieldSize 16384"},
			{Go, HTTP}:     {"Transport.MaxResponseHeaderBytes = 64 << 10 // in the reverse proxy's http.Transport"},
		}},
	}},
	ClientDNS: {steps: []Step{
		{Text: "The site works; this machine (or its network's resolver) has a stale or wrong address for it. Flush the DNS cache, or use another resolver for now.", lines: map[Target][]string{{}: {
			"resolvectl flush-caches            # Linux with systemd-resolved",
			"sudo dscacheutil -flushcache; sudo killall -HUP mDNSResponder   # macOS",
			"ipconfig /flushdns                 # Windows",
		}}},
		{Text: "If the site moved recently, the old record may live on until its TTL runs out: compare the answers of the resolvers with the authoritative one.", lines: map[Target][]string{{}: {
			"dig +short HOST", "dig +short HOST @1.1.1.1", "dig +trace HOST",
		}}},
	}},
	ClientNetwork: {steps: []Step{{Text: "The site is reachable from elsewhere: check this network's proxy, firewall or VPN."}}},
	DNSFailure: {steps: []Step{
		{Text: "Check the name's records at its authoritative servers, and that the domain has not expired.", lines: map[Target][]string{{}: {"dig +trace HOST", "whois DOMAIN"}}},
	}},
	EdgeUnreachable: {steps: []Step{
		{Text: "Nothing accepts connections at the site's address: check that the gateway (or server) is running and listening on that port, and that a firewall allows it.", lines: map[Target][]string{{}: {"ss -ltnp | grep ':443\\|:80'", "systemctl status nginx"}}},
	}},
	EdgeTLS: {steps: []Step{
		{Text: "Renew or fix the site's certificate: it must be valid now, chain to a trusted root (serve the intermediates) and name the host.", lines: map[Target][]string{{}: {"openssl s_client -connect HOST:SITE_PORT -servername HOST -showcerts </dev/null"}}},
	}},
	EdgeRedirectLoop: {steps: []Step{
		{Text: "The site sends the browser round in a circle of redirects: find which layer sends each hop (PATH and REDIRECTS name them) and let only one of them decide the scheme and the host name."},
		{Text: "When the loop alternates between http and https (or https redirects to itself) behind a CDN or TLS-terminating proxy, the origin sees plain HTTP and redirects to HTTPS: set the CDN to reach the origin over HTTPS (Cloudflare: SSL/TLS mode Full or Full (strict), not Flexible), or make the application trust X-Forwarded-Proto.", lines: map[Target][]string{
			{}:            {"curl -sI http://HOST/ ; curl -sI https://HOST/   # who sends each Location"},
			{Nginx, HTTP}: {"if ($http_x_forwarded_proto = \"http\") { return 301 https://$host$request_uri; }   # redirect on the edge's scheme, not $scheme"},
		}},
		{Text: "When the loop alternates between a name and its www. name, two layers disagree on the canonical host: keep the redirect in one place (the CDN's rule, the server block, or the application's site URL setting, such as WordPress's siteurl and home)."},
		{Text: "When the loop repeats only with a cookie the site set, the redirect depends on a session or consent cookie that never takes: clear the site's cookies, and check the cookie's Domain, Path and Secure attributes."},
	}},
	EdgeProtocol: {steps: []Step{
		{Text: "The site fails over one HTTP version only: the edge's HTTP/2 (or HTTP/3) stack rejects what HTTP/1.1 accepts. Check the edge's HTTP/2 limits (header list size, frame size, concurrent streams) and anything in front that rewrites HTTP/2, then file the stream error with the edge's vendor.", lines: map[Target][]string{
			{}:            {"curl -sv --http2 https://HOST/ -o /dev/null ; curl -sv --http1.1 https://HOST/ -o /dev/null"},
			{Nginx, HTTP}: {"http2_max_field_size 16k;  # or large_client_header_buffers on nginx 1.19.7 and later", "http2 off;  # on the listen's server, as a stopgap"},
		}},
	}},
	CDNOriginUnreachable: {steps: []Step{
		{Text: "The CDN cannot connect to the origin: make sure the origin server runs and listens on the port the CDN uses, and that its firewall allows the CDN's address ranges."},
		{Text: "Test the origin directly with the site's Host header.", lines: map[Target][]string{{}: {"curl -sv --resolve HOST:443:ORIGIN_IP https://HOST/"}}},
	}},
	CDNOriginTimeout: {steps: []Step{
		{Text: "The origin took longer than the CDN waits (Cloudflare: 100 s): find the slow request in the origin's logs, make it faster, or move long work to a background job."},
	}},
	CDNOriginTLS: {steps: []Step{
		{Text: "Install a certificate on the origin that the CDN accepts (for Cloudflare Full (strict): valid, unexpired, matching the host, or a Cloudflare Origin CA certificate), and allow TLS 1.2+ on the origin."},
	}},
	CDNOriginInvalid: {steps: []Step{
		{Text: "The origin's answer was empty, malformed or had oversized headers: check the origin's error log for crashes and its response header size."},
	}},
	CDNInternal: {steps: []Step{{Text: "The error comes from inside the CDN: check the CDN's status page and open a ticket with the Ray ID or request ID shown."}}},
	Upstream: {
		steps: []Step{
			{Text: "Read the gateway's error log at the time of this diagnosis for its own words (gwdoctor diagnose URL --log FILE finds the tagged requests).", lines: map[Target][]string{
				{Nginx, HTTP}:   {"tail -n 50 /var/log/nginx/error.log"},
				{Apache, HTTP}:  {"tail -n 50 /var/log/apache2/error.log"},
				{HAProxy, HTTP}: {"journalctl -u haproxy -n 50"},
				{}:              {"journalctl -u <gateway> -n 50"},
			}, gatewayHost: true},
			{Text: "Check the upstream directly from the gateway host (gwdoctor diagnose URL --upstream ADDR) to tell refused, closed, invalid and slow apart.", gatewayHost: true},
		},
		advice: map[Target][]string{
			{Nginx, HTTP}: {"read nginx's error log for the same minutes to learn the exact cause (pass it to gwdoctor logs with the access log)"},
			{Squid, HTTP}: {"read cache.log for the same minutes, or add %err_code to the access log's logformat, to learn the exact cause (the X-Squid-Error header names it too)"},
		},
	},
	UpstreamRefused: {
		steps: []Step{
			{Text: "Start the upstream service, or point the gateway at the address and port it really listens on (localhost may resolve to ::1 while the app listens on 127.0.0.1 only).", lines: map[Target][]string{
				{}:            {"ss -ltnp", "systemctl status <app>"},
				{Nginx, HTTP}: {"proxy_pass http://127.0.0.1:PORT;  # or fastcgi_pass unix:/run/php/php-fpm.sock;"},
			}},
		},
		advice: map[Target][]string{
			{Nginx, HTTP}:    {"start the upstream, or point proxy_pass / the upstream block at the address it really listens on (127.0.0.1 vs ::1, port)"},
			{Nginx, FastCGI}: {"start PHP-FPM (systemctl status php*-fpm) and make fastcgi_pass name the socket its pool's listen = creates"},
			{Apache, HTTP}:   {"start the backend or fix ProxyPass's address; retry=0 on the ProxyPass worker stops the 60s lock-out after one failure"},
			{HAProxy, HTTP}:  {"start the server or fix its address in the backend; check the health check (option httpchk) sees the same"},
			{Envoy, HTTP}:    {"the cluster's endpoints refuse connections: check the endpoint port and that the app listens on 0.0.0.0"},
			{Caddy, HTTP}:    {"reverse_proxy points where nothing listens: check the upstream address (localhost may resolve to ::1)"},
			{Squid, HTTP}:    {"the origin refuses connections: check cache_peer / the origin's address and port"},
			{Lighttpd, HTTP}: {"the backend is not running: check the socket/host in proxy.server or fastcgi.server"},
			{ALB, HTTP}:      {"the target refused the connection: check the target group's port and that the app listens"},
		},
	},
	UpstreamPermission: {
		steps: []Step{{Text: "Let the gateway's user open the socket (owner/mode of the socket, listen.owner in the FPM pool) or allow it in SELinux.", lines: map[Target][]string{{}: {"setsebool -P httpd_can_network_connect 1", "ls -l /run/php/"}}}},
		advice: map[Target][]string{
			{Nginx, HTTP}:    {"let nginx's user open the socket: listen.owner/listen.group/listen.mode in the FPM pool, or setsebool -P httpd_can_network_connect 1 under SELinux"},
			{Nginx, FastCGI}: {"listen.owner = www-data, listen.group = www-data, listen.mode = 0660 in the PHP-FPM pool (the user nginx runs as)"},
		},
	},
	UpstreamUnreachable: {
		steps: []Step{{Text: "The gateway's connection to the upstream goes unanswered: check the upstream address, routes and firewall rules between the two hosts, from the gateway host.", lines: map[Target][]string{
			{}: {"nc -vz -w 3 UPSTREAM_HOST UPSTREAM_PORT", "ip route get UPSTREAM_HOST", "nft list ruleset | grep -i drop   # or: iptables -S | grep -i drop", "ss -ltn   # on the upstream host: is its listen queue full (Recv-Q at Send-Q)?"},
		}}},
		advice: map[Target][]string{
			{Nginx, HTTP}:   {"check the route and firewall to the upstream; proxy_connect_timeout 5s; fails fast instead of after 60s"},
			{HAProxy, HTTP}: {"timeout connect 5s; and check routes/firewall to the server"},
		},
	},
	UpstreamDNS: {
		steps: []Step{{Text: "Make the upstream's name resolvable from the gateway, or use an address.", lines: map[Target][]string{{Nginx, HTTP}: {"resolver 127.0.0.53 valid=30s;"}}}},
		advice: map[Target][]string{
			{Nginx, HTTP}:  {"resolver 127.0.0.53 valid=30s; and fix the upstream's name; with a variable in proxy_pass nginx needs a resolver"},
			{Apache, HTTP}: {"fix the backend's name in ProxyPass, or use its IP address"},
			{Squid, HTTP}:  {"the cache_peer's name does not resolve: fix it in squid.conf, or use the origin's address"},
		},
	},
	UpstreamTimeout:      timeoutRemedy,
	UpstreamClosed:       closedRemedy,
	UpstreamInvalid:      invalidRemedy,
	UpstreamHeaderTooBig: headerRemedy,
	UpstreamTLS:          tlsRemedy,
	UpstreamNoneHealthy:  noneHealthyRemedy,
	UpstreamOverloaded:   overloadedRemedy,
	UpstreamTruncated: {
		steps: []Step{{Text: "The upstream broke off in the middle of its response: look for crashes or timeouts while streaming, and for a wrong Content-Length.", lines: map[Target][]string{
			{Nginx, HTTP}: {"grep 'prematurely closed connection while reading upstream' /var/log/nginx/error.log"},
			{}:            {"curl -sS -o /dev/null -w '%{size_download} bytes\\n' -D - http://UPSTREAM/PATH   # compare with its Content-Length"},
		}}},
		advice: map[Target][]string{
			{Nginx, HTTP}: {"the upstream died while sending the body: read its log; proxy_read_timeout also covers pauses between body reads"},
		},
	},
	UpstreamAppError: {
		steps: []Step{{Text: "The application itself answers with the error: read the application's own logs for this request; the gateway is fine."}},
		advice: map[Target][]string{
			{Nginx, HTTP}: {"the application answered 5xx itself: read its log; nginx only passed the status on"},
			{ALB, HTTP}:   {"the target answered 5xx itself (target_status_code): read the application's log"},
		},
	},
	Unknown: {steps: []Step{{Text: "Run again with --verbose and the gateway's logs (--log FILE) to gather more evidence.", gatewayHost: true}}},
}
