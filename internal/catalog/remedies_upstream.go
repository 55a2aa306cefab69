package catalog

// The remedies of the upstream causes whose steps have lines for many
// products, kept apart from the table in remedies.go for its length. Where
// a step's lines and a product's advice give the same setting, they give
// the same value.

var timeoutRemedy = remedy{
	steps: []Step{
		{Text: "Find what makes the request slow (slow query, external call, lock) in the application's logs; the gateway's timeout only names the symptom."},
		{Text: "If the work is legitimately long, raise the gateway's timeout above it, and keep the application's own limit below the gateway's, so the application's error wins.", lines: map[Target][]string{
			{Nginx, HTTP}:    {"proxy_read_timeout 120s;", "fastcgi_read_timeout 120s;  # PHP-FPM behind nginx", "; php.ini: max_execution_time = 110", "; FPM pool: request_terminate_timeout = 115s"},
			{Nginx, FastCGI}: {"fastcgi_read_timeout 120s;", "; php.ini: max_execution_time = 110", "; FPM pool: request_terminate_timeout = 115s"},
			{Apache, HTTP}:   {"ProxyTimeout 120"},
			{HAProxy, HTTP}:  {"timeout server 120s"},
			{Go, HTTP}:       {"Transport.ResponseHeaderTimeout = 120 * time.Second"},
			{Caddy, HTTP}:    {"reverse_proxy localhost:8080 { transport http { response_header_timeout 120s } }"},
			{Varnish, HTTP}:  {"backend default { .first_byte_timeout = 120s; }"},
			{Squid, HTTP}:    {"read_timeout 15 minutes"},
			{Envoy, HTTP}:    {"route: { timeout: 120s }"},
			{}:               {"; PHP: max_execution_time = 110", "; FPM pool: request_terminate_timeout = 115s"},
		}},
	},
	advice: map[Target][]string{
		{Nginx, HTTP}:    {"make the slow request faster, or raise proxy_read_timeout 120s; (default 60s)"},
		{Nginx, FastCGI}: {"fastcgi_read_timeout 120s; in nginx, and keep PHP's request_terminate_timeout and max_execution_time at or below it so PHP stops first"},
		{PHPFPM, HTTP}:   {"request_terminate_timeout = 120s in the pool and max_execution_time in php.ini: keep them below nginx's fastcgi_read_timeout"},
		{Apache, HTTP}:   {"ProxyTimeout 120 (or timeout= on ProxyPass) above the backend's slowest answer"},
		{HAProxy, HTTP}:  {"timeout server 120s; above the slowest answer, or make the server faster"},
		{Envoy, HTTP}:    {"route timeout: 120s (default 15s) on the route, or make the upstream faster"},
		{Caddy, HTTP}:    {"transport http { response_header_timeout 120s } in reverse_proxy"},
		{Traefik, HTTP}:  {"serversTransport forwardingTimeouts responseHeaderTimeout: 120s"},
		{Squid, HTTP}:    {"read_timeout 15 minutes in squid.conf, or make the origin faster"},
		{Lighttpd, HTTP}: {"raise the backend's timeouts or make it faster; server.max-read-idle for slow backends"},
		{ALB, HTTP}:      {"raise the ALB idle timeout (idle_timeout.timeout_seconds) or make the target answer sooner"},
	},
}

