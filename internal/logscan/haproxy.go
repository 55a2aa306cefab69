package logscan

import (
	"bytes"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// haproxyLog reads HAProxy's HTTP log (option httplog; configuration.txt
// §8.2.3), with or without a syslog prefix:
//
//	haproxy[674]: 127.0.0.1:33320 [15/Oct/2003:08:32:17.925] px-http px-http/srv1 9/0/7/14/30 502 243 - - PH-- 3/2/2/0/0 0/0 "GET /cgi-bin/bug.cgi? HTTP/1.0"
//
// The termination state (§8.5) drives the cause.
type haproxyLog struct {
	loc *time.Location
	zc  zoneCache
}

func (p *haproxyLog) parse(line []byte, e *Entry) verdict {
	rest := line
	if i := bytes.Index(line, []byte("]: ")); i >= 0 && bytes.Contains(line[:i], []byte("haproxy[")) {
		rest = line[i+3:]
	}
	if v := haproxyNoServer(line, rest, p.loc, e); v != lineOK {
		return v
	}
	if v := haproxyServerDown(line, rest, p.loc, e); v != lineOK {
		return v
	}
	body := rest
	client, rest := word(rest)
	if bytes.IndexByte(client, ':') < 0 || len(rest) < 2 || rest[0] != '[' {
		return otherLine(line, body)
	}
	end := bytes.IndexByte(rest, ']')
	if end < 0 {
		return lineMalformed
	}
	t, ok := timeCLF(rest[1:end], p.loc, &p.zc)
	if !ok {
		return lineMalformed
	}
	e.Time = t
	var f [10][]byte // frontend, backend/server, timers, status, bytes, cc, cs, tsc, conns, queues
	rest = rest[min(end+2, len(rest)):]
	for i := range f {
		f[i], rest = word(rest)
	}
	status, tsc := statusOrMinus(f[3]), f[7]
	if tcpLog(f[2], f[4]) {
		// option tcplog: timers Tw/Tc/Tt, bytes, a two-letter state; no
		// HTTP status, the client's connection is just closed.
		status, tsc = 0, f[4]
	} else if len(tsc) != 4 {
		return lineMalformed
	}
	if bytes.IndexByte(f[1], '/') < 0 {
		return lineMalformed
	}
	server := f[1][bytes.IndexByte(f[1], '/')+1:]
	cause := haproxyCause(tsc, status, bytes.Equal(server, []byte("<NOSRV>")))
	if cause == "" {
		return lineOK
	}
	e.Cause, e.Product, e.Format, e.Status = cause, catalog.HAProxy, "haproxy", status
	e.Client = string(capLen(client, 64))
	e.Upstream = string(capLen(f[1], 128))
	e.Detail = "termination state " + string(tsc)
	if i := bytes.IndexByte(rest, '"'); i >= 0 {
		if r, _, ok := quoted(rest[i:]); ok {
			e.Method, e.Path = requestLine(r)
		}
	}
	return lineFailure
}

// haproxyNoServer reads the alert of a backend left without servers:
// "backend be has no server available!"; lineOK for any other line.
func haproxyNoServer(line, rest []byte, loc *time.Location, e *Entry) verdict {
	if !bytes.HasPrefix(rest, []byte("backend ")) || !bytes.HasSuffix(rest, []byte(" has no server available!")) {
		return lineOK
	}
	e.Time = syslogTime(line, loc)
	e.Cause, e.Product, e.Format, e.Status = catalog.UpstreamNoneHealthy, catalog.HAProxy, "haproxy", 503
	e.Upstream = string(capLen(between(rest, "backend ", " has no server"), 128))
	e.Detail = string(capLen(rest, 300))
	return lineFailure
}

// tcpLog reports whether the fields after the server are those of
// option tcplog (configuration.txt §8.2.2): three timers, then bytes read,
// then a termination state of two characters.
func tcpLog(timers, state []byte) bool {
	return len(state) == 2 && bytes.Count(timers, []byte("/")) == 2
}

// otherLine accepts HAProxy's other lines (start-up, health checks), with a
// syslog prefix or as "log stdout format raw" writes them, as lines of the
// format without failures.
func otherLine(line, rest []byte) verdict {
	if bytes.Contains(line, []byte("haproxy[")) {
		return lineOK
	}
	for _, p := range []string{"Server ", "Proxy ", "Connect from ", "[WARNING]", "[ALERT]", "[NOTICE]"} {
		if bytes.HasPrefix(rest, []byte(p)) {
			return lineOK
		}
	}
	return lineMalformed
}

func statusOrMinus(b []byte) int {
	if n, ok := digits(b); ok {
		return n
	}
	return -1
}

// haproxyCause reads the first two characters of the termination state:
// who ended the session (S server, s server timeout, P proxy, R resource)
// and in which phase (C connect, H headers, D data, Q queue).
func haproxyCause(tsc []byte, status int, nosrv bool) catalog.Cause {
	switch string(tsc[:2]) {
	case "SC":
		if nosrv {
			return catalog.UpstreamNoneHealthy
		}
		return catalog.UpstreamRefused
	case "sC":
		return catalog.UpstreamUnreachable
	case "SH":
		return catalog.UpstreamClosed
	case "sH":
		return catalog.UpstreamTimeout
	case "PH":
		// HAProxy blocked the server's response as invalid (§8.5). A head
		// larger than tune.bufsize is one HAProxy cannot parse, and the lab's
		// HAProxy 2.6 logs PH-- for it too.
		return catalog.UpstreamInvalid
	case "SD", "sD", "PD":
		return catalog.UpstreamTruncated
	case "sQ", "RC", "PC":
		return catalog.UpstreamOverloaded
	}
	if catalog.IsGatewayStatus(status) {
		if nosrv {
			return catalog.UpstreamNoneHealthy
		}
		if tsc[0] == '-' {
			return catalog.UpstreamAppError
		}
		return catalog.Upstream
	}
	return ""
}

// syslogTime reads the time of a syslog prefix: RFC 3339 (rsyslog's
// high-precision format) or RFC 3164's "Aug 21 10:15:02", which has no year:
// the latest year that does not put the time in the future is taken.
func syslogTime(line []byte, loc *time.Location) time.Time {
	w, _ := word(line)
	if t, ok := timeRFC3339(w); ok {
		return t
	}
	if len(line) < 15 || line[3] != ' ' {
		return time.Time{}
	}
	day := num2(line, 4)
	if line[4] == ' ' {
		day = num2([]byte{'0', line[5]}, 0)
	}
	h, mi, s, ok := clock(line, 7)
	if !ok {
		return time.Time{}
	}
	now := time.Now().In(loc)
	t, ok := date(now.Year(), month(line[:3]), day, h, mi, s, 0, loc)
	if ok && t.After(now.Add(24*time.Hour)) {
		t = t.AddDate(-1, 0, 0)
	}
	return t
}

// haproxyServerDown reads the event a health check logs when it takes a
// server out, with or without the "[WARNING]  (pid) : " prefix HAProxy
// writes to stderr:
//
//	Server app/app1 is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 0ms. 0 active and 0 backup servers left. ...
//
// The reason (configuration.txt, "check"; the check status codes of the
// stats page) says why: L4CON a refused connection, L4TOUT an unanswered
// one, L7STS a wrong status. It reports lineOK for any other line.
func haproxyServerDown(line, rest []byte, loc *time.Location, e *Entry) verdict {
	if len(rest) > 0 && rest[0] == '[' {
		if i := bytes.Index(rest, []byte(" : ")); i > 0 {
			rest = rest[i+3:]
		}
	}
	if !bytes.HasPrefix(rest, []byte("Server ")) {
		return lineOK
	}
	name, after, ok := bytes.Cut(rest[len("Server "):], []byte(" is DOWN, reason: "))
	if !ok || len(name) == 0 || bytes.IndexByte(name, ' ') >= 0 {
		return lineOK
	}
	e.Time = syslogTime(line, loc)
	e.Product, e.Format, e.Status = catalog.HAProxy, "haproxy", 0
	e.Upstream = string(capLen(name, 128))
	reason, _, _ := bytes.Cut(after, []byte(", check duration"))
	e.Detail = "server " + e.Upstream + " is DOWN: " + string(capLen(reason, 240))
	switch {
	case bytes.HasPrefix(reason, []byte("Layer4 connection problem")) && bytes.Contains(reason, []byte("refused")):
		e.Cause = catalog.UpstreamRefused
	case bytes.HasPrefix(reason, []byte("Layer4 timeout")):
		e.Cause = catalog.UpstreamUnreachable
	case bytes.HasPrefix(reason, []byte("Layer6")):
		e.Cause = catalog.UpstreamTLS
	case bytes.HasPrefix(reason, []byte("Layer7 timeout")):
		e.Cause = catalog.UpstreamTimeout
	default:
		e.Cause = catalog.UpstreamNoneHealthy
	}
	e.explains = true
	return lineFailure
}
