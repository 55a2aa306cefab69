package logscan

import (
	"bytes"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// nginxError reads nginx's error log (src/core/ngx_log.c,
// src/http/ngx_http_request.c):
//
//	2026/08/21 10:15:02 [error] 2187#2187: *4711 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.7, server: example.com, request: "GET /api HTTP/1.1", upstream: "http://127.0.0.1:8080/api", host: "example.com"
type nginxError struct {
	loc   *time.Location
	stamp stampCache
	msgs  memo[ngxMessage] // the messages met so far
	buf   []byte           // the fields of a line, before they become one string
	text  *textBuf         // where failures' strings wait, if set
	key   []byte           // a limit_req message without its excess
	// thorough reads every line in full, as the first line of its kind
	// is read: its time and message anew, its tail field by field. Tests
	// compare the two readings.
	thorough bool
}

// ngxMessage is what the message of an error line says: its cause ("" for
// a line that shows no upstream failure), the status the client got, and
// the message as Entry.Detail keeps it.
type ngxMessage struct {
	cause  catalog.Cause
	status int
	detail string
}

func (p *nginxError) parse(line []byte, e *Entry) verdict {
	var t time.Time
	var ok bool
	if p.thorough {
		t, ok = timeYMD(line, p.loc)
	} else {
		t, ok = p.stamp.ymd(line, p.loc)
	}
	head := 21
	if !ok || len(line) < 23 || line[19] != ' ' || line[20] != '[' {
		switch {
		case bytes.HasPrefix(line, []byte("nginx: [")):
			return lineOK // nginx's own stderr at start-up (ngx_log_stderr), no request's
		case len(line) > 2 && line[0] == '[':
			// "[error] 7#7: ..." without its date: a syslog message's
			// body as a collector keeps it, or a paste that left it out.
			head, t = 1, time.Time{}
		default:
			return p.headless(line, e)
		}
	}
	level, rest, ok := ngxHead(line[head:])
	if !ok {
		return lineMalformed
	}
	e.Time = t
	if !nginxSevere(level) {
		return lineOK
	}
	conn, rest := ngxConn(rest)
	f := ngxFieldsByCommas(rest)
	if p.thorough {
		f = ngxFieldsAnywhere(rest)
	}
	m := p.message(rest[:f.tail])
	if m.cause == "" {
		return lineOK
	}
	e.Cause, e.Conn, e.Status, e.Detail = m.cause, conn, m.status, m.detail
	e.Product, e.Format = catalog.Nginx, "nginx-error"
	p.setFields(f, e)
	return lineFailure
}

func (p *nginxError) setText(t *textBuf) { p.text = t }

// ngxMessageStarts are how nginx's upstream failures begin: a system or
// TLS call that failed, or nginx's own words.
var ngxMessageStarts = []string{
	"connect() ", "recv() ", "send() ", "readv() ", "writev() ", "SSL_do_handshake() ", "SSL_read() ", "SSL_write() ",
	"upstream ", "no live upstreams", "FastCGI sent in stderr", "host not found in upstream", "no resolver defined",
	"peer closed connection in SSL handshake", "limiting requests", "limiting connections",
}

// ngxMessageStart reports whether b begins as nginx's message of an
// upstream failure does.
func ngxMessageStart(b []byte) bool {
	for _, s := range ngxMessageStarts {
		if bytes.HasPrefix(b, []byte(s)) {
			return true
		}
	}
	return false
}

// headless reads an error line published from its pid ("60380#60380:
// *3 ..."), its connection number ("*10 ...") or its message on: an
// upstream failure nginx words so, with the request's tail (", client: ")
// when the line has one, is read without a time; anything else is not
// nginx's.
func (p *nginxError) headless(line []byte, e *Entry) verdict {
	rest := line
	if i := bytes.Index(rest, []byte(": ")); i > 0 && i < 25 && bytes.IndexByte(rest[:i], '#') > 0 && isDigit(rest[0]) {
		rest = rest[i+2:]
	}
	conn, rest := ngxConn(rest)
	if !ngxMessageStart(rest) {
		return lineMalformed
	}
	f := ngxFieldsAnywhere(rest)
	cause := nginxCause(rest[:f.tail])
	if cause == "" || f.client == nil && conn == 0 && !bytes.Contains(rest, []byte(" upstream")) {
		return lineMalformed
	}
	m := p.message(rest[:f.tail])
	e.Cause, e.Conn, e.Status, e.Detail = m.cause, conn, m.status, m.detail
	e.Product, e.Format = catalog.Nginx, "nginx-error"
	p.setFields(f, e)
	return lineFailure
}

// ngxConn reads the connection's number, "*4711 ", if rest starts with it.
func ngxConn(rest []byte) (conn int64, after []byte) {
	if len(rest) < 2 || rest[0] != '*' {
		return 0, rest
	}
	i := 1
	for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
		conn = conn*10 + int64(rest[i]-'0')
	}
	if i == 1 || i > 19 || i < len(rest) && rest[i] != ' ' { // at most 18 digits, as digits reads
		return 0, rest
	}
	return conn, rest[min(i+1, len(rest)):]
}

