package gwconfig

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLexVCL(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // tokens as text@line; strings in quotes
		err      string
	}{
		{"comments", "a # x\nb // y\n/* z\n */ c", "a@1 b@2 c@4", ""},
		{"string", `set req.url = "/a b";`, `set@1 req.url@1 =@1 "/a b"@1 ;@1`, ""},
		{"long string", "x = {\"a\n\"b\"\n\"}; y", "x@1 =@1 \"a\n\"b\"\n\"@1 ;@3 y@3", ""},
		{"triple quotes", "x = \"\"\"a\nb\"\"\";", "x@1 =@1 \"a\nb\"@1 ;@2", ""},
		{"operators", `if (req.url !~ "^/a" && req.http.host == "x") {`, `if@1 (@1 req.url@1 !~@1 "^/a"@1 &&@1 req.http.host@1 ==@1 "x"@1 )@1 {@1`, ""},
		{"inline C", "a C{ int x; }C b", "a@1 b@1", "q.vcl:1: inline C (C{ ... }C) is not read"},
		{"open comment", "a /* b", "a@1", "q.vcl:1: comment /* is not closed"},
		{"open string", "a \"b\nc", "a@1 c@2", "q.vcl:1: string is not closed on its line"},
		{"crlf bom", "\xef\xbb\xbfa\r\nb", "a@1 b@2", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			toks, errs := lexVCL("q.vcl", []byte(tc.in))
			var parts []string
			for _, tk := range toks {
				text := tk.text
				if tk.kind == vclString {
					text = `"` + text + `"`
				}
				parts = append(parts, fmt.Sprintf("%s@%d", text, tk.line))
			}
			if got := strings.Join(parts, " "); got != tc.want {
				t.Errorf("tokens = %q, want %q", got, tc.want)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if g := strings.Join(got, "; "); g != tc.err {
				t.Errorf("errors = %q, want %q", g, tc.err)
			}
		})
	}
}

// parseVarnishMem reads /v/default.vcl and the other files given, from memory.
func parseVarnishMem(t *testing.T, files map[string]string) *Varnish {
	t.Helper()
	src := memFiles(files)
	v, err := parseVarnish(src, "/v/default.vcl")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVarnishProblems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"missing include", map[string]string{"/v/default.vcl": "include \"nope.vcl\";\nbackend a { .host = \"x\"; }\n"},
			[]string{`/v/default.vcl:1: include "nope.vcl": /v/nope.vcl: open /v/nope.vcl: file does not exist`}},
		{"include cycle", map[string]string{"/v/default.vcl": "include \"b.vcl\";\n", "/v/b.vcl": "include \"default.vcl\";\n"},
			[]string{`/v/b.vcl:1: include "default.vcl": include cycle: /v/default.vcl is already being read`}},
		{"unknown attribute", map[string]string{"/v/default.vcl": "backend a {\n .host = \"x\";\n .hots = \"y\";\n}\n"},
			[]string{"/v/default.vcl:3: unknown attribute .hots"}},
		{"no host", map[string]string{"/v/default.vcl": "backend a {\n .port = \"80\";\n}\n"},
			[]string{"/v/default.vcl:1: backend a: neither .host nor .path is set"}},
		{"bad port", map[string]string{"/v/default.vcl": "backend a { .host = \"x\"; .port = \"web\"; }\n"},
			[]string{`/v/default.vcl:1: backend a: port "web" is not a number`}},
		{"unknown probe", map[string]string{"/v/default.vcl": "backend a {\n .host = \"x\";\n .probe = p;\n}\n"},
			[]string{`/v/default.vcl:3: backend a: no probe called "p"`}},
		{"unknown top level", map[string]string{"/v/default.vcl": "director d round-robin { { .backend = a; } }\nbackend a { .host = \"x\"; }\n"},
			[]string{`/v/default.vcl:1: "director" is not a declaration varnishd knows at the top level`}},
		{"unclosed sub", map[string]string{"/v/default.vcl": "backend a { .host = \"x\"; }\nsub vcl_recv {\n set req.backend_hint = a;\n"},
			[]string{"/v/default.vcl:2: the block opened here is not closed"}},
		{"add to unknown director", map[string]string{"/v/default.vcl": "backend a { .host = \"x\"; }\nsub vcl_init {\n d.add_backend(a);\n}\n"},
			[]string{"/v/default.vcl:3: d.add_backend(a);: no director of that name"}},
		{"glob include", map[string]string{"/v/default.vcl": "include +glob \"conf.d/*.vcl\";\n", "/v/conf.d/a.vcl": "backend a { .host = \"x\"; }\n"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := parseVarnishMem(t, tc.files)
			var got []string
			for _, p := range v.Problems {
				got = append(got, p.Error())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems = %q, want %q", got, tc.want)
			}
		})
	}
}

