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
	loc *time.Location
}

func (p *nginxError) parse(line []byte, e *Entry) verdict {
	t, ok := timeYMD(line, p.loc)
	if !ok || len(line) < 23 || line[19] != ' ' || line[20] != '[' {
		if bytes.HasPrefix(line, []byte("nginx: [")) {
			return lineOK // nginx's own stderr at start-up (ngx_log_stderr), no request's
		}
		return lineMalformed
	}
	e.Time = t
	rest := line[21:]
	i := bytes.IndexByte(rest, ']')
	if i < 0 || i > 6 {
		return lineMalformed
	}
	level := rest[:i]
	rest = rest[i+1:]
	// " PID#TID: "
	j := bytes.Index(rest, []byte(": "))
	if j < 0 || j > 24 || bytes.IndexByte(rest[:j], '#') < 0 {
		return lineMalformed
	}
	rest = rest[j+2:]
	if !nginxSevere(level) {
		return lineOK
	}
	var conn int64
	if len(rest) > 1 && rest[0] == '*' {
		w, r := word(rest[1:])
		if n, ok := digits(w); ok {
			conn, rest = int64(n), r
		}
	}
	msg, tail := rest, []byte(nil)
	if k := bytes.LastIndex(rest, []byte(", client: ")); k >= 0 {
		msg, tail = rest[:k], rest[k:]
	}
	cause := nginxCause(msg)
	if cause == "" {
		return lineOK
	}
	e.Cause, e.Conn = cause, conn
	e.Product, e.Format = catalog.Nginx, "nginx-error"
	e.Status = statusFor(catalog.Nginx, cause)
	if bytes.Contains(msg, []byte("no valid HTTP/1.0 header")) {
		e.Status = 0 // nginx relays the answer as HTTP/0.9 (its access log says 009), not as a 502
	}
	if bytes.HasPrefix(msg, []byte("limiting ")) {
		e.Status = 503 // limit_req_status and limit_conn_status default to 503
	}
	if cause == catalog.UpstreamAppError {
		e.Status = 500 // PHP answers its fatal errors with 500 (main/main.c, php_error_cb)
	}
	e.Detail = string(capLen(msg, 300))
	p.fields(tail, e)
	return lineFailure
}

// fields reads the ", client: ..., request: ..., upstream: ..." tail.
func (p *nginxError) fields(tail []byte, e *Entry) {
	if c := between(tail, ", client: ", ","); c != nil {
		e.Client = string(c)
	} else if k := bytes.Index(tail, []byte(", client: ")); k >= 0 {
		e.Client = string(capLen(tail[k+10:], 64))
	}
	if r := between(tail, `, request: "`, `"`); r != nil {
		e.Method, e.Path = requestLine(r)
	}
	if u := between(tail, `, upstream: "`, `"`); u != nil {
		e.Scheme, e.Upstream = splitUpstream(string(capLen(u, 256)))
	}
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
		// PHP's own messages: a fatal error is the application failing
		// (nginx passes its 500 on); "Primary script unknown" is a 404, and
		// notices and warnings go with answers that worked.
		if bytes.Contains(msg, []byte("PHP Fatal error")) {
			return catalog.UpstreamAppError
		}
		return ""
	case bytes.Contains(msg, []byte("no live upstreams")):
		return catalog.UpstreamNoneHealthy
	case bytes.HasPrefix(msg, []byte("limiting requests")), bytes.HasPrefix(msg, []byte("limiting connections")):
		// limit_req and limit_conn turning a request away, with 503
		// unless limit_req_status or limit_conn_status say otherwise.
		return catalog.UpstreamOverloaded
	case containsAny(msg, "could not be resolved", "no resolver defined to resolve", "host not found in upstream"):
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
	case bytes.Contains(msg, []byte("upstream prematurely closed")):
		if body {
			return catalog.UpstreamTruncated
		}
		return catalog.UpstreamClosed
	case bytes.HasPrefix(msg, []byte("connect() ")):
		return causeOfErrno(errnoIn(msg))
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
