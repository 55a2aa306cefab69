package gwconfig

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// parseSquidMem reads /s/squid.conf and the other files given, from memory.
func parseSquidMem(t *testing.T, files map[string]string) *Squid {
	t.Helper()
	src := memFiles(files)
	s, err := parseSquid(src, "/s/squid.conf")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSquidProblems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"missing include", map[string]string{"/s/squid.conf": "include /s/conf.d/peers.conf\nhttp_port 80 accel\n"},
			[]string{"/s/squid.conf:1: include /s/conf.d/peers.conf: /s/conf.d/peers.conf: open /s/conf.d/peers.conf: file does not exist"}},
		{"include glob matches nothing", map[string]string{"/s/squid.conf": "include /s/conf.d/*.conf\n"}, nil},
		{"include cycle", map[string]string{"/s/squid.conf": "include /s/a.conf\n", "/s/a.conf": "include /s/squid.conf\n"},
			[]string{"/s/a.conf:1: include /s/squid.conf: include cycle: /s/squid.conf is already being read"}},
		{"short cache_peer", map[string]string{"/s/squid.conf": "cache_peer app parent\n"},
			[]string{"/s/squid.conf:1: cache_peer: want a host, a type, an HTTP port and an ICP port"}},
		{"access to unknown peer", map[string]string{"/s/squid.conf": "cache_peer_access app allow all\n"},
			[]string{"/s/squid.conf:1: cache_peer_access: no cache_peer called app"}},
		{"bad time", map[string]string{"/s/squid.conf": "read_timeout 15 fortnights\nconnect_timeout soon\n"},
			[]string{`/s/squid.conf:2: connect_timeout: "soon" is not a number`}},
		{"bad unit", map[string]string{"/s/squid.conf": "read_timeout 15 eons\n"},
			[]string{`/s/squid.conf:1: read_timeout: unknown time unit "eons"`}},
		{"conditional", map[string]string{"/s/squid.conf": "if ${process_number} = 1\nhttp_port 80 accel\nendif\n"},
			[]string{"/s/squid.conf:1: if: conditionals are not followed; the lines of every branch are read",
				"/s/squid.conf:3: endif: conditionals are not followed; the lines of every branch are read"}},
		{"continued line", map[string]string{"/s/squid.conf": "cache_peer app parent 80 0 \\\n  originserver name=a\ncache_peer_access a allow all\n"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := parseSquidMem(t, tc.files)
			var got []string
			for _, p := range s.Problems {
				got = append(got, p.Error())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems = %q, want %q", got, tc.want)
			}
		})
	}
}

// squidRouteConf is an accelerator with what the router follows: two
// ports (one no-vhost), peers chosen by host, path and port, a peer
// connect-timeout, an ACL type not read, and never_direct.
var squidRouteConf = map[string]string{
	"/s/squid.conf": `http_port 80 accel defaultsite=shop.example vhost
http_port 127.0.0.1:8081 accel defaultsite=admin.example no-vhost name=adminport
include /s/conf.d/*.conf
acl api_path urlpath_regex -i ^/API/
acl shop dstdomain .shop.example
acl admin_port myportname adminport
acl office src 10.0.0.0/8
cache_peer 10.0.0.1 parent 8080 0 no-query originserver name=api connect-timeout=5
cache_peer_access api allow shop api_path
cache_peer_access api deny all
cache_peer 10.0.0.2 parent 443 0 no-query originserver name=web tls sslflags=DONT_VERIFY_PEER
cache_peer_access web allow shop !api_path
cache_peer 10.0.0.3 parent 80 0 no-query originserver name=admin
cache_peer_access admin allow admin_port office
cache_peer_access admin deny all
never_direct allow all
`,
	"/s/conf.d/timeouts.conf": "read_timeout 90 seconds\npeer_connect_timeout 10 seconds\n",
}

