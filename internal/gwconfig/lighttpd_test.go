package gwconfig

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// parseLighttpdMem reads /l/lighttpd.conf and the other files given, from memory.
func parseLighttpdMem(t *testing.T, files map[string]string) *Lighttpd {
	t.Helper()
	src := memFiles(files)
	l, err := parseLighttpd(src, "/l/lighttpd.conf")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLighttpdProblems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"missing include", map[string]string{"/l/lighttpd.conf": "include \"conf.d/proxy.conf\"\n"},
			[]string{`/l/lighttpd.conf:1: include "conf.d/proxy.conf": /l/conf.d/proxy.conf: open /l/conf.d/proxy.conf: file does not exist`}},
		{"include cycle", map[string]string{"/l/lighttpd.conf": "include \"a.conf\"\n", "/l/a.conf": "include \"lighttpd.conf\"\n"},
			[]string{`/l/a.conf:1: include "lighttpd.conf": include cycle: /l/lighttpd.conf is already being read`}},
		{"include_shell", map[string]string{"/l/lighttpd.conf": "include_shell \"/usr/share/lighttpd/create-mime.conf.pl\"\n"},
			[]string{`/l/lighttpd.conf:1: include_shell "/usr/share/lighttpd/create-mime.conf.pl" is not run: the configuration it prints is left out`}},
		{"open string", map[string]string{"/l/lighttpd.conf": "server.port = 80\nserver.tag = \"x\n"},
			[]string{"/l/lighttpd.conf:2: string is not closed", "/l/lighttpd.conf:2: server.tag = has no value"}},
		{"open block", map[string]string{"/l/lighttpd.conf": "$HTTP[\"host\"] == \"a\" {\n server.port = 80\n"},
			[]string{"/l/lighttpd.conf:2: a conditional block is not closed"}},
		{"bad condition", map[string]string{"/l/lighttpd.conf": "$HTTP[\"host\"] => \"a\" {\n}\n"},
			[]string{`/l/lighttpd.conf:1: unknown operator "=>" in a condition`}},
		{"bad character", map[string]string{"/l/lighttpd.conf": "server.port = 80 @\nserver.tag = \"x\"\n"},
			[]string{`/l/lighttpd.conf:1: unexpected character '@'`}},
		{"stray brace", map[string]string{"/l/lighttpd.conf": "}\nserver.port = 80\n"},
			[]string{"/l/lighttpd.conf:1: unexpected }: no block is open"}},
		{"variables and glob", map[string]string{"/l/lighttpd.conf": "var.confdir = \"/l\"\ninclude var.confdir + \"/conf.d/*.conf\"\n",
			"/l/conf.d/a.conf": "server.modules += (\"mod_proxy\")\n"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := parseLighttpdMem(t, tc.files)
			var got []string
			for _, p := range l.Problems {
				got = append(got, p.Error())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems = %q, want %q", got, tc.want)
			}
		})
	}
}

// lighttpdRouteConf is a lighttpd.conf with what the router follows:
// variables and +=, host and url conditionals with else branches, a
// socket conditional, prefix and suffix keys, FastCGI over a socket, a
// single host written without its own parentheses, and timeouts.
var lighttpdRouteConf = map[string]string{
	"/l/lighttpd.conf": `server.modules = ("mod_access")
server.modules += ("mod_fastcgi", "mod_proxy")
var.app = "127.0.0.1"
server.port = 80
fastcgi.server = ( ".php" => ( ( "socket" => "/run/php/php-fpm.sock", "check-local" => "disable" ) ) )
$HTTP["host"] == "api.example" {
    proxy.server = ( "/v1" => ( ( "host" => var.app, "port" => 8080, "connect-timeout" => 3, "read-timeout" => 30 ),
                                ( "host" => "127.0.0.2", "port" => 8080 ) ),
                     "" => ( "host" => "backend.internal" ) )
}
else $HTTP["url"] =~ "^/admin" {
    proxy.server = ( "" => ( ( "host" => var.app, "port" => 9000 ) ) )
}
else {
    server.max-read-idle = 30
}
$SERVER["socket"] == ":8443" {
    fastcgi.server = ( ".php" => ( ( "host" => "10.0.0.5", "port" => 9000 ) ) )
}
$HTTP["useragent"] =~ "bot" {
    proxy.server = ( "" => ( ( "host" => "127.0.0.9", "port" => 80 ) ) )
}
`,
}