// ngxHead reads "level] PID#TID: " and returns the level and the rest:
// the level is before the first ']', which is one of the first 7 bytes,
// and the rest after the first ": ", which starts in the next 25 bytes
// after a '#'. Both are short, and searched byte by byte.
func ngxHead(rest []byte) (level, after []byte, ok bool) {
	i := 0
	for i < len(rest) && i < 7 && rest[i] != ']' {
		i++
	}
	if i == len(rest) || i == 7 {
		return nil, nil, false
	}
	level, rest = rest[:i], rest[i+1:]
	hash := false
	for j := 0; j < 25 && j+1 < len(rest); j++ {
		switch rest[j] {
		case '#':
			hash = true
		case ':':
			if rest[j+1] == ' ' {
				if !hash {
					return nil, nil, false
				}
				return level, rest[j+2:], true
			}
		}
	}
	return nil, nil, false
}

// message returns what msg says. A message met before is looked up: an
// outage's log repeats a few messages millions of times, and reading one
// takes a dozen searches of it.
func (p *nginxError) message(msg []byte) ngxMessage {
	if p.thorough {
		return readNgxMessage(msg)
	}
	if key, ok := ngxLimitKey(msg, p.key[:0]); ok {
		// limit_req's excess differs from line to line: the message is
		// looked up with an excess of 0, and only the detail is its own.
		p.key = key
		m, ok := p.msgs.get(key)
		if !ok {
			m = readNgxMessage(key)
			p.msgs.put(string(key), m)
		}
		m.detail = string(capLen(msg, 300))
		return m
	}
	if m, ok := p.msgs.get(msg); ok {
		return m
	}
	m := readNgxMessage(msg)
	p.msgs.put(string(msg), m)
	return m
}

// ngxLimitPrefix starts limit_req's message, "limiting requests, excess:
// 0.953 by zone "perip"" (ngx_http_limit_req_module.c), before the excess.
const ngxLimitPrefix = "limiting requests, excess: "

// ngxLimitKey appends to key the message of a limit_req line with its
// excess, the digits and dots after ngxLimitPrefix, written 0; ok is false
// for another message, or one without an excess. readNgxMessage reads the
// same cause and status from both: the case of "limiting requests" comes
// before any that reads the action or an errno, and of the phrases looked
// for before it and after it ("no live upstreams", "no valid HTTP/1.0
// header") only one has digits or dots, after a '/', which no excess
// follows, so none is found across the excess.
func ngxLimitKey(msg, key []byte) (k []byte, ok bool) {
	if len(msg) <= len(ngxLimitPrefix) || string(msg[:len(ngxLimitPrefix)]) != ngxLimitPrefix {
		return key, false
	}
	i := len(ngxLimitPrefix)
	for i < len(msg) && (msg[i] >= '0' && msg[i] <= '9' || msg[i] == '.') {
		i++
	}
	if i == len(ngxLimitPrefix) {
		return key, false
	}
	return append(append(key, ngxLimitPrefix+"0"...), msg[i:]...), true
}

// readNgxMessage reads the message of an error line.
func readNgxMessage(msg []byte) ngxMessage {
	cause := nginxCause(msg)
	m := ngxMessage{cause: cause, status: statusFor(catalog.Nginx, cause), detail: string(capLen(msg, 300))}
	if bytes.Contains(msg, []byte("no valid HTTP/1.0 header")) {
		m.status = 0 // nginx relays the answer as HTTP/0.9 (its access log says 009), not as a 502
	}
	if bytes.HasPrefix(msg, []byte("limiting ")) {
		m.status = 503 // limit_req_status and limit_conn_status default to 503
	}
	if cause != "" && bytes.HasPrefix(msg, []byte("FastCGI sent in stderr")) {
		m.status = 500 // PHP answers its fatal errors with 500 (main/main.c, php_error_cb)
	}
	return m
}

