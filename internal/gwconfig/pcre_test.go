package gwconfig

import (
	"strings"
	"testing"
)

// TestPCRE reads expressions the way the gateways write them: RE2 where it
// can, lookaround and backreferences with the backtracking engine, and an
// expression neither reads is an error.
func TestPCRE(t *testing.T) {
	for _, tc := range []struct {
		expr, s string
		match   bool
	}{
		{`\.php$`, "/index.php", true},
		{`/\.(?!well-known).*`, "/.env", true},
		{`/\.(?!well-known).*`, "/.well-known/acme-challenge/x", false},
		{`(?<!/api)/v1`, "/api/v1", false},
		{`^/(\w+)/\1$`, "/ab/ab", true},
	} {
		re, err := compilePCRE(tc.expr)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got := re.MatchString(tc.s); got != tc.match {
			t.Errorf("%s on %s: %v, want %v", tc.expr, tc.s, got, tc.match)
		}
	}
	if _, err := compilePCRE(`(unclosed`); err == nil {
		t.Errorf("an expression no engine reads compiled")
	}
}

// TestNginxPCREAndInternal routes through a location only PCRE reads, an
// internal location, and a location whose expression cannot be read,
// which is a problem of the file and matches nothing.
func TestNginxPCREAndInternal(t *testing.T) {
	n, err := parseNginxFiles(t, "/t/nginx.conf", map[string]string{"/t/nginx.conf": `
server {
  listen 80;
  location / { try_files $uri /index.php$is_args$args; }
  location ~ ^/index\.php(/|$) { fastcgi_pass unix:/run/php.sock; internal; }
  location ~ \.php$ { fastcgi_pass unix:/run/php.sock; }
  location ~ /\.(?!well-known).* { deny all; }
  location ~ /broken(x { return 404; }
}
`})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Problems) != 1 || !strings.Contains(n.Problems[0].Error(), "/broken(x") {
		t.Errorf("problems %v, want the location whose expression cannot be read", n.Problems)
	}
	checkRoutes(t, n, []routeCase{
		{"http://x/.env", `location ~ /\.(?!well-known).*`, "", "", ""},
		{"http://x/index.php", `location ~ ^/index\.php(/|$)`, "", "", "internal"},
		{"http://x/other.php", `location ~ \.php$`, "unix:/run/php.sock", "unix:/run/php.sock", ""},
		{"http://x/blog", `location ~ ^/index\.php(/|$)`, "unix:/run/php.sock", "unix:/run/php.sock", "try_files"},
	})
}

// routeCase is a URL and the route it must take: the location, the
// target, the first upstream ("network:addr") and a part of one note.
type routeCase struct{ url, loc, target, up, note string }

func checkRoutes(t *testing.T, n *Nginx, cases []routeCase) {
	t.Helper()
	for _, tc := range cases {
		r, err := n.Route(mustURL(t, tc.url))
		if err != nil {
			t.Fatal(err)
		}
		var up string
		if ups := upstreamKeys(r); len(ups) > 0 {
			up = ups[0]
		}
		if r.Location.Name != tc.loc || r.Target != tc.target || up != tc.up {
			t.Errorf("%s: %q to %q (%s), want %q to %q (%s); notes %q", tc.url, r.Location.Name, r.Target, up, tc.loc, tc.target, tc.up, r.Notes)
		}
		if tc.note != "" && !strings.Contains(strings.Join(r.Notes, "\n"), tc.note) {
			t.Errorf("%s: notes %q, want one with %q", tc.url, r.Notes, tc.note)
		}
	}
}

