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
	open := haproxyDate(rest)
	if open < 0 {
		return otherLine(line, rest)
	}
	// The client is the word before the date; a line whose client was
	// cut out by whoever published it still has the fields after it.
	client := lastWord(rest[:open])
	if bytes.IndexByte(client, ':') < 0 {
		client = nil
	}
	end := bytes.IndexByte(rest[open:], ']')
	if end < 0 {
		return lineMalformed
	}
	t, ok := timeCLF(rest[open+1:open+end], p.loc, &p.zc)
	if !ok {
		return lineMalformed
	}
	e.Time = t
	f, after, ok := haproxyFields(rest[open+end+1:])
	if !ok {
		if f, req, ok := haproxyCLF(rest[open+end+1:]); ok {
			return p.failure(e, client, f, req)
		}
		if containsAny(rest[open+end+1:], ": SSL handshake failure", " during SSL handshake", ": Connection error during SSL handshake",
			": Received something which does not look like a PROXY protocol header") {
			// A connection-level line (option log-separate-errors): the
			// client's TLS or PROXY header failed, no request went on.
			return lineOK
		}
		return lineMalformed
	}
	return p.failure(e, client, f, after)
}

// haproxyCLF reads the fields of "option httplog clf" (configuration.txt
// §8.2.3, "HTTP log format" in CLF) after the date: the quoted request,
// status and bytes, two quoted cookies, the client's port and
// milliseconds, the quoted frontend, backend and server, the five timers
// one by one, then the termination state. after is the request, quoted
// again, for the caller to read its method and path.
func haproxyCLF(b []byte) (f haproxyLine, after []byte, ok bool) {
	b = bytes.TrimLeft(b, " ")
	if len(b) == 0 || b[0] != '"' {
		return f, nil, false
	}
	end := bytes.IndexByte(b[1:], '"')
	if end < 0 {
		return f, nil, false
	}
	after, b = b[:end+2], b[end+2:]
	st, b := nextWord(b)
	f.status = statusOrMinus(st)
	_, b = nextWord(b) // bytes
	var q [5][]byte
	var w [7][]byte
	for i := range 2 { // cookies
		if q[i], b, ok = quoted(bytes.TrimLeft(b, " ")); !ok {
			return f, nil, false
		}
	}
	w[0], b = nextWord(b)    // client port
	w[1], b = nextWord(b)    // accept date's milliseconds
	for i := 2; i < 5; i++ { // frontend, backend, server
		if q[i], b, ok = quoted(bytes.TrimLeft(b, " ")); !ok {
			return f, nil, false
		}
	}
	for i := 2; i < 7; i++ { // TR Tw Tc Tr Ta
		w[i], b = nextWord(b)
	}
	f.tsc, _ = nextWord(b)
	if len(f.tsc) != 4 || f.status < 0 && !bytes.Equal(st, []byte("-1")) {
		return f, nil, false
	}
	f.server, f.timers = q[4], w[6]
	return f, after, true
}

// haproxyFields finds the fields of a log line after its date by the timers
// (configuration.txt §8.2.3, §8.2.2), not by position, so that a space
// more or a frontend or server name less does not shift them: the word
// before the timers is the backend/server, and status, bytes, cookies and
// the termination state follow them. after is the rest of the line.
func haproxyFields(b []byte) (f haproxyLine, after []byte, ok bool) {
	var w [6][]byte // the word before the timers, and the five after them
	for i := 0; i < 8; i++ {
		var x []byte
		x, b = nextWord(b)
		if len(x) == 0 {
			return f, nil, false
		}
		if n := timersSlashes(x); n == 4 || n == 2 {
			f.server, f.timers = w[0], x
			break
		}
		w[0] = x
	}
	if f.timers == nil {
		return f, nil, false
	}
	for i := 1; i < len(w); i++ {
		w[i], b = nextWord(b)
	}
	f.status, f.tsc = statusOrMinus(w[1]), w[5]
	if tcpLog(f.timers, w[2]) {
		// option tcplog: timers Tw/Tc/Tt, bytes, a two-letter state; no
		// HTTP status, the client's connection is just closed.
		f.status, f.tsc = 0, w[2]
	} else if !terminationState(f.tsc) {
		// A field more between the bytes and the state (a version's or
		// a log-format's): the state is the next word shaped as one.
		for range 2 {
			var x []byte
			if x, b = nextWord(b); terminationState(x) {
				f.tsc = x
				return f, b, true
			}
		}
		return f, nil, false
	}
	return f, b, true
}

// terminationState reports whether b is shaped as a session state: four
// characters, each a letter or "-", the first two from §8.5's lists.
func terminationState(b []byte) bool {
	if len(b) != 4 {
		return false
	}
	return bytes.IndexByte([]byte("CSPLRIDUKcs-"), b[0]) >= 0 && bytes.IndexByte([]byte("RQCHDLT-"), b[1]) >= 0
}

// haproxyLine holds the fields of a log line that tell its failure.
type haproxyLine struct {
	server, timers, tsc []byte
	status              int
}

func (p *haproxyLog) failure(e *Entry, client []byte, f haproxyLine, rest []byte) verdict {
	cause := haproxyCause(f.tsc, f.status, bytes.Contains(f.server, []byte("<NOSRV>")))
	if cause == "" {
		return lineOK
	}
	e.Cause, e.Product, e.Format, e.Status = cause, catalog.HAProxy, "haproxy", f.status
	e.Client = string(capLen(client, 64))
	e.Upstream = string(capLen(f.server, 128))
	e.Detail = "termination state " + string(f.tsc)
	if i := bytes.IndexByte(rest, '"'); i >= 0 {
		if r, _, ok := quoted(rest[i:]); ok {
			e.Method, e.Path = requestLine(r)
		}
	}
	return lineFailure
}

