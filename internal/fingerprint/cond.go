package fingerprint

import (
	"bytes"
	"net/http"
	"net/textproto"
	"regexp"
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
	status   int
	reason   string      // the reason phrase, lower case
	header   http.Header // canonical keys
	body     []byte      // the whole body as given
	page     []byte      // body when it may be an error page, nil otherwise
	bodySeen bool        // the body is known: a headers-only paste shows none
	visible  *string     // visibleText(page), computed when a cond first needs it
}

// newInput prepares r. A body without a status (a page saved or pasted on
// its own) takes the status that the page states.
func newInput(r Response) *input {
	in := &input{status: r.Status, reason: strings.ToLower(r.Reason), header: canonical(r.Header), body: r.Body,
		bodySeen: len(r.Body) > 0 || !r.BodyTruncated}
	if len(r.Body) <= maxPageSize {
		in.page = r.Body
	}
	if in.status == 0 && len(in.page) > 0 {
		in.status = statusOfPage(in.page)
	}
	return in
}

// text returns what a browser shows of the page: the page itself when it
// is text already (a pasted screen).
func (in *input) text() string {
	if in.visible == nil {
		s := visibleText(in.page, false)
		in.visible = &s
	}
	return *in.visible
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
	opBodyUnseen               // the body is not at hand (headers alone)
	opStatus                   // the status is one of codes
	opAny                      // one of alts matches
	opText                     // the visible text contains arg
	opTextMatch                // re matches the visible text
	opBodyMatch                // re matches the page
	opReason                   // the reason phrase contains arg (any case)
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
	re    *regexp.Regexp
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

// bodyUnseen holds for headers without their body (curl -I, a browser's
// network panel).
func bodyUnseen() cond { return cond{op: opBodyUnseen} }

// shows matches the visible text: what a browser shows of an HTML page
// (tags dropped, entities decoded, a line per block), or a pasted screen.
func shows(needle string) cond { return cond{op: opText, arg: needle} }

// showsRe matches the visible text with a compiled regular expression.
func showsRe(expr string) cond { return cond{op: opTextMatch, re: regexp.MustCompile(expr)} }

// bodyRe matches the page with a compiled regular expression.
func bodyRe(expr string) cond { return cond{op: opBodyMatch, re: regexp.MustCompile(expr)} }

// reason matches the status line's reason phrase.
func reason(sub string) cond { return cond{op: opReason, arg: strings.ToLower(sub)} }

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
		return "empty body", len(in.body) == 0 && in.bodySeen
	case opBodyUnseen:
		return "the body is not at hand", !in.bodySeen
	case opText, opTextMatch, opBodyMatch, opReason:
		return c.evalMatch(in)
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

// evalMatch evaluates the text, regular expression and reason phrase tests.
func (c *cond) evalMatch(in *input) (string, bool) {
	switch c.op {
	case opText:
		t := in.text()
		if i := strings.Index(t, c.arg); i >= 0 {
			return "text: " + clip(c.arg), true
		}
		return "", false
	case opTextMatch:
		if m := c.re.FindString(in.text()); m != "" {
			return "text: " + clip(strings.ReplaceAll(m, "\n", " / ")), true
		}
		return "", false
	case opBodyMatch:
		if m := c.re.Find(in.page); m != nil {
			return "body: " + clip(string(m)), true
		}
		return "", false
	case opReason:
		if c.arg != "" && strings.Contains(in.reason, c.arg) {
			return "reason phrase: " + clip(in.reason), true
		}
		return "", false
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
