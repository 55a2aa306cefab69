package fingerprint

import (
	"bufio"
	"bytes"
	"net/http"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
)

// Forms of pasted input, for Paste.Form.
const (
	FormResponse = "response" // a status line, headers and possibly a body
	FormHeaders  = "headers"  // header lines without a status line, possibly a body
	FormHTML     = "html"     // an HTML body alone
	FormJSON     = "json"     // a JSON body alone
	FormText     = "text"     // text alone: what a browser showed, or a log line
)

// Where a Paste's status came from, for Paste.StatusFrom.
const (
	StatusFromLine   = "status line" // the response's own status line or :status header
	StatusFromPage   = "page"        // the page states it ("502 Bad Gateway", "Error code 522")
	StatusFromCaller = "caller"      // the caller gave it
)

// Paste is a response read from text that a user pasted or saved: a raw
// response, its headers alone, an HTML or JSON body alone, or the visible
// text of an error page.
type Paste struct {
	Response   Response
	Form       string // one of the Form constants
	StatusFrom string // one of the StatusFrom constants, "" when no status was found
}

var (
	// HTTP/1.1 502 Bad Gateway, HTTP/2 520, as curl -i and browsers print them.
	statusLineRe = regexp.MustCompile(`^HTTP/[0-9.]+\s+([1-5][0-9]{2})\b[ \t]*([^\r\n]*)`)
	// The status line as curl -v prints it: "< HTTP/1.1 503 Service Unavailable".
	curlStatusRe = regexp.MustCompile(`^< HTTP/[0-9.]+\s+[1-5][0-9]{2}\b`)
	// A header line: a token, a colon, a value. Lower-case HTTP/2 names and
	// the :status pseudo-header included. No field name starts with a digit,
	// while a page's text may ("504: GATEWAY_TIMEOUT").
	headerLineRe = regexp.MustCompile(`^:?[A-Za-z][A-Za-z0-9_-]*:[ \t]*\S`)
	// Statuses that error pages state: "502 Bad Gateway", "504: GATEWAY_TIMEOUT",
	// "Error 503 Backend fetch failed", "HTTP Error 502.3", "Error code 522",
	// "example.com | 524: A timeout occurred", "Error 502 (Server Error)!!1".
	pageStatusRes = []*regexp.Regexp{
		regexp.MustCompile(`(?m)^(?:HTTP/[0-9.]+ )?([45][0-9]{2})(?:[ .:(-]|$)`),
		regexp.MustCompile(`\b(?:Error code|HTTP Error|Error) ([45][0-9]{2})\b`),
		regexp.MustCompile(`\| ([45][0-9]{2}): `),
	}
	// Cloudflare's 1xxx errors are served with status 530 (Cloudflare docs,
	// "Cloudflare 1xxx errors").
	cloudflare1xxxRe = regexp.MustCompile(`\bError (?:code )?(1[0-9]{3})\b`)
)

