package gwconfig

import (
	"strings"
	"testing"
	"time"
)

// TestHAProxyConditions routes URLs through frontends whose rules use the
// fetches and match methods that depend on the host, the path or TLS only,
// HAProxy 1.x's "listen NAME ADDR" and its old timeout keywords, and
// redirects that HAProxy answers itself.
func TestHAProxyConditions(t *testing.T) {
	cfg := `defaults
  mode http
  contimeout 4000
  clitimeout 30s
  srvtimeout 45s
frontend fe
  bind :80
  bind :443 ssl crt site.pem
  http-request redirect scheme https code 301 if !{ ssl_fc } { hdr(host) -i secure.example }
  acl is_shop hdr_sub(Host) -i shop
  acl is_api path -m beg /api/
  acl is_docs path_dir docs
  acl is_static path_reg ^/static/.*\.(css|js)$
  acl is_sub hdr_dom(host) -i example.org
  use_backend api if is_shop is_api
  use_backend shop if is_shop
  use_backend docs if is_docs
  use_backend static if is_static
  use_backend org if is_sub
  default_backend web
listen legacy 10.20.30.40:8080,10.20.30.40:8081
  server old 127.0.0.9:80
backend api
  server a 127.0.0.1:8001
backend shop
  server s 127.0.0.1:8002
backend docs
  server d 127.0.0.1:8003
backend static
  server st 127.0.0.1:8004
backend org
  server o 127.0.0.1:8005
backend web
  server w 127.0.0.1:8000
`
	h, err := parseHAProxy("/t/haproxy.cfg", []byte(cfg))
	if err != nil || len(h.Problems) > 0 {
		t.Fatalf("err %v, problems %v", err, h.Problems)
	}
	for _, tc := range []struct {
		url, loc, note string
	}{
		{"http://myshop.example/api/v1", "backend api", ""},
		{"http://SHOP.example/cart", "backend shop", ""},
		{"http://x.example/a/docs/b", "backend docs", ""},
		{"http://x.example/adocs/b", "backend web", ""},
		{"http://x.example/static/app.css", "backend static", ""},
		{"http://www.example.org/", "backend org", ""},
		{"http://notexample.org/", "backend web", ""},
		{"http://secure.example/", "", "answers it itself"},
		{"https://secure.example/", "backend web", ""},
		{"http://10.20.30.40:8081/", "listen legacy", ""},
	} {
		r, err := h.Route(mustURL(t, tc.url))
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if r.Location.Name != tc.loc {
			t.Errorf("%s: routed to %q, want %q (notes %q)", tc.url, r.Location.Name, tc.loc, r.Notes)
		}
		if tc.note != "" && !strings.Contains(strings.Join(r.Notes, "\n"), tc.note) {
			t.Errorf("%s: notes %q, want one with %q", tc.url, r.Notes, tc.note)
		}
		if tc.loc == "" {
			continue
		}
		for name, want := range map[string]time.Duration{"timeout connect": 4 * time.Second, "timeout client": 30 * time.Second, "timeout server": 45 * time.Second} {
			if s, ok := r.Setting(name); !ok || s.Default || s.Duration != want {
				t.Errorf("%s: %s = %+v, want %v from the old keyword", tc.url, name, s, want)
			}
		}
	}
}
