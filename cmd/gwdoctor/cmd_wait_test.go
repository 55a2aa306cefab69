package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/lab"
)

// TestWaitAndWatch: wait exits 0 on a healthy site and, on one that keeps
// failing, prints the diagnosis at its timeout and exits 1; watch prints a
// line per check, an incident with its diagnosis, and a summary when it
// is stopped.
func TestWaitAndWatch(t *testing.T) {
	t.Parallel()
	start := func(f lab.Fault) string {
		run, _ := startScenario(t, string(f), lab.GatewayOptions{Product: "go"})
		return run.Gateway.URL()
	}
	good, bad := start(lab.Healthy), start(lab.Refused)
	code, out, stderr := gwdoctor(t, "wait", good, "--interval", "1s", "--successes", "2")
	if code != exitOK || !strings.Contains(out, "is healthy") {
		t.Errorf("wait on a healthy site: exit %d, out %q, stderr %q", code, out, stderr)
	}
	code, out, _ = gwdoctor(t, "wait", bad, "--interval", "1s", "--timeout", "2s")
	if code != exitFailure || !strings.Contains(out, "VERDICT") {
		t.Errorf("wait on a failing site: exit %d, want 1 and the diagnosis; out:\n%s", code, out)
	}
	for _, args := range [][]string{{"wait"}, {"wait", bad, "--successes", "0"}, {"watch", bad, "--interval", "10ms"}} {
		if code, _, _ := gwdoctor(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	var o, e bytes.Buffer
	code = run(ctx, []string{"watch", bad, "--interval", "1s"}, streams{in: strings.NewReader(""), out: &o, err: &e})
	text := o.String()
	if code != exitFailure || !strings.Contains(text, "FAIL  502") || !strings.Contains(text, "INCIDENT opened") || !strings.Contains(text, "checks,") {
		t.Errorf("watch: exit %d, output:\n%s\nstderr %s", code, text, e.String())
	}
}