func TestLighttpdRoute(t *testing.T) {
	tests := []struct {
		url, location, target string
		ups                   []string
		settings              []string // name=value@line
		note                  string
	}{
		{"http://api.example/v1/users", `proxy.server "/v1"`, "127.0.0.1:8080", []string{"tcp:127.0.0.1:8080", "tcp:127.0.0.2:8080"},
			[]string{"connect-timeout=3@7", "read-timeout=30@7"}, "write-timeout not set"},
		{"http://api.example/status", `proxy.server ""`, "backend.internal:80", []string{"tcp:backend.internal:80"}, nil, ""},
		{"http://shop.example/admin/", `proxy.server ""`, "127.0.0.1:9000", []string{"tcp:127.0.0.1:9000"}, nil, ""},
		{"http://shop.example/index.php", `fastcgi.server ".php"`, "unix:/run/php/php-fpm.sock", []string{"unix:/run/php/php-fpm.sock"}, nil,
			`the condition $HTTP["useragent"] =~ "bot"`},
		{"https://shop.example:8443/index.php", `fastcgi.server ".php"`, "10.0.0.5:9000", []string{"tcp:10.0.0.5:9000"}, nil, "check-local"},
		{"http://shop.example/style.css", "", "", nil, nil, "answers from server.document-root"},
	}
	l := parseLighttpdMem(t, lighttpdRouteConf)
	if len(l.Problems) > 0 {
		t.Fatalf("problems: %v", l.Problems)
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			r, err := l.Route(mustURL(t, tc.url))
			if err != nil {
				t.Fatal(err)
			}
			if r.Location.Name != tc.location || r.Target != tc.target {
				t.Errorf("route = %q to %q, want %q to %q (notes %q)", r.Location.Name, r.Target, tc.location, tc.target, r.Notes)
			}
			ups := upstreamKeys(r)
			if !slices.Equal(ups, tc.ups) {
				t.Errorf("upstreams = %q, want %q", ups, tc.ups)
			}
			for _, want := range tc.settings {
				name, _, _ := strings.Cut(want, "=")
				s, _ := r.Setting(name)
				if got := fmt.Sprintf("%s=%s@%d", s.Name, s.Value, s.Line); got != want {
					t.Errorf("setting %s, want %s", got, want)
				}
			}
			if tc.note != "" && !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("notes %q, want one with %q", r.Notes, tc.note)
			}
		})
	}
}

func TestLighttpdLimits(t *testing.T) {
	l := parseLighttpdMem(t, lighttpdRouteConf)
	r, err := l.Route(mustURL(t, "http://api.example/v1/x"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range r.Settings {
		want := map[string]LimitKind{"connect-timeout": LimitConnect, "read-timeout": LimitResponse}[s.Name]
		if got := s.Limit(); got != want {
			t.Errorf("%s.Limit() = %v, want %v", s.Name, got, want)
		}
	}
	fs := Explain(r, Measured{UpstreamTime: 45 * time.Second})
	if len(fs) != 1 || fs[0].Fix != `"read-timeout" => 60,  # in the host of proxy.server or fastcgi.server` {
		t.Errorf("Explain = %+v", fs)
	}
}

func TestCheckLighttpd(t *testing.T) {
	l := parseLighttpdMem(t, map[string]string{"/l/lighttpd.conf": `proxy.server = ( "" => ( ( "host" => "app.internal", "port" => 80, "read-timeout" => 2 ) ) )
fastcgi.server = ( ".php" => ( ( "socket" => "/run/php.sock" ) ) )
`})
	var got []string
	for _, f := range Check(&Config{Lighttpd: l}) {
		got = append(got, fmt.Sprintf("%s@%d", f.Code, f.Line))
		if f.Fix == "" {
			t.Errorf("%s has no fix", f.Code)
		}
	}
	want := []string{"lighttpd.read_timeout_short@1", "lighttpd.static_hostname@1"}
	if !slices.Equal(got, want) {
		t.Errorf("findings = %q, want %q", got, want)
	}
}

func FuzzLighttpd(f *testing.F) {
	for _, text := range lighttpdRouteConf {
		f.Add([]byte(text))
	}
	f.Add([]byte(`var.a = ( "x" => ( "y" ) ) + 1 $HTTP["url"] =~ "(" { } else $X["y"] == { include "a.conf" } else { (`))
	addWorldSeeds(f, "lighttpd")
	f.Fuzz(func(t *testing.T, data []byte) {
		// The file includes itself through the glob: cycles must be caught.
		src := memSource{"/f/lighttpd.conf": data, "/f/a.conf": data}
		l, err := parseLighttpd(src, "/f/lighttpd.conf")
		if err != nil {
			return
		}
		routeAll(l.Route)
		Check(&Config{Lighttpd: l})
	})
}