// nginxSevere reports whether an error-log level can carry an upstream
// failure: nginx logs them at [error] or, for ENOENT and EACCES on connect,
// at [crit] (src/event/ngx_event_connect.c).
func nginxSevere(level []byte) bool {
	switch string(level) {
	case "error", "crit", "alert", "emerg":
		return true
	}
	return false
}

// nginxCause maps the message of an nginx error line to a cause, or "" when
// the line is not an upstream failure. The strings are nginx's own
// (src/http/ngx_http_upstream.c, ngx_event_connect.c, ngx_event_openssl.c,
// the proxy and fastcgi modules); the text after " while " is the action.
func nginxCause(msg []byte) catalog.Cause {
	action := []byte(nil)
	if k := bytes.LastIndex(msg, []byte(" while ")); k >= 0 {
		action = msg[k+7:]
	}
	body := bytes.HasPrefix(action, []byte("reading upstream"))
	switch {
	case bytes.HasPrefix(msg, []byte("FastCGI sent in stderr")):
		return phpErrorCause(msg) // nginx passes PHP's 500 on
	case bytes.Contains(msg, []byte("no live upstreams")):
		return catalog.UpstreamNoneHealthy
	case bytes.HasPrefix(msg, []byte("limiting requests")), bytes.HasPrefix(msg, []byte("limiting connections")):
		// limit_req and limit_conn turning a request away, with 503
		// unless limit_req_status or limit_conn_status say otherwise.
		return catalog.UpstreamOverloaded
	case bytes.HasPrefix(msg, []byte("[lua] ")) && !bytes.Contains(action, []byte("upstream")):
		return "" // a Lua script's own requests and lookups, not the upstream's
	case containsAny(msg, "could not be resolved", "no resolver defined to resolve", "host not found in upstream", "resolver failed, \""),
		bytes.HasPrefix(action, []byte("resolving, resolver: ")):
		// The last: the resolver nginx asks for an upstream's name failed
		// ("recv() failed (111: ...) while resolving, resolver: ADDR").
		return catalog.UpstreamDNS
	case bytes.Contains(msg, []byte("upstream sent too big header")):
		return catalog.UpstreamHeaderTooBig
	case bytes.Contains(msg, []byte("upstream sent invalid chunked response")):
		return catalog.UpstreamTruncated
	case bytes.Contains(msg, []byte("upstream sent more data than specified")):
		return "" // a warning; the response went out
	case containsAny(msg, "upstream sent ", "upstream prematurely sent response"):
		return catalog.UpstreamInvalid
	case bytes.HasPrefix(action, []byte("SSL handshaking to upstream")),
		bytes.Contains(msg, []byte("upstream SSL certificate")):
		return catalog.UpstreamTLS
	case bytes.Contains(msg, []byte("upstream timed out")):
		return nginxTimeout(action)
	case bytes.HasPrefix(msg, []byte("upstream rejected request with error ")):
		// An HTTP/2 upstream (grpc_pass) reset the stream with
		// RST_STREAM before a response header: a closed upstream.
		return catalog.UpstreamClosed
	case bytes.Contains(msg, []byte("upstream prematurely closed")):
		if body {
			return catalog.UpstreamTruncated
		}
		return catalog.UpstreamClosed
	case bytes.HasPrefix(msg, []byte("connect() ")):
		return causeOfErrno(errnoIn(msg))
	case bytes.HasPrefix(msg, []byte("open() ")), bytes.HasPrefix(msg, []byte("pwrite() ")), bytes.HasPrefix(msg, []byte("write() \"")):
		// A file of nginx's own, such as the temporary file a response is
		// buffered to (proxy_temp_path), failed: the gateway's fault, not
		// the upstream's.
		if body {
			return catalog.Unknown
		}
		return ""
	}
	if !bytes.Contains(action, []byte("upstream")) || bytes.HasPrefix(action, []byte("proxying upgraded")) {
		return "" // static files, clients going away, configuration
	}
	if body {
		return catalog.UpstreamTruncated
	}
	switch errnoIn(msg) {
	case 104, 54, 32:
		return catalog.UpstreamClosed
	}
	return catalog.Upstream
}

// nginxTimeout tells the phase of an "upstream timed out" line.
func nginxTimeout(action []byte) catalog.Cause {
	switch {
	case bytes.HasPrefix(action, []byte("connecting to upstream")):
		return catalog.UpstreamUnreachable
	case bytes.HasPrefix(action, []byte("reading upstream")):
		return catalog.UpstreamTruncated
	}
	return catalog.UpstreamTimeout
}
