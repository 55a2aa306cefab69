package main

import (
	"bufio"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// peer is what the tail of an error line names as the upstream.
type peer uint8

const (
	peerNone   peer = iota // no upstream: limit_req, static files
	peerHTTP               // one server of the group: "http://10.0.0.11:8080/path"
	peerSocket             // PHP-FPM's socket: "fastcgi://unix:/run/php/php8.2-fpm.sock:"
	peerGroup              // the group itself, when none is left: "http://backend/path"
)

// outageLine is one kind of line of an outage's error log, with its share
// of the lines per 10,000. The wording is nginx's: the failures as the
// lab's nginx wrote them (internal/logscan/testdata/nginx-real-error.log,
// site-error.log and the limit_req line of parse_test.go), the other lines
// as nginx 1.22.1's binary spells them.
type outageLine struct {
	per10k int
	level  string
	msg    string
	peer   peer
	retry  bool   // the next try of the previous request, on the next server
	excess bool   // limit_req's excess and zone follow the message
	path   string // the request's path, when the line is about one file
}

// outageMix is an outage as a busy shop's nginx logs it: about 94% of the
// lines are upstream failures, most of them refused and timed-out
// connections, and the rest is what nginx logs around them.
var outageMix = []outageLine{
	{1500, "error", "connect() failed (111: Connection refused) while connecting to upstream", peerHTTP, false, false, ""},
	{469, "error", "connect() failed (111: Connection refused) while connecting to upstream", peerHTTP, true, false, ""},
	{1367, "error", "upstream timed out (110: Connection timed out) while reading response header from upstream", peerHTTP, false, false, ""},
	{342, "error", "upstream timed out (110: Connection timed out) while connecting to upstream", peerHTTP, false, false, ""},
	{1625, "crit", "connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or directory) while connecting to upstream", peerSocket, false, false, ""},
	{1500, "error", "upstream prematurely closed connection while reading response header from upstream", peerHTTP, false, false, ""},
	{1340, "error", "no live upstreams while connecting to upstream", peerGroup, false, false, ""},
	{720, "error", "upstream sent too big header while reading response header from upstream", peerHTTP, false, false, ""},
	{537, "error", "limiting requests, excess: ", peerNone, false, true, ""},
	{250, "warn", "upstream server temporarily disabled while connecting to upstream", peerHTTP, false, false, ""},
	{150, "info", "client prematurely closed connection, so upstream connection is closed too while sending request to upstream", peerHTTP, false, false, ""},
	{100, "warn", "an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/4/27/0000012274 while reading upstream", peerHTTP, false, false, ""},
	{100, "error", `open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory)`, peerNone, false, false, "/favicon.ico"},
}

// outageReq is the request an error line is about.
type outageReq struct {
	conn     int64
	pid      int
	client   string
	method   string
	path     string
	server   int // which of upNames' HTTP servers was tried
	referrer bool
}

// generateOutage writes error-outage.log: total bytes of an outage's error log.
func generateOutage(dir string, total int64, seed uint64, wr wrapper) error {
	f, err := os.Create(filepath.Join(dir, wr.fileName("error-outage")))
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	t := time.Date(2026, 8, 21, 14, 0, 0, 0, time.UTC)
	var written int64
	var line []byte
	var req outageReq
	for conn := int64(1); written < total; conn++ {
		t = t.Add(time.Duration(r.IntN(2000)) * time.Microsecond)
		kind := pickOutage(r)
		if !kind.retry || req.conn == 0 {
			req = newOutageReq(r, conn)
		} else {
			req.server = (req.server + 1) % 3
		}
		if kind.path != "" {
			req.path = kind.path
		}
		line = outageErrorLine(line[:0], r, t, kind, req)
		written += wr.write(w, t, "stderr", line)
	}
	return w.Flush()
}

func pickOutage(r *rand.Rand) outageLine {
	n := r.IntN(10000)
	for _, k := range outageMix {
		if n < k.per10k {
			return k
		}
		n -= k.per10k
	}
	return outageMix[len(outageMix)-1]
}

func newOutageReq(r *rand.Rand, conn int64) outageReq {
	q := outageReq{conn: conn, pid: 812 + r.IntN(4), method: "GET", server: r.IntN(3), referrer: r.IntN(4) == 0}
	q.client = "198.51." + strconv.Itoa(r.IntN(256)) + "." + strconv.Itoa(r.IntN(256))
	q.path = paths[r.IntN(len(paths))]
	if q.path[len(q.path)-1] == '/' || q.path[len(q.path)-1] == '=' {
		q.path += strconv.Itoa(r.IntN(100000))
	}
	if r.IntN(10) == 0 {
		q.method = "POST"
	}
	return q
}

// outageErrorLine appends one error line as nginx writes it
// (src/core/ngx_log.c, ngx_http_log_error_handler in
// src/http/ngx_http_request.c).
func outageErrorLine(b []byte, r *rand.Rand, t time.Time, k outageLine, q outageReq) []byte {
	b = t.AppendFormat(b, "2006/01/02 15:04:05")
	b = append(b, " ["+k.level+"] "...)
	b = strconv.AppendInt(b, int64(q.pid), 10)
	b = append(b, '#')
	b = strconv.AppendInt(b, int64(q.pid), 10)
	b = append(b, ": *"...)
	b = strconv.AppendInt(b, q.conn, 10)
	b = append(b, ' ')
	b = append(b, k.msg...)
	if k.excess {
		b = append(b, strconv.Itoa(r.IntN(20))+"."+strconv.Itoa(100+r.IntN(900))+` by zone "perip"`...)
	}
	b = append(b, ", client: "+q.client+", server: shop.example, request: \""+q.method+" "+q.path+" HTTP/1.1\""...)
	switch k.peer {
	case peerHTTP:
		b = append(b, `, upstream: "http://`+upNames[q.server]+q.path+`"`...)
	case peerSocket:
		b = append(b, `, upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:"`...)
	case peerGroup:
		b = append(b, `, upstream: "http://backend`+q.path+`"`...)
	}
	b = append(b, `, host: "shop.example"`...)
	if q.referrer {
		b = append(b, `, referrer: "https://shop.example/"`...)
	}
	return append(b, '\n')
}
