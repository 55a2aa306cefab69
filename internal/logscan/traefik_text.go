package logscan

import (
	"bytes"
	"strconv"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// traefikCLF reads Traefik's default access log format, CLF with three
// fields of its own at the end (docs: observability/access-logs):
//
//	10.0.0.2 - - [08/Jan/2023:12:28:57 +0000] "GET / HTTP/1.0" 502 11 "-" "-" 746 "web@docker" "http://172.18.0.3:80" 2ms
//
// Traefik 1 (middlewares/accesslog/logger_formatters.go) quotes the
// referer, user agent, frontend and backend only when it has them, and
// writes "-" unquoted otherwise. A status of "-", or Traefik 1.4's
// "%!d(<nil>)" (Go's fmt of a status that was never set), is a request
// no backend answered because none was routed: Traefik's own 404.
func traefikCLF(line []byte, loc *time.Location, zc *zoneCache, e *Entry) verdict {
	client, rest := word(line)
	i := bytes.IndexByte(rest, '[')
	if len(client) == 0 || i < 0 || i > 64 || len(rest) < i+28 || rest[i+27] != ']' {
		return lineMalformed
	}
	t, ok := timeCLF(rest[i+1:i+27], loc, zc)
	if !ok {
		return lineMalformed
	}
	req, rest, ok := quoted(bytes.TrimPrefix(rest[i+28:], []byte(" ")))
	if !ok {
		return lineMalformed
	}
	// status, size, referer, user agent, request count, router, server
	// URL, duration
	var f [8][]byte
	for k := range f {
		if f[k], rest, ok = clfField(rest); !ok {
			return lineMalformed
		}
	}
	d := f[7]
	if len(bytes.TrimSpace(rest)) > 0 || !bytes.HasSuffix(d, []byte("ms")) {
		return lineMalformed
	}
	if _, ok := digits(d[:len(d)-2]); !ok {
		return lineMalformed
	}
	e.Time = t
	status, ok := digits(f[0])
	if !ok || !catalog.IsGatewayStatus(status) {
		if !ok && string(f[0]) != "-" && string(f[0]) != "%!d(<nil>)" {
			return lineMalformed
		}
		return lineOK
	}
	server := f[6]
	if string(server) == "-" {
		server = nil
	}
	e.Product, e.Format, e.Status = catalog.Traefik, "traefik", status
	e.Client = string(capLen(client, 64))
	e.Method, e.Path = requestLine(req)
	e.Scheme, e.Upstream = splitUpstream(string(capLen(server, 256)))
	e.Cause = traefikCause(status, 0, len(server) > 0)
	e.Detail = "router " + string(capLen(f[5], 128))
	return lineFailure
}

// clfField reads the next field of a CLF line's tail: a quoted one
// without its quotes, or a word.
func clfField(b []byte) (f, rest []byte, ok bool) {
	b = bytes.TrimLeft(b, " ")
	if len(b) == 0 {
		return nil, b, false
	}
	if b[0] == '"' {
		return quoted(b)
	}
	f, rest = word(b)
	return f, rest, true
}

// traefikDebug reads Traefik's own log in its text format, where at the
// debug level a failed forward is "'502 Bad Gateway' caused by: <Go error>"
// (pkg/proxy/httputil):
//
//	time="2018-07-17T03:57:54Z" level=debug msg="'502 Bad Gateway' caused by: EOF"
//
// A line quoted without its time, which begins with "level=", is read too.
func traefikDebug(line []byte, e *Entry) verdict {
	if !bytes.HasPrefix(line, []byte("level=")) {
		t, ok := timeRFC3339(between(line, `time="`, `"`))
		if !ok || !bytes.Contains(line, []byte(" level=")) {
			return lineMalformed
		}
		e.Time = t
	}
	i := bytes.Index(line, []byte(` msg="`))
	if i < 0 {
		return lineOK
	}
	m, _, ok := quoted(line[i+5:])
	if !ok || len(m) < 5 || m[0] != '\'' {
		return lineOK
	}
	status, _ := digits(m[1:4])
	k := bytes.Index(m, []byte("' caused by: "))
	if k < 0 || !catalog.IsGatewayStatus(status) {
		return lineOK
	}
	msg := string(capLen(m[k+13:], 300))
	if u, err := strconv.Unquote(`"` + msg + `"`); err == nil {
		msg = u
	}
	e.Product, e.Format, e.Status = catalog.Traefik, "traefik", status
	e.Cause, e.Detail, e.Upstream = goErrorCause(msg), msg, dialAddress(msg)
	e.explains = true
	return lineFailure
}

// traefikConsole reads Traefik 3's console log (zerolog's console writer:
// time, level, caller, "> ", message, fields), where the proxy's error
// handler logs the status it answered and the error (pkg/proxy/httputil):
//
//	2025-07-07T15:46:15Z DBG httputil/proxy.go:121 > 502 Bad Gateway error="dial tcp 10.0.0.5:8080: connect: no route to host"
func traefikConsole(line []byte, n int, e *Entry) verdict {
	t, ok := timeRFC3339(line[:n])
	if !ok {
		return lineMalformed
	}
	e.Time = t
	_, msg, _ := bytes.Cut(line[n:], []byte(" > "))
	status, ok := digits(msg[:min(3, len(msg))])
	if !ok || status < 500 || status > 504 {
		return lineOK
	}
	i := bytes.Index(msg, []byte("error="))
	if i < 0 {
		return lineOK
	}
	errText := bytes.TrimSpace(msg[i+6:])
	if len(errText) > 0 && errText[0] == '"' {
		if q, _, ok := quoted(errText); ok {
			errText = q
		}
	}
	text := string(capLen(errText, 300))
	if !catalog.IsGatewayStatus(status) && goErrorCause(text) == catalog.Upstream {
		// Traefik answers 500 for an upstream's TLS it cannot verify;
		// another 500 is no upstream failure it names.
		return lineOK
	}
	e.Product, e.Format, e.Status = catalog.Traefik, "traefik", status
	e.Cause, e.Detail, e.Upstream = goErrorCause(text), text, dialAddress(text)
	e.explains = true
	return lineFailure
}

// traefikCause is the cause of a failure Traefik answered: the origin's own
// 5xx, the load balancer's "no available server" (no server URL), a
// timeout (a net.Error with Timeout(), pkg/proxy/httputil), or unknown.
func traefikCause(status, origin int, server bool) catalog.Cause {
	switch {
	case origin >= 500:
		return catalog.UpstreamAppError
	case status == 503 && !server:
		return catalog.UpstreamNoneHealthy
	case status == 504:
		return catalog.UpstreamTimeout
	}
	return catalog.Upstream
}
