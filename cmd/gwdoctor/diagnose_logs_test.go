package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/lab"
)

// logCell is a fault behind a real gateway whose responses leave the cause
// open, and the cause its log names.
type logCell struct {
	product string
	fault   lab.Fault
	want    string
}

// logCells are the cells of the gateway matrix where the outside verdict is
// the parent "upstream", or a guess, and the gateway's own log names the
// exact cause.
var logCells = []logCell{
	{"nginx", lab.Refused, "upstream.refused"},
	{"nginx", lab.Closed, "upstream.closed"},
	{"nginx", lab.Reset, "upstream.closed"},
	{"nginx", lab.HeaderTooBig, "upstream.header_too_big"},
	{"nginx", lab.TLS, "upstream.tls"},
	{"apache", lab.Refused, "upstream.refused"},
	{"apache", lab.Closed, "upstream.closed"},
	{"haproxy", lab.Refused, "upstream.refused"},
	{"haproxy", lab.Closed, "upstream.closed"},
	{"caddy", lab.Refused, "upstream.refused"},
	{"caddy", lab.Closed, "upstream.closed"},
	{"caddy", lab.Invalid, "upstream.invalid_response"},
	{"caddy", lab.TLS, "upstream.tls"},
	{"lighttpd", lab.Refused, "upstream.refused"},
	{"lighttpd", lab.Invalid, "upstream.invalid_response"},
	// A connection that goes unanswered reads as a timeout, or as
	// "upstream", from outside; every log names the connect.
	{"nginx", lab.Unreachable, "upstream.unreachable"},
	{"apache", lab.Unreachable, "upstream.unreachable"},
	{"haproxy", lab.Unreachable, "upstream.unreachable"},
	{"caddy", lab.Unreachable, "upstream.unreachable"},
	{"lighttpd", lab.Unreachable, "upstream.unreachable"},
}

// TestDiagnoseWithLog diagnoses faults behind the real gateways with their
// log and without the upstream's address: the log's lines for the
// diagnosis's tagged requests turn "upstream" into the exact cause.
func TestDiagnoseWithLog(t *testing.T) {
	t.Parallel()
	for _, c := range logCells {
		t.Run(c.product+"/"+string(c.fault), func(t *testing.T) {
			t.Parallel()
			sc, _ := lab.LookupScenario(string(c.fault))
			run, err := lab.StartScenario(context.Background(), sc, lab.GatewayOptions{Product: c.product, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer run.Close()
			code, out, stderr := gwdoctor(t, "diagnose", "--json", run.Gateway.URL()+"checkout", "--log", run.Gateway.LogPath())
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
			}
			var doc struct {
				Verdict struct {
					Cause string `json:"cause"`
				} `json:"verdict"`
				Evidence []struct{ Source, Text string } `json:"evidence"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			quoted := false
			for _, f := range doc.Evidence {
				quoted = quoted || (f.Source == "log" && strings.Contains(f.Text, run.Gateway.LogPath()))
			}
			if doc.Verdict.Cause != c.want || !quoted {
				t.Errorf("cause %s (log quoted: %v), want %s from the log; evidence: %+v", doc.Verdict.Cause, quoted, c.want, doc.Evidence)
			}
		})
	}
}

// TestSetupsWithLog diagnoses setups with every log of the stack and no
// upstream address. PHP-FPM's, nginx's and Apache's logs name the cause
// that the responses leave open; Squid's X-Squid-Error header names it,
// and its logs must agree (a refused connect is "TCP connection to ...
// failed" with no errno; a read timeout is only a 504 in access.log).
func TestSetupsWithLog(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ setup, want string }{
		{"php_killed", "upstream.timeout"},
		{"apache_php_killed", "upstream.timeout"},
		{"php_overload", "upstream.overloaded"},
		{"php_socket_missing", "upstream.refused"},
		{"php_socket_denied", "upstream.permission"},
		{"apache_socket_denied", "upstream.permission"},
		{"nginx_resolver_nxdomain", "upstream.dns"},
		{"nginx_no_live_upstreams", "upstream.refused"},
		{"nginx_fastcgi_to_http", "upstream.invalid_response"},
		{"php_big_headers", "upstream.header_too_big"},
		{"apache_health_down", "upstream.none_healthy"},
		{"nginx_limit_req", "upstream.overloaded"},
		{"squid_refused_after_start", "upstream.refused"},
		{"squid_timeout", "upstream.timeout"},
		{"squid_closed", "upstream.closed"},
	} {
		t.Run(tc.setup, func(t *testing.T) {
			t.Parallel()
			su, ok := lab.LookupSetup(tc.setup)
			if !ok {
				t.Fatalf("no setup %s", tc.setup)
			}
			st, err := su.Start(context.Background(), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			args := []string{"diagnose", "--json", st.Gateway.URL() + "checkout"}
			for _, l := range st.Logs {
				args = append(args, "--log", l)
			}
			code, out, stderr := gwdoctor(t, args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
			}
			var doc struct {
				Verdict struct {
					Cause string `json:"cause"`
				} `json:"verdict"`
				Evidence []struct{ Source, Text string } `json:"evidence"`
				Inputs   []struct{ Name, Status string } `json:"inputs"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Verdict.Cause != tc.want {
				t.Errorf("cause %s, want %s; evidence: %+v", doc.Verdict.Cause, tc.want, doc.Evidence)
			}
			for _, name := range setupLogsUsed[tc.setup] {
				i := slices.IndexFunc(doc.Inputs, func(in struct{ Name, Status string }) bool { return filepath.Base(in.Name) == name })
				if i < 0 || doc.Inputs[i].Status != "used" {
					t.Errorf("%s: not used, want the lines of the diagnosis's requests; inputs: %+v", name, doc.Inputs)
				}
			}
		})
	}
}

// setupLogsUsed names the logs of a setup that hold lines of the
// diagnosis's requests, as the real programs wrote them: Squid logs every
// failed request in access.log (with its path; the query is cut to "?"),
// and in cache.log a failed connect and an empty answer, not a read
// timeout. Its access lines of the empty answers are left out, as cache.log
// has the same requests tagged.
var setupLogsUsed = map[string][]string{
	"squid_refused_after_start": {"cache.log", "access.log"},
	"squid_timeout":             {"access.log"},
	"squid_closed":              {"cache.log"},
}