var closedRemedy = remedy{
	steps: []Step{
		{Text: "The upstream dropped the connection before answering: look for crashes, killed workers (OOM killer, PHP-FPM request_terminate_timeout) and restarts at that time.", lines: map[Target][]string{{}: {"journalctl -k | grep -i 'killed process'", "grep -E 'SIGSEGV|SIGKILL|terminating' /var/log/php*-fpm.log"}}},
		{Text: "If failures are intermittent and fast, the upstream's keep-alive timeout is probably shorter than the gateway's idle reuse: make the upstream keep idle connections open longer than the gateway does.", lines: map[Target][]string{
			{Nginx, HTTP}: {"keepalive_timeout 30s;  # in the upstream block: must be below the app's own idle timeout"},
			{Go, HTTP}:    {"Transport.IdleConnTimeout = 30 * time.Second  // below the app's keep-alive timeout"},
		}},
	},
	advice: map[Target][]string{
		{Nginx, HTTP}:    {"intermittent (keep-alive race): the upstream's own keep-alive timeout must exceed the keepalive_timeout of nginx's upstream block (default 60s): e.g. keepalive_timeout 30s; there, or Node's server.keepAliveTimeout = 65000", "otherwise the upstream crashed or was killed mid-request: read its log around these times"},
		{Nginx, FastCGI}: {"a PHP-FPM worker died mid-request: look for 'exited on signal' and 'execution timed out' in the FPM log; raise request_terminate_timeout if it killed the worker"},
		{PHPFPM, HTTP}:   {"workers die (signal 9 = OOM killer or request_terminate_timeout, 11 = crash): check dmesg, memory_limit, and the slowlog (request_slowlog_timeout = 5s)"},
		{Apache, HTTP}:   {"intermittent: disablereuse=On or a ttl= below the backend's keep-alive timeout on ProxyPass; otherwise read the backend's log"},
		{HAProxy, HTTP}:  {"intermittent: http-reuse safe and a server keep-alive above HAProxy's; retry-on conn-failure empty-response with retries 2"},
		{Envoy, HTTP}:    {"intermittent: common_http_protocol_options.idle_timeout on the cluster below the app's keep-alive timeout; retry_on: reset,connect-failure"},
		{Traefik, HTTP}:  {"intermittent: serversTransport forwardingTimeouts idleConnTimeout below the backend's keep-alive timeout"},
		{Squid, HTTP}:    {"the origin closed or reset the connection without answering (ERR_ZERO_SIZE_OBJECT, ERR_READ_ERROR): read the origin's log around these times"},
		{ALB, HTTP}:      {"intermittent: the target's keep-alive timeout must exceed the ALB idle timeout (60s by default)"},
	},
}

var invalidRemedy = remedy{
	steps: []Step{{Text: "The port the gateway talks to does not speak the protocol the gateway expects: check that it is the application's HTTP port (not FastCGI, TLS, or another service), or PHP-FPM's FastCGI socket for fastcgi_pass, and that the application writes valid status lines and headers.", lines: map[Target][]string{
		{Nginx, HTTP}: {"proxy_pass http://127.0.0.1:8080;  # the application's HTTP port", "fastcgi_pass unix:/run/php/php8.2-fpm.sock;  # PHP-FPM's listen address (the pool's listen = line)", "ss -ltnp   # which program listens on that port"},
		{}:            {"ss -ltnp   # which program listens on that port"},
	}}},
	advice: map[Target][]string{
		{Nginx, HTTP}:    {"the upstream does not speak HTTP on that port: check proxy_pass's scheme and port (http vs https, HTTP/1 vs h2c/gRPC: grpc_pass)"},
		{Nginx, FastCGI}: {"fastcgi_pass points at something that is not FastCGI (an HTTP port?): point it at PHP-FPM's listen address"},
		{HAProxy, HTTP}:  {"the server sent a response HAProxy rejects (show errors on the stats socket); option accept-invalid-http-response only as a stopgap"},
		{Squid, HTTP}:    {"the origin's answer is not valid HTTP (ERR_INVALID_RESP): check that cache_peer's port is the origin's HTTP port, and the headers it sends"},
	},
}

var headerRemedy = remedy{
	steps: []Step{
		{Text: "The upstream's response headers outgrow the gateway's buffer: trim them (cookies, Content-Security-Policy) or raise the buffer.", lines: map[Target][]string{
			{Nginx, HTTP}:    {"proxy_buffer_size 16k;", "proxy_buffers 8 16k;", "fastcgi_buffer_size 32k;  # PHP-FPM", "fastcgi_buffers 16 16k;"},
			{Nginx, FastCGI}: {"fastcgi_buffer_size 32k;", "fastcgi_buffers 16 16k;"},
			{HAProxy, HTTP}:  {"tune.bufsize 32768  # global"},
			{Go, HTTP}:       {"Transport.MaxResponseHeaderBytes = 64 << 10"},
			{Apache, HTTP}:   {"ProxyIOBufferSize 65536"},
		}},
	},
	advice: map[Target][]string{
		{Nginx, HTTP}:    {"proxy_buffer_size 16k; proxy_buffers 8 16k; proxy_busy_buffers_size 32k; (or send smaller cookies and headers)"},
		{Nginx, FastCGI}: {"fastcgi_buffer_size 32k; fastcgi_buffers 16 16k; (or send smaller cookies and headers)"},
		{Squid, HTTP}:    {"reply_header_max_size 128 KB in squid.conf (default 64 KB), or send smaller headers"},
	},
}

