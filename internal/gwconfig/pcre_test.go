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
	for _, tc := range []struct{ url, loc, target, note string }{
		{"http://x/.env", `location ~ /\.(?!well-known).*`, "", ""},
		{"http://x/index.php", `location ~ ^/index\.php(/|$)`, "", "internal"},
		{"http://x/other.php", `location ~ \.php$`, "unix:/run/php.sock", ""},
		{"http://x/blog", `location ~ ^/index\.php(/|$)`, "unix:/run/php.sock", "try_files"},
	} {
		r, err := n.Route(mustURL(t, tc.url))
		if err != nil {
			t.Fatal(err)
		}
		if r.Location.Name != tc.loc || r.Target != tc.target {
			t.Errorf("%s: %q to %q, want %q to %q (notes %q)", tc.url, r.Location.Name, r.Target, tc.loc, tc.target, r.Notes)
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
