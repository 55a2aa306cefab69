package logscan

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeAccessLog writes n combined-format lines with upstream fields, one in
// twenty-five a 502 or 504, as a busy site's access log looks.
func writeAccessLog(b *testing.B, n int) (string, int64) {
	b.Helper()
	p := filepath.Join(b.TempDir(), "access.log")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	t := time.Date(2026, 8, 21, 10, 0, 0, 0, time.UTC)
	for i := range n {
		st := 200
		switch i % 25 {
		case 7:
			st = 502
		case 19:
			st = 504
		}
		fmt.Fprintf(w, "203.0.113.%d - - [%s] \"GET /product/%d?ref=home HTTP/1.1\" %d 5316 \"https://shop.example/\" \"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\" %d 10.0.0.%d:8080 0.0%02d 0.0%02d\n",
			i%250, t.Add(time.Duration(i)*time.Millisecond).Format("02/Jan/2006:15:04:05 -0700"), i%5000, st, st, i%4, i%100, i%100)
	}
	w.Flush()
	f.Close()
	st, _ := os.Stat(p)
	return p, st.Size()
}

func BenchmarkScanNginxAccess(b *testing.B) {
	p, size := writeAccessLog(b, 200000)
	def := `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $upstream_status $upstream_addr $upstream_response_time $request_time`
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		r, err := Scan(context.Background(), []Source{{Name: p}}, Options{NginxLogFormat: def})
		if err != nil || r.Failures == 0 {
			b.Fatal(err)
		}
	}
}

// outageMessages are the messages of an outage's nginx error log with their
// share of its lines, as bench/genlogs -error-mix outage writes it: in the
// wording of the lab's nginx (testdata/nginx-real-error.log), about 94% of
// the lines upstream failures. Each is a level, a message and the upstream
// the tail names ("" for none).
var outageMessages = []struct {
	share           int
	level, msg, ups string
}{
	{20, "error", "connect() failed (111: Connection refused) while connecting to upstream", "http://10.0.0.11:8080"},
	{17, "error", "upstream timed out (110: Connection timed out) while reading response header from upstream", "http://10.0.0.12:8080"},
	{16, "crit", "connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or directory) while connecting to upstream", "fastcgi://unix:/run/php/php8.2-fpm.sock:"},
	{15, "error", "upstream prematurely closed connection while reading response header from upstream", "http://10.0.0.13:8080"},
	{13, "error", "no live upstreams while connecting to upstream", "http://backend"},
	{7, "error", "upstream sent too big header while reading response header from upstream", "http://10.0.0.12:8080"},
	{6, "error", `limiting requests, excess: 0.953 by zone "perip"`, ""},
	{4, "warn", "upstream server temporarily disabled while connecting to upstream", "http://10.0.0.11:8080"},
	{2, "info", "client prematurely closed connection, so upstream connection is closed too while sending request to upstream", "http://10.0.0.13:8080"},
}

// writeErrorLog writes n lines of an outage's nginx error log, each inside
// the wrapper's prefix: "", "docker" (docker logs --timestamps) or "cri".
func writeErrorLog(b *testing.B, n int, wrap string) (string, int64) {
	b.Helper()
	p := filepath.Join(b.TempDir(), "error.log")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	t := time.Date(2026, 8, 21, 14, 0, 0, 0, time.UTC)
	for i := range n {
		m := outageMessages[0]
		for k, left := 0, i%100; k < len(outageMessages); k++ {
			if m = outageMessages[k]; left < m.share {
				break
			}
			left -= m.share
		}
		lt := t.Add(time.Duration(i) * time.Millisecond)
		switch wrap {
		case "docker":
			w.WriteString(lt.Format("2006-01-02T15:04:05.000000000Z07:00 "))
		case "cri":
			w.WriteString(lt.Format(time.RFC3339Nano) + " stderr F ")
		}
		path := fmt.Sprintf("/product/%d?ref=home", i%5000)
		fmt.Fprintf(w, "%s [%s] 812#812: *%d %s, client: 198.51.100.%d, server: shop.example, request: \"GET %s HTTP/1.1\"",
			lt.Format("2006/01/02 15:04:05"), m.level, i+1, m.msg, i%250, path)
		if m.ups != "" {
			fmt.Fprintf(w, ", upstream: \"%s%s\"", m.ups, path)
		}
		w.WriteString(", host: \"shop.example\"\n")
	}
	w.Flush()
	f.Close()
	st, _ := os.Stat(p)
	return p, st.Size()
}

