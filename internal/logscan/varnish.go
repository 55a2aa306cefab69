package logscan

import (
	"bytes"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// varnishLog reads varnishlog's output (varnishlog(1); the records are
// vsl(7)'s tags), where a backend fetch that failed has its reason in a
// FetchError record (Varnish's "Backend fetch failures and the FetchError
// tag"). By default varnishlog groups the records by transaction, each
// indented by its level ("-", "--", "---") to the tag's column
// (lib/libvarnishapi/vsl.c, VSL_PrintTransactions: "%-3.*s " then
// "%-14s %s"):
//
//	$ varnishlog -b -q FetchError
//	*   << BeReq    >> 3
//	-   Begin          bereq 2 fetch
//	-   Timestamp      Start: 1496159346.530049 0.000000 0.000000
//	-   BereqURL       /
//	-   FetchError     backend default: fail errno 111 (Connection refused)
//
// With -g raw, each record has its transaction's number in front
// and a 'b' or 'c' after the tag ("%10u %-14s %c %s"), as Varnish 3's
// varnishlog had its file descriptor ("%5d %-12s %c %s"). A record has no
// time of its own: it takes its transaction's last Timestamp, and a
// FetchError takes its fetch's method, URL and backend from the records
// before it.
type varnishLog struct {
	at                  time.Time // the transaction's last Timestamp
	method, url, server []byte    // its BereqMethod, BereqURL, BackendOpen
}

func (p *varnishLog) clone() parser { return &varnishLog{} }

func (p *varnishLog) parse(line []byte, e *Entry) verdict {
	tag, value, ok := vslRecord(line)
	if !ok {
		return lineMalformed
	}
	switch string(tag) {
	case "":
		return lineOK // a transaction's header
	case "Begin":
		p.at, p.method, p.url, p.server = time.Time{}, p.method[:0], p.url[:0], p.server[:0]
	case "Timestamp":
		// "Start: 1496159346.530049 0.000000 0.000000"
		if _, rest, ok := bytes.Cut(value, []byte(": ")); ok {
			ts, _ := word(rest)
			if t, ok := timeEpoch(ts); ok {
				p.at = t
			}
		}
	case "BereqMethod":
		p.method = append(p.method[:0], capLen(value, 16)...)
	case "BereqURL":
		p.url = append(p.url[:0], capLen(value, 512)...)
	case "BackendOpen":
		// "19 default 127.0.0.1 8080 127.0.0.1 41344": fd, backend,
		// its address and port, the local ones.
		f := bytes.Fields(value)
		if len(f) >= 4 {
			p.server = append(append(append(p.server[:0], f[2]...), ':'), f[3]...)
		}
	}
	e.Time = p.at
	if string(tag) != "FetchError" {
		return lineOK
	}
	cause := varnishFetchCause(value)
	if cause == "" {
		return lineOK
	}
	e.Cause, e.Product, e.Format = cause, catalog.Varnish, "varnish"
	e.Status = 503 // vcl_backend_error's "Backend fetch failed"
	e.Detail = string(capLen(value, 300))
	e.Method, e.Path, e.Upstream = string(p.method), string(p.url), string(p.server)
	if e.Upstream == "" {
		e.Upstream = string(capLen(between(value, "backend ", ": "), 128))
	}
	return lineFailure
}

// vslRecord splits a line of varnishlog into its tag and value; the tag
// is "" for a transaction's header ("*   << BeReq    >> 3"). ok is
// false for a line not laid out as varnishlog lays out its records.
func vslRecord(line []byte) (tag, value []byte, ok bool) {
	var rest []byte
	width, raw := 14, false
	switch {
	case len(line) > 4 && (line[0] == '-' || line[0] == '*'):
		// the level's marker, padded to four columns
		i := 0
		for i < 3 && line[i] == line[0] {
			i++
		}
		for i < 4 && line[i] == ' ' {
			i++
		}
		if i != 4 || line[4] == ' ' {
			return nil, nil, false
		}
		if line[0] == '*' {
			return nil, nil, bytes.HasPrefix(line[4:], []byte("<< "))
		}
		rest = line[4:]
	case len(line) > 6 && (line[0] == ' ' || isDigit(line[0])):
		// a number right-aligned in ten columns, or five (Varnish 3,
		// whose tags are padded to twelve)
		i := 0
		for i < len(line) && line[i] == ' ' {
			i++
		}
		j := i
		for j < len(line) && isDigit(line[j]) {
			j++
		}
		if j == i || j != 10 && j != 5 || j >= len(line) || line[j] != ' ' {
			return nil, nil, false
		}
		if j == 5 {
			width = 12
		}
		rest, raw = line[j+1:], true
	default:
		return nil, nil, false
	}
	end := 0
	for end < len(rest) && (isDigit(rest[end]) || rest[end] == '_' || rest[end]|0x20 >= 'a' && rest[end]|0x20 <= 'z') {
		end++
	}
	if end < 2 || rest[0] < 'A' || rest[0] > 'Z' {
		return nil, nil, false
	}
	pad := end
	for pad < len(rest) && rest[pad] == ' ' {
		pad++
	}
	if pad < len(rest) && (pad == end || pad < width+1) {
		return nil, nil, false // the tag's column is padded, and a space after it
	}
	tag, value = rest[:end], rest[pad:]
	if raw {
		// the 'b' (backend), 'c' (client) or '-' after the tag
		if len(value) < 1 || value[0] != 'b' && value[0] != 'c' && value[0] != '-' || len(value) > 1 && value[1] != ' ' {
			return nil, nil, false
		}
		value = value[min(2, len(value)):]
	}
	return tag, value, true
}

// varnishFetchCause maps a FetchError's text to a cause. The texts are
// varnishd's (bin/varnishd/cache/cache_backend.c, cache_http1_fetch.c,
// cache_fetch.c); Varnish's own notes on them say that "no backend
// connection" is an unhealthy backend or a connect timeout alike, and
// that "http first read error: EOF" is usually a first-byte timeout but
// may be a backend that closed: neither names its cause.
func varnishFetchCause(msg []byte) catalog.Cause {
	switch {
	case bytes.HasPrefix(msg, []byte("req.body read error")):
		return "" // the client's body, not the backend
	case bytes.HasPrefix(msg, []byte("backend ")) && bytes.HasSuffix(msg, []byte(": unhealthy")):
		return catalog.UpstreamNoneHealthy
	case bytes.HasPrefix(msg, []byte("backend ")) && bytes.HasSuffix(msg, []byte(": busy")):
		return catalog.UpstreamOverloaded // max_connections reached
	case bytes.Contains(msg, []byte(": fail errno ")):
		// "backend default: fail errno 111 (Connection refused)"
		_, after, _ := bytes.Cut(msg, []byte(": fail errno "))
		n, _ := digits(firstWord(after))
		return causeOfErrno(n)
	case containsAny(msg, "first byte timeout", "Timed out reusing backend connection") || string(msg) == "timeout":
		return catalog.UpstreamTimeout
	case string(msg) == "backend closed", bytes.HasPrefix(msg, []byte("HTC eof")):
		return catalog.UpstreamClosed
	case string(msg) == "Received junk", string(msg) == "http format error":
		return catalog.UpstreamInvalid
	case bytes.HasSuffix(msg, []byte("overflow")):
		return catalog.UpstreamHeaderTooBig // the response's header exceeds http_resp_size
	case containsAny(msg, "straight insufficient bytes", "chunked read err", "chunked header", "chunked tail", "eof socket fail"):
		return catalog.UpstreamTruncated // the body broke off after the header
	case string(msg) == "Could not get storage":
		return catalog.Unknown // Varnish's own storage is full
	}
	return catalog.Upstream
}

// firstWord returns b up to its first space.
func firstWord(b []byte) []byte {
	w, _ := word(b)
	return w
}
