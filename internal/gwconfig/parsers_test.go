package gwconfig

import (
	"errors"
	"strings"
	"testing"
)

func TestOtherParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		parse func() error
		want  string
	}{
		{"haproxy outside section", func() error {
			h, err := parseHAProxy("/e/haproxy.cfg", []byte("# x\n  timeout server 5s\n"))
			return firstProblem(h.Problems, err)
		}, `/e/haproxy.cfg:2: "timeout" outside of any section`},
		{"haproxy quote", func() error {
			h, err := parseHAProxy("/e/haproxy.cfg", []byte("backend b\n  server a \"1.2.3.4:80\n"))
			return firstProblem(h.Problems, err)
		}, "/e/haproxy.cfg:2: unterminated quoted string"},
		{"haproxy server", func() error {
			h, err := parseHAProxy("/e/haproxy.cfg", []byte("backend b\n  server a\n"))
			return firstProblem(h.Problems, err)
		}, "/e/haproxy.cfg:2: server needs a name and an address"},
		{"apache unclosed", func() error {
			a, err := parseApache(memSource{"/e/a.conf": []byte("<VirtualHost *:80>\n  ServerName a\n")}, "/e/a.conf")
			if err != nil {
				return err
			}
			return firstProblem(a.Problems, nil)
		}, "/e/a.conf:1: <VirtualHost> was not closed"},
		{"apache stray close", func() error {
			a, err := parseApache(memSource{"/e/a.conf": []byte("ServerName a\n</VirtualHost>\n")}, "/e/a.conf")
			if err != nil {
				return err
			}
			return firstProblem(a.Problems, nil)
		}, "/e/a.conf:2: </VirtualHost> without matching <VirtualHost> section"},
		{"apache include no match", func() error {
			a, err := parseApache(memSource{"/e/a.conf": []byte("Include sites/*.conf\n")}, "/e/a.conf")
			if err != nil {
				return err
			}
			return firstProblem(a.Problems, nil)
		}, `/e/a.conf:1: No matches for the wildcard "sites/*.conf"`},
		{"apache bad regex", func() error {
			a, err := parseApache(memSource{"/e/a.conf": []byte("ProxyPassMatch ^/(a http://b/\n")}, "/e/a.conf")
			if err != nil {
				return err
			}
			return firstProblem(a.Problems, nil)
		}, `/e/a.conf:1: regular expression "^/(a"`},
		{"php-fpm no equals", func() error {
			c := &PHPFPM{}
			return c.readFPM(memSource{"/e/www.conf": []byte("[www]\nlisten /run/php.sock\n")}, "/e/www.conf")
		}, `/e/www.conf:2: want "key = value"`},
		{"php-fpm bad time", func() error {
			c := &PHPFPM{}
			return c.readFPM(memSource{"/e/www.conf": []byte("[www]\nrequest_terminate_timeout = soon\n")}, "/e/www.conf")
		}, `/e/www.conf:2: request_terminate_timeout: invalid time`},
		{"php-fpm include cycle", func() error {
			c := &PHPFPM{}
			return c.readFPM(memSource{"/e/a.conf": []byte("include = b.conf\n"), "/e/b.conf": []byte("include=a.conf\n")}, "/e/a.conf")
		}, `/e/a.conf: include cycle`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse()
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v, want a *ParseError", err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error = %q, want prefix %q", err, tc.want)
			}
		})
	}
}

func TestApacheContinuationAndQuotes(t *testing.T) {
	a, err := parseApache(memSource{"/e/a.conf": []byte("ProxyPass /a \\\n  \"http://127.0.0.1:1/x y\" timeout=5\n")}, "/e/a.conf")
	if err != nil {
		t.Fatal(err)
	}
	px := a.Main.Proxies[0]
	if px.Line != 1 || px.Target != "http://127.0.0.1:1/x y" || px.Params["timeout"] != "5" {
		t.Errorf("ProxyPass = %+v, want line 1, the quoted URL and timeout=5", px)
	}
}