// varnishRouteVCL is a VCL with what the router follows: a named probe and
// one in place, the probe default, directors built in vcl_init, an
// if/elsif chain on the Host header and the URL, a called subroutine,
// a synthetic answer and timeouts set in vcl_backend_fetch.
var varnishRouteVCL = map[string]string{
	"/v/default.vcl": `vcl 4.1;
import directors;
include "backends.vcl";

probe health {
    .request = "HEAD /status HTTP/1.1"
        "Host: app.internal"
        "Connection: close";
    .expected_response = 204;
}

sub vcl_init {
    new api = directors.fallback();
    api.add_backend(api1);
    api.add_backend(api2);
    new web = directors.round_robin();
    web.add_backend(web1);
}

sub pick_api {
    set req.backend_hint = api.backend();
}

sub vcl_recv {
    if (req.url ~ "^/blocked") {
        return (synth(403, "Forbidden"));
    }
    if (req.http.host == "api.example" && req.url ~ "^/v[0-9]+/") {
        call pick_api;
    } elsif (req.http.host ~ "(?i)^static\.") {
        set req.backend_hint = files;
    } elsif (req.http.Cookie ~ "admin") {
        set req.backend_hint = admin;
    } else {
        set req.backend_hint = web.backend();
    }
}

sub vcl_backend_fetch {
    if (bereq.url ~ "^/v1/report") {
        set bereq.first_byte_timeout = 300s;
    }
}
`,
	"/v/backends.vcl": `backend api1 { .host = "10.0.0.1"; .port = "8080"; .probe = health; .first_byte_timeout = 90s; }
backend api2 { .host = "10.0.0.2:8080"; .probe = health; }
backend web1 {
    .host = "web.internal";
    .probe = { .url = "/healthz"; .timeout = 2s; }
}
backend files { .path = "/run/files.sock"; }
backend admin { .host = "127.0.0.1"; .port = "9000"; .connect_timeout = 1s; }
`,
}

func TestVarnishRoute(t *testing.T) {
	tests := []struct {
		url, location, target string
		ups                   []string
		settings              []string // name=value@where
		health                string   // "METHOD PATH host expect", "" for none
		note                  string
	}{
		{"http://api.example/v2/users", "set req.backend_hint = api.backend();", "api.backend()",
			[]string{"tcp:10.0.0.1:8080", "tcp:10.0.0.2:8080"},
			[]string{"connect_timeout=3500ms@default", "first_byte_timeout=90s@/v/backends.vcl:1", "between_bytes_timeout=60s@default"},
			"HEAD /status app.internal status 204", "fallback"},
		{"http://api.example/v1/report", "set req.backend_hint = api.backend();", "api.backend()",
			[]string{"tcp:10.0.0.1:8080", "tcp:10.0.0.2:8080"},
			[]string{"connect_timeout=3500ms@default", "first_byte_timeout=300s@/v/default.vcl:41", "between_bytes_timeout=60s@default"},
			"HEAD /status app.internal status 204", ""},
		{"http://Static.example/logo.png", "set req.backend_hint = files;", "files", []string{"unix:/run/files.sock"}, nil, "", ""},
		{"http://shop.example/", "set req.backend_hint = web.backend();", "web.backend()", []string{"tcp:web.internal:80"}, nil,
			"GET /healthz web.internal status 200", `the condition if (req.http.Cookie ~ "admin")`},
		{"http://api.example/blocked", `return(synth(403, "Forbidden"));`, "", nil, nil, "", "answers the request itself"},
	}
	v := parseVarnishMem(t, varnishRouteVCL)
	if len(v.Problems) > 0 {
		t.Fatalf("problems: %v", v.Problems)
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			r, err := v.Route(mustURL(t, tc.url))
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
				if got := s.Name + "=" + s.Value + "@" + s.Where(); got != want {
					t.Errorf("setting %s, want %s", got, want)
				}
			}
			health := ""
			if hc := r.HealthCheck; hc != nil {
				health = strings.Join([]string{hc.Method, hc.Path, hc.Host, hc.Expect}, " ")
			}
			if health != tc.health {
				t.Errorf("health check %q, want %q", health, tc.health)
			}
			if tc.note != "" && !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("notes %q, want one with %q", r.Notes, tc.note)
			}
		})
	}
}

