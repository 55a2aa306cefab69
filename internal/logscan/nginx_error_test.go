package logscan

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestNginxErrorLookupAgrees reads every line of the recorded and published
// nginx logs twice: with a parser that meets the line first, and so reads
// its time and message in full, and with one that has met every line of
// every file before, and so looks them up. Both must make the same of each
// line. Wrapped lines are read without their wrappers.
func TestNginxErrorLookupAgrees(t *testing.T) {
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
				wv := (&nginxError{loc: time.UTC}).parse(l, &want)
				gv := warm.parse(l, &got)
				if gv != wv || got != want {
					t.Errorf("line %d: looked up %d %+v\nread in full %d %+v", i+1, gv, got, wv, want)
				}
				if wv == lineFailure {
					failures++
				}
			}
		})
	}
	if failures < 100 || len(warm.msgs) < 10 {
		t.Errorf("%d failures read and %d messages kept to look up; want at least 100 and 10", failures, len(warm.msgs))
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
