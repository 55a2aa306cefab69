package gwconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	varnishd := requireProgram(t, "/usr/sbin/varnishd", "varnish")
	names := []string{"A", "B", "C", "D", "E", "F"}
	backends, addr, got := startBackends(t, names)
	var port int
	var vcl string
	for attempt := 0; ; attempt++ {
		port = freePort(t)
		pairs := []string{"{P}", fmt.Sprint(port)}
		for _, n := range names {
			pairs = append(pairs, "{"+n+"}", addr[n][strings.LastIndex(addr[n], ":")+1:])
		}
		vcl = strings.NewReplacer(pairs...).Replace(realRouteVarnish)
		dir := t.TempDir()
		openToDaemons(t, dir, 0o755) // varnishd reads the VCL as its own user
		if err := os.WriteFile(filepath.Join(dir, "default.vcl"), []byte(vcl), 0o644); err != nil {
			t.Fatal(err)
		}
		out := startServer(t, port, varnishd, "-F", "-n", filepath.Join(dir, "varnish"), "-a", fmt.Sprintf("127.0.0.1:%d", port),
			"-f", filepath.Join(dir, "default.vcl"), "-s", "malloc,16m", "-T", "none", "-p", "vsl_space=1m")
		if out == "" {
			break
		}
		if attempt == 2 {
			t.Fatalf("varnishd did not listen on 127.0.0.1:%d: %s", port, out)
		}
	}
	v := parseVarnishMem(t, map[string]string{"/v/default.vcl": vcl})
	for _, tc := range []struct{ host, path string }{
		{"a.test", "/admin/x"},
		{"B.test", "/page"},
		{"a.test", "/api/users"},
		{"a.test", "/api/v2/users"},
		{"a.test", "/fetch/x"},
		{"a.test", "/SHOUT/x"},
		{"a.test", "/other"},
	} {
		real, status := fetch(t, port, tc.host, tc.path, got)
		r, err := v.Route(mustURL(t, fmt.Sprintf("http://%s:%d%s", tc.host, port, tc.path)))
		if err != nil {
			t.Fatal(err)
		}
		checkReal(t, "varnishd", tc.host+tc.path, real, status, r, backends)
	}
}