// haproxyDate finds the "[" of the accept date, "[dd/Mon/yyyy:", or -1.
func haproxyDate(b []byte) int {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '[')
		if j < 0 {
			return -1
		}
		i += j
		if d := b[i+1:]; len(d) > 12 && isDigit(d[0]) && isDigit(d[1]) && d[2] == '/' && d[6] == '/' {
			return i
		}
		i++
	}
}

// timersSlashes counts the slashes of a timers field, "0/0/3/-1/600004",
// or reports 0 when b is not one.
func timersSlashes(b []byte) int {
	n := 0
	for i, c := range b {
		switch {
		case c == '/':
			n++
		case c == '-' || c == '+':
			if i > 0 && b[i-1] != '/' {
				return 0
			}
		case !isDigit(c):
			return 0
		}
	}
	return n
}

// nextWord is word after any spaces before it.
func nextWord(b []byte) (w, rest []byte) {
	return word(bytes.TrimLeft(b, " "))
}

// lastWord is the last space-separated word of b.
func lastWord(b []byte) []byte {
	b = bytes.TrimRight(b, " ")
	return b[bytes.LastIndexByte(b, ' ')+1:]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// haproxyNoServer reads the alert of a backend left without servers,
// "backend be has no server available!" ("proxy 'px'" for a listen
// section; HAProxy 2 quotes the name), with or without the "[ALERT]
// (pid) : " prefix of stderr; lineOK for any other line.
func haproxyNoServer(line, rest []byte, loc *time.Location, e *Entry) verdict {
	rest = stripLevel(rest)
	if !bytes.HasPrefix(rest, []byte("backend ")) && !bytes.HasPrefix(rest, []byte("proxy ")) ||
		!bytes.HasSuffix(rest, []byte(" has no server available!")) {
		return lineOK
	}
	e.Time = syslogTime(line, loc)
	e.Cause, e.Product, e.Format, e.Status = catalog.UpstreamNoneHealthy, catalog.HAProxy, "haproxy", 503
	_, name := word(rest)
	name = bytes.Trim(name[:len(name)-len(" has no server available!")], "'")
	e.Upstream = string(capLen(name, 128))
	e.Detail = string(capLen(rest, 300))
	return lineFailure
}

// stripLevel removes the "[WARNING]  (pid) : " or "[ALERT] 035/080447 (1) : "
// prefix HAProxy writes before a message on stderr.
func stripLevel(b []byte) []byte {
	if len(b) > 0 && b[0] == '[' {
		if i := bytes.Index(b, []byte(" : ")); i > 0 {
			return b[i+3:]
		}
	}
	return b
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
	for _, p := range []string{"Server ", "Proxy ", "Health check for ", "Connect from ", "[WARNING]", "[ALERT]", "[NOTICE]"} {
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
		switch tsc[0] {
		case '-':
			return catalog.UpstreamAppError
		case 'C', 'c':
			// The client ended the session (configuration.txt §8.5): the
			// status is what HAProxy logged for a request left unanswered,
			// not an upstream's failure.
			return ""
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
// HAProxy 2.6 and later say why in the check's own line, which ends with
// the server's state, and then "Server app/app1 is DOWN." without a reason:
//
//	Health check for server app/app1 failed, reason: Layer4 timeout, check duration: 2001ms, status: 0/2 DOWN.
//
// The reason (configuration.txt, "check"; the check status codes of the
// stats page) says why: L4CON a refused connection, L4TOUT an unanswered
// one, L7STS a wrong status. It reports lineOK for any other line.
func haproxyServerDown(line, rest []byte, loc *time.Location, e *Entry) verdict {
	name, after, ok := serverDown(stripLevel(rest))
	if !ok || len(name) == 0 || bytes.IndexByte(name, ' ') >= 0 {
		return lineOK
	}
	e.Time = syslogTime(line, loc)
	e.Product, e.Format, e.Status = catalog.HAProxy, "haproxy", 0
	e.Upstream = string(capLen(name, 128))
	reason, _, _ := bytes.Cut(after, []byte(", check duration"))
	e.Detail = "server " + e.Upstream + " is DOWN: " + string(capLen(reason, 240))
	switch {
	case bytes.HasPrefix(reason, []byte("Health analyze")):
		// "observe" marked the server down from live traffic's errors
		// ("last one was: L4 unsuccessful connection"), which say no more
		// than that requests to it failed; others may be left.
		e.Cause = catalog.Upstream
	case bytes.Contains(reason, []byte("Permission denied")):
		// "General socket error (Permission denied)": the socket itself
		// was refused (SELinux, a sandbox), not the server.
		e.Cause = catalog.UpstreamPermission
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

// serverDown finds the server a health check took out and the reason,
// in either wording haproxyServerDown names; a failed check that leaves
// the server up ("status: 1/3 UP.") is not one.
func serverDown(b []byte) (name, reason []byte, ok bool) {
	if rest, found := bytes.CutPrefix(b, []byte("Server ")); found {
		return bytes.Cut(rest, []byte(" is DOWN, reason: "))
	}
	rest, found := bytes.CutPrefix(b, []byte("Health check for server "))
	if !found || !bytes.HasSuffix(rest, []byte(" DOWN.")) {
		return nil, nil, false
	}
	return bytes.Cut(rest, []byte(" failed, reason: "))
}
