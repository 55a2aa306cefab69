package logscan

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sampleLines of each format, for detection, fuzzing and benchmarks.
var formatSamples = map[string]string{
	"nginx-error":   "2026/08/21 10:15:02 [error] 2187#2187: *4711 connect() failed (111: Connection refused) while connecting to upstream" + ngxTail,
	"nginx-access":  `203.0.113.7 - - [21/Aug/2026:10:15:02 +0000] "GET /api HTTP/1.1" 502 157 "-" "curl/8.5.0"`,
	"apache-error":  "[Fri Aug 21 10:15:02.123456 2026] [proxy:error] [pid 1234:tid 140001] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 (localhost:8080) failed",
	"apache-access": `203.0.113.7 - frank [21/Aug/2026:10:15:02 -0700] "GET /apache_pb.gif HTTP/1.0" 503 299`,
	"haproxy":       `haproxy[674]: 127.0.0.1:33320 [21/Aug/2026:10:15:02.925] px-http px-http/srv1 9/0/7/14/30 502 243 - - PH-- 3/2/2/0/0 0/0 "GET /cgi-bin/bug.cgi? HTTP/1.0"`,
	"envoy":         `[2026-08-21T10:15:02.310Z] "POST /api/v1/locations HTTP/2" 503 UF 154 0 226 - "10.0.35.28" "nsq2http" "cc21d9b0" "locations" "10.0.2.1:80"`,
	"envoy-json":    `{"start_time":"2026-08-21T10:15:02.310Z","method":"POST","path":"/api/v1/locations","protocol":"HTTP/2","response_code":"503","response_flags":"UF","upstream_host":"10.0.2.1:80","request_id":"cc21d9b0"}`,
	"caddy":         `{"level":"error","ts":1787307302.56,"logger":"http.log.error.log0","msg":"dial tcp 127.0.0.1:4040: connect: connection refused","request":{"remote_ip":"127.0.0.1","remote_port":"50442","method":"GET","uri":"/"},"status":502}`,
	"traefik":       `{"ClientHost":"203.0.113.7","DownstreamStatus":502,"OriginStatus":0,"RequestMethod":"GET","RequestPath":"/api","ServiceURL":"http://10.0.0.5:8080","StartUTC":"2026-08-21T10:15:02Z"}`,
	"php-fpm":       "[21-Aug-2026 10:15:02] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it",
	"squid":         "1787307302.779    180 192.168.0.224 TCP_MISS/503 4112 GET http://shop.example/ - HIER_NONE/- text/html",
	"squid-cache":   "2026/12/05 06:41:59 kid1| WARNING: HTTP: Invalid Response: No object data received for http://lab.test/closed1 AKA http://lab.test/closed1",
	"lighttpd":      "2026-08-21 10:15:02: (gw_backend.c.261) establishing connection failed: socket: tcp:127.0.0.1:9000: Connection refused",
	"varnish":       "-   FetchError     backend default: fail errno 111 (Connection refused)",
	"heroku":        `at=error code=H12 desc="Request timeout" method=POST path="/poll" host=app.herokuapp.com request_id=50a4bf5b fwd="36.71.232.235" dyno=web.1 connect=1ms service=30000ms status=503 bytes=0 protocol=https`,
	"alb":           `http 2026-08-21T10:15:02.186641Z app/lb/1 192.168.131.39:2817 10.0.0.1:80 0.000 -1 -1 502 - 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn "Root=1" "-" "-" 0 2026-08-21T10:15:00.364000Z "forward" "-" "-" "10.0.0.1:80" "-" "-" "-"`,
	"iis":           `2016-12-10 03:47:14 76.12.55.140 GET /xyz - 80 - 73.188.236.249 Mozilla/5.0+(Windows+NT+10.0) 502 3 64 343`,
}

