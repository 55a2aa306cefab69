// Command genlogs writes large, realistic nginx logs for timing log
// readers. By default it writes a pair: an access log in the combined format
// plus upstream fields, with about 3% 502, 503 and 504 answers, and the
// error log lines that explain the 502s and 504s. With -error-mix outage it
// writes an outage's error log alone (error-outage.log), nearly every line
// an upstream failure. With -wrap docker or -wrap cri every line is written
// as a container's collector keeps it, and the file names say so
// (error-outage-cri.log).
//
//	go run ./bench/genlogs -dir /tmp/bench -size 1G
//	go run ./bench/genlogs -dir /tmp/bench -size 1G -error-mix outage -wrap cri
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// LogFormat is the nginx log_format of the access log written.
const LogFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $upstream_status $upstream_addr $upstream_response_time $request_time`

func main() {
	dir := flag.String("dir", ".", "directory to write access.log and error.log in")
	size := flag.String("size", "1G", "total size of the two logs: 200M, 1G, ...")
	seed := flag.Uint64("seed", 1, "random seed")
	mix := flag.String("error-mix", "explain", "explain: an access log and the error lines of its failures; outage: an outage's error log alone, of -size")
	wrapName := flag.String("wrap", "", "write each line inside a collector's prefix: docker (docker logs --timestamps) or cri (Kubernetes)")
	printFormat := flag.Bool("print-format", false, "print the access log's log_format and exit")
	flag.Parse()
	if *printFormat {
		fmt.Println(LogFormat)
		return
	}
	total, err := parseSize(*size)
	if err == nil && *mix != "explain" && *mix != "outage" {
		err = fmt.Errorf("unknown -error-mix %q: explain or outage", *mix)
	}
	var wr wrapper
	if err == nil {
		wr, err = newWrapper(*wrapName, *seed)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genlogs:", err)
		os.Exit(2)
	}
	if *mix == "outage" {
		err = generateOutage(*dir, total, *seed, wr)
	} else {
		err = generate(*dir, total, *seed, wr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genlogs:", err)
		os.Exit(1)
	}
}

// parseSize reads 500M, 1G, 2048K or a plain byte count.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(n * float64(mult)), nil
}

var (
	paths   = []string{"/", "/product/", "/category/", "/cart", "/checkout", "/api/v1/items/", "/search?q=", "/index.php?p=", "/static/app.js", "/wp-admin/admin-ajax.php"}
	agents  = []string{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "curl/8.5.0", "Googlebot/2.1 (+http://www.google.com/bot.html)"}
	upNames = []string{"10.0.0.11:8080", "10.0.0.12:8080", "10.0.0.13:8080", "unix:/run/php/php8.2-fpm.sock"}
	errMsgs = []string{
		"connect() failed (111: Connection refused) while connecting to upstream",
		"upstream prematurely closed connection while reading response header from upstream",
		"recv() failed (104: Connection reset by peer) while reading response header from upstream",
		"upstream sent too big header while reading response header from upstream",
	}
)

// generate writes the logs; the access log takes about 97% of total.
func generate(dir string, total int64, seed uint64, wr wrapper) error {
	af, err := os.Create(filepath.Join(dir, wr.fileName("access")))
	if err != nil {
		return err
	}
	defer af.Close()
	ef, err := os.Create(filepath.Join(dir, wr.fileName("error")))
	if err != nil {
		return err
	}
	defer ef.Close()
	aw, ew := bufio.NewWriterSize(af, 1<<20), bufio.NewWriterSize(ef, 1<<20)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	t := time.Date(2026, 8, 21, 0, 0, 0, 0, time.UTC)
	var written int64
	var line []byte
	for conn := int64(1); written < total; conn++ {
		t = t.Add(time.Duration(r.IntN(4000)) * time.Microsecond)
		var errLine []byte
		line, errLine = request(line[:0], r, t, conn)
		written += wr.write(aw, t, "stdout", line)
		if errLine != nil {
			written += wr.write(ew, t, "stderr", errLine)
		}
	}
	if err := aw.Flush(); err != nil {
		return err
	}
	return ew.Flush()
}

// request appends one access line and returns the error line, if any.
func request(b []byte, r *rand.Rand, t time.Time, conn int64) ([]byte, []byte) {
	client := "198.51." + strconv.Itoa(r.IntN(256)) + "." + strconv.Itoa(r.IntN(256))
	path := paths[r.IntN(len(paths))]
	if strings.HasSuffix(path, "/") || strings.HasSuffix(path, "=") {
		path += strconv.Itoa(r.IntN(100000))
	}
	method := "GET"
	if r.IntN(10) == 0 {
		method = "POST"
	}
	up := upNames[r.IntN(len(upNames))]
	status, ustatus, rt := 200, "200", float64(r.IntN(300))/1000
	var errLine []byte
	switch p := r.IntN(1000); {
	case p < 12:
		status, ustatus = 502, "502"
		errLine = errorLine(t, conn, client, method, path, up, errMsgs[r.IntN(len(errMsgs))])
	case p < 20:
		status, ustatus, rt = 504, "504", 60
		errLine = errorLine(t, conn, client, method, path, up, "upstream timed out (110: Connection timed out) while reading response header from upstream")
	case p < 30:
		status, ustatus = 503, "503"
	case p < 60:
		status, ustatus = 404, "404"
	case p < 100:
		status, ustatus = 304, "304"
	}
	b = append(b, client...)
	b = append(b, " - - ["...)
	b = t.AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	b = append(b, "] \""...)
	b = append(b, method+" "+path+" HTTP/1.1\" "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(r.IntN(50000)), 10)
	b = append(b, " \"https://shop.example/\" \""...)
	b = append(b, agents[r.IntN(len(agents))]...)
	b = append(b, "\" "+ustatus+" "+up+" "...)
	b = strconv.AppendFloat(b, rt, 'f', 3, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, rt+0.001, 'f', 3, 64)
	b = append(b, '\n')
	return b, errLine
}

func errorLine(t time.Time, conn int64, client, method, path, up, msg string) []byte {
	scheme, peer := "http://", up+path
	if strings.HasPrefix(up, "unix:") {
		scheme, peer = "fastcgi://", up+":"
	}
	level := "error"
	return []byte(fmt.Sprintf("%s [%s] 812#812: *%d %s, client: %s, server: shop.example, request: \"%s %s HTTP/1.1\", upstream: \"%s%s\", host: \"shop.example\"\n",
		t.Format("2006/01/02 15:04:05"), level, conn, msg, client, method, path, scheme, peer))
}