func TestPHPFPMPoolAt(t *testing.T) {
	c := &PHPFPM{}
	err := c.readFPM(memSource{"/e/p.conf": []byte("[a]\nlisten = 9000\n[b]\nlisten = /run/$pool.sock\n[c]\nlisten = 127.0.0.1:9001\n")}, "/e/p.conf")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		up   Upstream
		want string
	}{
		{Upstream{Network: "tcp", Addr: "10.0.0.5:9000"}, "a"},
		{Upstream{Network: "unix", Addr: "/run/b.sock"}, "b"},
		{Upstream{Network: "tcp", Addr: "localhost:9001"}, "c"},
		{Upstream{Network: "tcp", Addr: "10.0.0.5:9001"}, ""},
	}
	for _, tc := range tests {
		got := ""
		if p := c.PoolAt(tc.up); p != nil {
			got = p.Name
		}
		if got != tc.want {
			t.Errorf("PoolAt(%s) = %q, want %q", tc.up.Addr, got, tc.want)
		}
	}
}

func TestCheckNginxSnippets(t *testing.T) {
	tests := []struct {
		name, conf string
		want       []string // finding codes, in order
	}{
		{"clean keepalive", `http { upstream u { server 127.0.0.1:1; keepalive 8; }
  server { location / { proxy_pass http://u; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffer_size 8k; } } }`, nil},
		{"header set elsewhere hides Connection", `http { upstream u { server 127.0.0.1:1; keepalive 8; } proxy_set_header Connection "";
  server { location / { proxy_pass http://u; proxy_http_version 1.1; proxy_set_header Host $host; proxy_buffer_size 8k; } } }`,
			[]string{"nginx.keepalive_unused"}},
		{"resolver set", `http { resolver 127.0.0.53; server { location / { proxy_pass http://$host:8080; proxy_buffer_size 8k; } } }`, nil},
		{"no resolver", `http { server { location / { proxy_pass http://$host:8080; proxy_buffer_size 8k; } } }`, []string{"nginx.no_resolver"}},
		{"variable set to an address", `http { server { set $app 127.0.0.1; location / { proxy_pass http://$app:8096; proxy_buffer_size 8k; } } }`, nil},
		{"variable set to a name", `http { server { set $app app.internal; location / { proxy_pass http://$app:8096; proxy_buffer_size 8k; } } }`, []string{"nginx.no_resolver"}},
		{"split_clients over upstream blocks", `http { upstream a { server 127.0.0.1:1; } upstream b { server 127.0.0.1:2; }
  split_clients "${remote_addr}" $v { 50% a; * b; } server { location / { proxy_pass http://$v; proxy_buffer_size 8k; } } }`, nil},
		{"short timeout", `http { server { location / { proxy_pass http://127.0.0.1:1; proxy_read_timeout 2s; proxy_buffer_size 8k; } } }`,
			[]string{"nginx.read_timeout_short"}},
		{"all down", `http { upstream u { server 127.0.0.1:1 down; } server { location / { proxy_pass http://u; proxy_buffer_size 8k; } } }`,
			[]string{"nginx.no_live_upstreams"}},
		{"hostname", `http { server { location / { proxy_pass http://app.internal:8080; proxy_buffer_size 8k; } } }`,
			[]string{"nginx.static_hostname"}},
		{"ssl on", `http { server { listen 443; ssl on; location / { proxy_pass http://127.0.0.1:1; proxy_buffer_size 8k; } } }`,
			[]string{"nginx.ssl_directive"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := parseNginxFiles(t, "/t/nginx.conf", map[string]string{"/t/nginx.conf": tc.conf})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range Check(&Config{Nginx: n}) {
				got = append(got, f.Code)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("Check() codes = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckHAProxySnippets(t *testing.T) {
	head := "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 60s\nfrontend fe\n    bind :80\n    default_backend be\n"
	for _, tc := range []struct {
		name, be string
		want     []string // finding codes, in order
	}{
		{"checked with GET", "backend be\n    option httpchk GET /healthz\n    server s1 10.0.0.1:80 check\n", nil},
		{"default OPTIONS check", "backend be\n    option httpchk\n    server s1 10.0.0.1:80 check\n", []string{"haproxy.httpchk_options"}},
		{"OPTIONS with an expectation", "backend be\n    option httpchk\n    http-check expect status 200-499\n    server s1 10.0.0.1:80 check\n", nil},
		{"httpchk but nothing checked", "backend be\n    option httpchk\n    server s1 10.0.0.1:80\n", nil},
		{"a frontend that only redirects", "backend be\n    server s1 10.0.0.1:80\nfrontend http-in\n    bind :8080\n    redirect scheme https code 301\n", nil},
		{"a stats frontend", "backend be\n    server s1 10.0.0.1:80\nfrontend stats\n    bind :8404\n    stats uri /\n", nil},
		{"a frontend with no backend", "backend be\n    server s1 10.0.0.1:80\nfrontend other\n    bind :8080\n", []string{"haproxy.no_backend"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := parseHAProxy("/t/haproxy.cfg", []byte(head+tc.be))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range Check(&Config{HAProxy: h}) {
				got = append(got, f.Code)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("Check() codes = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCheckHAProxyTCPMode: HTTP rules in a proxy that a complete file runs
// in TCP mode are reported; a fragment without defaults is not.
func TestCheckHAProxyTCPMode(t *testing.T) {
	for _, tc := range []struct {
		name, cfg string
		want      bool
	}{
		{"defaults without mode", "defaults\n    timeout connect 5s\n    timeout client 30s\n    timeout server 60s\nfrontend fe\n    bind :80\n    http-request set-header X-Forwarded-Proto http\n    default_backend be\nbackend be\n    server s1 10.0.0.1:80\n", true},
		{"mode http", "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 60s\nfrontend fe\n    bind :80\n    http-request set-header X-Forwarded-Proto http\n    default_backend be\nbackend be\n    server s1 10.0.0.1:80\n", false},
		{"a fragment", "frontend fe\n    bind :80\n    http-request set-header X-Forwarded-Proto http\n    default_backend be\nbackend be\n    server s1 10.0.0.1:80\n", false},
	} {
		h, err := parseHAProxy("/t/haproxy.cfg", []byte(tc.cfg))
		if err != nil {
			t.Fatal(err)
		}
		got := false
		for _, f := range Check(&Config{HAProxy: h}) {
			got = got || f.Code == "haproxy.http_rules_in_tcp"
		}
		if got != tc.want {
			t.Errorf("%s: haproxy.http_rules_in_tcp reported %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestCheckSocketACLAndRewriteRetry: a pool whose socket is granted by
// listen.acl_users gets no owner finding; a RewriteRule [P] gets no
// retry= finding, which it cannot take.
func TestCheckSocketACLAndRewriteRetry(t *testing.T) {
	pool := "[www]\nlisten = /run/php/php-fpm.sock\nlisten.acl_users = apache,nginx\npm = dynamic\npm.max_children = 10\n"
	c := &PHPFPM{File: "/t/www.conf"}
	if err := c.readFPM(memSource{"/t/www.conf": []byte(pool)}, "/t/www.conf"); err != nil {
		t.Fatal(err)
	}
	a, err := parseApache(memSource{"/t/a.conf": []byte("<VirtualHost *:80>\n RewriteEngine On\n RewriteRule ^/app/(.*) http://10.0.0.5:8080/$1 [P]\n</VirtualHost>\n")}, "/t/a.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Check(&Config{PHPFPM: c, Apache: a}) {
		if f.Code == "php_fpm.socket_owner" || f.Code == "apache.retry_default" {
			t.Errorf("finding %s at %s: %s", f.Code, f.Where(), f.Message)
		}
	}
}
