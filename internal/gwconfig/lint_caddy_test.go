package gwconfig

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCheckCaddy(t *testing.T) {
	tests := []struct {
		name, site string
		want       []string // "code@line"
	}{
		{"one upstream", "reverse_proxy app:8080", nil},
		{"several, nothing", "reverse_proxy a:80 b:80", []string{"caddy.no_health_check@2"}},
		{"several, retries", "reverse_proxy a:80 b:80 {\n\t\tlb_try_duration 5s\n\t}", nil},
		{"several, retry count", "reverse_proxy a:80 b:80 {\n\t\tlb_retries 2\n\t}", nil},
		{"several, zero retry time", "reverse_proxy a:80 b:80 {\n\t\tlb_try_duration 0s\n\t}", []string{"caddy.no_health_check@2"}},
		{"several, health only", "reverse_proxy a:80 b:80 {\n\t\thealth_uri /up\n\t}", []string{"caddy.no_retries@2"}},
		{"passive without status", "reverse_proxy a:80 b:80 {\n\t\tfail_duration 30s\n\t\tlb_try_duration 5s\n\t}", []string{"caddy.no_unhealthy_status@3"}},
		{"passive with status", "reverse_proxy a:80 b:80 {\n\t\tfail_duration 30s\n\t\tunhealthy_status 5xx\n\t\tlb_try_duration 5s\n\t}", nil},
		{"insecure TLS", "reverse_proxy https://api.internal {\n\t\ttransport http {\n\t\t\ttls_insecure_skip_verify\n\t\t}\n\t}", []string{"caddy.tls_insecure_skip_verify@4"}},
		{"php without read_timeout", "php_fastcgi unix//run/php/fpm.sock", []string{"caddy.fastcgi_no_read_timeout@2"}},
		{"php with read_timeout", "php_fastcgi 127.0.0.1:9000 {\n\t\tread_timeout 60s\n\t}", nil},
		{"fastcgi transport", "reverse_proxy 127.0.0.1:9000 {\n\t\ttransport fastcgi {\n\t\t\tdial_timeout 1s\n\t\t}\n\t}", []string{"caddy.fastcgi_no_read_timeout@2"}},
		{"short response timeout", "reverse_proxy app {\n\t\ttransport http {\n\t\t\tresponse_header_timeout 2s\n\t\t}\n\t}", []string{"caddy.read_timeout_short@4"}},
		{"dynamic", "reverse_proxy {\n\t\tdynamic a app 80\n\t}", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := parseCaddyMem(t, map[string]string{"/c/Caddyfile": "a.example {\n\t" + tc.site + "\n}\n"})
			if len(c.Problems) > 0 {
				t.Fatal(c.Problems)
			}
			var got []string
			for _, f := range Check(&Config{Caddy: c}) {
				got = append(got, f.Code+"@"+strconv.Itoa(f.Line))
				if f.Fix == "" && f.Code != "caddy.not_read" {
					t.Errorf("%s has no fix", f.Code)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestCaddyPHPTimeouts compares Caddy's FastCGI read_timeout with the
// pool's request_terminate_timeout.
func TestCaddyPHPTimeouts(t *testing.T) {
	c := parseCaddyMem(t, map[string]string{"/c/Caddyfile": "a.example {\n\tphp_fastcgi unix//run/php/www.sock {\n\t\tread_timeout 120s\n\t}\n}\n"})
	fpm := &PHPFPM{}
	if err := fpm.readFPM(memSource{"/e/www.conf": []byte("[www]\nlisten = /run/php/www.sock\nrequest_terminate_timeout = 30s\n")}, "/e/www.conf"); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, f := range Check(&Config{Caddy: c, PHPFPM: fpm}) {
		codes = append(codes, f.Code)
		if f.Code == "php_fpm.terminate_before_gateway" && !strings.Contains(f.Message, "Caddy's read_timeout 120s") {
			t.Errorf("message %q, want Caddy's read_timeout named", f.Message)
		}
	}
	if !slices.Contains(codes, "php_fpm.terminate_before_gateway") {
		t.Errorf("findings %q, want php_fpm.terminate_before_gateway", codes)
	}
}

// TestExplainCaddy: a slow upstream against response_header_timeout, and
// an upstream that closes idle connections before Caddy's keepalive.
func TestExplainCaddy(t *testing.T) {
	c := parseCaddyMem(t, map[string]string{"/c/Caddyfile": ":8080 {\n\treverse_proxy 127.0.0.1:3000 {\n\t\ttransport http {\n\t\t\tresponse_header_timeout 30s\n\t\t}\n\t}\n}\n"})
	r, err := c.Route(mustURL(t, "http://x:8080/"))
	if err != nil {
		t.Fatal(err)
	}
	fs := Explain(r, Measured{UpstreamTime: 31 * time.Second})
	if len(fs) != 1 || fs[0].Code != "caddy.read_timeout_fired" || fs[0].Line != 4 || !strings.HasPrefix(fs[0].Fix, "response_header_timeout 40s") {
		t.Errorf("findings = %+v, want caddy.read_timeout_fired at line 4 with response_header_timeout 40s", fs)
	}
	fs = Explain(r, Measured{UpstreamKeepAlive: 5 * time.Second})
	if len(fs) != 1 || fs[0].Code != "caddy.keepalive_race" || !strings.HasPrefix(fs[0].Fix, "keepalive 4s") {
		t.Errorf("findings = %+v, want caddy.keepalive_race with keepalive 4s", fs)
	}
	for _, s := range r.Settings {
		want := map[string]LimitKind{"dial_timeout": LimitConnect, "response_header_timeout": LimitResponse, "max_response_header": LimitHeader}[s.Name]
		if s.Limit() != want {
			t.Errorf("%s: limit %v, want %v", s.Name, s.Limit(), want)
		}
	}
}

func TestParseCaddyJSON(t *testing.T) {
	c := parseCaddyMem(t, map[string]string{"/c/Caddyfile": `{"apps": {"http": {"servers": {"srv0": {
	"listen": [":443"],
	"routes": [
		{"match": [{"host": ["shop.example"]}], "handle": [{"handler": "subroute", "routes": [
			{"match": [{"path": ["/api/*"]}], "handle": [{"handler": "reverse_proxy",
				"upstreams": [{"dial": "10.0.0.1:8080"}, {"dial": "10.0.0.2:8080"}],
				"transport": {"protocol": "http", "dial_timeout": 2000000000, "response_header_timeout": "30s"},
				"health_checks": {"active": {"uri": "/health", "expect_status": 2}},
				"load_balancing": {"try_duration": "5s"}}]},
			{"handle": [{"handler": "reverse_proxy", "upstreams": [{"dial": "unix//run/php/fpm.sock"}],
				"transport": {"protocol": "fastcgi", "read_timeout": "60s"}}]}
		]}], "terminal": true}
	]}}}}}`})
	if len(c.Problems) > 0 {
		t.Fatal(c.Problems)
	}
	tests := []struct{ url, proto, ups, setting, value, health string }{
		{"https://shop.example/api/x", "http", "tcp:10.0.0.1:8080 tcp:10.0.0.2:8080", "dial_timeout", "2s", "GET /health status 200-299"},
		{"https://shop.example/index.php", "fastcgi", "unix:/run/php/fpm.sock", "read_timeout", "60s", ""},
	}
	for _, tc := range tests {
		r, err := c.Route(mustURL(t, tc.url))
		if err != nil {
			t.Fatal(err)
		}
		ups := upstreamKeys(r)
		s, _ := r.Setting(tc.setting)
		health := ""
		if hc := r.HealthCheck; hc != nil {
			health = hc.Method + " " + hc.Path + " " + hc.Expect
		}
		if r.Protocol != tc.proto || strings.Join(ups, " ") != tc.ups || s.Value != tc.value || s.Default || health != tc.health {
			t.Errorf("%s: %s %q %s=%+v health %q; want %s %q %s=%s health %q", tc.url, r.Protocol, ups, tc.setting, s, health,
				tc.proto, tc.ups, tc.setting, tc.value, tc.health)
		}
	}
	if _, err := c.Route(mustURL(t, "https://other.example/")); err == nil {
		t.Errorf("a host no route matches was routed")
	}
}
