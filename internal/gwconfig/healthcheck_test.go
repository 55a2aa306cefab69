package gwconfig

import (
	"fmt"
	"net/url"
	"testing"
)

func TestHAProxyHealthCheck(t *testing.T) {
	head := "defaults\n    mode http\n    timeout server 5s\n%s\nfrontend fe\n    bind :80\n    default_backend be\n"
	for _, tc := range []struct {
		name     string
		defaults string // another line in the defaults section
		be       string
		want     *HealthCheck // nil for none
	}{
		{"no check", "#", "backend be\n    option httpchk GET /healthz\n    server s1 10.0.0.1:80\n", nil},
		{"bare httpchk", "#", "backend be\n    option httpchk\n    server s1 10.0.0.1:80 check\n",
			&HealthCheck{Method: "OPTIONS", Path: "/", Line: 9}},
		{"uri only", "#", "backend be\n    option httpchk /ping\n    server s1 10.0.0.1:80 check\n",
			&HealthCheck{Method: "OPTIONS", Path: "/ping", Line: 9}},
		{"method, uri, version and expect", "#", "backend be\n    option httpchk HEAD /up HTTP/1.1\n    http-check expect rstatus ^2\n    server s1 10.0.0.1:80 check\n",
			&HealthCheck{Method: "HEAD", Path: "/up", Expect: "rstatus ^2", Line: 9}},
		{"http-check send", "#", "backend be\n    option httpchk\n    http-check send meth GET uri /health ver HTTP/1.1 hdr Host app.internal\n    http-check expect status 200-299\n    server s1 10.0.0.1:80 check\n",
			&HealthCheck{Method: "GET", Path: "/health", Host: "app.internal", Expect: "status 200-299", Line: 9}},
		{"httpchk in defaults, check in default-server", "    option httpchk GET /status", "backend be\n    default-server check\n    server s1 10.0.0.1:80\n",
			&HealthCheck{Method: "GET", Path: "/status", Line: 4}},
		{"no option httpchk: a TCP check", "#", "backend be\n    server s1 10.0.0.1:80 check\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := parseHAProxy("/etc/haproxy/haproxy.cfg", []byte(fmt.Sprintf(head, tc.defaults)+tc.be))
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse("http://shop.example/")
			r, err := h.Route(u)
			if err != nil {
				t.Fatal(err)
			}
			got := r.HealthCheck
			if tc.want == nil {
				if got != nil {
					t.Errorf("health check %+v, want none", got)
				}
				return
			}
			tc.want.File = "/etc/haproxy/haproxy.cfg"
			if got == nil || *got != *tc.want {
				t.Errorf("health check %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestHealthCheckAccepts(t *testing.T) {
	for _, tc := range []struct {
		expect string
		status int
		want   bool
	}{
		{"", 200, true}, {"", 302, true}, {"", 503, false},
		{"status 200", 200, true}, {"status 200", 204, false},
		{"status 200-399", 301, true}, {"status 200,204", 204, true},
		{"! status 503", 503, false}, {"! status 503", 200, true},
		{"rstatus ^2", 204, true}, {"rstatus ^2", 503, false},
		{"string ok", 200, true}, {"string ok", 500, false},
	} {
		h := &HealthCheck{Expect: tc.expect}
		if got := h.Accepts(tc.status); got != tc.want {
			t.Errorf("expect %q, status %d: Accepts = %v, want %v", tc.expect, tc.status, got, tc.want)
		}
	}
}

func TestApacheHealthCheck(t *testing.T) {
	for _, tc := range []struct {
		name, member string
		want         *HealthCheck
	}{
		{"GET with hcuri", "BalancerMember http://10.0.0.5:8080 hcmethod=GET hcuri=/healthz hcinterval=5",
			&HealthCheck{Method: "GET", Path: "/healthz", Line: 2}},
		{"HEAD11 under a path, with an expression", "BalancerMember http://10.0.0.5:8080/app hcmethod=HEAD11 hcuri=ping hcexpr=ok200",
			&HealthCheck{Method: "HEAD", Path: "/app/ping", Expect: "expr ok200", Line: 2}},
		{"TCP check", "BalancerMember http://10.0.0.5:8080 hcmethod=TCP", nil},
		{"no check", "BalancerMember http://10.0.0.5:8080", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf := "<Proxy balancer://app>\n    " + tc.member + "\n</Proxy>\nProxyPass / balancer://app/\n"
			a, err := parseApache(memSource{"/etc/apache2/apache2.conf": []byte(conf)}, "/etc/apache2/apache2.conf")
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse("http://shop.example/cart")
			r, err := a.Route(u)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil {
				if r.HealthCheck != nil {
					t.Errorf("health check %+v, want none", r.HealthCheck)
				}
				return
			}
			tc.want.File = "/etc/apache2/apache2.conf"
			if r.HealthCheck == nil || *r.HealthCheck != *tc.want {
				t.Errorf("health check %+v, want %+v", r.HealthCheck, tc.want)
			}
		})
	}
}
