package probe

// Tests against the real PHP-FPM, started by package lab. Package lab does
// not import probe, so this in-package test creates no import cycle.

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/lab"
)

// phpScript answers by its query string, so that one pool serves every case.
const phpScript = `<?php
switch ($_SERVER['QUERY_STRING']) {
case 'down':
	header('Status: 503');
	http_response_code(503);
	echo "down";
	break;
case 'big':
	header('X-Big: ' . str_repeat('a', 20480));
	echo "big";
	break;
case 'sleep':
	sleep(3);
	echo "late";
	break;
default:
	echo "ok";
}
`

// startPHP starts PHP-FPM or fails the test: a missing PHP-FPM is a
// *lab.NotInstalledError whose message says how to install it.
func startPHP(t testing.TB, opts lab.PHPOptions) *lab.PHP {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	php, err := lab.StartPHP(ctx, t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { php.Close() })
	return php
}

func TestFastCGIPHPFPM(t *testing.T) {
	t.Parallel()
	php := startPHP(t, lab.PHPOptions{Script: phpScript, MaxChildren: 2})
	// request_terminate_timeout 1s: PHP-FPM kills the worker mid-request.
	killer := startPHP(t, lab.PHPOptions{Script: phpScript, MaxChildren: 2, TerminateTimeout: time.Second})
	sock := "unix:" + php.Socket
	tests := []struct {
		name      string
		addr      string
		opts      FastCGIOptions
		wantClass Class
		check     func(t *testing.T, r *Result)
	}{
		{name: "ok", addr: sock, opts: FastCGIOptions{ScriptFilename: php.Script}, check: func(t *testing.T, r *Result) {
			wantStatus(http.StatusOK)(t, r)
			if got := string(r.Response.Body); got != "ok" {
				t.Errorf("body = %q, want ok", got)
			}
		}},
		{name: "script's own 503", addr: sock, opts: FastCGIOptions{ScriptFilename: php.Script, URL: "/app.php?down"},
			check: wantStatus(http.StatusServiceUnavailable)},
		{name: "20 KiB header", addr: sock, opts: FastCGIOptions{ScriptFilename: php.Script, URL: "/?big"}, check: func(t *testing.T, r *Result) {
			wantStatus(http.StatusOK)(t, r)
			if got := r.Response.HeaderBytes; got < 20480 || got > 21000 {
				t.Errorf("header bytes = %d, want just over 20480", got)
			}
		}},
		{name: "primary script unknown", addr: sock, opts: FastCGIOptions{ScriptFilename: filepath.Join(t.TempDir(), "missing.php")}, check: func(t *testing.T, r *Result) {
			wantStatus(http.StatusNotFound)(t, r)
			if !strings.Contains(r.FastCGI.Stderr, "Primary script unknown") {
				t.Errorf("stderr = %q, want Primary script unknown", r.FastCGI.Stderr)
			}
		}},
		// A worker killed mid-request leaves the empty STDIN record
		// unread, so the kernel resets the connection rather than closing
		// it, and nginx logs "recv() failed (104: Connection reset by
		// peer)"; either way it is upstream.closed to package diagnose.
		{name: "worker killed", addr: "unix:" + killer.Socket, opts: FastCGIOptions{ScriptFilename: killer.Script, URL: "/?sleep"},
			wantClass: ClassReset, check: func(t *testing.T, r *Result) {
				if r.Timings.TTFB < 900*time.Millisecond || r.Timings.TTFB > 2500*time.Millisecond {
					t.Errorf("ttfb = %v, want about request_terminate_timeout (1s) to 2s", r.Timings.TTFB)
				}
				if log, _ := os.ReadFile(killer.LogPath()); !strings.Contains(string(log), "execution timed out") {
					t.Errorf("PHP-FPM log lacks the kill: %s", log)
				}
			}},
		{name: "probe timeout", addr: sock, opts: FastCGIOptions{ScriptFilename: php.Script, URL: "/?sleep", Timeout: time.Second},
			wantClass: ClassHeaderTimeout, check: wantWithin(1500 * time.Millisecond)},
		{name: "missing socket", addr: "unix:" + filepath.Join(filepath.Dir(php.Socket), "php8.2-fpm.sock"), wantClass: ClassNoSocket},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := FastCGI(context.Background(), tt.addr, tt.opts)
			if r.Class != tt.wantClass {
				t.Fatalf("class = %q, want %q (err: %v)", r.Class, tt.wantClass, r.Err)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func BenchmarkFastCGIPHPFPM(b *testing.B) {
	php := startPHP(b, lab.PHPOptions{MaxChildren: 2})
	opts := FastCGIOptions{ScriptFilename: php.Script}
	for b.Loop() {
		if r := FastCGI(context.Background(), "unix:"+php.Socket, opts); r.Err != nil {
			b.Fatal(r.Err)
		}
	}
}
