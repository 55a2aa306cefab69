// Package gwconfig reads the configuration of the gateways that answer 502,
// 503 and 504 — nginx, HAProxy, Apache httpd, Caddy, Varnish, Squid,
// lighttpd — and of the PHP-FPM
// pools behind them, finds the path a request takes through it, and names
// the settings that make a failure happen.
//
// Load reads whichever configurations are given (Sources) into a Config.
// Config.Route tells, for a URL, which server block and location (nginx),
// frontend and backend (HAProxy), ProxyPass (Apache) or site block and
// reverse_proxy or php_fastcgi (Caddy, its Caddyfile or JSON), vcl_recv's
// backend_hint (Varnish's VCL), the accel http_port and cache_peer
// (squid.conf), or the conditional block and proxy.server or
// fastcgi.server entry (lighttpd.conf) handle it, the
// upstreams behind it, and the effective values of the settings that decide
// between a 502 and a 504, each with the file and line that set it or
// "default" when the product's default applies.
//
// Check lints a Config without any failure at hand (risky timeouts, small
// header buffers, localhost upstreams, names resolved only at start-up).
// Explain ties a measured failure (how long the upstream took, how large its
// headers were) to the one setting that fires, and gives the line to write
// instead. Findings name causes with the IDs of the project's cause catalog.
//
// Parsers keep the file and line of every directive. A configuration is read
// as people write it — a site file alone, includes that are missing on this
// machine, a paste cut short, ingress-nginx's Lua blocks, CRLF line endings
// and a byte order mark — and what cannot be read is left out and listed in
// the model's Problems as a *ParseError with its file and line, so one
// unusable part degrades the result instead of sinking it; only a main file
// that cannot be read at all is an error. Facts about defaults and matching rules come from the products'
// documentation: nginx https://nginx.org/en/docs/, HAProxy's configuration.txt,
// Apache's mod_proxy documentation, Caddy's https://caddyserver.com/docs/,
// Varnish's https://varnish-cache.org/docs/7.1/reference/, Squid's
// http://www.squid-cache.org/Doc/config/, lighttpd's
// https://redmine.lighttpd.net/projects/lighttpd/wiki/Docs_Configuration
// and PHP-FPM's www.conf.
//
// The package never logs. The only program it runs is nginx itself, in
// DumpNginx, under a deadline; lighttpd's include_shell is never run.
package gwconfig