// BenchmarkScanNginxError reads an outage's error log, plain and as
// containers' collectors keep it.
func BenchmarkScanNginxError(b *testing.B) {
	for _, wrap := range []string{"plain", "docker", "cri"} {
		b.Run(wrap, func(b *testing.B) {
			p, size := writeErrorLog(b, 200000, strings.TrimPrefix(wrap, "plain"))
			b.SetBytes(size)
			for b.Loop() {
				r, err := Scan(context.Background(), []Source{{Name: p}}, Options{})
				if err != nil || r.Failures < 180000 {
					b.Fatalf("%v, %d failures", err, r.Failures)
				}
			}
		})
	}
}

// BenchmarkScanParser measures each parser alone on its sample line.
func BenchmarkScanParser(b *testing.B) {
	for _, name := range Formats() {
		line := []byte(formatSamples[name])
		b.Run(name, func(b *testing.B) {
			p := newParser(b, name, string(line))
			b.SetBytes(int64(len(line) + 1))
			var e Entry
			for b.Loop() {
				e = Entry{}
				p.parse(line, &e)
			}
		})
	}
}

func BenchmarkScanOKLine(b *testing.B) {
	line := []byte(`203.0.113.7 - - [21/Aug/2026:10:15:02 +0000] "GET /product/123?ref=home HTTP/1.1" 200 5316 "https://shop.example/" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"`)
	p := newParser(b, "nginx-access", string(line))
	b.SetBytes(int64(len(line) + 1))
	var e Entry
	for b.Loop() {
		e = Entry{}
		p.parse(line, &e)
	}
}

// BenchmarkScanFiles reads the files named in $LOGSCAN_BENCH_FILES
// (separated by spaces), such as those bench/genlogs writes, as
// gwdoctor logs reads them; $LOGSCAN_BENCH_FORMAT is the nginx log_format
// of access logs, if any. It is skipped when no file is named.
func BenchmarkScanFiles(b *testing.B) {
	names := strings.Fields(os.Getenv("LOGSCAN_BENCH_FILES"))
	if len(names) == 0 {
		b.Skip("LOGSCAN_BENCH_FILES names no file")
	}
	var srcs []Source
	var size int64
	for _, n := range names {
		st, err := os.Stat(n)
		if err != nil {
			b.Fatal(err)
		}
		size += st.Size()
		srcs = append(srcs, Source{Name: n})
	}
	opt := Options{NginxLogFormat: os.Getenv("LOGSCAN_BENCH_FORMAT")}
	b.SetBytes(size)
	for b.Loop() {
		if _, err := Scan(context.Background(), srcs, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseFiles parses the chunks of the files named in
// $LOGSCAN_BENCH_FILES on one goroutine, as a worker of Scan does, without
// the merge: what reading a line costs, with the counting a worker does
// in a scan of one log.
func BenchmarkParseFiles(b *testing.B) {
	names := strings.Fields(os.Getenv("LOGSCAN_BENCH_FILES"))
	if len(names) == 0 {
		b.Skip("LOGSCAN_BENCH_FILES names no file")
	}
	for _, n := range names {
		b.Run(filepath.Base(n), func(b *testing.B) {
			data, err := os.ReadFile(n)
			if err != nil {
				b.Fatal(err)
			}
			opt := Options{NginxLogFormat: os.Getenv("LOGSCAN_BENCH_FORMAT")}
			if err := opt.defaults(); err != nil {
				b.Fatal(err)
			}
			po, err := opt.parseOptions()
			if err != nil {
				b.Fatal(err)
			}
			sc := newScanner(opt, po)
			sc.tally = &[2]*keyTable{{}, {}} // one log, as Scan reads one alone
			for i := range sc.full {
				sc.full[i].Store(true) // as the merge marks them once each cause has its examples
			}
			fs := &fileState{name: n, sum: &FileSummary{Name: n}}
			if err := sc.setFormat(fs, data[:min(len(data), opt.ChunkSize)]); err != nil {
				b.Fatal(err)
			}
			var chunks [][]byte
			for rest := data; len(rest) > 0; {
				cut := len(rest)
				if cut > opt.ChunkSize {
					cut = bytes.LastIndexByte(rest[:opt.ChunkSize], '\n') + 1
				}
				chunks = append(chunks, rest[:cut])
				rest = rest[cut:]
			}
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				for _, c := range chunks {
					sc.recycle(sc.parse(fs, c, fs.newParser(po), true))
				}
			}
		})
	}
}
