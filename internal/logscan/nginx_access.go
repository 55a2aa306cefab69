package logscan

import (
	"bytes"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// accessLog reads access logs written by an nginx log_format (and Apache's
// common and combined formats, which have the same shape). Scanning stops
// at $status when the line is no failure and no time filter is set, so the
// common case reads only a line's first fields.
type accessLog struct {
	f        *logFormat
	product  catalog.Product
	format   string
	trailing bool // fields after the format's end are allowed (combined + extras)
	needTime bool
	loc      *time.Location
	zc       zoneCache
}

func (p *accessLog) clone() parser {
	c := *p
	return &c
}

func (p *accessLog) parse(line []byte, e *Entry) verdict {
	var vals [varConnection + 1][]byte
	fs := p.f.fields
	pos, status := 0, 0
	for k := range fs {
		f := &fs[k]
		if f.lit != nil {
			if !bytes.HasPrefix(line[pos:], f.lit) {
				return lineMalformed
			}
			pos += len(f.lit)
			continue
		}
		var next []byte
		if k+1 < len(fs) {
			next = fs[k+1].lit
		}
		n, ok := f.value(line[pos:], next)
		if !ok {
			return lineMalformed
		}
		vals[f.v] = line[pos : pos+n]
		pos += n
		if f.v == varStatus {
			if status = status3(vals[varStatus]); status == 0 && !bytes.Equal(vals[varStatus], []byte("000")) {
				// nginx writes 000 when it sent no response at all (the
				// client went first, a CONNECT tunnel): no failure of the
				// upstream, and a line all the same.
				return lineMalformed
			}
			if !catalog.IsGatewayStatus(status) && !p.needTime {
				return lineOK
			}
		}
	}
	if pos != len(line) && !(p.trailing && line[pos] == ' ') {
		return lineMalformed
	}
	if !p.setTime(&vals, e) && (p.f.has[varTimeLocal] || p.f.has[varTimeISO] || p.f.has[varMsec]) {
		return lineMalformed
	}
	if !catalog.IsGatewayStatus(status) {
		return lineOK
	}
	p.fill(&vals, status, e)
	return lineFailure
}

// setTime reads whichever time variable the format has.
func (p *accessLog) setTime(vals *[varConnection + 1][]byte, e *Entry) bool {
	var ok bool
	switch {
	case vals[varTimeLocal] != nil:
		e.Time, ok = timeCLF(vals[varTimeLocal], p.loc, &p.zc)
	case vals[varTimeISO] != nil:
		e.Time, ok = timeRFC3339(vals[varTimeISO])
	case vals[varMsec] != nil:
		e.Time, ok = timeEpoch(vals[varMsec])
	}
	return ok
}

// fill completes the entry of a failure line.
func (p *accessLog) fill(vals *[varConnection + 1][]byte, status int, e *Entry) {
	e.Product, e.Format, e.Status = p.product, p.format, status
	e.Client = string(capLen(vals[varRemoteAddr], 64))
	if r := vals[varRequest]; r != nil {
		e.Method, e.Path = requestLine(r)
	} else {
		e.Method, e.Path = string(capLen(vals[varMethod], 16)), string(capLen(vals[varURI], 512))
	}
	if id := vals[varRequestID]; len(id) > 0 && id[0] != '-' {
		e.RequestID = string(capLen(id, 128))
	}
	if c, ok := digits(vals[varConnection]); ok {
		e.Conn = int64(c)
	}
	if a := lastOfList(vals[varUpstreamAddr]); len(a) > 0 && a[0] != '-' {
		e.Upstream = string(capLen(a, 256))
	}
	e.Cause = accessCause(p.f.has[varUpstreamStatus], status, lastOfList(vals[varUpstreamStatus]), vals[varUpstreamHeaderTime])
}

// accessCause judges a failure from an access line alone. nginx repeats its
// own 502/504 in $upstream_status (ngx_http_upstream_next sets
// u->state->status; gateway-facts §1.3), so an upstream status equal to a
// 502/504 proves nothing unless $upstream_header_time shows a response
// header arrived. Any other 5xx there the upstream sent, a 503 or a CDN's
// 52x of an upstream behind one, and nginx passed it on. The error log,
// when joined, says more.
func accessCause(hasUpstreamStatus bool, status int, us, headerTime []byte) catalog.Cause {
	if !hasUpstreamStatus {
		return catalog.Upstream
	}
	u := status3(us)
	switch {
	case u < 500:
		return catalog.Upstream
	case u != 502 && u != 504:
		return catalog.UpstreamAppError
	case len(headerTime) > 0 && headerTime[0] >= '0' && headerTime[0] <= '9':
		return catalog.UpstreamAppError
	}
	return catalog.Upstream
}

// lastOfList returns the last item of an nginx upstream list
// ("10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80"): the upstream that answered last.
func lastOfList(b []byte) []byte {
	if i := bytes.LastIndexByte(b, ' '); i >= 0 {
		return b[i+1:]
	}
	return b
}