// TestApacheFallbackResource: a path that no proxy rule takes goes to the
// FallbackResource, whose handler answers.
func TestApacheFallbackResource(t *testing.T) {
	conf := "<VirtualHost *:80>\n ServerName a.example\n <FilesMatch \\.php$>\n  SetHandler proxy:fcgi://127.0.0.1:9000\n </FilesMatch>\n" +
		" <Directory /srv/public>\n  FallbackResource /index.php\n </Directory>\n</VirtualHost>\n" +
		"<VirtualHost *:80>\n ServerName b.example\n FallbackResource disabled\n</VirtualHost>\n"
	a, err := parseApache(memSource{"/t/a.conf": []byte(conf)}, "/t/a.conf")
	if err != nil || len(a.Problems) > 0 {
		t.Fatalf("%v %v", err, a.Problems)
	}
	r, err := a.Route(mustURL(t, "http://a.example/blog/hello"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Target != "fcgi://127.0.0.1:9000" || !strings.Contains(strings.Join(r.Notes, "\n"), "FallbackResource /index.php") {
		t.Errorf("route %q, notes %q: want the PHP handler through the fallback", r.Target, r.Notes)
	}
	r, err = a.Route(mustURL(t, "http://b.example/blog/hello"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Target != "" {
		t.Errorf("route %q with the fallback disabled, want Apache's own answer", r.Target)
	}
}

// TestNginxRewritePhase routes through what nginx's rewrite phase does
// before proxying: a server-level if with a return, a rewrite ... last
// that searches the locations again, a proxy_pass to a variable set in
// the file, and a URI variable after a host written out.
func TestNginxRewritePhase(t *testing.T) {
	n, err := parseNginxFiles(t, "/t/nginx.conf", map[string]string{"/t/nginx.conf": `
server {
  listen 80;
  listen 443 ssl;
  if ($scheme = "http") { return 301 https://$host$request_uri; }
  set $cdn https://cdn.example.com/assets$request_uri;
  location ~ "^/static/[0-9a-f]{8}/(.*)$" { rewrite "^/static/[0-9a-f]{8}/(.*)" /$1 last; }
  location /assets/ { proxy_pass $cdn; }
  location / { proxy_pass http://127.0.0.1:8080$request_uri; }
}
`})
	if err != nil || len(n.Problems) > 0 {
		t.Fatalf("%v %v", err, n.Problems)
	}
	checkRoutes(t, n, []routeCase{
		{"http://x.example/app", "", "", "", "return 301"},
		{"https://x.example/static/abcdef12/css/a.css", "location /", "http://127.0.0.1:8080$request_uri", "tcp:127.0.0.1:8080", "rewrite"},
		{"https://x.example/assets/a.js", "location /assets/", "$cdn", "tcp:cdn.example.com:443", "$cdn is set to"},
		{"https://x.example/app", "location /", "http://127.0.0.1:8080$request_uri", "tcp:127.0.0.1:8080", ""},
	})
}

// TestApacheRewriteProxy: RewriteRule with [P] proxies, before ProxyPass
// (mod_rewrite translates first in the server's context); one without P
// is not followed.
func TestApacheRewriteProxy(t *testing.T) {
	conf := "<VirtualHost *:80>\n ServerName a.example\n RewriteEngine On\n" +
		" RewriteRule ^/app/(.*) http://10.0.0.5:5080/$1 [P,L]\n RewriteRule ^/old/(.*) /new/$1 [R=301,L]\n" +
		" ProxyPass /app/admin http://10.0.0.6:9000/admin\n</VirtualHost>\n"
	a, err := parseApache(memSource{"/t/a.conf": []byte(conf)}, "/t/a.conf")
	if err != nil || len(a.Problems) > 0 {
		t.Fatalf("%v %v", err, a.Problems)
	}
	for _, tc := range []struct{ url, target string }{
		{"http://a.example/app/api", "http://10.0.0.5:5080/$1"},
		{"http://a.example/app/admin/x", "http://10.0.0.5:5080/$1"},
		{"http://a.example/admin/x", ""},
		{"http://a.example/old/x", ""},
	} {
		r, err := a.Route(mustURL(t, tc.url))
		if err != nil {
			t.Fatal(err)
		}
		if r.Target != tc.target {
			t.Errorf("%s: target %q, want %q (notes %q)", tc.url, r.Target, tc.target, r.Notes)
		}
	}
}

// TestNginxRequestVariables: a pass directive's variables take the values
// the request and the file give them: a set in the server, a capture of a
// regular server_name, an if that holds on one, and each value of a
// split_clients or map.
func TestNginxRequestVariables(t *testing.T) {
	n, err := parseNginxFiles(t, "/t/nginx.conf", map[string]string{"/t/nginx.conf": `
upstream green { server 10.0.0.1:80; }
upstream blue { server 10.0.0.2:80; }
split_clients "${remote_addr}" $pool { 90% green; * blue; }
map $http_upgrade $ws { default ""; websocket ws.internal; }
server {
  listen 80;
  server_name app.example;
  set $app 127.0.0.1;
  set $lua "";
  location / { proxy_pass http://$app:8096; }
  location /ab/ { proxy_pass http://$pool; }
  location /lua/ { proxy_pass http://$lua; }
  location /ws/ { proxy_pass http://$ws:81; }
}
server {
  listen 80;
  server_name ~^(?P<port>[0-9]+)\.dev\.example$;
  location / { if ($port) { proxy_pass http://localhost:$port; } }
}
server {
  listen 80 default_server;
  location / { if ($http_x_test) { proxy_pass http://10.9.9.9; } }
}
`})
	if err != nil || len(n.Problems) > 0 {
		t.Fatalf("%v %v", err, n.Problems)
	}
	checkRoutes(t, n, []routeCase{
		{"http://app.example/web/", "location /", "http://$app:8096", "tcp:127.0.0.1:8096", "$app is set to 127.0.0.1"},
		{"http://app.example/ab/x", "location /ab/", "http://$pool", "tcp:10.0.0.1:80", "split_clients"},
		{"http://app.example/lua/x", "location /lua/", "http://$lua", "", "has variables"},
		{"http://app.example/ws/x", "location /ws/", "http://$ws:81", "tcp:ws.internal:81", "map $http_upgrade $ws"},
		{"http://8080.dev.example/", "location /", "http://localhost:$port", "tcp:localhost:8080", "capture of server_name"},
		{"http://other.example/", "location /", "", "", "except when the if"},
	})
	r, err := n.Route(mustURL(t, "http://app.example/ab/x"))
	if err != nil {
		t.Fatal(err)
	}
	if got := upstreamKeys(r); len(got) != 2 || got[1] != "tcp:10.0.0.2:80" {
		t.Errorf("split_clients upstreams %q, want both pools", got)
	}
}

// TestApacheFrontController: "RewriteCond %{REQUEST_FILENAME} !-f" and a
// catch-all RewriteRule to a script send a path that is no file to it, as
// FallbackResource does; a redirect or a rule with a narrower pattern does
// not.
func TestApacheFrontController(t *testing.T) {
	conf := "<VirtualHost *:80>\n ServerName a.example\n <FilesMatch \\.php$>\n  SetHandler proxy:fcgi://127.0.0.1:9000\n </FilesMatch>\n" +
		" <Directory /srv/public>\n  RewriteEngine On\n  RewriteCond %{REQUEST_FILENAME} !-f\n  RewriteCond %{REQUEST_FILENAME} !-d\n  RewriteRule ^ index.php [QSA,L]\n </Directory>\n</VirtualHost>\n" +
		"<VirtualHost *:80>\n ServerName b.example\n <FilesMatch \\.php$>\n  SetHandler proxy:fcgi://127.0.0.1:9000\n </FilesMatch>\n" +
		" RewriteCond %{REQUEST_FILENAME} !-f\n RewriteRule ^ https://c.example/ [R=301,L]\n</VirtualHost>\n"
	a, err := parseApache(memSource{"/t/a.conf": []byte(conf)}, "/t/a.conf")
	if err != nil || len(a.Problems) > 0 {
		t.Fatalf("%v %v", err, a.Problems)
	}
	for _, tc := range []struct{ url, target string }{
		{"http://a.example/containers", "fcgi://127.0.0.1:9000"},
		{"http://b.example/containers", ""},
	} {
		r, err := a.Route(mustURL(t, tc.url))
		if err != nil {
			t.Fatal(err)
		}
		if r.Target != tc.target {
			t.Errorf("%s: target %q, want %q (notes %q)", tc.url, r.Target, tc.target, r.Notes)
		}
	}
}

// TestApacheRewriteConds: a RewriteRule [P] applies only when its
// RewriteCond lines hold for the request; a condition that cannot be told
// (a file test) keeps the rule out.
func TestApacheRewriteConds(t *testing.T) {
	conf := "<VirtualHost *:80>\n ServerName a.example\n RewriteEngine On\n" +
		" RewriteCond %{HTTP:Upgrade} websocket [NC]\n RewriteCond %{HTTP:Connection} upgrade [NC]\n RewriteRule ^/(.*) ws://10.0.0.7:3000/$1 [P]\n" +
		" RewriteCond %{QUERY_STRING} debug=1 [OR]\n RewriteCond %{HTTP_HOST} ^a\\.example$\n RewriteRule ^/api/(.*) http://10.0.0.8:8080/$1 [P]\n" +
		" RewriteCond %{REQUEST_FILENAME} !-f\n RewriteRule ^/files/(.*) http://10.0.0.9:80/$1 [P]\n" +
		" RewriteCond %{HTTPS} =on\n RewriteRule ^/secure/(.*) http://10.0.0.10:80/$1 [P]\n" +
		" ProxyPass / http://10.0.0.5:5080/\n</VirtualHost>\n"
	a, err := parseApache(memSource{"/t/a.conf": []byte(conf)}, "/t/a.conf")
	if err != nil || len(a.Problems) > 0 {
		t.Fatalf("%v %v", err, a.Problems)
	}
	for _, tc := range []struct{ url, target string }{
		{"http://a.example/chat", "http://10.0.0.5:5080/"},          // no Upgrade header
		{"http://a.example/api/x", "http://10.0.0.8:8080/$1"},       // the host matches, OR'ed with the query
		{"http://a.example/files/x", "http://10.0.0.9:80/$1"},       // the path is taken to name no file
		{"http://a.example/secure/x", "http://10.0.0.5:5080/"},      // plain http
		{"https://a.example:80/secure/x", "http://10.0.0.10:80/$1"}, // HTTPS on
	} {
		r, err := a.Route(mustURL(t, tc.url))
		if err != nil {
			t.Fatal(err)
		}
		if r.Target != tc.target {
			t.Errorf("%s: target %q, want %q (notes %q)", tc.url, r.Target, tc.target, r.Notes)
		}
	}
}

// TestHAProxyModeBindAndPlaceholders: a complete file whose defaults set
// no mode runs in TCP mode, where HTTP rules and fetches have no effect;
// ":::443" binds 443 on every address; a placeholder left as a server's
// address is a problem.
func TestHAProxyModeBindAndPlaceholders(t *testing.T) {
	cfg := "defaults\n  timeout connect 5s\nfrontend fe\n  bind :::443 v4v6\n  redirect scheme https if !{ ssl_fc }\n" +
		"  use_backend api if { path_beg /api }\n  default_backend web\nbackend api\n  server a 10.0.0.2:80\nbackend web\n  server w 10.0.0.1:80\n"
	h, err := parseHAProxy("/t/haproxy.cfg", []byte(cfg))
	if err != nil || len(h.Problems) > 0 {
		t.Fatalf("%v %v", err, h.Problems)
	}
	r, err := h.Route(mustURL(t, "http://x.example:443/api/v1"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Location.Name != "backend web" || !strings.Contains(strings.Join(r.Notes, "\n"), "TCP mode") {
		t.Errorf("route %q, notes %q: want backend web in TCP mode", r.Location.Name, r.Notes)
	}
	h, err = parseHAProxy("/t/haproxy.cfg", []byte("backend b\n  server hass <Home Assistant Server IP>:8123\n"))
	if err != nil || len(h.Problems) != 1 || !strings.Contains(h.Problems[0].Error(), "placeholder") {
		t.Errorf("problems %v, want the placeholder", h.Problems)
	}
}

// TestSquidHTTPAccess: the first http_access line whose ACLs match
// decides; none matching, the opposite of the last line; an ACL not read
// leaves the request allowed.
func TestSquidHTTPAccess(t *testing.T) {
	conf := "http_port 80 accel defaultsite=a.example vhost\nacl ours dstdomain .a.example\nacl office src 10.0.0.0/8\n" +
		"cache_peer 10.0.0.1 parent 80 0 no-query originserver name=app\n"
	for _, tc := range []struct {
		rules, url string
		denied     bool
	}{
		{"http_access allow ours\nhttp_access deny all\n", "http://www.a.example/", false},
		{"http_access allow ours\nhttp_access deny all\n", "http://b.example/", true},
		{"http_access allow ours\n", "http://b.example/", true},
		{"http_access allow office\nhttp_access deny all\n", "http://b.example/", false},
		{"", "http://b.example/", false},
	} {
		s := parseSquidMem(t, map[string]string{"/s/squid.conf": conf + tc.rules})
		r, err := s.Route(mustURL(t, tc.url))
		if err != nil {
			t.Fatal(err)
		}
		if denied := len(r.Upstreams) == 0; denied != tc.denied {
			t.Errorf("%q %s: upstreams %v, notes %q; want denied %v", tc.rules, tc.url, r.Upstreams, r.Notes, tc.denied)
		}
	}
}

// TestApacheSectionCommentAndVariableTarget: a comment after a section's
// ">" is no part of it, and a target's address ends where a variable
// starts.
func TestApacheSectionCommentAndVariableTarget(t *testing.T) {
	conf := "<VirtualHost *:80>\n ServerName a.example\n <Location /app/> # adjust here\n  ProxyPass http://10.0.0.5:8080/app/\n </Location>\n" +
		" RewriteEngine On\n RewriteRule ^/api/(.*) http://127.0.0.1:8181%{REQUEST_URI} [P,QSA]\n</VirtualHost>\n"
	a, err := parseApache(memSource{"/t/a.conf": []byte(conf)}, "/t/a.conf")
	if err != nil || len(a.Problems) > 0 {
		t.Fatalf("%v %v", err, a.Problems)
	}
	for url, want := range map[string]string{"http://a.example/app/x": "10.0.0.5:8080", "http://a.example/api/v3": "127.0.0.1:8181"} {
		r, err := a.Route(mustURL(t, url))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Upstreams) != 1 || r.Upstreams[0].Addr != want {
			t.Errorf("%s: upstreams %+v, want %s", url, r.Upstreams, want)
		}
	}
}
