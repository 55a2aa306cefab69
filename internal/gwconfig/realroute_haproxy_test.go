package gwconfig

import (
	"testing"
)

// realRouteHAProxy exercises what Route models of HAProxy's backend choice:
// named and anonymous ACLs on the path and the Host header with their match
// methods, AND, OR and negation, rule order, deny and redirect rules, and
// default_backend. {A}..{G} stand for the backends' addresses, {P} for the
// frontend's port.
const realRouteHAProxy = `defaults
  mode http
  timeout connect 2s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:{P}
  acl is_api path_beg /api
  acl v2 path_reg ^/api/v2/
  acl host_b hdr(host) -i b.test
  acl host_sub hdr_sub(host) -i .sub.
  acl img path_end .png .jpg
  acl docs path_dir docs
  http-request deny if { path_beg /admin }
  http-request redirect location /new if { path /old }
  use_backend be_v2 if is_api v2
  use_backend be_api if is_api
  use_backend be_b if host_b !img
  use_backend be_img if img || { path_beg /media/ }
  use_backend be_sub if host_sub
  use_backend be_docs if docs
  default_backend be_default
backend be_v2
  server s {A}
backend be_api
  server s {B}
backend be_b
  server s {C}
backend be_img
  server s {D}
backend be_sub
  server s {E}
backend be_docs
  server s {F}
backend be_default
  server s {G}
`

// TestHAProxyRoutesAsHAProxy runs Debian's haproxy on loopback with
// realRouteHAProxy and checks, request by request (with the Host header a
// client sends, its port included), that the backend which gets it is the
// one Route names, or that HAProxy answered itself where Route names none.
func TestHAProxyRoutesAsHAProxy(t *testing.T) {
	runRealRoutes(t, realGateway{name: "haproxy", program: "/usr/sbin/haproxy", pkg: "haproxy", conf: realRouteHAProxy,
		backends: []string{"A", "B", "C", "D", "E", "F", "G"},
		setup: func(t *testing.T, dir, conf string, port int) []string {
			return []string{"-db", "-f", writeConf(t, dir, "haproxy.cfg", conf)}
		},
		read: func(t *testing.T, conf string) router {
			h, err := parseHAProxy("/t/haproxy.cfg", []byte(conf))
			if err != nil || len(h.Problems) > 0 {
				t.Fatalf("%v %v", err, h.Problems)
			}
			return h
		}}, []hostPath{
		{"a.test", "/api/users"},
		{"a.test", "/api/v2/users"},
		{"b.test", "/page"},
		{"b.test", "/logo.png"},
		{"a.test", "/media/x"},
		{"x.sub.test", "/"},
		{"a.test", "/help/docs/intro"},
		{"a.test", "/helpdocs"},
		{"a.test", "/admin/x"},
		{"a.test", "/old"},
		{"a.test", "/"},
	})
}
