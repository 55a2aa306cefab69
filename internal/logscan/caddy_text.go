package logscan

import (
	"bytes"
	"strings"
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
// Caddy 2's betas kept zap's defaults there: the time as seconds since
// the epoch, written as a float ("1.576867456328023e+09"), and the level
// in lower case. The fields after the message are read as the JSON
// encoder's are.
func (p *caddyLog) console(line []byte, e *Entry) verdict {
	f := bytes.SplitN(line, []byte("\t"), 5)
	if len(f) < 4 || !zapLevel(f[1]) {
		return lineMalformed
	}
	t, ok := consoleTime(f[0], p.loc)
	if !ok {
		return lineMalformed
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

// consoleTime reads the time of a console line: "2006/01/02 15:04:05.000"
// in loc, RFC 3339, or zap's epoch seconds (EpochTimeEncoder) in any float
// notation.
func consoleTime(b []byte, loc *time.Location) (time.Time, bool) {
	switch {
	case len(b) >= 19 && b[4] == '/':
		t, ok := timeYMD(b, loc)
		if ok && len(b) > 20 && b[19] == '.' {
			ns, _ := fraction(b[20:])
			t = t.Add(time.Duration(ns))
		}
		return t, ok
	case rfc3339Len(b) == len(b):
		return timeRFC3339(b)
	}
	return timeEpoch(b)
}

// zapLevel reports whether b is one of zap's levels, as its console
// encoder writes them (zapcore.Level: lower case, or upper case with
// Caddy's default).
func zapLevel(b []byte) bool {
	switch strings.ToLower(string(b)) {
	case "debug", "info", "warn", "error", "dpanic", "panic", "fatal":
		return true
	}
	return false
}