func TestDetect(t *testing.T) {
	for _, name := range Formats() {
		t.Run(name, func(t *testing.T) {
			line, ok := formatSamples[name]
			if !ok {
				t.Fatalf("no sample line for %s", name)
			}
			file := "some.log"
			if name == "apache-access" {
				file = "/var/log/apache2/access.log"
			}
			f, err := detect(file, [][]byte{[]byte(line), []byte(line)}, parseOptions{loc: time.UTC})
			if err != nil || f == nil || f.name != name {
				t.Fatalf("detect = %v, %v; want %s", f, err, name)
			}
		})
	}
}

func TestUnknownFormat(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "notes.txt", "dear diary\ntoday the site was down\n")
	_, err := Scan(context.Background(), []Source{{Name: p}}, Options{})
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "nginx-error, nginx-access") {
		t.Errorf("err = %v, want ErrUnknownFormat listing the formats", err)
	}
	_, err = Scan(context.Background(), []Source{{Name: p}}, Options{Format: "w3c-odd"})
	if !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("forced unknown format: err = %v", err)
	}
	if _, err := Scan(context.Background(), []Source{{Name: filepath.Join(dir, "missing.log")}}, Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v", err)
	}
}

func TestStdinAndForcedFormat(t *testing.T) {
	in := strings.Repeat(formatSamples["squid"]+"\n", 5)
	r, err := Scan(context.Background(), []Source{{Name: "-", Reader: strings.NewReader(in)}}, Options{Format: "squid"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Failures != 5 || r.Files[0].Name != "-" || r.Files[0].Format != "squid" {
		t.Errorf("failures %d, files %+v", r.Failures, r.Files)
	}
}

func TestMalformedBinaryAndHugeLines(t *testing.T) {
	dir := t.TempDir()
	good := formatSamples["nginx-error"] + "\n"
	huge := strings.Repeat("x", 5<<20) + "\n"
	binary := string([]byte{0, 1, 2, 0xff, 0xfe, '\r', 0x1f, 0x8b}) + "\n"
	content := good + good + huge + binary + good + strings.Repeat("y", 70<<10) + "\n" + good + huge[:1<<20]
	p := writeFile(t, dir, "error.log", content)
	for _, chunk := range []int{0, 200 << 10} {
		r := scanFiles(t, Options{ChunkSize: chunk}, p)
		if r.Failures != 4 || r.Skipped != 3 || r.Malformed != 1 || r.Lines != 8 {
			t.Errorf("chunk %d: failures %d skipped %d malformed %d lines %d; want 4 3 1 8",
				chunk, r.Failures, r.Skipped, r.Malformed, r.Lines)
		}
		if r.Bytes >= int64(len(content)) {
			t.Errorf("bytes %d: too-long lines must not be buffered", r.Bytes)
		}
		if e := r.Causes[0].Examples; len(e) != 3 || e[2].Line != 5 {
			t.Errorf("examples %+v: want 3, the third from line 5", e)
		}
	}
}

func TestSinceUntil(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for m := 0; m < 10; m++ {
		b.WriteString(strings.Replace(formatSamples["nginx-error"], "10:15:02", "10:1"+string(rune('0'+m))+":02", 1) + "\n")
	}
	p := writeFile(t, dir, "error.log", b.String())
	since := time.Date(2026, 8, 21, 10, 12, 0, 0, time.UTC)
	r := scanFiles(t, Options{Since: since, Until: since.Add(3 * time.Minute)}, p)
	if r.Failures != 3 || r.Filtered != 7 {
		t.Errorf("failures %d filtered %d, want 3 and 7", r.Failures, r.Filtered)
	}
	if len(r.Timeline) != 3 || r.Timeline[0].Start.Minute() != 12 {
		t.Errorf("timeline %+v", r.Timeline)
	}
}

func TestChunkBoundariesParallel(t *testing.T) {
	var b bytes.Buffer
	for i := range 20000 {
		if i%10 == 0 {
			b.WriteString(formatSamples["nginx-access"] + "\n")
		} else {
			b.WriteString(strings.Replace(formatSamples["nginx-access"], " 502 ", " 200 ", 1) + "\n")
		}
	}
	p := writeFile(t, t.TempDir(), "access.log", b.String())
	r := scanFiles(t, Options{ChunkSize: 128 << 10, Workers: 4}, p)
	if r.Failures != 2000 || r.Lines != 20000 || r.Malformed != 0 {
		t.Errorf("failures %d lines %d malformed %d", r.Failures, r.Lines, r.Malformed)
	}
	if ex := r.Causes[0].Examples; ex[0].Line != 1 || ex[1].Line != 11 || ex[2].Line != 21 {
		t.Errorf("example lines %d %d %d, want 1 11 21", ex[0].Line, ex[1].Line, ex[2].Line)
	}
}

func TestFollowRotation(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "error.log")
	line := formatSamples["nginx-error"] + "\n"
	if err := os.WriteFile(p, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	seen := make(chan Entry, 10)
	done := make(chan *Report)
	go func() {
		r, err := Scan(ctx, []Source{{Name: p}}, Options{Follow: true, Poll: 10 * time.Millisecond, Location: time.UTC,
			OnEntry: func(e Entry) { seen <- e }})
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()
	appendTo := func(s string) {
		f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(s)
		f.Close()
	}
	wait := func(n int) {
		for range n {
			select {
			case <-seen:
			case <-ctx.Done():
				t.Fatal("timed out waiting for an entry")
			}
		}
	}
	wait(1)
	appendTo(line[:40]) // half a line, then the rest
	time.Sleep(30 * time.Millisecond)
	appendTo(line[40:])
	wait(1)
	if err := os.Rename(p, p+".1"); err != nil {
		t.Fatal(err)
	}
	appendTo(line + line)
	wait(2)
	cancel()
	r := <-done
	if r == nil || r.Failures != 4 {
		t.Fatalf("report %+v, want 4 failures", r)
	}
}

func TestOnEntryKeepsRawLines(t *testing.T) {
	var n, raw int
	scanFiles(t, Options{Examples: -1, OnEntry: func(e Entry) {
		n++
		if e.Raw != "" {
			raw++
		}
	}}, "testdata/nginx-real-error.log")
	if n != 9 || raw != 9 {
		t.Errorf("%d entries, %d with their line; want 9, 9", n, raw)
	}
}

func TestErrorInOneOfSeveralStreams(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for range 50000 {
		b.WriteString(formatSamples["nginx-access"] + "\n")
	}
	good := writeFile(t, dir, "access.log", b.String())
	bad := writeFile(t, dir, "notes.txt", "dear diary\n")
	done := make(chan error)
	go func() {
		_, err := Scan(context.Background(), []Source{{Name: good}, {Name: bad}}, Options{ChunkSize: 128 << 10})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("err = %v, want ErrUnknownFormat", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Scan did not return")
	}
}

// TestDetectOneFailureAmongNoise: a gateway's failure line among many lines
// of other programs names the format; a line of the format that is no
// failure does not, and neither does noise alone.
func TestDetectOneFailureAmongNoise(t *testing.T) {
	noise := strings.Repeat("supervisor | starting worker on port 5000\n", 9)
	for _, tc := range []struct {
		name, text, want string
	}{
		{"failure among noise", noise + formatSamples["nginx-error"] + "\n" + noise, "nginx-error"},
		{"notice among noise", noise + "2026/08/21 10:15:02 [notice] 1#1: signal process started\n" + noise, ""},
		{"noise alone", noise, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sample [][]byte
			for l := range strings.Lines(tc.text) {
				sample = append(sample, []byte(strings.TrimSuffix(l, "\n")))
			}
			f, err := detect("some.log", sample, parseOptions{loc: time.UTC})
			switch {
			case tc.want == "" && !errors.Is(err, ErrUnknownFormat):
				t.Errorf("detect = %v, %v; want an unknown format", f, err)
			case tc.want != "" && (err != nil || f == nil || f.name != tc.want):
				t.Errorf("detect = %v, %v; want %s", f, err, tc.want)
			}
		})
	}
}
