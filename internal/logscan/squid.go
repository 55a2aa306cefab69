package logscan

import (
	"bytes"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// squidLog reads Squid's native access.log (logformat squid):
//
//	1286536308.779    180 192.168.0.224 TCP_MISS/503 4112 GET http://example.com/ - HIER_NONE/- text/html
//
// Squid answers a failed connect or DNS lookup with 503, a read timeout
// with 504, and a zero-size, invalid or broken response with 502
// (src/FwdState.cc, src/http.cc). The native format names no error; a
// logformat that adds %err_code after it gets the cause of that error:
//
//	1796452919.404      2 127.0.0.1 TCP_MISS/502 3326 GET http://lab.test/closed1 - FIRSTUP_PARENT/127.0.0.1 text/html ERR_ZERO_SIZE_OBJECT/WITH_SERVER
type squidLog struct{}

func (p *squidLog) parse(line []byte, e *Entry) verdict {
	ts, rest := word(line)
	t, ok := timeEpoch(ts)
	if !ok || bytes.IndexByte(ts, '.') < 0 {
		return lineMalformed
	}
	rest = bytes.TrimLeft(rest, " ")
	var f [7][]byte // elapsed client code/status bytes method URL ident
	for i := range f {
		f[i], rest = word(rest)
		rest = bytes.TrimLeft(rest, " ")
	}
	hier, rest := word(rest)
	slash := bytes.IndexByte(f[2], '/')
	if slash < 0 || len(hier) == 0 {
		return lineMalformed
	}
	status, ok := digits(f[2][slash+1:])
	if !ok {
		return lineMalformed
	}
	e.Time = t
	if !catalog.IsGatewayStatus(status) {
		return lineOK
	}
	e.Product, e.Format, e.Status = catalog.Squid, "squid", status
	e.Cause = catalog.Upstream
	if status == 504 {
		e.Cause = catalog.UpstreamTimeout // ERR_READ_TIMEOUT
	}
	e.Client = string(capLen(f[1], 64))
	e.Method, e.Path = string(capLen(f[4], 16)), string(capLen(urlPath(f[5]), 512))
	if i := bytes.IndexByte(hier, '/'); i >= 0 && i+1 < len(hier) && hier[i+1] != '-' {
		e.Upstream = string(capLen(hier[i+1:], 128))
	}
	e.Detail = string(capLen(f[2], 64)) + " " + string(capLen(hier, 64))
	if code := squidErrCode(rest); code != nil {
		if c := squidErrCause(code, status, e.Upstream != ""); c != "" {
			e.Cause = c
		}
		e.Detail += " " + string(code)
	}
	return lineFailure
}

// squidErrCode finds the error page's name (%err_code, "ERR_CONNECT_FAIL")
// in the fields a logformat adds after the native ones.
func squidErrCode(rest []byte) []byte {
	i := bytes.Index(rest, []byte("ERR_"))
	if i < 0 || i > 0 && rest[i-1] != ' ' && rest[i-1] != '/' {
		return nil
	}
	code := rest[i:]
	for j, c := range code {
		if (c < 'A' || c > 'Z') && c != '_' {
			code = code[:j]
			break
		}
	}
	return capLen(code, 48)
}

// squidErrCause maps an error page's name (errors/templates) to a cause.
// In the lab's Squid 5.7 a refused and a timed-out connect are both
// ERR_CONNECT_FAIL with a 503; Squid 3 answers a connect timeout with a
// 504 (FwdState::connectTimeout). ERR_READ_ERROR with no server in the
// hierarchy field is Squid having no peer to send to.
func squidErrCause(code []byte, status int, server bool) catalog.Cause {
	switch string(code) {
	case "ERR_CONNECT_FAIL":
		if status == 504 {
			return catalog.UpstreamUnreachable
		}
		return catalog.Upstream
	case "ERR_READ_TIMEOUT":
		return catalog.UpstreamTimeout
	case "ERR_ZERO_SIZE_OBJECT":
		return catalog.UpstreamClosed
	case "ERR_READ_ERROR", "ERR_WRITE_ERROR":
		if server {
			return catalog.UpstreamClosed
		}
		return catalog.Upstream
	case "ERR_INVALID_RESP":
		return catalog.UpstreamInvalid
	case "ERR_TOO_BIG":
		return catalog.UpstreamHeaderTooBig
	case "ERR_DNS_FAIL":
		return catalog.UpstreamDNS
	case "ERR_CANNOT_FORWARD":
		return catalog.UpstreamNoneHealthy
	case "ERR_SECURE_CONNECT_FAIL":
		return catalog.UpstreamTLS
	}
	return ""
}

// urlPath is the path and query of an absolute URL, which is how Squid
// logs a request, as a forward proxy and in accel mode alike
// ("http://lab.test/checkout?" is "/checkout?"); "/" when the URL ends at
// its host. Anything else (CONNECT's host:port, "error:...") stays as it
// is.
func urlPath(u []byte) []byte {
	i := bytes.Index(u, []byte("://"))
	if i <= 0 || bytes.IndexByte(u[:i], '/') >= 0 {
		return u
	}
	rest := u[i+3:]
	if j := bytes.IndexAny(rest, "/?"); j >= 0 {
		if rest[j] == '?' {
			return append([]byte("/"), rest[j:]...)
		}
		return rest[j:]
	}
	return []byte("/")
}
