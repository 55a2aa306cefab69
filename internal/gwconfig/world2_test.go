package gwconfig

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
)

// worldCases2 is a second, held-out round of published configurations:
// projects' documentation and examples, and configurations posted with
// 502/503/504 reports. What each must give was decided from the file and
// its source per the gateway's documentation, not from what the readers
// give; TestWorldConfigsRound2 scores the readers on them.
var worldCases2 = []worldCase{
	{file: "nginx/odoo-docs-deploy.conf", url: "https://odoo.mycompany.com/websocket",
		location: "location /websocket", target: "http://odoochat", ups: []string{"tcp:127.0.0.1:8072"},
		settings: map[string]time.Duration{"proxy_read_timeout": 720 * time.Second, "proxy_connect_timeout": 720 * time.Second, "proxy_send_timeout": 720 * time.Second}},
	{file: "nginx/odoo-docs-deploy.conf", url: "https://odoo.mycompany.com/web/login",
		location: "location /", target: "http://odoo", ups: []string{"tcp:127.0.0.1:8069"},
		settings: map[string]time.Duration{"proxy_read_timeout": 720 * time.Second}},
	{file: "nginx/odoo-docs-deploy.conf", url: "http://odoo.mycompany.com/web/login"}, // the server-level rewrite redirects to https
	{file: "nginx/gunicorn-example.conf", problems: []int{17}, url: "http://example.com/login",
		location: "location @proxy_to_app", target: "http://app_server", ups: []string{"unix:/tmp/gunicorn.sock"},
		settings: map[string]time.Duration{"keepalive_timeout": 5 * time.Second}},
	{file: "nginx/gunicorn-example.conf", problems: []int{17}, url: "http://unknown.example/"}, // default_server: return 444
	{file: "nginx/laravel-docs-deployment.conf", problems: []int{27}, url: "http://example.com/users/1",
		location: `location ~ \.php$`, target: "unix:/var/run/php/php7.4-fpm.sock", ups: []string{"unix:/var/run/php/php7.4-fpm.sock"}},
	{file: "nginx/laravel-docs-deployment.conf", problems: []int{27}, url: "http://example.com/.env",
		location: `location ~ /\.(?!well-known).*`},
	{file: "nginx/linkace-nginx.conf", problems: []int{57}, url: "http://localhost:8085/links",
		location: `location ~ \.php$`, target: "php:9000", ups: []string{"tcp:php:9000"},
		settings: map[string]time.Duration{"fastcgi_read_timeout": 300 * time.Second}},
	{file: "nginx/symfony-docs-web-server.conf", problems: []int{21}, url: "http://domain.tld/blog/hello",
		location: `location ~ ^/index\.php(/|$)`, target: "unix:/var/run/php/php7.4-fpm.sock", ups: []string{"unix:/var/run/php/php7.4-fpm.sock"}},
	{file: "nginx/symfony-docs-web-server.conf", problems: []int{21}, url: "http://domain.tld/index.php",
		location: `location ~ ^/index\.php(/|$)`}, // "internal": an external request gets 404 from nginx
	{file: "nginx/symfony-docs-web-server.conf", problems: []int{21}, url: "http://domain.tld/config.php",
		location: `location ~ \.php$`},
	{file: "nginx/pihole-nginx.conf", problems: []int{16}, url: "http://pi.hole/admin/index.php",
		location: "location ~ .php$", target: "unix:/var/run/php5-fpm.sock", ups: []string{"unix:/var/run/php5-fpm.sock"}},
	{file: "nginx/pihole-nginx.conf", problems: []int{16}, url: "http://pi.hole/", location: "location /"},
	{file: "nginx/docker-webserver-18.conf", problems: []int{7}, url: "http://localhost:8000/index.php",
		location: `location ~ \.php$`, target: "127.0.0.1:9000", ups: []string{"tcp:127.0.0.1:9000"}, note: "outside any server block"},
	{file: "nginx/world-is-yours-25.conf", problems: []int{3}, url: "http://gadgacademia.online/index.php",
		location: `location ~ \.php$`, target: "unix:/var/run/php/php7.4-fpm.sock", ups: []string{"unix:/var/run/php/php7.4-fpm.sock"}},

	{file: "haproxy/acl-content-sw-example.cfg", url: "http://demo.1wt.eu/",
		location: "backend demo", target: "demo",
		settings: map[string]time.Duration{"timeout client": 30 * time.Second}},
	{file: "haproxy/acl-content-sw-example.cfg", url: "http://www.1wt.eu/",
		location: "backend www", target: "www", ups: []string{"tcp:192.168.12.2:80", "tcp:192.168.11.2:80"},
		settings: map[string]time.Duration{"timeout client": 30 * time.Second, "timeout connect": 20 * time.Second, "timeout server": 20 * time.Second}},
	{file: "haproxy/acl-content-sw-example.cfg", url: "http://www2.1wt.eu/",
		location: "backend www2", target: "www2", ups: []string{"tcp:192.168.22.2:80"},
		settings: map[string]time.Duration{"timeout connect": 20 * time.Second, "timeout server": 20 * time.Second}},
	{file: "haproxy/basic-config-edge-example.cfg", url: "https://svc1.example.com/",
		location: "backend app1", target: "app1", ups: []string{"tcp:192.0.2.1:80", "tcp:192.0.2.2:80", "tcp:192.0.2.3:80", "tcp:192.0.2.4:80"},
		settings: map[string]time.Duration{"timeout client": time.Minute, "timeout server": time.Minute, "timeout connect": 10 * time.Second,
			"timeout queue": 15 * time.Second, "timeout http-keep-alive": 2 * time.Minute}},
	{file: "haproxy/basic-config-edge-example.cfg", url: "http://svc1.example.com/"}, // http-request redirect scheme https
	{file: "haproxy/basic-config-edge-example.cfg", url: "http://lb.example:8181/"},  // frontend stats: stats uri /
	{file: "haproxy/url-switching-example.cfg", url: "http://10.20.30.40/img/logo.png",
		location: "listen frontend", target: "frontend", ups: []string{"tcp:127.0.0.2:8000"},
		settings: map[string]time.Duration{"timeout client": 50 * time.Second, "timeout connect": 5 * time.Second, "timeout server": 50 * time.Second}},
	{file: "haproxy/adventurelog-docs.cfg", url: "http://adventurelog.example.com/",
		location: "backend adventurelog", target: "adventurelog", ups: []string{"tcp:192.168.1.100:3000"},
		settings: map[string]time.Duration{"timeout client": time.Minute}},
	{file: "haproxy/adventurelog-docs.cfg", url: "http://adventurelog.example.com/media/photo.jpg",
		note: `no backend "adventurelog_media"`},
	{file: "haproxy/haproxy-122.cfg", url: "http://localhost/.abc/", note: `no backend "letsencrypt-backend"`},

	{file: "apache/httpd-docs-fcgi-balancer.conf", url: "http://localhost/myapp/index",
		location: "ProxyPass /myapp/ balancer://myappcluster/", target: "balancer://myappcluster/", ups: []string{"tcp:localhost:4000", "tcp:localhost:4001"}},
	{file: "apache/httpd-docs-fcgi-uds.conf", url: "http://localhost/index.php",
		location: `ProxyPassMatch ^/(.*\.php(/.*)?)$ unix:/var/run/php5-fpm.sock|fcgi://localhost/var/www/`,
		target:   "unix:/var/run/php5-fpm.sock|fcgi://localhost/var/www/", ups: []string{"unix:/var/run/php5-fpm.sock"}},
	{file: "apache/symfony-docs-web-server.conf", url: "http://domain.tld/index.php",
		location: `SetHandler \.php$ fcgi://127.0.0.1:9000`, target: "fcgi://127.0.0.1:9000", ups: []string{"tcp:127.0.0.1:9000"}},
	{file: "apache/symfony-docs-web-server.conf", url: "http://domain.tld/blog/hello", // FallbackResource /index.php
		location: `SetHandler \.php$ fcgi://127.0.0.1:9000`, target: "fcgi://127.0.0.1:9000", ups: []string{"tcp:127.0.0.1:9000"}},
	{file: "apache/mastodon-20462.conf", url: "https://domain.com/",
		location: "ProxyPass / http://192.168.1.28:3000/", target: "http://192.168.1.28:3000/", ups: []string{"tcp:192.168.1.28:3000"}},
	{file: "apache/mastodon-20462.conf", url: "https://domain.com/api/v1/streaming/",
		location: "ProxyPass /api/v1/streaming/ ws://192.168.1.28:4000/", target: "ws://192.168.1.28:4000/", ups: []string{"tcp:192.168.1.28:4000"}},
	{file: "apache/ejabberd-3057.conf", problems: []int{23}, url: "http://chat.domain.de/admin", // the first match wins: ProxyPass /
		location: "ProxyPass / http://127.0.0.1:5280/", target: "http://127.0.0.1:5280/", ups: []string{"tcp:127.0.0.1:5280"}},

	{file: "caddy/caddy-docs-patterns-spa-Caddyfile", url: "https://example.com/api/users",
		location: "reverse_proxy backend:8000", target: "backend:8000", ups: []string{"tcp:backend:8000"}},
	{file: "caddy/caddy-docs-patterns-spa-Caddyfile", url: "https://example.com/dashboard", location: "file_server"},
	{file: "caddy/caddy-docs-patterns-back-Caddyfile", url: "http://bar.example.com/",
		location: "reverse_proxy bar-app:9000", target: "bar-app:9000", ups: []string{"tcp:bar-app:9000"}},
	{file: "caddy/bar-assistant-441-Caddyfile", url: "https://mydomain.com/search/indexes",
		location: "reverse_proxy meilisearch:7700", target: "meilisearch:7700", ups: []string{"tcp:meilisearch:7700"}},
	{file: "caddy/bar-assistant-441-Caddyfile", url: "https://mydomain.com/bar/api/cocktails",
		location: "reverse_proxy bar-assistant:3000", target: "bar-assistant:3000", ups: []string{"tcp:bar-assistant:3000"}},

	{file: "varnish/varnish-docs-directors.vcl", url: "http://www.example.com/",
		location: "set req.backend_hint = bar.backend();", target: "bar.backend()",
		ups: []string{"tcp:192.168.0.10:80", "tcp:192.168.0.10:80"}, note: "round_robin"},

	{file: "squid/squid-docs-basic-accelerator.conf", url: "http://your.main.website.name/index.html",
		location: "cache_peer backend.webserver.ip.or.dnsname parent 80 0 no-query originserver name=myAccel", target: "myAccel",
		ups: []string{"tcp:backend.webserver.ip.or.dnsname:80"}},
	{file: "squid/squid-docs-basic-accelerator.conf", url: "http://www.other.example/", // no-vhost: the Host header is not used, defaultsite is
		location: "cache_peer backend.webserver.ip.or.dnsname parent 80 0 no-query originserver name=myAccel", target: "myAccel",
		ups: []string{"tcp:backend.webserver.ip.or.dnsname:80"}},

	{file: "lighttpd/pihole-admin.conf", url: "http://pi.hole/admin/index.php",
		location: `fastcgi.server ".php"`, target: "unix:/run/lighttpd/pihole-php-fastcgi.socket",
		ups: []string{"unix:/run/lighttpd/pihole-php-fastcgi.socket"}},
	{file: "lighttpd/pihole-admin.conf", url: "http://pi.hole/"}, // url.redirect to /admin/
}

