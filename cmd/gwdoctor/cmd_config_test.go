package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// configFixtures is where the gateway configuration fixtures live.
const configFixtures = "../../internal/gwconfig/testdata"

func TestConfigCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.conf")
	writeFile(t, clean, `events {}
http {
    server {
        listen 80;
        location / {
            proxy_pass http://127.0.0.1:8080;
            proxy_buffer_size 16k;
            proxy_buffers 8 16k;
        }
    }
}
`)
	broken := filepath.Join(dir, "broken.conf")
	writeFile(t, broken, "http {\n    server {\n    }\n}\n}\n")
	nginx := filepath.Join(configFixtures, "nginx", "nginx.conf")
	vcl := filepath.Join(dir, "default.vcl")
	writeFile(t, vcl, "backend a { .host = \"a\"; }\nbackend b { .host = \"b\"; }\nsub vcl_init {\n\tnew d = directors.round_robin();\n\td.add_backend(a);\n\td.add_backend(b);\n}\nsub vcl_recv {\n\tset req.backend_hint = d.backend();\n}\n")
	squidConf := filepath.Join(dir, "squid.conf")
	writeFile(t, squidConf, "http_port 80 accel defaultsite=shop.example\ncache_peer 10.0.0.1 parent 80 0 no-query originserver name=app\nread_timeout 2 seconds\n")
	lighttpdConf := filepath.Join(dir, "lighttpd.conf")
	writeFile(t, lighttpdConf, "proxy.server = ( \"\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 8080, \"read-timeout\" => 2 ) ) )\n")
	caddyfile := filepath.Join(dir, "Caddyfile")
	writeFile(t, caddyfile, "shop.example {\n\treverse_proxy app1:8080 app2:8080\n}\n")
	tests := []struct {
		name    string
		args    []string
		want    int
		wantOut string
		wantErr string
	}{
		{"clean", []string{"config", "check", "--nginx-config", clean}, exitOK, "No findings.", ""},
		{"findings", []string{"config", "check", "--nginx-config", nginx}, exitFailure, "localhost", ""},
		{"no config", []string{"config", "check"}, exitUsage, "", "needs at least one of"},
		{"bad url", []string{"config", "check", "--nginx-config", clean, "--url", "shop"}, exitUsage, "", "bad --url"},
		{"argument", []string{"config", "check", "x"}, exitUsage, "", "takes no arguments"},
		{"broken", []string{"config", "check", "--nginx-config", broken}, exitFailure, "unexpected \"}\": left out", ""},
		{"missing", []string{"config", "check", "--haproxy-config", filepath.Join(dir, "nope.cfg")}, exitInternal, "", "nope.cfg"},
		{"caddy missing", []string{"config", "check", "--caddy-config", filepath.Join(dir, "nope.caddy")}, exitInternal, "", "nope.caddy"},
		{"varnish missing", []string{"config", "check", "--varnish-config", filepath.Join(dir, "nope.vcl")}, exitInternal, "", "nope.vcl"},
		{"varnish findings", []string{"config", "check", "--varnish-config", vcl, "--url", "https://shop.example/"}, exitFailure, "counts a backend without a probe as healthy", ""},
		{"squid missing", []string{"config", "check", "--squid-config", filepath.Join(dir, "nope.conf")}, exitInternal, "", "nope.conf"},
		{"squid findings", []string{"config", "check", "--squid-config", squidConf, "--url", "http://shop.example/"}, exitFailure, "ERR_READ_TIMEOUT", ""},
		{"lighttpd missing", []string{"config", "check", "--lighttpd-config", filepath.Join(dir, "nope-lighttpd.conf")}, exitInternal, "", "nope-lighttpd.conf"},
		{"lighttpd findings", []string{"config", "check", "--lighttpd-config", lighttpdConf, "--url", "http://shop.example/"}, exitFailure, "read-timeout is 2 s", ""},
		{"caddy findings", []string{"config", "check", "--caddy-config", caddyfile, "--url", "https://shop.example/"}, exitFailure, "neither health checks", ""},
		// A URL on a port nginx does not listen on reaches it through
		// another proxy first; its only server block answers.
		{"no server on port", []string{"config", "check", "--nginx-config", clean, "--url", "http://a.example:81/"}, exitOK, "through another proxy first", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := gwdoctor(t, tc.args...)
			if code != tc.want {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tc.want, errOut)
			}
			if tc.wantOut != "" && !strings.Contains(out, tc.wantOut) {
				t.Errorf("stdout = %q, want it to contain %q", out, tc.wantOut)
			}
			if tc.wantErr != "" && (strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.wantErr)) {
				t.Errorf("stderr = %q, want one line with %q", errOut, tc.wantErr)
			}
		})
	}
}

func TestConfigCheckJSON(t *testing.T) {
	code, out, errOut := gwdoctor(t, "config", "check", "--json",
		"--nginx-config", filepath.Join(configFixtures, "nginx", "nginx.conf"),
		"--php-fpm-config", filepath.Join(configFixtures, "php-fpm", "php-fpm.conf"),
		"--url", "http://blog.example/")
	if code != exitFailure {
		t.Fatalf("exit code = %d, want %d (stderr %q)", code, exitFailure, errOut)
	}
	var doc struct {
		SchemaVersion int `json:"schema_version"`
		Routes        []struct {
			Gateway  string                 `json:"gateway"`
			Location struct{ Name string }  `json:"location"`
			Pool     *struct{ Name string } `json:"pool"`
		} `json:"routes"`
		Findings []struct {
			Severity, Code, Cause string
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if doc.SchemaVersion != 1 || len(doc.Routes) != 1 || doc.Routes[0].Location.Name != `location ~ \.php$` {
		t.Errorf("routes = %+v, want the PHP location of blog.example", doc.Routes)
	}
	if doc.Routes[0].Pool == nil || doc.Routes[0].Pool.Name != "www" {
		t.Errorf("pool = %+v, want www", doc.Routes[0].Pool)
	}
	if len(doc.Findings) == 0 || doc.Findings[0].Severity != "warning" {
		t.Errorf("findings = %+v, want warnings first", doc.Findings)
	}
}

// TestConfigCheckGolden pins the text report. Run `go test -update` to
// rewrite testdata/config_check_nginx.golden.
func TestConfigCheckGolden(t *testing.T) {
	_, out, errOut := gwdoctor(t, "config", "check",
		"--nginx-config", filepath.Join(configFixtures, "nginx", "nginx.conf"),
		"--php-fpm-config", filepath.Join(configFixtures, "php-fpm", "php-fpm.conf"),
		"--url", "http://shop.example/api/reports/2024")
	if errOut != "" {
		t.Fatalf("stderr = %q", errOut)
	}
	abs, err := filepath.Abs(configFixtures)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(out, abs, "testdata")
	golden := filepath.Join("testdata", "config_check_nginx.golden")
	if *update {
		writeFile(t, golden, got)
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	// Column widths follow the absolute path of the checkout, so runs of
	// spaces are compared as one.
	if squeezeSpaces(got) != squeezeSpaces(string(want)) {
		t.Errorf("config check output =\n%s\nwant (%s)\n%s", got, golden, want)
	}
}

// squeezeSpaces turns every run of spaces into one space.
func squeezeSpaces(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
