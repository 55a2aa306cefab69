package gwconfig

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"
)

// worldCases5 is a fifth, held-out round of published configurations:
// projects' reverse-proxy documentation (Immich, Vaultwarden, Home
// Assistant, PeerTube, GitLab, Authelia, mailcow), the Squid wiki's
// accelerator examples, PHP's lighttpd notes, project VCLs and
// configurations from repositories that run them. What each must give was
// decided from the file and its source per the gateway's documentation
// (nginx location precedence and try_files, Apache's mod_rewrite [P] before
// ProxyPass in the server context, HAProxy's rule order and anonymous ACLs,
// Caddy's directive order, the VCL flow, Squid's http_access and
// cache_peer_access), not from what the readers give;
// TestWorldConfigsRound5 scores the readers on them.
var worldCases5 = []worldCase{
	// nginx
	{file: "nginx/immich-docs.conf", url: "http://immich.example.org/api/server/ping", // the only server of :80 is its default
		location: "location /", target: "http://<backend_url>:2283", ups: []string{"tcp:<backend_url>:2283"},
		settings: map[string]time.Duration{"proxy_read_timeout": 600 * time.Second, "proxy_send_timeout": 600 * time.Second}},
	{file: "nginx/vaultwarden-wiki-subpath.conf", url: "https://vaultwarden.example.tld/vault/api/config",
		location: "location /vault/", target: "http://vaultwarden-default", ups: []string{"tcp:127.0.0.1:8080"}},
	{file: "nginx/vaultwarden-wiki-subpath.conf", url: "https://vaultwarden.example.tld/"},      // no location matches: nginx serves its root itself
	{file: "nginx/vaultwarden-wiki-subpath.conf", url: "http://vaultwarden.example.tld/vault/"}, // server-level if: return 301
	{file: "nginx/vaultwarden-wiki-subpath.conf", url: "http://other.example/"},                 // default server of :80: return 404
	{file: "nginx/home-assistant-docs.conf", url: "https://example.com/lovelace/0",
		location: "location /", target: "http://localhost:8123", ups: []string{"tcp:localhost:8123"}},
	{file: "nginx/home-assistant-docs.conf", url: "https://example.com/api/websocket",
		location: "location /", target: "http://localhost:8123", ups: []string{"tcp:localhost:8123"}},
	{file: "nginx/home-assistant-docs.conf", url: "http://example.com/"}, // return 301 in the :80 server
	{file: "nginx/peertube.conf", url: "https://peertube.example.com/api/v1/videos/upload-resumable", // the first matching regex, then try_files falls back to @api
		location: "location @api", target: "http://backend", ups: []string{"tcp:${PEERTUBE_HOST}:80"},
		settings: map[string]time.Duration{"proxy_read_timeout": 10 * time.Minute, "proxy_connect_timeout": 10 * time.Minute,
			"proxy_send_timeout": 10 * time.Minute}},
	{file: "nginx/peertube.conf", url: "https://peertube.example.com/w/kkGMgK9ZtnKfYAgnEtQxbv",
		location: "location @api", target: "http://backend", ups: []string{"tcp:${PEERTUBE_HOST}:80"},
		settings: map[string]time.Duration{"proxy_read_timeout": 10 * time.Minute}},
	{file: "nginx/peertube.conf", url: "https://peertube.example.com/tracker/socket", // the named location does not inherit /tracker/socket's 15m
		location: "location @api_websocket", target: "http://backend", ups: []string{"tcp:${PEERTUBE_HOST}:80"},
		settings: map[string]time.Duration{"keepalive_timeout": 10 * time.Second}},
	{file: "nginx/peertube.conf", url: "https://peertube.example.com/static/web-videos/abc-720.mp4", // rewrite ... break, then try_files $uri @api
		location: "location @api", target: "http://backend", ups: []string{"tcp:${PEERTUBE_HOST}:80"}},
	{file: "nginx/peertube.conf", url: "https://peertube.example.com/download/videos/abc-720.mp4",
		location: "location ~ ^(/static/(webseed|web-videos|streaming-playlists/hls)/private/)|^/download", target: "http://backend",
		ups: []string{"tcp:${PEERTUBE_HOST}:80"}, settings: map[string]time.Duration{"keepalive_timeout": 10 * time.Second}},
	{file: "nginx/peertube.conf", url: "http://peertube.example.com/videos/local", // location / of the :80 server: return 301
		location: "location /"},

	// Apache
	{file: "apache/immich-docs.conf", url: "http://immich.example.org/api/server/ping",
		location: "ProxyPass / http://127.0.0.1:2283/", target: "http://127.0.0.1:2283/", ups: []string{"tcp:127.0.0.1:2283"},
		settings: map[string]time.Duration{"timeout=": 600 * time.Second}},
	{file: "apache/vaultwarden-wiki-sublocation.conf", url: "https://vault.example.com/$sublocation/api/config", // one-argument ProxyPass in <Location>
		location: "ProxyPass /$sublocation/ http://<SERVER>:80/$sublocation/", target: "http://<SERVER>:80/$sublocation/", ups: []string{"tcp:<SERVER>:80"}},
	{file: "apache/vaultwarden-wiki-sublocation.conf", url: "https://vault.example.com/other"}, // Apache serves it itself
	{file: "apache/home-assistant-docs.conf", url: "https://home.example.org/lovelace/0", // RewriteRule [P] comes before ProxyPass
		location: "RewriteRule /(.*) http://localhost:8123/$1", target: "http://localhost:8123/$1", ups: []string{"tcp:localhost:8123"}},
	{file: "apache/home-assistant-docs.conf", url: "https://home.example.org/api/websocket", // no Upgrade header: the second rule
		location: "RewriteRule /(.*) http://localhost:8123/$1", target: "http://localhost:8123/$1", ups: []string{"tcp:localhost:8123"}},
	{file: "apache/gitlab-omnibus-ssl-apache24.conf", url: "https://gitlab.example.com/api/v3/projects/1", // the only *:443 host is its default
		location: "RewriteRule .* http://127.0.0.1:8181%{REQUEST_URI}", target: "http://127.0.0.1:8181%{REQUEST_URI}", ups: []string{"tcp:127.0.0.1:8181"}},
	{file: "apache/gitlab-omnibus-ssl-apache24.conf", url: "https://gitlab.example.com/group/project/-/issues", // not a file: the second rule
		location: "RewriteRule .* http://127.0.0.1:8181%{REQUEST_URI}", target: "http://127.0.0.1:8181%{REQUEST_URI}", ups: []string{"tcp:127.0.0.1:8181"}},
	{file: "apache/gitlab-omnibus-ssl-apache24.conf", url: "http://gitlab.example.com/"}, // *:80 redirects

	// HAProxy
	{file: "haproxy/vaultwarden-wiki.cfg", url: "https://bitwarden.domain.tld/api/config",
		location: "backend vaultwarden_http", target: "vaultwarden_http", ups: []string{"tcp:0.0.0.0:8080"}},
	{file: "haproxy/vaultwarden-wiki.cfg", url: "https://other.domain.tld/", // default_backend without servers: its 503 errorfile
		location: "backend static-success-default", target: "static-success-default"},
	{file: "haproxy/home-assistant-docs.cfg", problems: []int{45}, url: "https://subdomain.domain.com/lovelace", // hdr(host) -i; the server line is a placeholder HAProxy cannot read
		location: "backend hass-backend", target: "hass-backend",
		settings: map[string]time.Duration{"timeout connect": 5 * time.Second, "timeout client": 50 * time.Second, "timeout server": 50 * time.Second}},
	{file: "haproxy/home-assistant-docs.cfg", problems: []int{45}, url: "http://subdomain.domain.com/"}, // redirect scheme https
	{file: "haproxy/home-assistant-docs.cfg", problems: []int{45}, url: "https://other.example.com/"},   // no backend: 503
	{file: "haproxy/nomad-blue-green.cfg", url: "http://lb.example/", // server-template: the addresses come from DNS SRV records at run time
		location: "backend app", target: "app",
		settings: map[string]time.Duration{"timeout client": time.Minute, "timeout server": time.Minute, "timeout connect": 5 * time.Second}},
	{file: "haproxy/nomad-blue-green.cfg", url: "http://lb.example:8080/",
		location: "backend canary", target: "canary", settings: map[string]time.Duration{"timeout server": time.Minute}},
	{file: "haproxy/nomad-blue-green.cfg", url: "http://lb.example:1936/"}, // stats uri /
	{file: "haproxy/mailcow-docs.cfg", url: "https://mail.example.org/SOGo/",
		location: "backend mailcow", target: "mailcow", ups: []string{"tcp:127.0.0.1:8080"}},
	// The page's block goes into a haproxy.cfg whose defaults (Debian's)
	// say "mode http"; "{ ssl_fc || mailcow_acme }" is one anonymous ACL on
	// ssl_fc, so plain HTTP is redirected, ACME's path too (tried with
	// HAProxy 2.6).
	{file: "haproxy/mailcow-docs.cfg", url: "http://mail.example.org/.well-known/acme-challenge/token"},
	{file: "haproxy/mailcow-docs.cfg", url: "http://mail.example.org/SOGo/"},

	// Caddy
	{file: "caddy/home-assistant-docs-v1-Caddyfile", problems: []int{3}, url: "https://example.com/"}, // Caddy 2 has no "proxy" directive
	{file: "caddy/authelia-docs-subpath-Caddyfile", url: "https://example.com/nextcloud/index.php", // forward_auth first, then reverse_proxy
		location: "reverse_proxy nextcloud:80", target: "nextcloud:80", ups: []string{"tcp:nextcloud:80"}},
	{file: "caddy/authelia-docs-subpath-Caddyfile", url: "https://example.com/nextcloud",
		location: "reverse_proxy nextcloud:80", target: "nextcloud:80", ups: []string{"tcp:nextcloud:80"}},
	{file: "caddy/authelia-docs-subpath-Caddyfile", url: "https://example.com/authelia/api/state",
		location: "reverse_proxy authelia:9091", target: "authelia:9091", ups: []string{"tcp:authelia:9091"}},
	{file: "caddy/authelia-docs-subpath-Caddyfile", url: "https://example.com/"}, // no handler
	{file: "caddy/etsyapi-Caddyfile", url: "https://etsy.react.mobi/api/listings",
		location: "reverse_proxy localhost:3101", target: "localhost:3101", ups: []string{"tcp:localhost:3101"}},
	{file: "caddy/etsyapi-Caddyfile", url: "https://etsy.react.mobi/shop/123", location: "file_server"},
	{file: "caddy/etsyapi-Caddyfile", url: "https://etsyapi.react.mobi/listings",
		location: "reverse_proxy localhost:3101", target: "localhost:3101", ups: []string{"tcp:localhost:3101"}},

	// Varnish
	{file: "varnish/varnish-6.0-templates-default.vcl", url: "http://www.example.com/",
		location: "set req.backend_hint = vdir.backend();", target: "vdir.backend()", ups: []string{"tcp:127.0.0.1:80"}, note: "round_robin",
		settings: map[string]time.Duration{"first_byte_timeout": 300 * time.Second, "connect_timeout": 5 * time.Second, "between_bytes_timeout": 2 * time.Second}},
	{file: "varnish/varnish-6.0-templates-default.vcl", url: "http://www.example.com/media/video.mp4",
		location: "set req.backend_hint = vdir.backend();", target: "vdir.backend()", ups: []string{"tcp:127.0.0.1:80"}},
	{file: "varnish/varnishtraining-7.7.vcl", url: "http://localhost/exercises/7/",
		location: "set req.backend_hint = loadbalance.backend();", target: "loadbalance.backend()",
		ups: []string{"tcp:127.0.0.1:8080", "tcp:127.0.0.1:8081"}, note: "fallback"},
	{file: "varnish/node-automation-default.vcl", url: "http://rhino.acme.com/",
		location: "set req.backend_hint = testGoogle;", target: "testGoogle", ups: []string{"tcp:172.217.194.139:80"}},
	{file: "varnish/node-automation-default.vcl", url: "http://rhinoxacme.com/", // "." in the regex matches any character
		location: "set req.backend_hint = testGoogle;", target: "testGoogle", ups: []string{"tcp:172.217.194.139:80"}},
	{file: "varnish/node-automation-default.vcl", url: "http://app.example.com/",
		location: "set req.backend_hint = default;", target: "default", ups: []string{"tcp:192.168.100.119:8000"}},

	// Squid
	{file: "squid/squid-wiki-wildcard-cert.conf", url: "https://websiteA.mydomain.com/", // dstdomain is case-insensitive
		location: "cache_peer 10.112.62.20 parent 80 0 no-query originserver login=PASS name=websiteA", target: "websiteA",
		ups: []string{"tcp:10.112.62.20:80"}},
	{file: "squid/squid-wiki-wildcard-cert.conf", url: "https://mywebsite.mydomain.com/page",
		location: "cache_peer 10.112.143.112 parent 80 0 no-query originserver login=PASS name=mywebsite", target: "mywebsite",
		ups: []string{"tcp:10.112.143.112:80"}},
	{file: "squid/squid-wiki-wildcard-cert.conf", url: "https://websiteb.mydomain.com/", // the peer line goes on after a backslash
		location: "cache_peer 10.112.90.20 parent 443 0 no-query originserver name=websiteB ssl sslcafile=/path/to/peer/publicCAkey.pem",
		target:   "websiteB", ups: []string{"tcp:10.112.90.20:443"}},
	{file: "squid/squid-wiki-wildcard-cert.conf", url: "https://other.mydomain.com/"}, // http_access deny all
	{file: "squid/squid-wiki-owa.conf", url: "https://owa_domain_name/owa/",
		location: "cache_peer ip_of_owa_server parent 80 0 no-query originserver login=PASS front-end-https=on name=owaServer", target: "owaServer",
		ups: []string{"tcp:ip_of_owa_server:80"}},
	{file: "squid/squid-wiki-owa.conf", url: "https://other.example.com/"}, // http_access deny all
	{file: "squid/squid-wiki-https-vhosting.conf", url: "https://your.main.website.name/",
		location: "cache_peer backend.webserver.ip.or.dnsname parent 80 0 no-query originserver name=myAccel", target: "myAccel",
		ups: []string{"tcp:backend.webserver.ip.or.dnsname:80"}},
	{file: "squid/squid-wiki-https-vhosting.conf", url: "https://example.net/"}, // not our_sites: denied, as the last http_access rule allows

	// lighttpd
	{file: "lighttpd/vaultwarden-wiki.conf", url: "https://vault.example.net/notifications/hub",
		location: `proxy.server ""`, target: "<SERVER>:3012", ups: []string{"tcp:<SERVER>:3012"}},
	{file: "lighttpd/vaultwarden-wiki.conf", url: "https://vault.example.net/api/config", // the else branch
		location: `proxy.server ""`, target: "<SERVER>:4567", ups: []string{"tcp:<SERVER>:4567"}},
	{file: "lighttpd/vaultwarden-wiki.conf", url: "https://other.example.net/"},
	{file: "lighttpd/php-docs-spawn.conf", url: "http://localhost/index.php", // lighttpd 1.4 reads it without the comma, dropping "min-procs"
		location: `fastcgi.server ".php"`, target: "unix:/tmp/php.socket", ups: []string{"unix:/tmp/php.socket"}},
	{file: "lighttpd/php-docs-remote.conf", url: "http://localhost/index.php",
		location: `fastcgi.server ".php"`, target: "10.0.0.2:1030", ups: []string{"tcp:10.0.0.2:1030", "tcp:10.0.0.3:1030"}},
}

