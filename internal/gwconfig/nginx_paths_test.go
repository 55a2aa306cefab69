package gwconfig

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

func writeTestFile(t *testing.T, name, body string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNginxScriptFilename: the SCRIPT_FILENAME nginx would send, from the
// location's fastcgi_param and the inherited root.
func TestNginxScriptFilename(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	writeTestFile(t, filepath.Join(dir, "fastcgi.conf"), "fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\nfastcgi_param QUERY_STRING $query_string;\n")
	writeTestFile(t, conf, `events {}
http {
    root /srv/outer;
    server {
        listen 8080;
        server_name shop.example;
        root /srv/shop/public;
        location / {
            try_files $uri /index.php$is_args$args;
        }
        location ~ \.php$ {
            include fastcgi.conf;
            fastcgi_pass unix:/run/php/php8.2-fpm.sock;
        }
        location ^~ /legacy/ {
            fastcgi_param SCRIPT_FILENAME $custom_var;
            fastcgi_pass 127.0.0.1:9000;
        }
    }
}
`)
	cfg, err := Load(context.Background(), Sources{Nginx: conf})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ url, want string }{
		{"http://shop.example:8080/cart.php", "/srv/shop/public/cart.php"},
		{"http://shop.example:8080/legacy/x.php", ""},
	} {
		u, _ := url.Parse(tc.url)
		r, err := cfg.Route(u)
		if err != nil {
			t.Fatalf("%s: %v", tc.url, err)
		}
		if got := cfg.Nginx.ScriptFilename(r, u.Path); got != tc.want {
			t.Errorf("%s: SCRIPT_FILENAME %q, want %q", tc.url, got, tc.want)
		}
	}
}

// TestNginxRouteBehindProxy: a URL whose port no server block listens on
// reaches nginx through another proxy first: the server is found by
// server_name, or is the only one.
func TestNginxRouteBehindProxy(t *testing.T) {
	dir := t.TempDir()
	one := filepath.Join(dir, "one.conf")
	writeTestFile(t, one, "events {}\nhttp {\n server {\n  listen 8080;\n  server_name app.internal;\n  location / { proxy_pass http://127.0.0.1:9000; }\n }\n}\n")
	two := filepath.Join(dir, "two.conf")
	writeTestFile(t, two, "events {}\nhttp {\n server {\n  listen 8080;\n  server_name shop.example;\n  location / { proxy_pass http://127.0.0.1:9000; }\n }\n server {\n  listen 8081;\n  server_name api.example;\n  location / { proxy_pass http://127.0.0.1:9001; }\n }\n}\n")
	for _, tc := range []struct {
		conf, url, want string // want: the upstream, "" for no route
	}{
		{one, "https://shop.example/cart", "127.0.0.1:9000"},
		{two, "https://api.example/v1", "127.0.0.1:9001"},
		{two, "https://other.example/", ""},
		{two, "http://127.0.0.1:8080/", "127.0.0.1:9000"},
	} {
		cfg, err := Load(context.Background(), Sources{Nginx: tc.conf})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(tc.url)
		r, err := cfg.Route(u)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%s: routed to %+v, want no route", tc.url, r.Upstreams)
		case tc.want != "" && err != nil:
			t.Errorf("%s: %v, want a route to %s", tc.url, err, tc.want)
		case tc.want != "" && (len(r.Upstreams) == 0 || r.Upstreams[0].Addr != tc.want):
			t.Errorf("%s: upstreams %+v, want %s", tc.url, r.Upstreams, tc.want)
		}
	}
}
