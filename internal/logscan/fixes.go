package logscan

// Fix is one change that addresses a cause, in one product's config language.
type Fix struct {
	// Product is the product slug whose configuration the fix changes.
	Product string `json:"product"`
	// Text is the change, with the directive or setting to use.
	Text string `json:"text"`
}

// fixKey picks the fixes of a cause for a product; nginx in front of
// FastCGI (PHP-FPM) has its own directives.
type fixKey struct {
	product string
	cause   string
}

// productFastCGI stands for nginx in front of a FastCGI upstream in the fix table.
const productFastCGI = "nginx+fastcgi"

// fixTable holds every fix text. Directives are the products' own:
// nginx ngx_http_proxy_module / ngx_http_fastcgi_module / ngx_http_upstream_module,
// PHP-FPM's pool configuration, Apache mod_proxy, HAProxy's configuration
// manual, Envoy's cluster settings, Caddy's reverse_proxy, Traefik's
// serversTransport.
var fixTable = map[fixKey][]string{
	{productNginx, causeRefused}:           {"start the upstream, or point proxy_pass / the upstream block at the address it really listens on (127.0.0.1 vs ::1, port)"},
	{productFastCGI, causeRefused}:         {"start PHP-FPM (systemctl status php*-fpm) and make fastcgi_pass name the socket its pool's listen = creates"},
	{productNginx, causePermission}:        {"let nginx's user open the socket: listen.owner/listen.group/listen.mode in the FPM pool, or setsebool -P httpd_can_network_connect 1 under SELinux"},
	{productFastCGI, causePermission}:      {"listen.owner = www-data, listen.group = www-data, listen.mode = 0660 in the PHP-FPM pool (the user nginx runs as)"},
	{productNginx, causeUnreachable}:       {"check the route and firewall to the upstream; proxy_connect_timeout 5s; fails fast instead of after 60s"},
	{productNginx, causeDNS}:               {"resolver 127.0.0.53 valid=30s; and fix the upstream's name; with a variable in proxy_pass nginx needs a resolver"},
	{productNginx, causeTimeout}:           {"make the slow request faster, or raise proxy_read_timeout 120s; (default 60s)"},
	{productFastCGI, causeTimeout}:         {"fastcgi_read_timeout 120s; in nginx, and keep PHP's request_terminate_timeout and max_execution_time at or below it so PHP stops first"},
	{productNginx, causeClosed}:            {"intermittent (keep-alive race): the upstream's own keep-alive timeout must exceed the keepalive_timeout of nginx's upstream block (default 60s): e.g. keepalive_timeout 30s; there, or Node's server.keepAliveTimeout = 65000", "otherwise the upstream crashed or was killed mid-request: read its log around these times"},
	{productFastCGI, causeClosed}:          {"a PHP-FPM worker died mid-request: look for 'exited on signal' and 'execution timed out' in the FPM log; raise request_terminate_timeout if it killed the worker"},
	{productNginx, causeInvalidResponse}:   {"the upstream does not speak HTTP on that port: check proxy_pass's scheme and port (http vs https, HTTP/1 vs h2c/gRPC: grpc_pass)"},
	{productFastCGI, causeInvalidResponse}: {"fastcgi_pass points at something that is not FastCGI (an HTTP port?): point it at PHP-FPM's listen address"},
	{productNginx, causeHeaderTooBig}:      {"proxy_buffer_size 16k; proxy_buffers 8 16k; proxy_busy_buffers_size 32k; (or send smaller cookies and headers)"},
	{productFastCGI, causeHeaderTooBig}:    {"fastcgi_buffer_size 32k; fastcgi_buffers 16 16k; (or send smaller cookies and headers)"},
	{productNginx, causeTLS}:               {"proxy_ssl_server_name on; proxy_ssl_name the.upstream.host; and check proxy_ssl_protocols; 'wrong version number' means https:// to a plain-HTTP port"},
	{productNginx, causeNoneHealthy}:       {"every server of the upstream block is marked down (max_fails/fail_timeout): fix the servers, then check max_fails=3 fail_timeout=10s"},
	{productNginx, causeOverloaded}:        {"the upstream's listen queue is full: raise its workers, or listen.backlog in the FPM pool and net.core.somaxconn"},
	{productFastCGI, causeOverloaded}:      {"pm.max_children is reached: raise pm.max_children in the FPM pool (memory allowing), or make requests faster"},
	{productNginx, causeTruncated}:         {"the upstream died while sending the body: read its log; proxy_read_timeout also covers pauses between body reads"},
	{productNginx, causeAppError}:          {"the application answered 5xx itself: read its log; nginx only passed the status on"},
	{productNginx, causeUpstream}:          {"read nginx's error log for the same minutes to learn the exact cause (pass it to gwdoctor logs with the access log)"},
	{productPHPFPM, causeTimeout}:          {"request_terminate_timeout = 120s in the pool and max_execution_time in php.ini: keep them below nginx's fastcgi_read_timeout"},
	{productPHPFPM, causeOverloaded}:       {"pm.max_children = N in the pool: about (RAM for PHP) / (memory of one worker); pm.max_requests = 500 against leaks"},
	{productPHPFPM, causeClosed}:           {"workers die (signal 9 = OOM killer or request_terminate_timeout, 11 = crash): check dmesg, memory_limit, and the slowlog (request_slowlog_timeout = 5s)"},
	{productApache, causeRefused}:          {"start the backend or fix ProxyPass's address; retry=0 on the ProxyPass worker stops the 60s lock-out after one failure"},
	{productApache, causeTimeout}:          {"ProxyTimeout 120 (or timeout= on ProxyPass) above the backend's slowest answer"},
	{productApache, causeClosed}:           {"intermittent: disablereuse=On or a ttl= below the backend's keep-alive timeout on ProxyPass; otherwise read the backend's log"},
	{productApache, causeNoneHealthy}:      {"the worker is in its retry window after a failure: fix the backend; retry=5 on ProxyPass shortens the lock-out"},
	{productApache, causeDNS}:              {"fix the backend's name in ProxyPass, or use its IP address"},
	{productApache, causeTLS}:              {"SSLProxyEngine on; SSLProxyCheckPeerName/SSLProxyVerify to match the backend's certificate"},
	{productHAProxy, causeRefused}:         {"start the server or fix its address in the backend; check the health check (option httpchk) sees the same"},
	{productHAProxy, causeUnreachable}:     {"timeout connect 5s; and check routes/firewall to the server"},
	{productHAProxy, causeTimeout}:         {"timeout server 60s; above the slowest answer, or make the server faster"},
	{productHAProxy, causeClosed}:          {"intermittent: http-reuse safe and a server keep-alive above HAProxy's; retry-on conn-failure empty-response with retries 2"},
	{productHAProxy, causeNoneHealthy}:     {"all servers are DOWN: see the 'Server ... is DOWN, reason:' lines; fix the servers or the health check"},
	{productHAProxy, causeOverloaded}:      {"requests waited for a free slot until timeout queue: raise maxconn on the servers or add servers"},
	{productHAProxy, causeInvalidResponse}: {"the server sent a response HAProxy rejects (show errors on the stats socket); option accept-invalid-http-response only as a stopgap"},
	{productEnvoy, causeRefused}:           {"the cluster's endpoints refuse connections: check the endpoint port and that the app listens on 0.0.0.0"},
	{productEnvoy, causeTimeout}:           {"route timeout: 60s (default 15s) on the route, or make the upstream faster"},
	{productEnvoy, causeClosed}:            {"intermittent: common_http_protocol_options.idle_timeout on the cluster below the app's keep-alive timeout; retry_on: reset,connect-failure"},
	{productEnvoy, causeNoneHealthy}:       {"no healthy endpoint in the cluster: check the health checks and outlier detection"},
	{productEnvoy, causeOverloaded}:        {"circuit breaker tripped: raise circuit_breakers thresholds (max_connections, max_pending_requests) on the cluster"},
	{productCaddy, causeRefused}:           {"reverse_proxy points where nothing listens: check the upstream address (localhost may resolve to ::1)"},
	{productCaddy, causeTimeout}:           {"transport http { response_header_timeout 120s } in reverse_proxy"},
	{productCaddy, causeNoneHealthy}:       {"no upstream available: check health_uri / passive health checks of reverse_proxy"},
	{productTraefik, causeTimeout}:         {"serversTransport forwardingTimeouts responseHeaderTimeout: 120s"},
	{productTraefik, causeNoneHealthy}:     {"no available server: check the service's healthCheck and that its servers are up"},
	{productTraefik, causeClosed}:          {"intermittent: serversTransport forwardingTimeouts idleConnTimeout below the backend's keep-alive timeout"},
	{productSquid, causeRefused}:           {"the origin refuses connections: check cache_peer / the origin's address and port"},
	{productSquid, causeTimeout}:           {"read_timeout 15 minutes in squid.conf, or make the origin faster"},
	{productSquid, causeNoneHealthy}:       {"Squid marked the cache_peer DEAD after failed connections and sends it nothing until a probe succeeds: start the origin, check cache_peer's address and port"},
	{productSquid, causeClosed}:            {"the origin closed or reset the connection without answering (ERR_ZERO_SIZE_OBJECT, ERR_READ_ERROR): read the origin's log around these times"},
	{productSquid, causeInvalidResponse}:   {"the origin's answer is not valid HTTP (ERR_INVALID_RESP): check that cache_peer's port is the origin's HTTP port, and the headers it sends"},
	{productSquid, causeDNS}:               {"the cache_peer's name does not resolve: fix it in squid.conf, or use the origin's address"},
	{productSquid, causeHeaderTooBig}:      {"reply_header_max_size 128 KB in squid.conf (default 64 KB), or send smaller headers"},
	{productSquid, causeUpstream}:          {"read cache.log for the same minutes, or add %err_code to the access log's logformat, to learn the exact cause (the X-Squid-Error header names it too)"},
	{productLighttpd, causeRefused}:        {"the backend is not running: check the socket/host in proxy.server or fastcgi.server"},
	{productLighttpd, causeTimeout}:        {"raise the backend's timeouts or make it faster; server.max-read-idle for slow backends"},
	{productALB, causeClosed}:              {"intermittent: the target's keep-alive timeout must exceed the ALB idle timeout (60s by default)"},
	{productALB, causeTimeout}:             {"raise the ALB idle timeout (idle_timeout.timeout_seconds) or make the target answer sooner"},
	{productALB, causeRefused}:             {"the target refused the connection: check the target group's port and that the app listens"},
	{productALB, causeNoneHealthy}:         {"the target group has no healthy or registered targets: check health checks and registrations"},
	{productALB, causeAppError}:            {"the target answered 5xx itself (target_status_code): read the application's log"},
}

// fixesFor returns the fixes of a cause for the products that logged it.
// fastcgi of total failures went to a FastCGI upstream (PHP-FPM): nginx's
// fastcgi_* directives are shown for those and proxy_* ones for the rest.
// A product without a fix of its own for the cause gets none rather than
// another product's syntax.
func fixesFor(cause string, products []string, fastcgi, total int64) []Fix {
	var out []Fix
	seen := map[string]bool{}
	add := func(product, key string) {
		for _, t := range fixTable[fixKey{key, cause}] {
			if !seen[t] {
				seen[t] = true
				out = append(out, Fix{Product: product, Text: t})
			}
		}
	}
	for _, p := range products {
		_, hasFastCGI := fixTable[fixKey{productFastCGI, cause}]
		switch {
		case p != productNginx || !hasFastCGI || fastcgi == 0:
			add(p, p)
		case fastcgi == total:
			add(p, productFastCGI)
		default:
			add(p, p)
			add(p, productFastCGI)
		}
	}
	return out
}
