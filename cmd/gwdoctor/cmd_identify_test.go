package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIdentify reads a published Cloudflare 522 page from a file and from
// standard input, and checks the exit codes of the failure modes.
func TestIdentify(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../internal/fingerprint/testdata/world/cloudflare/dillinger-522-sentence.txt")
	if err != nil {
		t.Fatal(err)
	}
	_, page, _ := bytes.Cut(raw, []byte("\n---\n"))
	dir := t.TempDir()
	file := filepath.Join(dir, "page.txt")
	writeFile(t, file, string(page))
	empty := filepath.Join(dir, "empty.txt")
	writeFile(t, empty, "")
	ok := filepath.Join(dir, "ok.txt")
	writeFile(t, ok, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body>Welcome</body></html>")

	code, out, stderr := gwdoctor(t, "identify", file, "--json")
	if code != exitFailure {
		t.Fatalf("identify: exit %d, want %d; stderr %s", code, exitFailure, stderr)
	}
	var doc struct {
		Verdict struct {
			Cause       string                         `json:"cause"`
			Persistence string                         `json:"persistence"`
			GeneratedBy struct{ Product, Role string } `json:"generated_by"`
		} `json:"verdict"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if v := doc.Verdict; v.Cause != "cdn.origin_unreachable" || v.GeneratedBy.Product != "cloudflare" || v.Persistence != "" {
		t.Errorf("verdict %+v, want cdn.origin_unreachable by cloudflare, no persistence", v)
	}

	var o, e bytes.Buffer
	code = run(context.Background(), []string{"identify", "-"}, streams{in: bytes.NewReader(page), out: &o, err: &e})
	if code != exitFailure || !strings.Contains(o.String(), "cloudflare") || !strings.Contains(o.String(), "gwdoctor identify") {
		t.Errorf("identify -: exit %d, output:\n%s", code, o.String())
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"identify", ok}, exitOK, ""},
		{[]string{"identify", empty}, exitUsage, "empty"},
		{[]string{"identify", filepath.Join(dir, "missing.txt")}, exitUsage, "missing.txt"},
		{[]string{"identify"}, exitUsage, "exactly one FILE"},
		{[]string{"identify", file, "--format-out", "pdf"}, exitUsage, "unknown --format-out"},
	} {
		code, _, stderr := gwdoctor(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d with %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}
