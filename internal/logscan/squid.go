package logscan

import "bytes"

// squidLog reads Squid's native access.log (logformat squid):
//
//	1286536308.779    180 192.168.0.224 TCP_MISS/503 4112 GET http://example.com/ - HIER_NONE/- text/html
//
// Squid answers a failed connect or DNS lookup with 503, a read timeout
// with 504, and a zero-size, invalid or broken response with 502
// (src/FwdState.cc, src/http.cc).
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
	hier, _ := word(rest)
	slash := bytes.IndexByte(f[2], '/')
	if slash < 0 || len(hier) == 0 {
		return lineMalformed
	}
	status, ok := digits(f[2][slash+1:])
	if !ok {
		return lineMalformed
	}
	e.Time = t
	if !isFailureStatus(status) {
		return lineOK
	}
	e.Product, e.Format, e.Status = productSquid, "squid", status
	e.Cause = causeUpstream
	if status == 504 {
		e.Cause = causeTimeout // ERR_READ_TIMEOUT
	}
	e.Client = string(capLen(f[1], 64))
	e.Method, e.Path = string(capLen(f[4], 16)), string(capLen(f[5], 512))
	if i := bytes.IndexByte(hier, '/'); i >= 0 && i+1 < len(hier) && hier[i+1] != '-' {
		e.Upstream = string(capLen(hier[i+1:], 128))
	}
	e.Detail = string(capLen(f[2], 64)) + " " + string(capLen(hier, 64))
	return lineFailure
}
