package logscan

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// scanFiles scans files with times read in UTC.
func scanFiles(t testing.TB, opt Options, names ...string) *Report {
	t.Helper()
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	var srcs []Source
	for _, n := range names {
		srcs = append(srcs, Source{Name: n})
	}
	r, err := Scan(context.Background(), srcs, opt)
	if err != nil {
		t.Fatalf("Scan(%v): %v", names, err)
	}
	return r
}

// causeCounts returns the report's failures by cause.
func causeCounts(r *Report) map[catalog.Cause]int64 {
	m := map[catalog.Cause]int64{}
	for _, c := range r.Causes {
		m[c.Cause] = c.Count
	}
	return m
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gzipped(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.String()
}

func equalCounts[K comparable](t *testing.T, got, want map[K]int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("causes = %v, want %v", got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("causes = %v, want %v", got, want)
			return
		}
	}
}

// The files testdata/nginx-real-*.log were written by a real nginx 1.22.1
// in front of upstreams that refuse, stall, close, send a 20 KB header,
// speak SSH and answer 503, and a missing PHP-FPM socket.
const realNginxFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $upstream_status $upstream_addr $upstream_response_time $request_time $request_id`

func TestRealNginxJoined(t *testing.T) {
	r := scanFiles(t, Options{NginxLogFormat: realNginxFormat}, "testdata/nginx-real-access.log", "testdata/nginx-real-error.log")
	equalCounts(t, causeCounts(r), map[catalog.Cause]int64{
		catalog.UpstreamRefused: 5, catalog.UpstreamTimeout: 1, catalog.UpstreamClosed: 1, catalog.UpstreamHeaderTooBig: 1,
		catalog.UpstreamInvalid: 1, catalog.UpstreamAppError: 1,
	})
	if r.Joined != 8 || r.Failures != 10 {
		t.Errorf("joined %d of %d failures, want 8 of 10", r.Joined, r.Failures)
	}
	if r.Lines != 21 || r.Malformed != 0 {
		t.Errorf("lines %d, malformed %d; want 21, 0", r.Lines, r.Malformed)
	}
	formats := []string{r.Files[0].Format, r.Files[1].Format}
	if formats[0] != "nginx-access" || formats[1] != "nginx-error" {
		t.Errorf("formats = %v", formats)
	}
}

func TestRealNginxAlone(t *testing.T) {
	r := scanFiles(t, Options{}, "testdata/nginx-real-access.log")
	equalCounts(t, causeCounts(r), map[catalog.Cause]int64{catalog.Upstream: 9})
	r = scanFiles(t, Options{NginxLogFormat: realNginxFormat}, "testdata/nginx-real-access.log")
	equalCounts(t, causeCounts(r), map[catalog.Cause]int64{catalog.Upstream: 8, catalog.UpstreamAppError: 1})
	r = scanFiles(t, Options{}, "testdata/nginx-real-error.log")
	equalCounts(t, causeCounts(r), map[catalog.Cause]int64{
		catalog.UpstreamRefused: 5, catalog.UpstreamTimeout: 1, catalog.UpstreamClosed: 1, catalog.UpstreamHeaderTooBig: 1, catalog.UpstreamInvalid: 1,
	})
}

func TestGzipRotatedOrder(t *testing.T) {
	dir := t.TempDir()
	line := func(min int) string {
		return "2026/08/21 10:0" + string(rune('0'+min)) + ":00 [error] 1#1: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 1.2.3.4, server: x, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.0.1:80/\", host: \"x\"\n"
	}
	writeFile(t, dir, "error.log.2.gz", gzipped(t, line(1)))
	writeFile(t, dir, "error.log.1", line(2))
	writeFile(t, dir, "error.log", line(3))
	r := scanFiles(t, Options{}, filepath.Join(dir, "error.log"), filepath.Join(dir, "error.log.1"), filepath.Join(dir, "error.log.2.gz"))
	if r.Failures != 3 || len(r.Files) != 3 {
		t.Fatalf("failures %d, files %d; want 3, 3", r.Failures, len(r.Files))
	}
	if !strings.HasSuffix(r.Files[0].Name, "error.log.2.gz") || !strings.HasSuffix(r.Files[2].Name, "error.log") {
		t.Errorf("files not oldest first: %v", r.Files)
	}
	if got := r.Causes[0].First.Minute(); got != 1 {
		t.Errorf("first failure at minute %d, want 1", got)
	}
}

// testdata/haproxy-real.log was written by a real HAProxy 2.6.12 (log stdout
// format raw) in front of a refused port, a stalled and a closing upstream,
// and a backend whose only server is down. The health check's "Server
// none/s1 is DOWN" event and the alert "backend none has no server
// available!" count twice: in -db mode HAProxy writes them to stderr as
// well as to its log.
func TestRealHAProxy(t *testing.T) {
	r := scanFiles(t, Options{}, "testdata/haproxy-real.log")
	equalCounts(t, causeCounts(r), map[catalog.Cause]int64{catalog.UpstreamRefused: 4, catalog.UpstreamTimeout: 1, catalog.UpstreamClosed: 1, catalog.UpstreamNoneHealthy: 3})
	if r.Malformed != 0 || r.Files[0].Format != "haproxy" {
		t.Errorf("malformed %d, format %s", r.Malformed, r.Files[0].Format)
	}
}

// testdata/apache-real-*.log were written by a real Apache 2.4.71 with
// mod_proxy_http in front of a refused port, a stalled and a closing
// upstream, and a name that does not resolve (a 500 since 2.4.59).
func TestRealApache(t *testing.T) {
	r := scanFiles(t, Options{}, "testdata/apache-real-error.log")
	equalCounts(t, causeCounts(r), map[catalog.Cause]int64{catalog.UpstreamRefused: 1, catalog.UpstreamTimeout: 1, catalog.UpstreamClosed: 1, catalog.UpstreamDNS: 1})
	r = scanFiles(t, Options{}, "testdata/apache-real-access.log")
	equalCounts(t, causeCounts(r), map[catalog.Cause]int64{catalog.Upstream: 3})
	if r.Files[0].Format != "apache-access" || r.Malformed != 0 {
		t.Errorf("format %s, malformed %d", r.Files[0].Format, r.Malformed)
	}
}