func TestSquidRoute(t *testing.T) {
	tests := []struct {
		url, target string
		ups         []string
		settings    []string // name|value@where
		note        string
	}{
		{"http://www.shop.example/api/v1/cart", "api", []string{"tcp:10.0.0.1:8080"},
			[]string{"connect-timeout=|5@/s/squid.conf:8", "read_timeout|90 seconds@/s/conf.d/timeouts.conf:1", "forward_timeout|4 minutes@default"}, ""},
		{"http://shop.example/cart", "web", []string{"tcp:10.0.0.2:443"},
			[]string{"peer_connect_timeout|10 seconds@/s/conf.d/timeouts.conf:2"}, ""},
		{"http://127.0.0.1:8081/users", "", nil, nil, "acl office"},
		{"http://other.example/", "", nil, nil, "never_direct"},
		{"http://shop.example:3128/cart", "web", []string{"tcp:10.0.0.2:443"}, nil, "through another proxy first"},
	}
	s := parseSquidMem(t, squidRouteConf)
	if len(s.Problems) > 0 {
		t.Fatalf("problems: %v", s.Problems)
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			r, err := s.Route(mustURL(t, tc.url))
			if err != nil {
				t.Fatal(err)
			}
			if r.Target != tc.target {
				t.Errorf("target %q, want %q (notes %q)", r.Target, tc.target, r.Notes)
			}
			ups := upstreamKeys(r)
			if !slices.Equal(ups, tc.ups) {
				t.Errorf("upstreams = %q, want %q", ups, tc.ups)
			}
			for _, want := range tc.settings {
				name, _, _ := strings.Cut(want, "|")
				st, _ := r.Setting(name)
				if got := st.Name + "|" + st.Value + "@" + st.Where(); got != want {
					t.Errorf("setting %s, want %s", got, want)
				}
			}
			if tc.note != "" && !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("notes %q, want one with %q", r.Notes, tc.note)
			}
		})
	}
	if _, err := parseSquidMem(t, map[string]string{"/s/squid.conf": "http_port 3128\n"}).Route(mustURL(t, "http://a.example:3128/")); err == nil ||
		!strings.Contains(err.Error(), "forward proxy") {
		t.Errorf("a forward proxy's squid.conf routes: %v", err)
	}
}

func TestSquidLimits(t *testing.T) {
	s := parseSquidMem(t, squidRouteConf)
	r, err := s.Route(mustURL(t, "http://shop.example/api/x"))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range r.Settings {
		want := map[string]LimitKind{"connect-timeout=": LimitConnect, "read_timeout": LimitResponse, "forward_timeout": LimitConnect}[st.Name]
		if got := st.Limit(); got != want {
			t.Errorf("%s.Limit() = %v, want %v", st.Name, got, want)
		}
	}
	fs := Explain(r, Measured{UpstreamTime: 100e9})
	if len(fs) != 1 || fs[0].Fix != "read_timeout 120 seconds" || !strings.Contains(fs[0].Message, "504") {
		t.Errorf("Explain = %+v", fs)
	}
}

func TestCheckSquid(t *testing.T) {
	s := parseSquidMem(t, map[string]string{"/s/squid.conf": squidRouteConf["/s/squid.conf"] + "read_timeout 2 seconds\nforward_timeout 5 seconds\n"})
	var got []string
	for _, f := range Check(&Config{Squid: s}) {
		got = append(got, fmt.Sprintf("%s@%d", f.Code, f.Line))
		if f.Fix == "" {
			t.Errorf("%s has no fix", f.Code)
		}
	}
	want := []string{"squid.read_timeout_short@17", "squid.tls_no_verify@11", "squid.forward_timeout_short@18"}
	if !slices.Equal(got, want) {
		t.Errorf("findings = %q, want %q", got, want)
	}
}

func FuzzSquid(f *testing.F) {
	for _, text := range squidRouteConf {
		f.Add([]byte(text))
	}
	addWorldSeeds(f, "squid")
	f.Fuzz(func(t *testing.T, data []byte) {
		// The file includes itself through the glob: cycles must be caught.
		src := memSource{"/f/squid.conf": data, "/f/a.conf": data}
		s, err := parseSquid(src, "/f/squid.conf")
		if err != nil {
			return
		}
		routeAll(s.Route)
		Check(&Config{Squid: s})
	})
}
