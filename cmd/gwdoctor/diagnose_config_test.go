package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
	"github.com/gwdoctor/gwdoctor/internal/lab"
	"github.com/gwdoctor/gwdoctor/internal/report"
)

// TestDiagnoseWithGatewayConfig diagnoses faults behind the lab's real nginx, HAProxy and Apache with
// only its configuration file given: the route leads to the upstream, which
// is then asked directly, and the finding names the setting and its line.
func TestDiagnoseWithGatewayConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		product, flag, file string
		fault               lab.Fault
		cause               catalog.Cause
		directive           string // in a finding's message
	}{
		{"nginx", "--nginx-config", "nginx.conf", lab.HeaderTooBig, "upstream.header_too_big", "proxy_buffer_size"},
		{"nginx", "--nginx-config", "nginx.conf", lab.Slow, "upstream.timeout", "proxy_read_timeout"},
		{"nginx", "--nginx-config", "nginx.conf", lab.Refused, "upstream.refused", ""},
		{"nginx", "--nginx-config", "nginx.conf", lab.Invalid, "upstream.invalid_response", ""},
		{"nginx", "--nginx-config", "nginx.conf", lab.TLS, "upstream.tls", ""},
		{"haproxy", "--haproxy-config", "haproxy.cfg", lab.Closed, "upstream.closed", ""},
		{"haproxy", "--haproxy-config", "haproxy.cfg", lab.Slow, "upstream.timeout", "timeout server"},
		{"haproxy", "--haproxy-config", "haproxy.cfg", lab.HeaderTooBig, "upstream.header_too_big", ""},
		{"apache", "--apache-config", "apache2.conf", lab.Refused, "upstream.refused", ""},
		{"apache", "--apache-config", "apache2.conf", lab.Reset, "upstream.closed", ""},
		{"apache", "--apache-config", "apache2.conf", lab.Slow, "upstream.timeout", "timeout"},
		// The connect timeout is named but not at fault: no fix line.
		{"nginx", "--nginx-config", "nginx.conf", lab.Unreachable, "upstream.unreachable", "proxy_connect_timeout"},
		{"haproxy", "--haproxy-config", "haproxy.cfg", lab.Unreachable, "upstream.unreachable", "timeout connect"},
		{"apache", "--apache-config", "apache2.conf", lab.Unreachable, "upstream.unreachable", "connectiontimeout="},
	} {
		t.Run(tc.product+"/"+string(tc.fault), func(t *testing.T) {
			t.Parallel()
			sc, _ := lab.LookupScenario(string(tc.fault))
			dir := t.TempDir()
			run, err := lab.StartScenario(context.Background(), sc, lab.GatewayOptions{Product: tc.product, Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer run.Close()
			conf := filepath.Join(dir, tc.file)
			code, out, stderr := gwdoctor(t, "diagnose", "--json", run.Gateway.URL()+"checkout", tc.flag, conf)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
			}
			var doc struct {
				Verdict        report.VerdictDoc   `json:"verdict"`
				Upstream       *report.UpstreamDoc `json:"upstream"`
				Route          *gwconfig.Route     `json:"route"`
				ConfigFindings []struct {
					File, Message, Fix string
					Line               int
				} `json:"config_findings"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Verdict.Cause != tc.cause {
				t.Errorf("cause %s, want %s", doc.Verdict.Cause, tc.cause)
			}
			if doc.Upstream == nil || !strings.Contains(doc.Upstream.Addr, run.Upstream.Addr) {
				t.Errorf("upstream asked = %+v, want %s from the route", doc.Upstream, run.Upstream.Addr)
			}
			if doc.Route == nil || doc.Route.Location.File != conf && doc.Route.Server.File != conf {
				t.Fatalf("route = %+v, want the location in %s", doc.Route, conf)
			}
			if tc.directive == "" {
				return
			}
			found := false
			for _, f := range doc.ConfigFindings {
				if strings.Contains(f.Message, tc.directive) && f.File == conf && f.Line > 0 && (f.Fix != "" || tc.cause == "upstream.unreachable") {
					found = true
				}
			}
			if !found {
				t.Errorf("no finding names %s with its line and a fix: %+v", tc.directive, doc.ConfigFindings)
			}
		})
	}
}

// TestDiagnoseWithPHPFPMConfig feeds the lab's nginx and PHP-FPM
// configurations back: the route leads over FastCGI to the pool's socket,
// asked for the SCRIPT_FILENAME of the location's fastcgi_param,
// and the lint names the pool's request_terminate_timeout, shorter than
// nginx's fastcgi_read_timeout.
func TestDiagnoseWithPHPFPMConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, _ := startSetup(t, "php_killed", dir)
	code, out, stderr := gwdoctor(t, "diagnose", "--json", st.Gateway.URL()+"checkout",
		"--nginx-config", filepath.Join(dir, "nginx", "nginx.conf"),
		"--php-fpm-config", filepath.Join(dir, "php", "php-fpm.conf"))
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	var doc struct {
		Verdict        report.VerdictDoc   `json:"verdict"`
		Upstream       *report.UpstreamDoc `json:"upstream"`
		ConfigFindings []struct {
			Code, File, Message, Fix string
			Line                     int
		} `json:"config_findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Verdict.Cause != "upstream.timeout" {
		t.Errorf("cause %s, want upstream.timeout", doc.Verdict.Cause)
	}
	if doc.Upstream == nil || !strings.HasPrefix(doc.Upstream.Addr, "fcgi:unix:") {
		t.Errorf("upstream asked = %+v, want the pool's socket over FastCGI", doc.Upstream)
	}
	found := false
	for _, f := range doc.ConfigFindings {
		if strings.Contains(f.Message, "request_terminate_timeout") && strings.HasSuffix(f.File, "php-fpm.conf") && f.Line > 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("no finding names request_terminate_timeout in php-fpm.conf: %+v", doc.ConfigFindings)
	}
}

// TestDiagnoseKeepAliveRace: nginx keeps idle upstream connections for
// 60 s, the upstream closes them after 1 s. The site works, but the
// diagnosis measures the upstream's keep-alive and the lint names nginx's
// keepalive_timeout with the line to write.
func TestDiagnoseKeepAliveRace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, _ := startSetup(t, "nginx_keepalive_race", dir)
	code, out, stderr := gwdoctor(t, "diagnose", "--json", st.Gateway.URL()+"checkout", "--nginx-config", filepath.Join(dir, "nginx.conf"))
	if code != 0 {
		t.Fatalf("exit %d, want 0; stderr %s", code, stderr)
	}
	var doc struct {
		Verdict        report.VerdictDoc `json:"verdict"`
		ConfigFindings []struct {
			Code, File, Message, Fix string
			Line                     int
		} `json:"config_findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Verdict.Cause != "ok" {
		t.Errorf("cause %s, want ok", doc.Verdict.Cause)
	}
	for _, f := range doc.ConfigFindings {
		if f.Code == "nginx.keepalive_race" && f.Line > 0 && strings.Contains(f.Fix, "keepalive_timeout") {
			return
		}
	}
	t.Errorf("no nginx.keepalive_race finding with a keepalive_timeout fix: %+v", doc.ConfigFindings)
}

// TestDiagnoseConfigReadsErrorLog: nginx resolves its upstream's name per
// request, so there is no address to ask; with only --nginx-config, the
// diagnosis reads the error log the configuration names and finds
// upstream.dns there.
func TestDiagnoseConfigReadsErrorLog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, _ := startSetup(t, "nginx_resolver_nxdomain", dir)
	code, out, stderr := gwdoctor(t, "diagnose", "--json", st.Gateway.URL()+"checkout", "--nginx-config", filepath.Join(dir, "nginx.conf"))
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	var doc struct {
		Verdict report.VerdictDoc `json:"verdict"`
		Logs    []struct{ Where, Cause string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Verdict.Cause != "upstream.dns" || len(doc.Logs) == 0 || !strings.Contains(doc.Logs[0].Where, "error.log") {
		t.Errorf("cause %s from logs %+v, want upstream.dns from the error.log nginx.conf names", doc.Verdict.Cause, doc.Logs)
	}
}

// TestDiagnoseHealthCheck: with HAProxy's configuration, the diagnosis
// replays its health check against the server and quotes why it fails.
func TestDiagnoseHealthCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ setup, flag, file string }{
		{"haproxy_health_down", "--haproxy-config", "haproxy.cfg"},
		{"apache_health_down", "--apache-config", "apache2.conf"},
	} {
		t.Run(tc.setup, func(t *testing.T) {
			t.Parallel()
			checkHealthCheck(t, tc.setup, tc.flag, tc.file)
		})
	}
}

func checkHealthCheck(t *testing.T, setup, flag, file string) {
	dir := t.TempDir()
	st, su := startSetup(t, setup, dir)
	conf := filepath.Join(dir, file)
	code, out, stderr := gwdoctor(t, "diagnose", "--json", st.Gateway.URL()+"checkout", flag, conf)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	var doc struct {
		Verdict struct {
			Cause      catalog.Cause `json:"cause"`
			Confidence string        `json:"confidence"`
		} `json:"verdict"`
		Evidence    []struct{ Source, Text string } `json:"evidence"`
		HealthCheck *struct {
			Method, Path, Where string
			Passed              bool
			Attempt             struct {
				Response *struct{ Status int } `json:"response"`
			} `json:"attempt"`
		} `json:"health_check"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Verdict.Cause != su.Want || doc.Verdict.Confidence != "high" {
		t.Errorf("verdict %+v, want %s with high confidence", doc.Verdict, su.Want)
	}
	hc := doc.HealthCheck
	if hc == nil || hc.Method != "GET" || hc.Path != "/healthz" || hc.Passed || hc.Attempt.Response == nil || hc.Attempt.Response.Status != 503 ||
		!strings.HasPrefix(hc.Where, conf+":") {
		t.Fatalf("health_check = %+v, want GET /healthz from %s, failed with 503", hc, conf)
	}
	found := false
	for _, f := range doc.Evidence {
		found = found || (f.Source == "health check" && strings.Contains(f.Text, "the database is unreachable"))
	}
	if !found {
		t.Errorf("no evidence quotes the health endpoint's answer: %+v", doc.Evidence)
	}
}