func TestVarnishLimits(t *testing.T) {
	v := parseVarnishMem(t, varnishRouteVCL)
	r, err := v.Route(mustURL(t, "http://x.example/admin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range r.Settings {
		want := map[string]LimitKind{"connect_timeout": LimitConnect, "first_byte_timeout": LimitResponse}[s.Name]
		if got := s.Limit(); got != want {
			t.Errorf("%s.Limit() = %v, want %v", s.Name, got, want)
		}
	}
	fs := Explain(r, Measured{UpstreamTime: 75 * time.Second})
	if len(fs) != 1 || fs[0].Code != "varnish.read_timeout_fired" || !strings.Contains(fs[0].Message, "503") ||
		fs[0].Fix != ".first_byte_timeout = 90s;  # in the backend, or set bereq.first_byte_timeout in vcl_backend_fetch" {
		t.Errorf("Explain = %+v", fs)
	}
}

func TestCheckVarnish(t *testing.T) {
	tests := []struct {
		name, vcl string
		want      []string // code@line
	}{
		{"director without probes", `backend a { .host = "a"; }
backend b { .host = "b"; }
sub vcl_init {
    new d = directors.round_robin();
    d.add_backend(a);
    d.add_backend(b);
}
`, []string{"varnish.no_probe@4"}},
		{"probe default covers them", `probe default { .url = "/"; }
backend a { .host = "a"; }
backend b { .host = "b"; }
sub vcl_init {
    new d = directors.fallback();
    d.add_backend(a);
    d.add_backend(b);
}
`, nil},
		{"short timeouts", `backend a {
    .host = "a";
    .first_byte_timeout = 2s;
    .max_connections = 10;
}
sub vcl_backend_fetch {
    set bereq.first_byte_timeout = 500ms;
}
`, []string{"varnish.first_byte_timeout_short@3", "varnish.first_byte_timeout_short@7", "varnish.max_connections@4"}},
		{"probe without close", `backend a {
    .host = "a";
    .probe = {
        .request = "GET / HTTP/1.1" "Host: a";
    }
}
`, []string{"varnish.probe_keepalive@4"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := parseVarnishMem(t, map[string]string{"/v/default.vcl": tc.vcl})
			var got []string
			for _, f := range Check(&Config{Varnish: v}) {
				got = append(got, fmt.Sprintf("%s@%d", f.Code, f.Line))
				if f.Fix == "" {
					t.Errorf("%s has no fix", f.Code)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings = %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzVarnish(f *testing.F) {
	for _, text := range varnishRouteVCL {
		f.Add([]byte(text))
	}
	f.Add([]byte("sub vcl_recv { if (req.url ~ \"(\") { set req.backend_hint = x.backend(); } elsif ) }"))
	f.Add([]byte("C{ x }C backend a none; sub vcl_init() { new d = directors.hash(); d.add_backend(d.backend()); }"))
	addWorldSeeds(f, "varnish")
	f.Fuzz(func(t *testing.T, data []byte) {
		// The file includes itself through the glob: cycles must be caught.
		src := memSource{"/f/default.vcl": data, "/f/a.vcl": data}
		v, err := parseVarnish(src, "/f/default.vcl")
		if err != nil {
			return
		}
		routeAll(v.Route)
		Check(&Config{Varnish: v})
	})
}
