package gwconfig

import (
	"strings"
	"testing"
	"time"
)

func TestLexNginxLuaBlock(t *testing.T) {
	conf := "http { init_by_lua_block {\n  local t = { a = \"}\" } -- }\n  s = [[\n}]] --[==[ } ]==]\n  x = '{'\n}\n  server { listen 81; }\n}\n"
	n, err := parseNginxFiles(t, "/t/nginx.conf", map[string]string{"/t/nginx.conf": conf})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Problems) > 0 || len(n.Servers) != 1 || n.Servers[0].Listens[0].Port != 81 || n.Servers[0].Directive.Line != 7 {
		t.Errorf("servers %d, problems %v: want the server after the Lua block, at line 7, read", len(n.Servers), n.Problems)
	}
	_, err = lexNginx("/t/a.conf", []byte("content_by_lua_block {\n ngx.say('x')\n"))
	if err == nil || !strings.Contains(err.Error(), "/t/a.conf:1: unexpected end of file") {
		t.Errorf("unclosed Lua block: error = %v", err)
	}
}

func TestNginxSiteFileIncludeFromPrefix(t *testing.T) {
	files := map[string]string{
		"/etc/nginx/sites-enabled/app":         "server {\n listen 80;\n location ~ \\.php$ { include snippets/fastcgi-php.conf; fastcgi_pass unix:/run/php/php8.2-fpm.sock; }\n}\n",
		"/etc/nginx/snippets/fastcgi-php.conf": "fastcgi_read_timeout 300;\n",
	}
	n, err := parseNginxFiles(t, "/etc/nginx/sites-enabled/app", files)
	if err != nil || len(n.Problems) > 0 {
		t.Fatalf("err %v, problems %v", err, n.Problems)
	}
	r, err := n.Route(mustURL(t, "http://app.example/index.php"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.Setting("fastcgi_read_timeout")
	if s.Duration != 300*time.Second || s.File != "/etc/nginx/snippets/fastcgi-php.conf" {
		t.Errorf("fastcgi_read_timeout = %+v, want 300s from the snippet under /etc/nginx", s)
	}
}

func TestNginxDegrades(t *testing.T) {
	conf := "http {\n upstream u { server 10.0.0.1 weight=x; server 10.0.0.2; }\n server {\n  listen a:b;\n  listen 80;\n  location / { proxy_pass http://u; }\n  location ~ a b c {}\n }\n}\n}\n"
	n, err := parseNginxFiles(t, "/t/nginx.conf", map[string]string{"/t/nginx.conf": conf})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range n.Problems {
		got = append(got, p.Error())
	}
	want := []string{`/t/nginx.conf:10: unexpected "}"`, `/t/nginx.conf:2: invalid parameter "weight=x"`,
		`/t/nginx.conf:4: invalid port in "a:b" of the "listen" directive`, `/t/nginx.conf:7: invalid number of arguments in "location" directive`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	r, err := n.Route(mustURL(t, "http://a.example/"))
	if err != nil || len(r.Upstreams) != 1 || r.Upstreams[0].Addr != "10.0.0.2:80" {
		t.Errorf("route %+v, %v: want the upstream's readable server", r, err)
	}
}

func TestHAProxyNamedDefaultsAndTemplates(t *testing.T) {
	cfg := "defaults base\n  mode http\n  timeout server 1m\n  timeout connect 500\ndefaults other\n  timeout server 5s\n" +
		"listen web from base\n  bind :80\n  use_backend api if { path_beg /api }\n  server local 127.0.0.1:8080\n" +
		"backend api from base\n  server-template api 1-3 _api._tcp.service.consul resolvers consul check\n"
	h, err := parseHAProxy("/t/haproxy.cfg", []byte(cfg))
	if err != nil || len(h.Problems) > 0 {
		t.Fatalf("err %v, problems %v", err, h.Problems)
	}
	tests := []struct{ url, loc, up string }{
		{"http://x.example/api/v1", "backend api", ""}, // the SRV records give the servers at run time
		{"http://x.example/", "listen web", "127.0.0.1:8080"},
	}
	for _, tc := range tests {
		r, err := h.Route(mustURL(t, tc.url))
		if err != nil {
			t.Fatal(err)
		}
		var up string
		if len(r.Upstreams) == 1 {
			up = r.Upstreams[0].Addr
		}
		if r.Location.Name != tc.loc || up != tc.up || len(r.Upstreams) > 1 {
			t.Errorf("%s: route %q %+v, want %s to %q", tc.url, r.Location.Name, r.Upstreams, tc.loc, tc.up)
		}
		if tc.up == "" && !strings.Contains(strings.Join(r.Notes, "\n"), "SRV records") {
			t.Errorf("%s: notes %q, want one on the SRV records", tc.url, r.Notes)
		}
		srv, _ := r.Setting("timeout server")
		conn, _ := r.Setting("timeout connect")
		if srv.Duration != time.Minute || conn.Duration != 500*time.Millisecond {
			t.Errorf("%s: timeout server %v, connect %v; want 1m and 500ms from defaults base", tc.url, srv.Duration, conn.Duration)
		}
	}
}

func TestApacheWorkerTimeoutAndIf(t *testing.T) {
	conf := "<Proxy \"unix:/run/php/php8.2-fpm.sock|fcgi://localhost\">\n  ProxySet timeout=300\n</Proxy>\n" +
		"<VirtualHost *:80>\n ServerName a.example\n <FilesMatch \\.php$>\n  <If \"-f %{REQUEST_FILENAME}\">\n" +
		"   SetHandler \"proxy:unix:/run/php/php8.2-fpm.sock|fcgi://localhost\"\n  </If>\n </FilesMatch>\n"
	a, err := parseApache(memSource{"/t/a.conf": []byte(conf)}, "/t/a.conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Problems) != 1 || a.Problems[0].Error() != "/t/a.conf:4: <VirtualHost> was not closed" {
		t.Errorf("problems %v, want the open <VirtualHost> of line 4", a.Problems)
	}
	r, err := a.Route(mustURL(t, "http://a.example/index.php"))
	if err != nil {
		t.Fatal(err)
	}
	s, ok := r.Setting("timeout=")
	if r.Protocol != ProtoFastCGI || !ok || s.Duration != 300*time.Second || s.Line != 2 {
		t.Errorf("route %s %q, timeout= %+v: want FastCGI with the ProxySet timeout of line 2", r.Protocol, r.Target, s)
	}
}
