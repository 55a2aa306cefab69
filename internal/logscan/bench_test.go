package logscan

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
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
