package fingerprint

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
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
	// a browser's "HTTP ERROR 502",
	// "example.com | 524: A timeout occurred", "Error 502 (Server Error)!!1".
	pageStatusRes = []*regexp.Regexp{
		regexp.MustCompile(`(?m)^(?:HTTP/[0-9.]+ )?([45][0-9]{2})(?:[ .:(-]|$)`),
		regexp.MustCompile(`\b(?i:Error code|HTTP Error|Error) ([45][0-9]{2})\b`),
		regexp.MustCompile(`\| ([45][0-9]{2}): `),
		// HTTP clients' errors: Python requests' "502 Server Error: Bad
		// Gateway for url", "status code 503", "(Status code: 504)",
		// "httpStatusCode = 504", "non-JSON response (status 503)".
		regexp.MustCompile(`\b([45][0-9]{2}) (?:Server|Client) Error\b`),
		regexp.MustCompile(`(?i)\b(?:http)?status(?:[ _]?code)?\s*(?:[:=]\s*|is\s+)?\(?([45][0-9]{2})\b`),
	}
	// Cloudflare's 1xxx errors are served with status 530 (Cloudflare docs,
	// "Cloudflare 1xxx errors").
	cloudflare1xxxRe = regexp.MustCompile(`\bError (?:code )?(1[0-9]{3})\b`)
	// The prefix that a process manager writes before each line of its
	// program's output: pm2's "1|app | " and docker compose's "web_1  | ".
	// Foundation's description of an HTTPURLResponse, as iOS apps log it:
	// "{ Status Code: 500, Headers {\n Server = (\n \"nginx\"\n);".
	nsStatusRe  = regexp.MustCompile(`Status Code: ([1-5][0-9]{2}), Headers \{`)
	nsHeaderRe  = regexp.MustCompile(`(?m)^\s*"?([A-Za-z][A-Za-z0-9-]*)"?\s*=\s*\(?\s*"?([^"\n)]*)"?\s*\)?;?\s*$`)
	logPrefixRe = regexp.MustCompile(`^(?:[0-9]+\|[A-Za-z0-9_.-]+|[A-Za-z0-9][A-Za-z0-9_.-]*)[ \t]*\| `)
)

