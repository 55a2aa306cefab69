package gwconfig

import (
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// worldCase is one published configuration of testdata/world and what
// reading it must give. Files are read alone, from memory under /world, so
// that an include of /etc/... never reaches the machine's own files.
type worldCase struct {
	file     string // under testdata/world
	problems []int  // lines of the main file with a part left out, in order
	url      string // a URL the source talks about
	routeErr string // part of the error of routing url, when it cannot be routed
	location string // the route's Location.Name
	target   string
	ups      []string                 // "tcp:host:port" or "unix:/path" of the route's Upstreams
	settings map[string]time.Duration // time settings written in the file, by name
	note     string                   // part of one of the route's notes
}

var worldCases = []worldCase{
	{file: "nginx/bitnami-151.conf", url: "http://nginx.fs.imagedz.com/sit-imagedt-shelf/01/a.jpg",
		location: `location ~ /.*imagedt.*/`, target: "http://$params_1.xxx.aliyuncs.com/$params_2/$params_3"},
	{file: "nginx/certbot-7136.conf", problems: []int{24, 24}, url: "https://mysite.com/"},
	{file: "nginx/frappe-press-1740.conf", problems: []int{36, 36}, url: "http://78896.ibiserp.online/assets/app.css",
		location: "location /assets"},
	{file: "nginx/gateone-693.conf", url: "http://gateone.example/ssh/",
		note: "outside any server block", location: "location @gateone", target: "http://localhost:8080", ups: []string{"tcp:localhost:8080"}},
	{file: "nginx/humhub-2544.conf", problems: []int{27}, url: "http://hub.habitatdurable.pro/index.php",
		location: `location ~ [^/]\.php(/|$)`, target: "127.0.0.1:9001", ups: []string{"tcp:127.0.0.1:9001"}},
	{file: "nginx/humhub-2544-crlf-bom.conf", problems: []int{27}, url: "http://hub.habitatdurable.pro/index.php",
		location: `location ~ [^/]\.php(/|$)`, target: "127.0.0.1:9001", ups: []string{"tcp:127.0.0.1:9001"}},
	{file: "nginx/ingress-nginx-krew.conf", problems: []int{159}, url: "http://cats.com/meow",
		location: "location /meow", target: "http://upstream_balancer", note: "balancer_by_lua_block",
		settings: map[string]time.Duration{"proxy_connect_timeout": 5 * time.Second, "proxy_read_timeout": 60 * time.Second}},
	{file: "nginx/mastodon-dist.conf", url: "https://example.com/api/v1/streaming",
		location: "location ^~ /api/v1/streaming", target: "http://streaming", ups: []string{"tcp:127.0.0.1:4000"},
		settings: map[string]time.Duration{"keepalive_timeout": 70 * time.Second}},
	{file: "nginx/mastodon-dist.conf", url: "https://example.com/@Gargron",
		location: "location /", target: "http://backend", ups: []string{"tcp:127.0.0.1:3000"}},
	{file: "nginx/nextcloud-root.conf", problems: []int{92, 161}, url: "https://cloud.example.com/apps/files/",
		location: `location ~ \.php(?:$|/)`, target: "php-handler", ups: []string{"tcp:127.0.0.1:9000"}},
	{file: "nginx/openresty-lua-958.conf", url: "http://localhost:9090/",
		location: "location /", target: "http://$target", note: "has variables"},
	{file: "nginx/ph7-342.conf", problems: []int{13}, url: "http://ph7.lvh.me/",
		location: "location /", target: "unix:/var/run/php/php7.2-fpm.sock", ups: []string{"unix:/var/run/php/php7.2-fpm.sock"}},
	{file: "nginx/uwsgi-docs-329.conf", problems: []int{18, 54, 60, 60}, url: "http://localhost:8080/",
		location: "location /", target: "unix:///data/sock/uwsgi.sock", ups: []string{"unix:/data/sock/uwsgi.sock"}},

	{file: "haproxy/content-sw-sample.cfg", url: "http://192.168.1.10/img/logo.png",
		location: "backend static", target: "static", ups: []string{"tcp:192.168.1.8:80", "tcp:192.168.1.9:80"},
		settings: map[string]time.Duration{"timeout client": 30 * time.Second, "timeout connect": 5 * time.Second, "timeout server": 5 * time.Second}},
	{file: "haproxy/content-sw-sample.cfg", url: "http://192.168.1.10/login.php",
		location: "backend dynamic", target: "dynamic", ups: []string{"tcp:192.168.1.1:80", "tcp:192.168.1.2:80", "tcp:192.168.1.3:80", "tcp:192.168.1.4:80"},
		settings: map[string]time.Duration{"timeout server": 30 * time.Second, "timeout queue": 30 * time.Second}},
	{file: "haproxy/webdev2016fall-18.cfg", url: "http://scoring.example:9999/",
		location: "backend rails_backend", target: "rails_backend", ups: []string{"tcp:localhost:3000", "tcp:localhost:3001", "tcp:localhost:3002"},
		settings: map[string]time.Duration{"timeout connect": 5 * time.Second, "timeout server": 50 * time.Second}},
	{file: "haproxy/haproxy-830.cfg", url: "http://lb.example:9000/",
		location: "listen stats", target: "stats",
		settings: map[string]time.Duration{"timeout connect": 5 * time.Second, "timeout server": 5 * time.Second}},
	{file: "haproxy/docker-haproxy-67.cfg", url: "http://localhost/",
		location: "backend servers", target: "servers", ups: []string{"tcp:nginx:80"}},
	{file: "haproxy/docker-flow-proxy-458.cfg", url: "http://ddns.domain.net/", routeErr: "no HAProxy frontend"},
	{file: "haproxy/haproxy-1573.cfg", url: "http://bidder.example/", routeErr: "no HAProxy frontend"},
	{file: "haproxy/panteras-49.cfg", url: "http://python.service.consul/",
		location: "backend backend_python", target: "backend_python",
		ups: []string{"tcp:192.168.10.10:31005", "tcp:192.168.10.10:31003", "tcp:192.168.10.10:31002", "tcp:192.168.10.10:31006"}},
	{file: "haproxy/haproxy-2978.cfg", url: "http://docker.example:6443/staging", note: `no backend "nginx_server"`},
	{file: "haproxy/haproxy-3445.cfg", url: "http://127.0.0.1:2152/",
		location: "backend default", target: "default", ups: []string{"tcp:127.0.0.1:2200"}},

	{file: "apache/playframework-1787.conf", url: "http://mysuperwebapp.com/",
		location: "ProxyPass / balancer://mycluster/", target: "balancer://mycluster/", ups: []string{"tcp:localhost:9999", "tcp:localhost:9998"}},
	{file: "apache/nextcloud-vm-611.conf", url: "http://cloud.example/index.php",
		location: `SetHandler \.php$ unix:/run/php/php7.2-fpm.nextcloud.sock|fcgi://localhost`,
		target:   "unix:/run/php/php7.2-fpm.nextcloud.sock|fcgi://localhost", ups: []string{"unix:/run/php/php7.2-fpm.nextcloud.sock"}},
	{file: "apache/magento2devbox-96.conf", url: "http://magento.example/index.php",
		location: `SetHandler \.php$ fcgi://127.0.0.1:9001`, target: "fcgi://127.0.0.1:9001", ups: []string{"tcp:127.0.0.1:9001"},
		settings: map[string]time.Duration{"timeout=": 7200 * time.Second}},
	{file: "apache/radicale-1311.conf", url: "https://radicale.domain.com/",
		location: "ProxyPass / http://192.168.0.10:5232/", target: "http://192.168.0.10:5232/", ups: []string{"tcp:192.168.0.10:5232"},
		settings: map[string]time.Duration{"retry=": 0}},
	{file: "apache/radicale-1311-crlf-bom.conf", url: "https://radicale.domain.com/",
		location: "ProxyPass / http://192.168.0.10:5232/", target: "http://192.168.0.10:5232/", ups: []string{"tcp:192.168.0.10:5232"},
		settings: map[string]time.Duration{"retry=": 0}},
	{file: "apache/vaultwarden-1395.conf", url: "https://bitwarden.mydomain.com/",
		location: "ProxyPass / https://LOCAL_IP", target: "https://LOCAL_IP", ups: []string{"tcp:LOCAL_IP:443"}},
	{file: "apache/mailcow-3388.conf", problems: []int{17}, url: "https://mail.syncgaming.org/Microsoft-Server-ActiveSync",
		location: "ProxyPass /Microsoft-Server-ActiveSync http://127.0.0.1:8080/Microsoft-Server-ActiveSync",
		target:   "http://127.0.0.1:8080/Microsoft-Server-ActiveSync", ups: []string{"tcp:127.0.0.1:8080"},
		settings: map[string]time.Duration{"connectiontimeout=": 4000 * time.Second}},
	{file: "apache/search-replace-db-81.conf", url: "http://domain.example/a_.php",
		location: "ProxyPassMatch ^/(._.php(/._)?)$ fcgi://127.0.0.1:9000/var/www/vhosts/domain/public_html/$1",
		target:   "fcgi://127.0.0.1:9000/var/www/vhosts/domain/public_html/$1", ups: []string{"tcp:127.0.0.1:9000"}},

	{file: "caddy/nextcloud-Caddyfile", url: "https://cloud.example.com/index.php/apps/files/",
		location: "php_fastcgi nextcloud:9000", target: "nextcloud:9000", ups: []string{"tcp:nextcloud:9000"}},
	{file: "caddy/nextcloud-Caddyfile", url: "https://cloud.example.com/robots.txt", location: "file_server"},
	{file: "caddy/caddy-4025-Caddyfile", url: "https://site.test/index.php",
		location: "php_fastcgi unix//run/php/php7.4-fpm.sock", target: "unix//run/php/php7.4-fpm.sock", ups: []string{"unix:/run/php/php7.4-fpm.sock"}},
	{file: "caddy/2fauth-448-Caddyfile", url: "http://100.106.194.97/",
		location: "reverse_proxy 2fauth:8000", target: "2fauth:8000", ups: []string{"tcp:2fauth:8000"}},
	{file: "caddy/frankenphp-Caddyfile", problems: []int{11, 45, 47}, url: "https://localhost/", note: "comes from a placeholder"},
	{file: "caddy/caddy-docs-health-Caddyfile", url: "https://example.com/",
		location: "reverse_proxy node1:80 node2:80 node3:80", target: "node1:80 node2:80 node3:80",
		ups: []string{"tcp:node1:80", "tcp:node2:80", "tcp:node3:80"}, settings: map[string]time.Duration{"lb_try_duration": 5 * time.Second}},

	{file: "varnish/varnish-cache-3474.vcl", problems: []int{22, 23, 27}, url: "http://pim.example/pim/ping",
		location: "set req.backend_hint = pim_cluster.backend();", target: "pim_cluster.backend()",
		ups: []string{"tcp:1.2.3.4:12500", "tcp:1.2.3.5:12500"}, note: "round_robin"},
	{file: "varnish/varnish-cache-3474.vcl", problems: []int{22, 23, 27}, url: "http://pim.example/other",
		location: "backend pim_a", target: "pim_a", ups: []string{"tcp:1.2.3.4:12500"}, note: "no backend_hint"},
	{file: "varnish/varnish-templates-22.vcl", url: "http://domain.com/",
		location: "backend server1", target: "server1", ups: []string{"tcp:127.0.0.1:8081"},
		settings: map[string]time.Duration{"first_byte_timeout": 300 * time.Second, "connect_timeout": 300 * time.Second}},
	{file: "varnish/libvmod-dynamic-4.vcl", url: "http://www.dalestrailseries.co.uk/",
		location: "set bereq.backend = dynamic_dir.backend();", target: "dynamic_dir.backend()", note: "known only at run time"},
	{file: "varnish/oreilly-getting-started-ch06.vcl", url: "http://www.example.com/admin/users",
		location: "set req.backend_hint = admin;", target: "admin", ups: []string{"tcp:web002.example.com:80"}},
	{file: "varnish/oreilly-getting-started-ch06.vcl", url: "http://www.example.com/blog/post",
		location: "set req.backend_hint = public;", target: "public", ups: []string{"tcp:web001.example.com:80"}},

	{file: "squid/squid-faq-reverseproxy-hosts.conf", url: "http://download.example.com/file.iso",
		location: "cache_peer ip.of.server2 parent 80 0 no-query originserver name=server_2", target: "server_2", ups: []string{"tcp:ip.of.server2:80"}},
	{file: "squid/squid-faq-reverseproxy-hosts.conf", url: "http://example.com/",
		location: "cache_peer ip.of.server1 parent 80 0 no-query originserver name=server_1", target: "server_1", ups: []string{"tcp:ip.of.server1:80"}},
	{file: "squid/squid-faq-reverseproxy-hosts.conf", url: "http://www.example.org/", location: "direct to www.example.org:80",
		target: "www.example.org:80", ups: []string{"tcp:www.example.org:80"}, note: "goes to the site itself"},
	{file: "squid/squid-faq-reverseproxy-path.conf", url: "http://your.main.website/foo/bar",
		location: "cache_peer ip.of.server2 parent 80 0 no-query originserver name=server2", target: "server2", ups: []string{"tcp:ip.of.server2:80"}},
	{file: "squid/squid-faq-reverseproxy-path.conf", url: "http://your.main.website/index.html",
		location: "cache_peer ip.of.server1 parent 80 0 no-query originserver name=server1", target: "server1", ups: []string{"tcp:ip.of.server1:80"}},
	{file: "squid/squid-faq-reverseproxy-roundrobin.conf", url: "http://your.main.website/",
		location: "cache_peer ip.of.server1 parent 80 0 no-query originserver round-robin", target: "ip.of.server1",
		ups: []string{"tcp:ip.of.server1:80", "tcp:ip.of.server2:80"}, note: "round-robin"},

	{file: "lighttpd/jsxc-223-lighttpd.conf", problems: []int{3, 5, 7, 9}, url: "https://cloud.myserver.com/http-bind", note: "no proxy.server"},
	{file: "lighttpd/jsxc-223-myserver.conf", url: "https://cloud.myserver.com/http-bind",
		location: `proxy.server "/http-bind"`, target: "127.0.0.1:5280", ups: []string{"tcp:127.0.0.1:5280"}},
	{file: "lighttpd/jsxc-223-myserver.conf", url: "https://cloud.myserver.com/index.php", note: "no proxy.server"},
	{file: "lighttpd/netdata-4018.conf", problems: []int{3}, url: "http://www.domain.com/netdata",
		location: `proxy.server ""`, target: "127.0.0.1:19999", ups: []string{"tcp:127.0.0.1:19999"}},
	{file: "lighttpd/netdata-4018.conf", problems: []int{3}, url: "http://www.b.com/netdata", note: "no proxy.server"},
	{file: "lighttpd/etherpad-2629.conf", url: "http://pad.phnt.io/p/test",
		location: `proxy.server ""`, target: "127.0.0.1:9001", ups: []string{"tcp:127.0.0.1:9001"}},
}

// parseWorld reads one world file alone and returns its problems and a
// way to route URLs through it.
func parseWorld(t *testing.T, file string) ([]*ParseError, func(*url.URL) (*Route, error), *Config) {
	t.Helper()
	data, err := os.ReadFile("testdata/world/" + file)
	if err != nil {
		t.Fatal(err)
	}
	name := "/world/" + file
	switch {
	case strings.HasPrefix(file, "nginx/"):
		n, err := parseNginx(memSource{name: data}, name)
		if err != nil {
			t.Fatal(err)
		}
		return n.Problems, n.Route, &Config{Nginx: n}
	case strings.HasPrefix(file, "caddy/"):
		c, err := parseCaddy(memSource{name: data}, name)
		if err != nil {
			t.Fatal(err)
		}
		return c.Problems, c.Route, &Config{Caddy: c}
	case strings.HasPrefix(file, "varnish/"):
		v, err := parseVarnish(memSource{name: data}, name)
		if err != nil {
			t.Fatal(err)
		}
		return v.Problems, v.Route, &Config{Varnish: v}
	case strings.HasPrefix(file, "squid/"):
		s, err := parseSquid(memSource{name: data}, name)
		if err != nil {
			t.Fatal(err)
		}
		return s.Problems, s.Route, &Config{Squid: s}
	case strings.HasPrefix(file, "lighttpd/"):
		l, err := parseLighttpd(memSource{name: data}, name)
		if err != nil {
			t.Fatal(err)
		}
		return l.Problems, l.Route, &Config{Lighttpd: l}
	case strings.HasPrefix(file, "haproxy/"):
		h, err := parseHAProxy(name, data)
		if err != nil {
			t.Fatal(err)
		}
		return h.Problems, h.Route, &Config{HAProxy: h}
	default:
		a, err := parseApache(memSource{name: data}, name)
		if err != nil {
			t.Fatal(err)
		}
		return a.Problems, a.Route, &Config{Apache: a}
	}
}

// TestWorldConfigs reads configurations published with 502/503/504 reports
// and in projects' documentation, both rounds: each is read (what cannot
// be, named by its line), and the URL the source talks about takes the
// route, upstream and timeouts the file gives it.
func TestWorldConfigs(t *testing.T) {
	for _, tc := range slices.Concat(worldCases, worldCases2) {
		t.Run(tc.file+" "+tc.url, func(t *testing.T) {
			probs, route, cfg := parseWorld(t, tc.file)
			if m := worldProblemsMismatch(tc, probs); m != "" {
				t.Error(m)
			}
			for _, f := range Check(cfg) {
				t.Logf("%s %s %s: %s", f.Severity, f.Code, f.Where(), f.Message)
			}
			r, err := route(mustURL(t, tc.url))
			for _, m := range worldRouteMismatches(tc, r, err) {
				t.Error(m)
			}
		})
	}
}
