package logscan

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestNginxErrorQuickAgrees reads every line of the recorded and published
// nginx logs twice: thoroughly, as the first line of its kind is read, and
// with a parser that has met every line of every file before, and so looks
// their times and messages up and reads their tails in nginx's order. Both
// must make the same of each line. Wrapped lines are read without their
// wrappers.
func TestNginxErrorQuickAgrees(t *testing.T) {
	files := []string{
		"testdata/nginx-real-error.log",
		"testdata/site-error.log",
		"testdata/world/compose-nginx-https-portal.log",
		"testdata/world/compose-nginx-linkedpipes.log",
		"testdata/world/compose-nginx-sylius.log",
		"testdata/world/compose-nginx-vvveb.log",
		"testdata/world/compose-phpfpm-nginx-mixed.log",
		"testdata/world/docker-nginx-entrypoint-noise.log",
		"testdata/world/docker-nginx-startup-noise.log",
		"testdata/world/docker-timestamps-nginx-emerg.log",
		"testdata/world/nginx-closed-refused-npm.log",
		"testdata/world/nginx-php-fatal-ninjawars.log",
		"testdata/world/nginx-timeout-musl-lancache.log",
		"testdata/world/nginx-too-big-header-sulu.log",
		"testdata/world/rsyslog-nginx-php-fatal-ninjawars.log",
	}
	warm := &nginxError{loc: time.UTC}
	for _, name := range files {
		for _, l := range fixtureLines(t, name) {
			warm.parse(l, &Entry{})
		}
	}
	failures := 0
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			for i, l := range fixtureLines(t, name) {
				var want, got Entry
				wv := (&nginxError{loc: time.UTC, thorough: true}).parse(l, &want)
				gv := warm.parse(l, &got)
				if gv != wv || got != want {
					t.Errorf("line %d: quick %d %+v\nthorough %d %+v", i+1, gv, got, wv, want)
				}
				if wv == lineFailure {
					failures++
				}
			}
		})
	}
	if failures < 100 || len(warm.msgs.m) < 10 {
		t.Errorf("%d failures read and %d messages kept to look up; want at least 100 and 10", failures, len(warm.msgs.m))
	}
}

// fixtureLines returns the lines of a fixture, without the wrappers that
// most of them have.
func fixtureLines(t *testing.T, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if w := detectWraps(lines, time.UTC); w != nil {
		for i, l := range lines {
			lines[i], _, _ = w.unwrap(l)
		}
	}
	return lines
}

// TestNginxTailInOrder checks tails that the fixtures lack: both readings
// must find the same fields, or the one in nginx's order give up, which it
// must not for the first three, nginx's own shapes. A request line is
// written as the client sent it, quotes and all.
func TestNginxTailInOrder(t *testing.T) {
	tails := []string{
		`, client: 10.0.0.1, server: a, request: "GET / HTTP/1.1", upstream: "http://10.0.0.5:80/", host: "a"`,
		`, client: 10.0.0.1, server: a, request: "GET / HTTP/1.1", host: "a"`,
		`, client: 10.0.0.1, server: a, request: "GET / HTTP/1.1", subrequest: "/auth", upstream: "http://10.0.0.5:80/auth", host: "a"`,
		`, client: 10.0.0.1, server: a, request: "GET /x", upstream: " HTTP/1.1", upstream: "http://10.0.0.5:80/", host: "a"`,
		`, client: 10.0.0.1, server: a, request: "GET /x, upstream: " HTTP/1.1", upstream: "http://10.0.0.5:80/", host: "a"`,
		`, client: 10.0.0.1, server: a, request: "GET /x"y HTTP/1.1", upstream: "http://10.0.0.5:80/", host: "a"`,
		`, client: 10.0.0.1, server: a, request: "GET / HTTP/1.1", upstream: "http://10.0.0.5:80/`,
		`, client: 10.0.0.1, server: a, request: "GET / HTTP/1.1`,
		`, client: 10.0.0.1, server: "a", request: "GET / HTTP/1.1", upstream: "http://10.0.0.5:80/"`,
		`, client: 10.0.0.1, server: a, host: "a"`,
		`, client: 10.0.0.1`,
		`, client: `,
		`, client: 10.0.0.1, server: a, request: ""`,
	}
	for i, tail := range tails {
		c1, r1, u1, ok := ngxTailInOrder([]byte(tail))
		c2, r2, u2 := ngxTailAnywhere([]byte(tail))
		if !ok && i < 3 {
			t.Errorf("%s: gave up", tail)
		}
		if ok && (string(c1) != string(c2) || (c1 == nil) != (c2 == nil) || string(r1) != string(r2) || (r1 == nil) != (r2 == nil) || string(u1) != string(u2) || (u1 == nil) != (u2 == nil)) {
			t.Errorf("%s:\nin order %q %q %q\nanywhere %q %q %q", tail, c1, r1, u1, c2, r2, u2)
		}
	}
}
