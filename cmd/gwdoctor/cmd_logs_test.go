package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// The logs_*.log files were written by a real nginx 1.22.1 (see
// internal/logscan/testdata).

func TestLogsExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"failures", []string{"logs", "testdata/logs_access.log", "testdata/logs_error.log"}, exitFailure, "upstream.refused"},
		{"no failures", []string{"logs", "testdata/logs_ok.log"}, exitOK, "no upstream failures"},
		{"markdown", []string{"logs", "--format-out", "markdown", "testdata/logs_error.log"}, exitFailure, "# gwdoctor logs: 9 failures"},
		{"since filters all", []string{"logs", "--since", "2030-01-01T00:00:00Z", "testdata/logs_error.log"}, exitOK, "9 outside --since/--until"},
		{"forced format", []string{"logs", "--format", "nginx-error", "testdata/logs_error.log"}, exitFailure, "upstream.header_too_big"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := gwdoctor(t, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) || errOut != "" {
				t.Errorf("exit %d, stdout has %q: %v, stderr %q; want exit %d", code, tc.out, strings.Contains(out, tc.out), errOut, tc.code)
			}
		})
	}
}

// TestLogsUnreadable checks that a log that cannot be read is named and
// skipped when others can be read, and is the error when none can.
func TestLogsUnreadable(t *testing.T) {
	t.Parallel()
	code, out, errOut := gwdoctor(t, "logs", "testdata/logs_error.log", "testdata/no-such.log")
	if code != exitFailure || !strings.Contains(out, "upstream.header_too_big") || strings.Count(errOut, "\n") != 1 ||
		!strings.Contains(errOut, "skipping a log: open testdata/no-such.log: no such file or directory") {
		t.Errorf("one readable log: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
	code, out, errOut = gwdoctor(t, "logs", "testdata", "testdata/no-such.log")
	if code != exitInternal || out != "" || strings.Count(errOut, "\n") != 1 ||
		!strings.Contains(errOut, "no log could be read: testdata is a directory") || !strings.Contains(errOut, "no-such.log") {
		t.Errorf("no readable log: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestLogsUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no files", []string{"logs"}, exitUsage, "at least one FILE"},
		{"bad format", []string{"logs", "--format", "w3c-custom", "testdata/logs_error.log"}, exitUsage, "supported formats are nginx-error"},
		{"bad format-out", []string{"logs", "--format-out", "xml", "testdata/logs_error.log"}, exitUsage, "bad --format-out"},
		{"bad since", []string{"logs", "--since", "yesterday", "testdata/logs_error.log"}, exitUsage, "bad --since"},
		{"since after until", []string{"logs", "--since", "1h", "--until", "2h", "testdata/logs_error.log"}, exitUsage, "--since must be before --until"},
		{"bad log format", []string{"logs", "--nginx-log-format", "$remote_addr", "testdata/logs_access.log"}, exitUsage, "no $status"},
		{"unknown content", []string{"logs", "testdata/logs_unknown.txt"}, exitUsage, "supported formats"},
		{"bad timezone", []string{"logs", "--timezone", "Mars/Olympus", "testdata/logs_error.log"}, exitUsage, "bad --timezone"},
		{"two stdins", []string{"logs", "-", "-"}, exitUsage, "only once"},
		{"missing file", []string{"logs", "testdata/logs_missing.log"}, exitInternal, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := gwdoctor(t, tc.args...)
			if code != tc.code || out != "" {
				t.Errorf("exit %d, stdout %q; want exit %d and nothing", code, out, tc.code)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr = %q, want one line with %q", errOut, tc.want)
			}
		})
	}
}

func TestLogsJSONFromStdin(t *testing.T) {
	t.Parallel()
	in, err := os.ReadFile("testdata/logs_error.log")
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"logs", "--json", "-"}, streams{in: bytes.NewReader(in), out: &out, err: &errb})
	var doc struct {
		SchemaVersion int `json:"schema_version"`
		Failures      int `json:"failures"`
		Files         []struct {
			Name, Format string
		} `json:"files"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out.String())
	}
	if code != exitFailure || doc.SchemaVersion != 1 || doc.Failures != 9 || doc.Files[0].Name != "-" || doc.Files[0].Format != "nginx-error" {
		t.Errorf("exit %d, document %+v", code, doc)
	}
}

func TestLogsFollow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := dir + "/error.log"
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	go func() {
		time.Sleep(200 * time.Millisecond)
		lines, _ := os.ReadFile("testdata/logs_error.log")
		os.WriteFile(p, lines[:bytes.IndexByte(lines, '\n')+1], 0o644)
	}()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"logs", "--follow", "--poll", "20ms", p}, streams{in: strings.NewReader(""), out: &out, err: &errb})
	if code != exitFailure || !strings.Contains(out.String(), "502  upstream.refused") || !strings.Contains(out.String(), "1 failures in 1 lines") {
		t.Errorf("exit %d, stdout:\n%s\nstderr: %s", code, out.String(), errb.String())
	}
}
