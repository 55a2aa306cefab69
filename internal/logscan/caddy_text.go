package logscan

import (
	"bytes"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// caddyV1 reads Caddy 1's error log (the errors directive):
//
//	29/Jan/2016:15:17:26 +0100 [ERROR 502 /index.php] dial tcp 127.0.0.1:9000: connection refused
//
// The message is Go's error from the proxy or fastcgi middleware.
func caddyV1(line []byte, loc *time.Location, zc *zoneCache, e *Entry) verdict {
	if len(line) < 30 || line[26] != ' ' || line[27] != '[' {
		return lineMalformed
	}
	t, ok := timeCLF(line[:26], loc, zc)
	if !ok {
		return lineMalformed
	}
	e.Time = t
	end := bytes.IndexByte(line[28:], ']')
	if end < 0 {
		return lineMalformed
	}
	head, msg := line[28:28+end], bytes.TrimPrefix(line[29+end:], []byte(" "))
	level, head := word(head)
	st, path := word(head)
	status, _ := digits(st)
	if !bytes.Equal(level, []byte("ERROR")) || !catalog.IsGatewayStatus(status) {
		return lineOK
	}
	e.Product, e.Format, e.Status = catalog.Caddy, "caddy", status
	e.Path = string(capLen(path, 512))
	e.Cause = goErrorCause(string(capLen(msg, 300)))
	e.Detail = string(capLen(msg, 300))
	e.Upstream = dialAddress(e.Detail)
	e.explains = true
	return lineFailure
}

// caddyConsole reads Caddy 2's console encoder (log { format console }),
// zap's tab-separated time, level, logger, message and JSON fields:
//
//	2023/04/23 10:00:00.000	ERROR	http.log.error	dial tcp 127.0.0.1:8080: connect: connection refused	{"request": {"remote_ip": "127.0.0.1", "method": "GET", "uri": "/"}, "duration": 0.001, "status": 502}
//
// The fields after the message are read as the JSON encoder's are.
func (p *caddyLog) console(line []byte, e *Entry) verdict {
	f := bytes.SplitN(line, []byte("\t"), 5)
	if len(f) < 4 || len(f[0]) < 19 {
		return lineMalformed
	}
	t, ok := timeYMD(f[0], p.loc)
	if !ok {
		return lineMalformed
	}
	if len(f[0]) > 20 && f[0][19] == '.' {
		ns, _ := fraction(f[0][20:])
		t = t.Add(time.Duration(ns))
	}
	e.Time = t
	var fields []byte
	if len(f) == 5 {
		fields = f[4]
	}
	st := jsonNumberAfter(fields, `"status": `) // zap's console encoder spaces its JSON
	if st == 0 {
		st = jsonNumberAfter(fields, `"status":`)
	}
	if !catalog.IsGatewayStatus(st) {
		return lineOK
	}
	e.Product, e.Format, e.Status = catalog.Caddy, "caddy", st
	if m := between(fields, `"method": "`, `"`); m != nil {
		e.Method = string(capLen(m, 16))
	}
	if u := between(fields, `"uri": "`, `"`); u != nil {
		e.Path = string(capLen(u, 512))
	}
	e.Cause = catalog.Upstream
	if bytes.HasPrefix(f[2], []byte("http.log.error")) {
		e.explains = true
		e.Cause = goErrorCause(string(capLen(f[3], 300)))
		e.Detail = string(capLen(f[3], 300))
		e.Upstream = dialAddress(e.Detail)
	}
	return lineFailure
}
