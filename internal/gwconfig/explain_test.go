package gwconfig

import (
	"context"
	"strings"
	"testing"
	"time"
)

func loadFixtures(t *testing.T) *Config {
	t.Helper()
	c, err := Load(context.Background(), Sources{
		Nginx: "testdata/nginx/nginx.conf", HAProxy: "testdata/haproxy/haproxy.cfg",
		Apache: "testdata/apache/apache2.conf", PHPFPM: "testdata/php-fpm/php-fpm.conf",
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestExplain(t *testing.T) {
	c := loadFixtures(t)
	tests := []struct {
		name    string
		gateway string
		url     string
		m       Measured
		code    string // "" for no finding
		where   string
		fix     string
	}{
		{"nginx read timeout", "nginx", "http://shop.example/", Measured{UpstreamTime: 75 * time.Second},
			"nginx.read_timeout_fired", "nginx/nginx.conf:15", "proxy_read_timeout 90s;"},
		{"nginx location timeout", "nginx", "http://shop.example/api/orders", Measured{UpstreamTime: 150 * time.Second},
			"nginx.read_timeout_fired", "shop.example.conf:25", "proxy_read_timeout 180s;"},
		{"fast enough", "nginx", "http://shop.example/api/orders", Measured{UpstreamTime: time.Second}, "", "", ""},
		{"header too big for the default", "nginx", "http://shop.example/", Measured{HeaderBytes: 9000},
			"nginx.header_too_big", "shop.example.conf:6", "proxy_buffer_size 16k; proxy_buffers 8 16k;"},
		{"header fits", "nginx", "http://shop.example/api/orders", Measured{HeaderBytes: 9000}, "", "", ""},
		{"php-fpm kills first", "nginx", "http://blog.example/", Measured{UpstreamTime: 45 * time.Second},
			"php_fpm.terminated", "pool.d/www.conf:16", "request_terminate_timeout = 60s"},
		{"cause picks the finding", "nginx", "http://shop.example/", Measured{Cause: "upstream.header_too_big", UpstreamTime: 75 * time.Second, HeaderBytes: 9000},
			"nginx.header_too_big", "shop.example.conf:6", "proxy_buffer_size 16k; proxy_buffers 8 16k;"},
		{"keep-alive race", "nginx", "http://shop.example/", Measured{UpstreamKeepAlive: 5 * time.Second},
			"nginx.keepalive_race", "conf.d/upstreams.conf:7", "keepalive_timeout 4s;"},
		{"haproxy timeout server", "haproxy", "http://shop.example/api/orders", Measured{UpstreamTime: 130 * time.Second},
			"haproxy.read_timeout_fired", "haproxy.cfg:33", "timeout server 160s"},
		{"apache ProxyPass timeout", "apache", "http://shop.example/api/x", Measured{UpstreamTime: 130 * time.Second},
			"apache.read_timeout_fired", "shop.example.conf:7", "add timeout=160 to the ProxyPass line"},
		{"nginx connect went unanswered", "nginx", "http://shop.example/api/reports/2024", Measured{Cause: "upstream.unreachable", UpstreamTime: 5 * time.Second},
			"nginx.connect_timeout_fired", "conf.d/timeouts.conf:1", ""},
		{"haproxy connect went unanswered", "haproxy", "http://shop.example/", Measured{Cause: "upstream.unreachable"},
			"haproxy.connect_timeout_fired", "haproxy.cfg:8", ""},
		{"apache ProxyTimeout", "apache", "http://shop.example/", Measured{UpstreamTime: 31 * time.Second},
			"apache.read_timeout_fired", "shop.example.conf:4", "ProxyTimeout 40"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := c.Routes(mustURL(t, tc.url))
			if err != nil {
				t.Fatal(err)
			}
			var r *Route
			for _, x := range rs {
				if x.Gateway == tc.gateway {
					r = x
				}
			}
			if r == nil {
				t.Fatalf("no %s route for %s", tc.gateway, tc.url)
			}
			got := Explain(r, tc.m)
			if tc.code == "" {
				if len(got) != 0 {
					t.Errorf("Explain() = %+v, want nothing", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("Explain() = %+v, want one finding", got)
			}
			f := got[0]
			where := f.Where()
			if f.Code != tc.code || !strings.HasSuffix(where, tc.where) || f.Fix != tc.fix {
				t.Errorf("Explain() = %s at %s, fix %q; want %s at %s, fix %q", f.Code, where, f.Fix, tc.code, tc.where, tc.fix)
			}
			if f.Cause == "" || f.Message == "" {
				t.Errorf("finding without cause or message: %+v", f)
			}
		})
	}
}
