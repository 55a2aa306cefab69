package logscan

import (
	"bytes"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// lighttpdLog reads lighttpd 1.4's error log (src/log.c):
//
//	2026-08-21 10:15:02: (gw_backend.c.261) establishing connection failed: socket: tcp:127.0.0.1:9000: Connection refused
//
// The messages are gw_backend.c's and http-header-glue.c's, which serve
// mod_proxy and mod_fastcgi alike. Sent to syslog, a line has no time of
// its own and starts at the source position.
type lighttpdLog struct {
	loc *time.Location
}

func (p *lighttpdLog) parse(line []byte, e *Entry) verdict {
	var msg []byte
	if t, ok := timeYMD(line, p.loc); ok && len(line) >= 23 && line[19] == ':' && line[20] == ' ' {
		e.Time, msg = t, line[21:]
		if src := lighttpdSource(msg); src > 0 {
			msg = msg[src:]
		}
	} else if src := lighttpdSource(line); src > 0 {
		msg = line[src:] // through syslog, which has the time: no time of its own
	} else {
		return lineMalformed
	}
	cause := lighttpdCause(msg)
	if cause == "" {
		return lineOK
	}
	e.Cause, e.Product, e.Format = cause, catalog.Lighttpd, "lighttpd"
	e.Status = statusFor(catalog.Lighttpd, cause)
	switch {
	case bytes.HasPrefix(msg, []byte(lighttpdStderr)):
		e.Status = 500 // PHP's own answer to its fatal error, passed on
	case cause == catalog.UpstreamTimeout:
		e.Status = 504
	}
	if s := between(msg, "on socket: ", " "); s != nil {
		e.Upstream = string(capLen(bytes.TrimPrefix(s, []byte("tcp:")), 256))
	} else if s := between(msg, "socket: ", ": "); s != nil {
		e.Upstream = string(capLen(bytes.TrimPrefix(s, []byte("tcp:")), 256))
	} else if s := between(msg, "connect() ", ": "); s != nil {
		e.Upstream = string(capLen(s, 256))
	}
	if pth := between(msg, "all handlers for ", " on "); pth != nil {
		e.Path = string(capLen(pth, 512))
	}
	e.Detail = string(capLen(msg, 300))
	return lineFailure
}

// lighttpdSource returns the length of the "(gw_backend.c.274) " that
// starts a message (with the whole path when the build kept it:
// "(/usr/obj/.../src/gw_backend.c.533) "), or 0.
func lighttpdSource(msg []byte) int {
	i := bytes.Index(msg, []byte(") "))
	if len(msg) < 6 || msg[0] != '(' || i < 0 || i > 512 || bytes.IndexByte(msg[:i], ' ') >= 0 || !bytes.Contains(msg[:i], []byte(".c.")) {
		return 0
	}
	return i + 2
}

// lighttpdStderr starts the lines mod_fastcgi copies from its backend's
// stderr ("FastCGI-stderr: PHP Fatal error: ..."): with a space after it
// from older releases' log_error_write, without one from the
// log_error_multiline of later ones, which writes a line per line.
const lighttpdStderr = "FastCGI-stderr:"

func lighttpdCause(msg []byte) catalog.Cause {
	switch {
	case bytes.HasPrefix(msg, []byte(lighttpdStderr)):
		return phpErrorCause(msg)
	case bytes.Contains(msg, []byte("establishing connection failed")), bytes.HasPrefix(msg, []byte("connect() ")):
		// "connect() <socket>: <strerror>" is 1.4.7x's wording
		switch {
		case containsAny(msg, "Connection refused", "No such file or directory"):
			return catalog.UpstreamRefused
		case bytes.Contains(msg, []byte("Permission denied")):
			return catalog.UpstreamPermission
		case containsAny(msg, "timed out", "No route to host", "unreachable"):
			return catalog.UpstreamUnreachable
		case bytes.Contains(msg, []byte("Resource temporarily unavailable")):
			return catalog.UpstreamOverloaded
		}
		return catalog.Upstream
	case bytes.Contains(msg, []byte("all handlers for ")) && bytes.Contains(msg, []byte(" are down")),
		bytes.HasPrefix(msg, []byte("no proxy-handler found for:")):
		// Before gw_backend (1.4.4x), mod_proxy wrote the second when
		// every host of the extension was disabled, and answered 500.
		return catalog.UpstreamNoneHealthy
	case bytes.Contains(msg, []byte("connect timeout on socket")):
		return catalog.UpstreamUnreachable
	case containsAny(msg, "read timeout on socket", "write timeout on socket"):
		return catalog.UpstreamTimeout
	case containsAny(msg, "unexpected close of gw connection", "response not received, request sent"):
		return catalog.UpstreamClosed
	case containsAny(msg, "invalid HTTP status line", "missing CR before LF"):
		return catalog.UpstreamInvalid
	}
	return ""
}