var tlsRemedy = remedy{
	steps: []Step{{Text: "Fix TLS between the gateway and the upstream: give the upstream a certificate the gateway trusts for the name it uses, or tell the gateway which CA to trust.", lines: map[Target][]string{
		{Nginx, HTTP}:   {"proxy_ssl_verify on;", "proxy_ssl_trusted_certificate /etc/ssl/upstream-ca.pem;", "proxy_ssl_server_name on;"},
		{HAProxy, HTTP}: {"server app 10.0.0.5:443 ssl verify required ca-file /etc/ssl/upstream-ca.pem sni str(app.internal)"},
		{Go, HTTP}:      {"Transport.TLSClientConfig = &tls.Config{RootCAs: upstreamPool, ServerName: \"app.internal\"}"},
		{Apache, HTTP}:  {"SSLProxyCACertificateFile /etc/ssl/upstream-ca.pem"},
	}}},
	advice: map[Target][]string{
		{Nginx, HTTP}:  {"proxy_ssl_server_name on; proxy_ssl_name the.upstream.host; and check proxy_ssl_protocols; 'wrong version number' means https:// to a plain-HTTP port"},
		{Apache, HTTP}: {"SSLProxyEngine on; SSLProxyCheckPeerName/SSLProxyVerify to match the backend's certificate"},
	},
}

var noneHealthyRemedy = remedy{
	steps: []Step{{Text: "Every upstream is marked down: check the health check target and the servers' state, and bring at least one back.", lines: map[Target][]string{
		{HAProxy, HTTP}: {"echo 'show servers state' | socat stdio /run/haproxy/admin.sock", "journalctl -u haproxy | grep 'is DOWN'"},
		{Nginx, HTTP}:   {"grep -E 'no live upstreams|upstream server temporarily disabled' /var/log/nginx/error.log"},
	}}},
	advice: map[Target][]string{
		{Nginx, HTTP}:   {"every server of the upstream block is marked down (max_fails/fail_timeout): fix the servers, then check max_fails=3 fail_timeout=10s"},
		{Apache, HTTP}:  {"the worker is in its retry window after a failure: fix the backend; retry=5 on ProxyPass shortens the lock-out"},
		{HAProxy, HTTP}: {"all servers are DOWN: see the 'Server ... is DOWN, reason:' lines; fix the servers or the health check"},
		{Envoy, HTTP}:   {"no healthy endpoint in the cluster: check the health checks and outlier detection"},
		{Caddy, HTTP}:   {"no upstream available: check health_uri / passive health checks of reverse_proxy"},
		{Traefik, HTTP}: {"no available server: check the service's healthCheck and that its servers are up"},
		{Squid, HTTP}:   {"Squid marked the cache_peer DEAD after failed connections and sends it nothing until a probe succeeds: start the origin, check cache_peer's address and port"},
		{ALB, HTTP}:     {"the target group has no healthy or registered targets: check health checks and registrations"},
	},
}

var overloadedRemedy = remedy{
	steps: []Step{{Text: "The upstream is out of workers or connections: raise the pool (PHP-FPM pm.max_children, the app's worker count) only if memory allows, and find what holds the workers.", lines: map[Target][]string{{}: {"grep 'max_children' /var/log/php*-fpm.log", "; FPM pool: pm.max_children = 20"}}}},
	advice: map[Target][]string{
		{Nginx, HTTP}:    {"the upstream's listen queue is full: raise its workers, or listen.backlog in the FPM pool and net.core.somaxconn"},
		{Nginx, FastCGI}: {"pm.max_children is reached: raise pm.max_children in the FPM pool (memory allowing), or make requests faster"},
		{PHPFPM, HTTP}:   {"pm.max_children = N in the pool: about (RAM for PHP) / (memory of one worker); pm.max_requests = 500 against leaks"},
		{HAProxy, HTTP}:  {"requests waited for a free slot until timeout queue: raise maxconn on the servers or add servers"},
		{Envoy, HTTP}:    {"circuit breaker tripped: raise circuit_breakers thresholds (max_connections, max_pending_requests) on the cluster"},
	},
}