// ReadPaste reads pasted text as a response. It never fails: text that is
// no response is a body.
func ReadPaste(data []byte) Paste {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	data = dropCommand(dedent(stripLogPrefix(data)))
	if r, ok := curlVerbose(data); ok {
		data = r
	}
	if p, ok := harResponse(data); ok {
		return p
	}
	if p, ok := clientResponse(data); ok {
		return p
	}
	if p, ok := foundationResponse(data); ok {
		return p
	}
	if p, ok := statusCodeError(data); ok {
		return p
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

// dedent removes the indentation that every line shares (a quoted or
// indented code block).
func dedent(data []byte) []byte {
	lines := bytes.Split(data, []byte("\n"))
	var common []byte
	first := true
	for _, l := range lines {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		ind := l[:len(l)-len(bytes.TrimLeft(l, " \t"))]
		if first {
			common, first = ind, false
			continue
		}
		for !bytes.HasPrefix(ind, common) {
			common = common[:len(common)-1]
		}
	}
	if len(common) == 0 {
		return data
	}
	for i, l := range lines {
		lines[i] = bytes.TrimPrefix(l, common)
	}
	return bytes.Join(lines, []byte("\n"))
}

// shellCommand is a prompt and the HTTP client command that printed what
// follows: "$ curl -i https://...", "user@host:~$ wget ...".
var shellCommand = regexp.MustCompile(`^[^\n]*?[$#%>] +(?:curl|wget|http|https|xh)\b[^\n]*\n`)

// dropCommand removes the command line in front of a pasted response.
func dropCommand(data []byte) []byte {
	t := bytes.TrimLeft(data, " \t\r\n")
	if m := shellCommand.Find(t); m != nil {
		return t[len(m):]
	}
	return data
}

// stripLogPrefix removes the prefix that a process manager wrote before
// every line (pm2, docker compose), when every line carries the same one.
func stripLogPrefix(data []byte) []byte {
	lines := bytes.Split(bytes.TrimRight(data, "\r\n"), []byte("\n"))
	if len(lines) < 2 {
		return data
	}
	prefix := logPrefixRe.Find(lines[0])
	if prefix == nil {
		return data
	}
	for _, l := range lines[1:] {
		if !bytes.HasPrefix(l, prefix) && len(bytes.TrimSpace(l)) > 0 {
			return data
		}
	}
	for i, l := range lines {
		lines[i] = bytes.TrimPrefix(l, prefix)
	}
	return bytes.Join(lines, []byte("\n"))
}

// harResponse reads a browser's HAR export (the HTTP Archive format that
// the network panel saves): the response of its first entry with a
// gateway status, else its first with a 5xx, else its last. ok is false
// for any other JSON.
func harResponse(data []byte) (Paste, bool) {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || t[0] != '{' || !bytes.Contains(t, []byte(`"entries"`)) {
		return Paste{}, false
	}
	type header struct{ Name, Value string }
	var har struct {
		Log struct {
			Entries []struct {
				Response struct {
					Status     int      `json:"status"`
					StatusText string   `json:"statusText"`
					Headers    []header `json:"headers"`
					Content    struct {
						Text     string `json:"text"`
						Encoding string `json:"encoding"`
					} `json:"content"`
				} `json:"response"`
			} `json:"entries"`
		} `json:"log"`
	}
	if json.Unmarshal(t, &har) != nil || len(har.Log.Entries) == 0 {
		return Paste{}, false
	}
	pick, server := -1, -1
	for i, e := range har.Log.Entries {
		if catalog.IsGatewayStatus(e.Response.Status) {
			pick = i
			break
		}
		if e.Response.Status >= 500 && server < 0 {
			server = i
		}
	}
	if pick < 0 {
		pick = server
	}
	if pick < 0 {
		pick = len(har.Log.Entries) - 1
	}
	r := har.Log.Entries[pick].Response
	if r.Status < 100 || r.Status > 599 {
		return Paste{}, false
	}
	p := Paste{Form: FormResponse, StatusFrom: StatusFromLine}
	p.Response.Status, p.Response.Reason = r.Status, r.StatusText
	p.Response.Header = http.Header{}
	for _, h := range r.Headers {
		if !strings.HasPrefix(h.Name, ":") {
			p.Response.Header.Add(h.Name, h.Value)
		}
	}
	body := []byte(r.Content.Text)
	if r.Content.Encoding == "base64" {
		if b, err := base64.StdEncoding.DecodeString(r.Content.Text); err == nil {
			body = b
		}
	}
	p.Response.Body = bytes.TrimSpace(body)
	return p, true
}

// clientResponse reads the response object that an HTTP client library
// prints for a failed request, as people paste it from a browser console:
// axios's {"data": "<page>", "status": 503, "statusText": ..., "headers":
// {...}}. ok is false for any other JSON, which is a body.
func clientResponse(data []byte) (Paste, bool) {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || t[0] != '{' || !bytes.Contains(t, []byte(`"status"`)) {
		return Paste{}, false
	}
	var obj struct {
		Data       json.RawMessage   `json:"data"`
		Status     int               `json:"status"`
		StatusText string            `json:"statusText"`
		Headers    map[string]string `json:"headers"`
	}
	if json.Unmarshal(t, &obj) != nil || obj.Status < 100 || obj.Status > 599 || len(obj.Data) == 0 {
		return Paste{}, false
	}
	if obj.StatusText == "" && obj.Headers == nil && !bytes.Contains(t, []byte(`"config"`)) {
		// An API's own body that has "data" and "status" fields: not a
		// client's response object, which carries more of the response.
		return Paste{}, false
	}
	var body string
	if json.Unmarshal(obj.Data, &body) != nil {
		body = string(obj.Data) // a JSON body, kept as JSON
	}
	p := Paste{Form: FormResponse, StatusFrom: StatusFromLine}
	p.Response.Status, p.Response.Reason = obj.Status, obj.StatusText
	p.Response.Header = http.Header{}
	for k, v := range obj.Headers {
		p.Response.Header.Add(k, v)
	}
	p.Response.Body = []byte(strings.TrimSpace(body))
	return p, true
}

// statusCodeErrorRe is the message of request-promise's StatusCodeError
// (and the clients that copied it): "StatusCodeError: 503 - {...}".
var statusCodeErrorRe = regexp.MustCompile(`(?m)StatusCodeError: ([1-5][0-9]{2}) - (.+)$`)

// statusCodeError reads the status and the body that a StatusCodeError
// message carries.
func statusCodeError(data []byte) (Paste, bool) {
	m := statusCodeErrorRe.FindSubmatch(data)
	if m == nil {
		return Paste{}, false
	}
	p := Paste{Form: FormText, StatusFrom: StatusFromPage}
	p.Response.Status, _ = strconv.Atoi(string(m[1]))
	body := bytes.TrimSpace(m[2])
	if len(body) > 1 && body[0] == '"' {
		if s, err := strconv.Unquote(string(body)); err == nil {
			body = []byte(s)
		}
	}
	p.Response.Body = body
	p.Form = bodyForm(body)
	return p, true
}

// foundationResponse reads the description of an HTTPURLResponse that iOS
// and macOS apps log: the status and the headers, each header's value in
// parentheses on the lines after its name. It has no body.
func foundationResponse(data []byte) (Paste, bool) {
	m := nsStatusRe.FindSubmatchIndex(data)
	if m == nil {
		return Paste{}, false
	}
	p := Paste{Form: FormHeaders, StatusFrom: StatusFromLine}
	p.Response.Status, _ = strconv.Atoi(string(data[m[2]:m[3]]))
	p.Response.Header = http.Header{}
	// Join each header's lines: "Server = (\n\"nginx\"\n);" becomes one.
	rest := string(data[m[1]:])
	var joined strings.Builder
	for _, l := range strings.Split(rest, "\n") {
		t := strings.TrimSpace(l)
		joined.WriteString(t)
		if strings.HasSuffix(t, ";") || strings.HasSuffix(t, "}") {
			joined.WriteString("\n")
		}
	}
	for _, hm := range nsHeaderRe.FindAllStringSubmatch(joined.String(), -1) {
		p.Response.Header.Add(hm[1], strings.TrimSpace(hm[2]))
	}
	p.Response.BodyTruncated = true // the description holds no body
	return p, len(p.Response.Header) > 0
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
