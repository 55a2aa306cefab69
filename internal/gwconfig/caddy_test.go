package gwconfig

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLexCaddy(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // tokens as text@line, "|" before the first of a line
		err      string
	}{
		{"words", "a b\nc", "|a@1 b@1 |c@2", ""},
		{"comment", "a # b c\n#d\ne#f", "|a@1 |e#f@3", ""},
		{"quotes", "respond \"a \\\"b\\\"\n c\" 200\nx", "|respond@1 a \"b\"\n c@1 200@2 |x@3", ""},
		{"backticks", "@m `{path}.x` y", "|@m@1 {path}.x@1 y@1", ""},
		{"continuation", "path /a \\\n  /b\nz", "|path@1 /a@1 /b@2 |z@3", ""},
		{"braces", "a {\n}\n", "|a@1 {@1 |}@2", ""},
		{"placeholder", "rewrite * /i{path}", "|rewrite@1 *@1 /i{path}@1", ""},
		{"heredoc", "respond <<HTML\n\t<p>\n\t  x\n\tHTML 200\nz", "|respond@1 <p>\n  x@1 200@4 |z@5", ""},
		{"crlf bom", "\xef\xbb\xbfa\r\nb", "|a@1 |b@2", ""},
		{"open quote", "a \"b\nc", "|a@1", `q.caddy:1: quoted token is not closed`},
		{"open heredoc", "respond <<EOF\nx\n", "|respond@1", "q.caddy:1: heredoc <<EOF is not closed"},
		{"not heredoc", "a <<b c", "|a@1 <<b@1 c@1", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			toks, err := lexCaddy("q.caddy", []byte(tc.in))
			var parts []string
			for _, tk := range toks {
				p := fmt.Sprintf("%s@%d", tk.text, tk.line)
				if tk.nl {
					p = "|" + p
				}
				parts = append(parts, p)
			}
			if got := strings.Join(parts, " "); got != tc.want {
				t.Errorf("tokens = %q, want %q", got, tc.want)
			}
			if got := fmt.Sprint(err); tc.err != "" && got != tc.err || tc.err == "" && err != nil {
				t.Errorf("err = %v, want %q", err, tc.err)
			}
		})
	}
}

