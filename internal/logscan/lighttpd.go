package logscan

import (
	"bytes"
	"time"
)

// lighttpdLog reads lighttpd 1.4's error log (src/log.c):
//
//	2026-08-21 10:15:02: (gw_backend.c.261) establishing connection failed: socket: tcp:127.0.0.1:9000: Connection refused
//
// The messages are gw_backend.c's and http-header-glue.c's, which serve
// mod_proxy and mod_fastcgi alike.
type lighttpdLog struct {
	loc *time.Location
}

func (p *lighttpdLog) parse(line []byte, e *Entry) verdict {
	t, ok := timeYMD(line, p.loc)
	if !ok || len(line) < 23 || line[19] != ':' || line[20] != ' ' {
		return lineMalformed
	}
	e.Time = t
	msg := line[21:]
	if i := bytes.Index(msg, []byte(") ")); i >= 0 && i < 64 && bytes.IndexByte(msg[:i], ' ') < 0 {
		msg = msg[i+2:]
	}
	cause := lighttpdCause(msg)
	if cause == "" {
		return lineOK
	}
	e.Cause, e.Product, e.Format = cause, productLighttpd, "lighttpd"
	e.Status = statusFor(productLighttpd, cause)
	if cause == causeTimeout {
		e.Status = 504
	}
	if s := between(msg, "on socket: ", " "); s != nil {
		e.Upstream = string(capLen(bytes.TrimPrefix(s, []byte("tcp:")), 256))
	} else if s := between(msg, "socket: ", ": "); s != nil {
		e.Upstream = string(capLen(bytes.TrimPrefix(s, []byte("tcp:")), 256))
	}
	if pth := between(msg, "all handlers for ", " on "); pth != nil {
		e.Path = string(capLen(pth, 512))
	}
	e.Detail = string(capLen(msg, 300))
	return lineFailure
}

func lighttpdCause(msg []byte) string {
	switch {
	case bytes.Contains(msg, []byte("establishing connection failed")):
		switch {
		case containsAny(msg, "Connection refused", "No such file or directory"):
			return causeRefused
		case bytes.Contains(msg, []byte("Permission denied")):
			return causePermission
		case containsAny(msg, "timed out", "No route to host", "unreachable"):
			return causeUnreachable
		case bytes.Contains(msg, []byte("Resource temporarily unavailable")):
			return causeOverloaded
		}
		return causeUpstream
	case bytes.Contains(msg, []byte("all handlers for ")) && bytes.Contains(msg, []byte(" are down")):
		return causeNoneHealthy
	case bytes.Contains(msg, []byte("connect timeout on socket")):
		return causeUnreachable
	case containsAny(msg, "read timeout on socket", "write timeout on socket"):
		return causeTimeout
	case containsAny(msg, "unexpected close of gw connection", "response not received, request sent"):
		return causeClosed
	case containsAny(msg, "invalid HTTP status line", "missing CR before LF"):
		return causeInvalidResponse
	}
	return ""
}
