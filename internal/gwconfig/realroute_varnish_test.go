package gwconfig

import (
	"fmt"
	"path/filepath"
	"testing"
)

// realRouteVarnish exercises what Route models of a VCL's backend choice:
// if, elsif and else on the Host header and the URL, regular expressions
// with and without (?i), a subroutine of the VCL's own, synth answers, a
// round-robin director, and the backend that vcl_backend_fetch sets.
// {A}..{F} stand for the backends ("host", "port"), {P} for Varnish's port.
const realRouteVarnish = `vcl 4.1;
import directors;

backend a { .host = "127.0.0.1"; .port = "{A}"; }
backend b { .host = "127.0.0.1"; .port = "{B}"; }
backend c { .host = "127.0.0.1"; .port = "{C}"; }
backend d { .host = "127.0.0.1"; .port = "{D}"; }
backend e { .host = "127.0.0.1"; .port = "{E}"; }
backend f { .host = "127.0.0.1"; .port = "{F}"; }

sub vcl_init {
    new pool = directors.round_robin();
    pool.add_backend(d);
}

sub pick_api {
    if (req.url ~ "^/api/v2/") {
        set req.backend_hint = pool.backend();
    } else {
        set req.backend_hint = c;
    }
}

sub vcl_recv {
    if (req.url ~ "^/admin") {
        return (synth(403, "Forbidden"));
    }
    if (req.http.host ~ "(?i)^b\.test") {
        set req.backend_hint = b;
    } elsif (req.url ~ "^/api/") {
        call pick_api;
    } elsif (req.url ~ "^/fetch/") {
        set req.backend_hint = a;
    } elsif (req.url ~ "(?i)^/shout/") {
        set req.backend_hint = f;
    } else {
        set req.backend_hint = a;
    }
    return (pass);
}

sub vcl_backend_fetch {
    if (bereq.url ~ "^/fetch/") {
        set bereq.backend = e;
    }
}
`

// TestVarnishRoutesAsVarnish runs Debian's varnishd on loopback with
// realRouteVarnish and checks, request by request, that the backend which
// gets it is the one Route names, or that Varnish answered itself where
// Route names none.
func TestVarnishRoutesAsVarnish(t *testing.T) {
	runRealRoutes(t, realGateway{name: "varnishd", program: "/usr/sbin/varnishd", pkg: "varnish", conf: realRouteVarnish,
		backends: []string{"A", "B", "C", "D", "E", "F"}, ports: true,
		dirMode: 0o755, // varnishd reads the VCL as its own user
		setup: func(t *testing.T, dir, conf string, port int) []string {
			return []string{"-F", "-n", filepath.Join(dir, "varnish"), "-a", fmt.Sprintf("127.0.0.1:%d", port),
				"-f", writeConf(t, dir, "default.vcl", conf), "-s", "malloc,16m", "-T", "none", "-p", "vsl_space=1m"}
		},
		read: func(t *testing.T, conf string) router {
			return parseVarnishMem(t, map[string]string{"/v/default.vcl": conf})
		}}, []hostPath{
		{"a.test", "/admin/x"},
		{"B.test", "/page"},
		{"a.test", "/api/users"},
		{"a.test", "/api/v2/users"},
		{"a.test", "/fetch/x"},
		{"a.test", "/SHOUT/x"},
		{"a.test", "/other"},
	})
}