// worldConfigsOpen5 names the files of round 5 not yet read as they should
// be, and why; the test logs them instead of failing.
var worldConfigsOpen5 = map[string]string{}

// TestWorldConfigsRound5 checks round 5 as TestWorldConfigsRound4 checks
// round 4, but for the files worldConfigsOpen5 lists, whose mismatches are
// logged.
func TestWorldConfigsRound5(t *testing.T) { runWorldConfigRound(t, worldCases5, worldConfigsOpen5) }

// worldFPMPool is what one pool of a published PHP-FPM file must read as.
type worldFPMPool struct {
	name, network, addr, pm, maxChildren string
	terminate                            time.Duration // request_terminate_timeout, 0 when not set
}

// worldFPMCases5 are the PHP-FPM pool files of round 5 and their pools, in
// order. A file whose settings stand before any [pool] header defines no
// pool: PHP-FPM reads them as global entries (and refuses "user") when the
// file is read alone, or adds them to the pool before it when included.
var worldFPMCases5 = []struct {
	file  string
	pools []worldFPMPool
}{
	{file: "php-fpm/observium-www.conf", pools: []worldFPMPool{
		{name: "www", network: "unix", addr: "/run/php-fpm/www.sock", pm: "dynamic", maxChildren: "50"}}},
	{file: "php-fpm/mailcow-pools.conf", pools: []worldFPMPool{
		{name: "system-worker", network: "tcp", addr: "[::]:9001", pm: "dynamic", maxChildren: "15"},
		{name: "web-worker", network: "tcp", addr: "[::]:9002", pm: "dynamic", maxChildren: "50"}}},
	{file: "php-fpm/laradock-xlaravel.pool.conf"},
}

// TestWorldPHPFPMRound5 reads round 5's pool files alone, from memory.
func TestWorldPHPFPMRound5(t *testing.T) {
	for _, tc := range worldFPMCases5 {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/world/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			name := "/world/" + tc.file
			c := &PHPFPM{File: name}
			if err := c.readFPM(memSource{name: data}, name); err != nil {
				t.Fatalf("reading: %v", err)
			}
			var got []worldFPMPool
			for _, p := range c.Pools {
				got = append(got, worldFPMPool{name: p.Name, network: p.Network, addr: p.Addr, pm: p.PM.Value,
					maxChildren: p.MaxChildren.Value, terminate: p.RequestTerminateTimeout.Duration})
			}
			if !slices.Equal(got, tc.pools) {
				t.Errorf("pools = %s, want %s", fmt.Sprint(got), fmt.Sprint(tc.pools))
			}
		})
	}
}
