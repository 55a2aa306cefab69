package gwconfig

import (
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// parseNginxFiles parses in-memory files; the first key given as main.
func parseNginxFiles(t *testing.T, main string, files map[string]string) (*Nginx, error) {
	t.Helper()
	src := memFiles(files)
	return parseNginx(src, main)
}

// memFiles is an in-memory source of the files given, by name.
func memFiles(files map[string]string) memSource {
	src := memSource{}
	for name, text := range files {
		src[name] = []byte(text)
	}
	return src
}

// upstreamKeys names a route's upstreams as "network:addr", in order.
func upstreamKeys(r *Route) []string {
	var ups []string
	for _, u := range r.Upstreams {
		ups = append(ups, u.Network+":"+u.Addr)
	}
	return ups
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestLexNginx(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"simple", "a b;", []string{"a", "b", ";"}},
		{"comment", "a # b c;\nd;", []string{"a", "d", ";"}},
		{"hash inside word", "a b#c;", []string{"a", "b#c", ";"}},
		{"double quotes", `a "b c" 'd;e';`, []string{"a", "b c", "d;e", ";"}},
		{"escapes", `a "x\"y\\z\tw" \$v;`, []string{"a", "x\"y\\z\tw", `\$v`, ";"}},
		{"variable braces", "set ${a}x ${b};", []string{"set", "${a}x", "${b}", ";"}},
		{"block", "http{a 1;}", []string{"http", "{", "a", "1", ";", "}"}},
		{"regex with braces in quotes", `location ~ "^/a{2}$" {}`, []string{"location", "~", "^/a{2}$", "{", "}"}},
		{"brace inside word", "return 200 a}b;", []string{"return", "200", "a}b", ";"}},
		{"multi-line quoted", "a \"b\nc\";", []string{"a", "b\nc", ";"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			toks, err := lexNginx("t.conf", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tk := range toks {
				got = append(got, tk.text)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("lexNginx(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// firstProblem returns the first part a parser left out, or err when it
// could not read the file at all.
func firstProblem(ps []*ParseError, err error) error {
	if err != nil || len(ps) == 0 {
		return err
	}
	return ps[0]
}

// TestNginxParseErrors checks that what nginx would reject is a problem
// with its file and line, and the rest of the file is still read.
func TestNginxParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"stray close", map[string]string{"/e/nginx.conf": "http {\n}\n}\n"}, `/e/nginx.conf:3: unexpected "}"`},
		{"unclosed block", map[string]string{"/e/nginx.conf": "http {\n  server {\n}\n"}, `/e/nginx.conf:3: unexpected end of file, expecting "}"`},
		{"missing semicolon", map[string]string{"/e/nginx.conf": "worker_processes 1"}, `/e/nginx.conf:1: unexpected end of file, expecting ";" or "}"`},
		{"lone semicolon", map[string]string{"/e/nginx.conf": "a;\n;\n"}, `/e/nginx.conf:2: unexpected ";"`},
		{"unterminated quote", map[string]string{"/e/nginx.conf": "a \"b;\n"}, `/e/nginx.conf:1: unexpected end of file, expecting terminating double quote`},
		{"no space after quote", map[string]string{"/e/nginx.conf": "a \"b\"c;\n"}, `/e/nginx.conf:1: unexpected "c"`},
		{"missing include", map[string]string{"/e/nginx.conf": "http {\n  include site.conf;\n}\n"}, `/e/nginx.conf:2: include "site.conf": open /e/site.conf: file does not exist`},
		{"error in included file", map[string]string{"/e/nginx.conf": "include conf.d/*.conf;", "/e/conf.d/a.conf": "x;\n}\n"}, `/e/conf.d/a.conf:2: unexpected "}"`},
		{"include cycle", map[string]string{"/e/nginx.conf": "include a.conf;", "/e/a.conf": "\ninclude b.conf;", "/e/b.conf": "include a.conf;"}, `/e/b.conf:1: include cycle: /e/a.conf is already being read`},
		{"bad listen", map[string]string{"/e/nginx.conf": "http { server { listen a:b; } }"}, `/e/nginx.conf:1: invalid port in "a:b"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := parseNginxFiles(t, "/e/nginx.conf", tc.files)
			if err != nil {
				t.Fatalf("error = %v, want the problem recorded and the file read", err)
			}
			err = firstProblem(n.Problems, nil)
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

func TestNginxMissingFileIsNotExist(t *testing.T) {
	_, err := ParseNginx(filepath.Join(t.TempDir(), "nginx.conf"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error = %v, want one that wraps fs.ErrNotExist", err)
	}
}

// TestLocationOrder mirrors the example of
// https://nginx.org/en/docs/http/ngx_http_core_module.html#location.
func TestLocationOrder(t *testing.T) {
	conf := `http { server { listen 80;
  location = / { set $c A; }
  location / { set $c B; }
  location /documents/ { set $c C; }
  location ^~ /images/ { set $c D; }
  location ~* \.(gif|jpg|jpeg)$ { set $c E; }
  location /nested/ {
    set $c F;
    location /nested/deeper/ { set $c G; }
    location ~ \.txt$ { set $c H; }
  }
  location ~ ^/nested/ { set $c I; }
  location ^~ /stop/ { set $c J; location ~ \.jpg$ { set $c K; } }
  location @fallback { set $c L; }
} }`
	n, err := parseNginxFiles(t, "/t/nginx.conf", map[string]string{"/t/nginx.conf": conf})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{"/", "A"},
		{"/index.html", "B"},
		{"/documents/document.html", "C"},
		{"/images/1.gif", "D"},
		{"/documents/1.jpg", "E"},
		{"/DOCUMENTS/1.JPG", "E"},
		{"/nested/deeper/x", "I"}, // an enclosing-level regex beats a nested prefix
		{"/nested/a.txt", "H"},    // the nested regex is tried first
		{"/stop/x", "J"},
		{"/stop/x.jpg", "K"}, // ^~ stops the regexes of its level, not nested ones
		{"/other/x.jpeg", "E"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			l := findLocation(n.Servers[0].Locations, tc.path)
			if l == nil {
				t.Fatalf("findLocation(%q) = nil, want %s", tc.path, tc.want)
			}
			got := lookup([][]*Directive{l.Directive.Block}, "set").Arg(1)
			if got != tc.want {
				t.Errorf("findLocation(%q) = %s (%s), want %s", tc.path, got, l.Block().Name, tc.want)
			}
		})
	}
}

func TestServerSelection(t *testing.T) {
	conf := `http {
  server { listen 80; server_name a.example; set $s exact; }
  server { listen 80; server_name *.example .b.example; set $s start; }
  server { listen 80; server_name *.c.b.example; set $s longer; }
  server { listen 80; server_name www.*; set $s end; }
  server { listen 80 default_server; server_name ~^(?<n>\d+)\.num$; set $s regex; }
  server { listen 8080; set $s other-port; }
}`
	n, err := parseNginxFiles(t, "/t/nginx.conf", map[string]string{"/t/nginx.conf": conf})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ url, want string }{
		{"http://a.example/", "exact"},
		{"http://x.example/", "start"},
		{"http://b.example/", "start"},
		{"http://x.c.b.example/", "longer"},
		{"http://www.nowhere.org/", "end"},
		{"http://42.num/", "regex"},
		{"http://unknown.org/", "regex"}, // the default_server
		{"http://a.example:8080/", "other-port"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			host, port, _, err := splitURL(mustURL(t, tc.url))
			if err != nil {
				t.Fatal(err)
			}
			s, _ := n.findServer(host, port)
			got := lookup([][]*Directive{s.Directive.Block}, "set").Arg(1)
			if got != tc.want {
				t.Errorf("server for %s = %s, want %s", tc.url, got, tc.want)
			}
		})
	}
}

func TestParseTimeAndSize(t *testing.T) {
	times := []struct {
		in   string
		unit time.Duration
		want time.Duration
	}{
		{"60", time.Second, 60 * time.Second},
		{"60s", time.Second, 60 * time.Second},
		{"500ms", time.Second, 500 * time.Millisecond},
		{"1m30s", time.Second, 90 * time.Second},
		{"1h 30m", time.Second, 90 * time.Minute},
		{"2d", time.Second, 48 * time.Hour},
		{"5000", time.Millisecond, 5 * time.Second},
	}
	for _, tc := range times {
		if got, err := parseTime(tc.in, tc.unit); err != nil || got != tc.want {
			t.Errorf("parseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "s", "1x", "10 20", "-1"} {
		if _, err := parseTime(bad, time.Second); err == nil {
			t.Errorf("parseTime(%q): want an error", bad)
		}
	}
	sizes := map[string]int64{"4k": 4096, "8K": 8192, "1m": 1 << 20, "512": 512}
	for in, want := range sizes {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func TestParseNginxDumpMatchesFiles(t *testing.T) {
	fromDisk, err := ParseNginx("testdata/nginx/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	dump, err := os.ReadFile("testdata/nginx-T.txt")
	if err != nil {
		t.Fatal(err)
	}
	fromDump, err := ParseNginxDump(strings.NewReader(string(dump)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(fromDump.Servers), len(fromDisk.Servers); got != want {
		t.Errorf("servers from dump = %d, from files = %d", got, want)
	}
	if got, want := len(fromDump.Upstreams), len(fromDisk.Upstreams); got != want {
		t.Errorf("upstreams from dump = %d, from files = %d", got, want)
	}
}

func TestNginxRouteNotes(t *testing.T) {
	conf := `http { upstream php { server 127.0.0.1:9000; }
  server { listen 80;
    location / { try_files $uri @app; }
    location @app { proxy_pass http://127.0.0.1:8080; }
    location /old/ { if ($arg_x) { proxy_pass http://127.0.0.1:8081; } }
    location ~ \.php$ { fastcgi_pass php; }
    location /self/ { try_files $uri /self/index.html; }
  } }`
	n, err := parseNginxFiles(t, "/t/nginx.conf", map[string]string{"/t/nginx.conf": conf})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ url, location, upstream, note string }{
		{"http://a/x", "location @app", "127.0.0.1:8080", "falls back to @app"},
		{"http://a/old/y", "location /old/", "", "except when the if at /t/nginx.conf:5 holds"},
		{"http://a/i.php", `location ~ \.php$`, "127.0.0.1:9000", ""},
		{"http://a/self/z", "location /self/", "", "nginx answers itself"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			r, err := n.Route(mustURL(t, tc.url))
			if err != nil {
				t.Fatal(err)
			}
			up := ""
			if len(r.Upstreams) > 0 {
				up = r.Upstreams[0].Addr
			}
			notes := strings.Join(r.Notes, "; ")
			if r.Location.Name != tc.location || up != tc.upstream || !strings.Contains(notes, tc.note) {
				t.Errorf("Route(%s) = %s, %q, notes %q; want %s, %q, a note with %q", tc.url, r.Location.Name, up, notes, tc.location, tc.upstream, tc.note)
			}
		})
	}
}