// parseCaddyMem reads /c/Caddyfile and the other files given, from memory.
func parseCaddyMem(t *testing.T, files map[string]string) *Caddy {
	t.Helper()
	src := memFiles(files)
	c, err := parseCaddy(src, "/c/Caddyfile")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCaddyProblems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // the problems, in order
	}{
		{"unclosed site", map[string]string{"/c/Caddyfile": "a.example {\n\treverse_proxy app:80\n"},
			[]string{`/c/Caddyfile:1: the block of "a.example" is not closed`}},
		{"unclosed nested", map[string]string{"/c/Caddyfile": "a.example {\n\thandle /x* {\n\t\trespond 1\n}\n"},
			[]string{`/c/Caddyfile:1: the block of "a.example" is not closed`}},
		{"stray close", map[string]string{"/c/Caddyfile": "a.example {\n}\n}\n"},
			[]string{"/c/Caddyfile:3: unexpected }: no block is open"}},
		{"unknown directive", map[string]string{"/c/Caddyfile": "a.example {\n\trate_limit 10\n\treverse_proxy app:80\n}\n"},
			[]string{`/c/Caddyfile:2: unknown directive "rate_limit" (a plugin's, or a misspelling)`}},
		{"import cycle", map[string]string{"/c/Caddyfile": "import a.caddy\n", "/c/a.caddy": "import Caddyfile\n"},
			[]string{"/c/a.caddy:1: import Caddyfile: include cycle: /c/Caddyfile is already being read"}},
		{"snippet cycle", map[string]string{"/c/Caddyfile": "(s) {\n\timport s\n}\na.example {\n\timport s\n}\n"},
			[]string{"/c/Caddyfile:2: import s: include cycle: snippet s is already being read"}},
		{"missing import", map[string]string{"/c/Caddyfile": "import sites/x.caddy\na.example {\n}\n"},
			[]string{"/c/Caddyfile:1: import sites/x.caddy: /c/sites/x.caddy: open /c/sites/x.caddy: file does not exist"}},
		{"glob matches nothing", map[string]string{"/c/Caddyfile": "import sites/*\n"}, nil},
		{"bad duration", map[string]string{"/c/Caddyfile": ":80 {\n\treverse_proxy app {\n\t\ttransport http {\n\t\t\tdial_timeout 5\n\t\t}\n\t}\n}\n"},
			[]string{`/c/Caddyfile:4: dial_timeout "5": invalid duration "5"`}},
		{"bad upstream", map[string]string{"/c/Caddyfile": ":80 {\n\treverse_proxy http://app/api\n}\n"},
			[]string{`/c/Caddyfile:2: upstream "http://app/api": an upstream cannot have a path: rewrite the request instead`}},
		{"outside site", map[string]string{"/c/Caddyfile": "a.example {\n}\nrespond 200\n"},
			[]string{`/c/Caddyfile:3: "respond 200" is outside any site block`}},
		{"open quote", map[string]string{"/c/Caddyfile": "a.example {\n\trespond \"x\n"},
			[]string{"/c/Caddyfile:2: quoted token is not closed", `/c/Caddyfile:1: the block of "a.example" is not closed`}},
		{"bad port", map[string]string{"/c/Caddyfile": "{\n\thttp_port x\n}\n:80 {\n}\n"},
			[]string{`/c/Caddyfile:2: http_port "x" is not a port`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := parseCaddyMem(t, tc.files)
			var got []string
			for _, p := range c.Problems {
				got = append(got, p.Error())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseCaddyMissing(t *testing.T) {
	_, err := ParseCaddy(t.TempDir() + "/Caddyfile")
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("err = %v, want the missing file", err)
	}
}

// caddyRouteFiles is a Caddyfile that uses what the router follows:
// global ports, snippets with arguments, an imported site, handle and
// handle_path groups, named matchers, rewrite and php_fastcgi.
var caddyRouteFiles = map[string]string{
	"/c/Caddyfile": `{
	http_port 8080
	https_port 8443
}

(proxy) {
	reverse_proxy {args[0]} {
		transport http {
			dial_timeout 2s
			response_header_timeout {args[1]}
		}
	}
}

shop.example, www.shop.example {
	@api {
		path /api/*
		not path /api/public/*
	}
	@bot header User-Agent *bot*
	respond @bot 403
	handle @api {
		import proxy api1:9000 30s
	}
	handle_path /static/* {
		root * /srv/static
		file_server
	}
	handle /admin* {
		reverse_proxy https://admin.internal {
			transport http {
				tls_insecure_skip_verify
			}
		}
	}
	handle {
		reverse_proxy web1:80 web2:80 {
			lb_policy round_robin
			health_uri /healthz
			health_status 2xx
			health_headers {
				Host shop.example
			}
		}
	}
}

*.shop.example {
	reverse_proxy unix//run/app.sock
}

http://legacy.example {
	rewrite /old /index.php
	php_fastcgi /index.php unix//run/php/php8.2-fpm.sock {
		read_timeout 120s
	}
	respond /gone "gone" 410
}

:9000 {
	route {
		respond /ping "pong"
		reverse_proxy h2c://grpc:50051 {
			transport http {
				keepalive 30s
			}
		}
	}
}

import sites/*.caddy
`,
	"/c/sites/env.caddy": `{$DOMAIN} {
	reverse_proxy {$BACKEND}
}
`,
}

func TestCaddyRoute(t *testing.T) {
	c := parseCaddyMem(t, caddyRouteFiles)
	if len(c.Problems) > 0 {
		t.Fatalf("problems: %v", c.Problems)
	}
	tests := []struct {
		url, server, location, proto string
		ups                          []string
		settings                     map[string]string // name → value ("none", "3s"), "d:" for a default
		note                         string
		health                       string // "METHOD PATH HOST EXPECT"
		err                          string
	}{
		{url: "https://shop.example:8443/api/v1", server: "site shop.example, www.shop.example",
			location: "reverse_proxy api1:9000", proto: "http", ups: []string{"tcp:api1:9000"},
			settings: map[string]string{"dial_timeout": "2s", "response_header_timeout": "30s", "keepalive": "d:2m0s", "lb_try_duration": "d:0"}},
		{url: "https://WWW.shop.example:8443/api/public/x", location: "reverse_proxy web1:80 web2:80", proto: "http",
			ups: []string{"tcp:web1:80", "tcp:web2:80"}, health: "GET /healthz shop.example status 200-299"},
		{url: "https://shop.example:8443/static/app.css", location: "file_server", note: "file_server answers"},
		{url: "https://shop.example:8443/admin/users", location: "reverse_proxy https://admin.internal", proto: "https",
			ups: []string{"tcp:admin.internal:443"}},
		{url: "http://shop.example:8080/", location: "reverse_proxy web1:80 web2:80", note: "automatic HTTPS"},
		{url: "https://a.shop.example:8443/", server: "site *.shop.example", location: "reverse_proxy unix//run/app.sock",
			ups: []string{"unix:/run/app.sock"}, note: "wildcard"},
		{url: "https://a.b.shop.example:8443/", location: "reverse_proxy {$BACKEND}", note: "comes from the environment"},
		{url: "http://legacy.example:8080/old", location: "php_fastcgi /index.php unix//run/php/php8.2-fpm.sock", proto: "fastcgi",
			ups: []string{"unix:/run/php/php8.2-fpm.sock"}, settings: map[string]string{"read_timeout": "120s", "dial_timeout": "d:3s", "write_timeout": "d:none"},
			note: "rewrites the path to /index.php"},
		{url: "http://legacy.example:8080/gone", location: `respond /gone gone 410`},
		{url: "http://legacy.example:8080/other", note: "no directive handles /other"},
		{url: "http://x.example:9000/ping", location: "respond /ping pong"},
		{url: "http://x.example:9000/rpc", location: "reverse_proxy h2c://grpc:50051", ups: []string{"tcp:grpc:50051"},
			settings: map[string]string{"keepalive": "30s"}, note: "h2c"},
		{url: "http://x.example:7000/", err: "no Caddy site is served on port 7000"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			r, err := c.Route(mustURL(t, tc.url))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.server != "" && r.Server.Name != tc.server {
				t.Errorf("server = %q, want %q", r.Server.Name, tc.server)
			}
			if r.Location.Name != tc.location {
				t.Errorf("location = %q, want %q (notes %q)", r.Location.Name, tc.location, r.Notes)
			}
			if tc.proto != "" && r.Protocol != tc.proto {
				t.Errorf("protocol = %q, want %q", r.Protocol, tc.proto)
			}
			ups := upstreamKeys(r)
			if tc.ups != nil && !slices.Equal(ups, tc.ups) {
				t.Errorf("upstreams = %q, want %q", ups, tc.ups)
			}
			for name, want := range tc.settings {
				s, ok := r.Setting(name)
				got := s.Value
				if s.Default {
					got = "d:" + formatDefault(s)
				}
				if !ok || got != want {
					t.Errorf("setting %s = %q (%+v), want %q", name, got, s, want)
				}
			}
			if tc.note != "" && !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("notes %q, want one with %q", r.Notes, tc.note)
			}
			if tc.health != "" {
				hc := r.HealthCheck
				if hc == nil {
					t.Fatalf("no health check, want %q", tc.health)
				}
				if got := strings.Join([]string{hc.Method, hc.Path, hc.Host, hc.Expect}, " "); got != tc.health {
					t.Errorf("health check = %q, want %q", got, tc.health)
				}
				if !hc.Accepts(204) || hc.Accepts(301) {
					t.Errorf("health check %q: 204 should pass and 301 fail", hc.Expect)
				}
			}
		})
	}
}

// formatDefault writes a default setting's value: its duration when it
// has one, else the value.
func formatDefault(s Setting) string {
	if s.Duration > 0 {
		return s.Duration.String()
	}
	return s.Value
}

func TestCaddySortAndMatch(t *testing.T) {
	c := parseCaddyMem(t, map[string]string{"/c/Caddyfile": `:80 {
	handle {
		respond "any"
	}
	handle /foo* {
		respond "foo-star"
	}
	handle /foo {
		respond "foo"
	}
	handle /foobar {
		respond "foobar"
	}
	handle /FOO/* {
		respond "foo-dir"
	}
	@php path *.php
	handle @php {
		respond "php"
	}
}
`})
	for path, want := range map[string]string{
		"/foo": `respond foo`, "/foobar": `respond foobar`, "/foo/x": `respond foo-dir`, "/foox": `respond foo-star`,
		"/x.PHP": `respond php`, "/": `respond any`,
	} {
		r, err := c.Route(mustURL(t, "http://h"+path))
		if err != nil {
			t.Fatal(err)
		}
		if r.Location.Name != want {
			t.Errorf("%s: location = %q, want %q", path, r.Location.Name, want)
		}
	}
}

func TestCaddySingleSiteAndDurations(t *testing.T) {
	c := parseCaddyMem(t, map[string]string{"/c/Caddyfile": "localhost:2015\n\nreverse_proxy 127.0.0.1:8001-8003 {\n\tlb_try_duration 1.5s\n\tfail_duration 1d\n}\n"})
	if len(c.Problems) > 0 {
		t.Fatal(c.Problems)
	}
	r, err := c.Route(mustURL(t, "https://localhost:2015/"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Upstreams) != 3 || r.Upstreams[2].Addr != "127.0.0.1:8003" {
		t.Errorf("upstreams = %+v, want the port range's three", r.Upstreams)
	}
	if s, _ := r.Setting("lb_try_duration"); s.Duration != 1500*time.Millisecond {
		t.Errorf("lb_try_duration = %+v, want 1.5s", s)
	}
	if s, _ := c.Sites[0].Proxies[0].setting("fail_duration"); s.Duration != 24*time.Hour {
		t.Errorf("fail_duration = %+v, want 1d", s)
	}
}
