package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/lab"
)

// TestDiagnoseUnusableInputs diagnoses nginx in front of a refused upstream
// with its real error log beside logs and configurations that cannot be
// used: the verdict comes from the usable log, the exit code is the
// diagnosis's, and the report names each unusable input, why, and what
// would let it be read.
func TestDiagnoseUnusableInputs(t *testing.T) {
	t.Parallel()
	run, _ := startScenario(t, string(lab.Refused), lab.GatewayOptions{Product: "nginx", Dir: t.TempDir()})
	dir := t.TempDir()
	noise := filepath.Join(dir, "noise.log")
	writeFile(t, noise, strings.Repeat("hello, this is not a log line of any gateway\n", 40))
	quiet := filepath.Join(dir, "quiet.log") // an nginx error log of other requests, long before
	writeFile(t, quiet, "2020/01/02 03:04:05 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: _, request: \"GET /other HTTP/1.1\", upstream: \"http://10.0.0.2:80/other\", host: \"x\"\n")
	badConf := filepath.Join(dir, "nginx.conf")
	writeFile(t, badConf, "http {\n  server {\n    listen 80\n  }\n")
	missing := filepath.Join(dir, "missing.log")
	for _, tc := range []struct {
		name   string
		args   []string
		inputs map[string]diagnose.InputStatus
		reason map[string]string // a word of the reason, per unusable input, or of the parts not read of a used one
	}{
		{"missing log", []string{"--log", missing}, map[string]diagnose.InputStatus{missing: diagnose.InputUnusable}, map[string]string{missing: "missing"}},
		{"unknown format", []string{"--log", noise}, map[string]diagnose.InputStatus{noise: diagnose.InputUnusable}, map[string]string{noise: "unknown format"}},
		{"named format that does not read it", []string{"--log", "haproxy:" + noise}, map[string]diagnose.InputStatus{noise: diagnose.InputUnusable}, nil},
		{"nothing found", []string{"--log", quiet}, map[string]diagnose.InputStatus{quiet: diagnose.InputNothingFound}, nil},
		// A block cut short is left out; the rest of the file is used.
		{"config partly read", []string{"--nginx-config", badConf}, map[string]diagnose.InputStatus{badConf: diagnose.InputUsed}, map[string]string{badConf: "nginx.conf:"}},
		{"missing config", []string{"--haproxy-config", filepath.Join(dir, "nope.cfg")}, map[string]diagnose.InputStatus{filepath.Join(dir, "nope.cfg"): diagnose.InputUnusable}, map[string]string{filepath.Join(dir, "nope.cfg"): "missing"}},
		{"missing varnish config", []string{"--varnish-config", filepath.Join(dir, "default.vcl")}, map[string]diagnose.InputStatus{filepath.Join(dir, "default.vcl"): diagnose.InputUnusable}, map[string]string{filepath.Join(dir, "default.vcl"): "missing"}},
		{"missing squid config", []string{"--squid-config", filepath.Join(dir, "squid.conf")}, map[string]diagnose.InputStatus{filepath.Join(dir, "squid.conf"): diagnose.InputUnusable}, map[string]string{filepath.Join(dir, "squid.conf"): "missing"}},
		{"missing lighttpd config", []string{"--lighttpd-config", filepath.Join(dir, "lighttpd.conf")}, map[string]diagnose.InputStatus{filepath.Join(dir, "lighttpd.conf"): diagnose.InputUnusable}, map[string]string{filepath.Join(dir, "lighttpd.conf"): "missing"}},
		{"missing caddy config", []string{"--caddy-config", filepath.Join(dir, "Caddyfile")}, map[string]diagnose.InputStatus{filepath.Join(dir, "Caddyfile"): diagnose.InputUnusable}, map[string]string{filepath.Join(dir, "Caddyfile"): "missing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"diagnose", "--json", run.Gateway.URL() + "checkout", "--log", run.Gateway.LogPath()}, tc.args...)
			code, out, stderr := gwdoctor(t, args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1 (the diagnosis's); stderr %s", code, stderr)
			}
			var doc struct {
				Verdict struct{ Cause string }
				Inputs  []diagnose.Input `json:"inputs"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Verdict.Cause != "upstream.refused" {
				t.Errorf("cause %s, want upstream.refused from the usable log", doc.Verdict.Cause)
			}
			got := map[string]diagnose.Input{}
			for _, in := range doc.Inputs {
				got[in.Name] = in
			}
			if in := got[run.Gateway.LogPath()]; in.Status != diagnose.InputUsed || in.Lines == 0 {
				t.Errorf("the gateway's log: %+v, want used with lines", in)
			}
			for name, want := range tc.inputs {
				in := got[name]
				if in.Status != want {
					t.Errorf("%s: status %q, want %q (inputs %+v)", name, in.Status, want, doc.Inputs)
				}
				if want == diagnose.InputUnusable && (in.Reason == "" || in.Hint == "" || !strings.Contains(in.Reason, tc.reason[name])) {
					t.Errorf("%s: reason %q hint %q, want a reason with %q and a hint", name, in.Reason, in.Hint, tc.reason[name])
				}
				if word := tc.reason[name]; want == diagnose.InputUsed && word != "" && !strings.Contains(strings.Join(in.NotRead, "\n"), word) {
					t.Errorf("%s: parts not read %q, want one with %q", name, in.NotRead, word)
				}
			}
		})
	}
}