// ReadPaste reads pasted text as a response. It never fails: text that is
// no response is a body.
func ReadPaste(data []byte) Paste {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if r, ok := curlVerbose(data); ok {
		data = r
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	var p Paste
	if m := statusLineRe.FindSubmatch(trimmed); m != nil {
		p.Form = FormResponse
		p.Response.Status, _ = strconv.Atoi(string(m[1]))
		p.Response.Reason = strings.TrimSpace(string(m[2]))
		p.StatusFrom = StatusFromLine
		_, rest, _ := bytes.Cut(trimmed, []byte("\n"))
		p.Response.Header, p.Response.Body = readHeaders(rest)
	} else if isHeaderBlock(trimmed) {
		p.Form = FormHeaders
		p.Response.Header, p.Response.Body = readHeaders(trimmed)
	} else {
		p.Response.Body = bytes.TrimSpace(data)
		p.Form = bodyForm(p.Response.Body)
	}
	// Headers without a body show no body: it is unknown unless the headers
	// say it is empty.
	if p.Form != FormText && p.Form != FormHTML && p.Form != FormJSON && len(p.Response.Body) == 0 {
		p.Response.BodyTruncated = strings.TrimSpace(p.Response.Header.Get("Content-Length")) != "0"
	}
	if p.Response.Status == 0 {
		if s := pseudoStatus(p.Response.Header); s != 0 {
			p.Response.Status, p.StatusFrom = s, StatusFromLine
		} else if s := statusOfPage(p.Response.Body); s != 0 {
			p.Response.Status, p.StatusFrom = s, StatusFromPage
		}
	}
	return p
}

// curlVerbose returns the response of curl -v output as a raw response:
// curl marks the response's status and header lines with "< ", the request's
// with "> " and its own notes with "* ", and writes the body unmarked. The
// last response counts (curl -L follows redirects). ok is false when data
// has no "< HTTP/" line.
func curlVerbose(data []byte) ([]byte, bool) {
	lines := bytes.Split(data, []byte("\n"))
	start := -1
	for i, l := range lines {
		if curlStatusRe.Match(l) {
			start = i
		}
	}
	if start < 0 {
		return nil, false
	}
	var out [][]byte
	var marked []byte // the last "< " line of the head
	inHead := true
	for _, l := range lines[start:] {
		t := bytes.TrimRight(l, "\r")
		switch {
		case bytes.HasPrefix(t, []byte("* ")), bytes.HasPrefix(t, []byte("> ")), bytes.Equal(t, []byte(">")):
			continue // curl's notes and the request
		case inHead && bytes.HasPrefix(t, []byte("<")):
			t = bytes.TrimPrefix(bytes.TrimPrefix(t, []byte("<")), []byte(" "))
			inHead = len(bytes.TrimSpace(t)) > 0
			marked = t
		case inHead && marked != nil && bytes.Equal(bytes.TrimSpace(t), bytes.TrimSpace(marked)):
			// curl -v with -i or --head prints each header line twice:
			// marked on stderr, then plain on stdout.
			continue
		}
		out = append(out, t)
	}
	return bytes.Join(out, []byte("\n")), true
}

// isHeaderBlock reports whether b starts with two header lines, as a
// browser's "copy response headers" gives them.
func isHeaderBlock(b []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 0; n < 2; n++ {
		if !sc.Scan() || !headerLineRe.Match(sc.Bytes()) {
			return false
		}
	}
	return true
}

// readHeaders reads header lines up to the first line that is not one, and
// returns the rest, spaces trimmed, as the body. Lines without a colon end
// the block, so a pasted response without its blank line still parses.
func readHeaders(b []byte) (http.Header, []byte) {
	h := http.Header{}
	for len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte("\n"))
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			b = rest
			break
		}
		if !headerLineRe.Match(line) {
			break
		}
		name, value, _ := bytes.Cut(bytes.TrimPrefix(line, []byte(":")), []byte(":"))
		key := textproto.CanonicalMIMEHeaderKey(string(name))
		if bytes.HasPrefix(line, []byte(":")) {
			key = ":" + strings.ToLower(key)
		}
		h[key] = append(h[key], string(bytes.TrimSpace(value)))
		b = rest
	}
	return h, bytes.TrimSpace(b)
}

// pseudoStatus reads the status that HTTP/2 tools print as a header.
func pseudoStatus(h http.Header) int {
	for _, k := range []string{":status", "Status"} {
		if v := h.Get(k); v != "" {
			if s, err := strconv.Atoi(strings.Fields(v)[0]); err == nil && s >= 100 && s < 600 {
				return s
			}
		}
	}
	return 0
}

func bodyForm(b []byte) string {
	switch {
	case len(b) == 0:
		return FormText
	case b[0] == '{' || b[0] == '[':
		return FormJSON
	case b[0] == '<' || bytes.Contains(b, []byte("</")):
		return FormHTML
	}
	return FormText
}

// statusOfPage returns the error status that a page states, 0 when it
// states none. Cloudflare's 1xxx pages mean status 530.
func statusOfPage(body []byte) int {
	if len(body) == 0 {
		return 0
	}
	text := []byte(visibleText(body, true))
	if m := cloudflare1xxxRe.FindSubmatch(text); m != nil && bytes.Contains(body, []byte("Cloudflare")) {
		return 530
	}
	for _, re := range pageStatusRes {
		if m := re.FindSubmatch(text); m != nil {
			s, _ := strconv.Atoi(string(m[1]))
			return s
		}
	}
	return 0
}

// IdentifyPaste tells who produced a pasted response: a raw response with
// its headers, the headers alone, an HTML or JSON body alone, or the text a
// browser showed. It needs no network; the status comes from the status
// line, else from the page's own words.
func IdentifyPaste(data []byte) (Result, Paste) {
	p := ReadPaste(data)
	return Identify(p.Response), p
}