// worldProblemsMismatch returns how the problems of tc.file differ from
// those tc expects, or "".
func worldProblemsMismatch(tc worldCase, probs []*ParseError) string {
	var lines []int
	var other []string
	for _, p := range probs {
		if p.File != "/world/"+tc.file {
			other = append(other, p.Error())
		}
		lines = append(lines, p.Line)
	}
	var out []string
	if len(other) > 0 {
		out = append(out, fmt.Sprintf("problems about another file: %q", other))
	}
	if !slices.Equal(lines, tc.problems) {
		var msgs []string
		for _, p := range probs {
			msgs = append(msgs, p.Error())
		}
		out = append(out, fmt.Sprintf("problems at lines %v, want %v (%q)", lines, tc.problems, msgs))
	}
	return strings.Join(out, "; ")
}

// worldRouteMismatches returns how routing tc.url differs from what tc
// expects: the same checks as TestWorldConfigs.
func worldRouteMismatches(tc worldCase, r *Route, err error) []string {
	if tc.routeErr != "" {
		if err == nil || !strings.Contains(err.Error(), tc.routeErr) {
			return []string{fmt.Sprintf("Route error = %v, want one with %q", err, tc.routeErr)}
		}
		return nil
	}
	if err != nil {
		return []string{fmt.Sprintf("Route: %v", err)}
	}
	var out []string
	if r.Location.Name != tc.location || r.Target != tc.target {
		out = append(out, fmt.Sprintf("route = %q to %q, want %q to %q (notes %q)", r.Location.Name, r.Target, tc.location, tc.target, r.Notes))
	}
	if tc.note != "" && !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
		out = append(out, fmt.Sprintf("notes %q, want one with %q", r.Notes, tc.note))
	}
	ups := upstreamKeys(r)
	if !slices.Equal(ups, tc.ups) {
		out = append(out, fmt.Sprintf("upstreams = %q, want %q", ups, tc.ups))
	}
	names := make([]string, 0, len(tc.settings))
	for name := range tc.settings {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		want := tc.settings[name]
		s, ok := r.Setting(name)
		if !ok || s.Default || s.Duration != want || path.Base(s.File) != path.Base(tc.file) {
			out = append(out, fmt.Sprintf("setting %s = %+v, want %v set in the file", name, s, want))
		}
	}
	return out
}
