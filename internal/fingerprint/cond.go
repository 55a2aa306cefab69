package fingerprint

import (
	"bytes"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

// maxPageSize is the largest body that can be a product's error page. The
// biggest default pages (Cloudflare's branded pages, IIS detailed errors) are
// under 16 KiB; a larger body is the application's, and skipping it keeps
// Identify cheap on 256 KiB bodies.
const maxPageSize = 64 << 10

// maxMarker caps the length of a value quoted in a marker.
const maxMarker = 96

// input is a Response prepared for matching.
type input struct {
	status int
	header http.Header // canonical keys
	body   []byte      // the whole body as given
	page   []byte      // body when it may be an error page, nil otherwise
}

func newInput(r Response) *input {
	in := &input{status: r.Status, header: canonical(r.Header), body: r.Body}
	if len(r.Body) <= maxPageSize {
		in.page = r.Body
	}
	return in
}

// canonical returns h itself when its keys are canonical (as http.ReadResponse
// and the net/http client leave them), else a copy with canonical keys, so that
// header lookups are case-insensitive without scanning.
func canonical(h http.Header) http.Header {
	ok := true
	for k := range h {
		if textproto.CanonicalMIMEHeaderKey(k) != k {
			ok = false
			break
		}
	}
	if ok {
		return h
	}
	c := make(http.Header, len(h))
	for k, v := range h {
		ck := textproto.CanonicalMIMEHeaderKey(k)
		c[ck] = append(c[ck], v...)
	}
	return c
}

// op is the test a cond applies.
type op uint8

const (
	opHeaderPrefix   op = iota // a value of header name starts with arg (any case); "" = present
	opHeaderEquals             // a value of header name equals arg (any case, spaces trimmed)
	opHeaderContains           // a value of header name contains arg (any case)
	opHeaderAbsent             // header name is absent
	opBodyContains             // the page contains arg
	opBodyEquals               // the page, spaces trimmed, equals arg
	opBodyEmpty                // the body is empty
	opStatus                   // the status is one of codes
	opAny                      // one of alts matches
)

// cond is one test of a signature. Signatures are data: conds are built with
// the constructors below and evaluated by evalAll.
type cond struct {
	op    op
	name  string // canonical header name
	arg   string // needle; lower case for header tests
	until string // opBodyContains: the marker quotes the body up to this
	codes []int
	alts  []cond
}

func header(name, prefix string) cond {
	return cond{op: opHeaderPrefix, name: textproto.CanonicalMIMEHeaderKey(name), arg: strings.ToLower(prefix)}
}

func headerIs(name, value string) cond {
	return cond{op: opHeaderEquals, name: textproto.CanonicalMIMEHeaderKey(name), arg: strings.ToLower(value)}
}

func headerHas(name, sub string) cond {
	return cond{op: opHeaderContains, name: textproto.CanonicalMIMEHeaderKey(name), arg: strings.ToLower(sub)}
}

func noHeader(name string) cond {
	return cond{op: opHeaderAbsent, name: textproto.CanonicalMIMEHeaderKey(name)}
}

func body(needle string) cond { return cond{op: opBodyContains, arg: needle} }

// bodyTo is body(needle) whose marker quotes the page from needle through the
// next until, e.g. the whole "<hr><center>nginx/1.22.1</center>".
func bodyTo(needle, until string) cond { return cond{op: opBodyContains, arg: needle, until: until} }

func bodyIs(text string) cond { return cond{op: opBodyEquals, arg: text} }

func emptyBody() cond { return cond{op: opBodyEmpty} }

func status(codes ...int) cond { return cond{op: opStatus, codes: codes} }

func anyOf(alts ...cond) cond { return cond{op: opAny, alts: alts} }

// eval reports whether c holds for in, and the human-readable marker that
// shows it ("" for tests that are worth no marker).
func (c *cond) eval(in *input) (string, bool) {
	switch c.op {
	case opHeaderPrefix, opHeaderEquals, opHeaderContains:
		for _, v := range in.header[c.name] {
			if c.headerMatch(v) {
				return headerMarker(c.name, v, c.arg), true
			}
		}
		return "", false
	case opHeaderAbsent:
		if len(in.header[c.name]) == 0 {
			return "no " + c.name + " header", true
		}
		return "", false
	case opBodyContains:
		i := bytes.Index(in.page, []byte(c.arg))
		if i < 0 {
			return "", false
		}
		return "body: " + quote(in.page[i:], c.arg, c.until), true
	case opBodyEquals:
		if in.page != nil && string(bytes.TrimSpace(in.page)) == c.arg {
			return "body: " + c.arg, true
		}
		return "", false
	case opBodyEmpty:
		return "empty body", len(in.body) == 0
	case opStatus:
		for _, code := range c.codes {
			if in.status == code {
				return "status " + strconv.Itoa(code), true
			}
		}
		return "", false
	case opAny:
		// Evaluated by evalAll, which keeps the marker of every alternative.
		ms := c.evalAll(in, nil)
		return strings.Join(ms, "; "), len(ms) > 0
	}
	return "", false
}

// evalAll appends to markers the marker of c, or of each alternative of an
// anyOf that holds, so that a hop lists every header that shows it.
func (c *cond) evalAll(in *input, markers []string) []string {
	if c.op != opAny {
		if m, ok := c.eval(in); ok {
			return append(markers, m)
		}
		return markers
	}
	for i := range c.alts {
		markers = c.alts[i].evalAll(in, markers)
	}
	return markers
}

func (c *cond) headerMatch(v string) bool {
	v = strings.TrimSpace(v)
	switch c.op {
	case opHeaderPrefix:
		return len(v) >= len(c.arg) && strings.EqualFold(v[:len(c.arg)], c.arg)
	case opHeaderEquals:
		return strings.EqualFold(v, c.arg)
	case opHeaderContains:
		return strings.Contains(strings.ToLower(v), c.arg)
	}
	return false
}

// headerMarker quotes a header value. Cookies are cut after the matched name:
// their values are long and say nothing about the product.
func headerMarker(name, v, arg string) string {
	v = strings.TrimSpace(v)
	if name == "Set-Cookie" {
		if i := strings.Index(strings.ToLower(v), arg); i >= 0 {
			v = v[:i+len(arg)] + "..."
		}
	}
	return "header " + name + ": " + clip(v)
}

// quote returns page[:len(needle)] extended through until when until follows
// on the same line.
func quote(page []byte, needle, until string) string {
	n := len(needle)
	if until != "" {
		rest := page[n:min(len(page), n+maxMarker)]
		if j := bytes.Index(rest, []byte(until)); j >= 0 && bytes.IndexByte(rest[:j], '\n') < 0 {
			n += j + len(until)
		}
	}
	return clip(string(page[:n]))
}

func clip(s string) string {
	if len(s) > maxMarker {
		s = s[:maxMarker] + "..."
	}
	return strings.ToValidUTF8(s, "")
}
