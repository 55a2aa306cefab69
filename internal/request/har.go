package request

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// maxHARBytes bounds a HAR file: browsers put every response body in it,
// so a busy page can make tens of megabytes.
const maxHARBytes = 128 << 20

// harFile is the part of an HTTP Archive (HAR 1.2, as Chrome, Firefox and
// Safari export it from their network panel) that a diagnosis reads.
type harFile struct {
	Log struct {
		Entries []harEntry `json:"entries"`
	} `json:"log"`
}

type harEntry struct {
	Started string  `json:"startedDateTime"`
	Time    float64 `json:"time"` // milliseconds, the whole exchange
	Request struct {
		Method   string    `json:"method"`
		URL      string    `json:"url"`
		Headers  []harPair `json:"headers"`
		Cookies  []harPair `json:"cookies"`
		PostData *struct {
			MimeType string `json:"mimeType"`
		} `json:"postData"`
	} `json:"request"`
	Response struct {
		Status int `json:"status"`
	} `json:"response"`
}

type harPair struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// harSkip are request headers a replay must not copy: the HTTP/2
// pseudo-headers (":authority"), hop-by-hop headers, the ones the probe
// sets itself, and Accept-Encoding, which would turn the error page into
// compressed bytes that no fingerprint matches.
var harSkip = map[string]bool{
	"Host": true, "Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true,
	"Upgrade": true, "Te": true, "Trailer": true, "Content-Length": true, "Accept-Encoding": true,
}

// FromHAR reads a HAR file and the request of one of its entries: number
// entry, counted from 1, when it is not 0; otherwise the first entry that
// the browser got a gateway status for (502, 503, 504, 520-530), or the
// only entry. Request.Reported is what the browser saw of it. When no entry
// got a gateway status the *Error wraps ErrNoFailure. A file larger than
// 128 MiB is an *Error; a failure to read r is returned wrapped.
func FromHAR(r io.Reader, entry int) (Request, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxHARBytes+1))
	if err != nil {
		return Request{}, fmt.Errorf("reading the HAR file: %w", err)
	}
	if len(b) > maxHARBytes {
		return Request{}, errorf(nil, "the HAR file is larger than %d MiB; export only the failing request", maxHARBytes>>20)
	}
	var h harFile
	if err := json.Unmarshal(b, &h); err != nil {
		return Request{}, errorf(nil, "parsing the HAR file: %s", oneLine(err.Error()))
	}
	i, err := pickEntry(h.Log.Entries, entry)
	if err != nil {
		return Request{}, err
	}
	return harEntryRequest(h.Log.Entries[i], i+1)
}

// pickEntry returns the index of the entry to read, as FromHAR describes.
func pickEntry(entries []harEntry, entry int) (int, error) {
	switch {
	case len(entries) == 0:
		return 0, errorf(nil, "the HAR file has no requests (want an export of the browser's network panel: log.entries)")
	case entry < 0 || entry > len(entries):
		return 0, errorf(nil, "there is no entry %d: the HAR file has %d requests, numbered from 1", entry, len(entries))
	case entry > 0:
		return entry - 1, nil
	case len(entries) == 1:
		return 0, nil
	}
	for i, e := range entries {
		if catalog.IsGatewayStatus(e.Response.Status) {
			return i, nil
		}
	}
	return 0, errorf(ErrNoFailure, "the HAR file has %d requests and none got 502, 503, 504 or 520-530", len(entries))
}

// harEntryRequest turns entry number n into the request to replay.
func harEntryRequest(e harEntry, n int) (Request, error) {
	req := Request{URL: e.Request.URL, Method: strings.ToUpper(e.Request.Method), Header: make(http.Header)}
	if !strings.HasPrefix(req.URL, "http://") && !strings.HasPrefix(req.URL, "https://") {
		return Request{}, errorf(nil, "HAR entry %d is for %q, want an http:// or https:// URL", n, oneLine(req.URL))
	}
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	if e.Request.PostData != nil {
		req.DroppedBody = fmt.Sprintf("HAR entry %d's request body was not sent", n)
	}
	rep := &diagnose.Reported{Source: fmt.Sprintf("HAR entry %d", n), Status: e.Response.Status}
	rep.At, _ = time.Parse(time.RFC3339Nano, e.Started) // zero when the file does not say
	if e.Time > 0 && e.Time < 1e9 {
		rep.Took = time.Duration(e.Time * float64(time.Millisecond))
	}
	req.Reported = rep
	cookieHeader := false
	for _, p := range e.Request.Headers {
		name := strings.TrimSpace(p.Name)
		if name == "" || strings.HasPrefix(name, ":") || strings.ContainsAny(name, " \t\r\n:") {
			continue
		}
		key := http.CanonicalHeaderKey(name)
		if harSkip[key] {
			continue
		}
		if key == "Cookie" {
			cookieHeader = true
			req.Cookies = append(req.Cookies, splitCookies(p.Value)...)
			continue
		}
		// A field value has no leading or trailing whitespace (RFC 9110,
		// section 5.5); an export may keep some.
		req.Header.Add(name, strings.TrimSpace(p.Value))
	}
	if !cookieHeader {
		// Some exports list the cookies only in request.cookies.
		for _, c := range e.Request.Cookies {
			if c.Name != "" {
				req.Cookies = append(req.Cookies, c.Name+"="+c.Value)
			}
		}
	}
	return req, nil
}

// splitCookies splits a Cookie header into its "name=value" items.
func splitCookies(s string) []string {
	var out []string
	for c := range strings.SplitSeq(s, ";") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// oneLine keeps the first line of s, for error messages.
func oneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
