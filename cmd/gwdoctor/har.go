package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

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

// harRequest is the request of one HAR entry, as a diagnosis replays it.
type harRequest struct {
	URL     string
	Method  string
	Header  http.Header // without Cookie
	Cookies []string    // "name=value"
	Body    bool        // the entry had a request body, which is not sent
	Entry   int         // 1-based index of the entry in the file
	Status  int         // what the browser got; 0 for no response
	Started time.Time   // zero when the file does not say
	Took    time.Duration
}

// harSkip are request headers a replay must not copy: the HTTP/2
// pseudo-headers (":authority"), hop-by-hop headers, the ones the probe
// sets itself, and Accept-Encoding, which would turn the error page into
// compressed bytes that no fingerprint matches.
var harSkip = map[string]bool{
	"Host": true, "Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true,
	"Upgrade": true, "Te": true, "Trailer": true, "Content-Length": true, "Accept-Encoding": true,
}

// readHAR reads a HAR file (stdin for "-") and picks the entry to
// diagnose: number entry (1-based) when it is not 0, otherwise the first
// one that the browser got a gateway status for (502, 503, 504, 520-530),
// or the only entry.
func readHAR(name string, stdin io.Reader, entry int) (harRequest, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return harRequest{}, fmt.Errorf("reading the HAR file: %w", err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxHARBytes+1))
	if err != nil {
		return harRequest{}, fmt.Errorf("reading the HAR file: %w", err)
	}
	if len(b) > maxHARBytes {
		return harRequest{}, usagef("the HAR file is larger than %d MiB; export only the failing request", maxHARBytes>>20)
	}
	return parseHAR(b, entry)
}

// parseHAR picks and reads one entry of a HAR document. Every error is a
// usage error on one line.
func parseHAR(b []byte, entry int) (harRequest, error) {
	var h harFile
	if err := json.Unmarshal(b, &h); err != nil {
		return harRequest{}, usagef("parsing the HAR file: %s", oneLine(err.Error()))
	}
	entries := h.Log.Entries
	if len(entries) == 0 {
		return harRequest{}, usagef("the HAR file has no requests (want an export of the browser's network panel: log.entries)")
	}
	i := -1
	switch {
	case entry < 0 || entry > len(entries):
		return harRequest{}, usagef("--har-entry %d: the HAR file has %d requests, numbered from 1", entry, len(entries))
	case entry > 0:
		i = entry - 1
	case len(entries) == 1:
		i = 0
	default:
		for j, e := range entries {
			if diagnose.IsGatewayStatus(e.Response.Status) {
				i = j
				break
			}
		}
		if i < 0 {
			return harRequest{}, usagef("the HAR file has %d requests and none got 502, 503, 504 or 520-530; choose one with --har-entry N", len(entries))
		}
	}
	return harEntryRequest(entries[i], i+1)
}

// harEntryRequest turns entry number n into the request to replay.
func harEntryRequest(e harEntry, n int) (harRequest, error) {
	req := harRequest{
		URL: e.Request.URL, Method: strings.ToUpper(e.Request.Method), Header: make(http.Header),
		Body: e.Request.PostData != nil, Entry: n, Status: e.Response.Status,
	}
	req.Started, _ = time.Parse(time.RFC3339Nano, e.Started)
	if e.Time > 0 && e.Time < 1e9 {
		req.Took = time.Duration(e.Time * float64(time.Millisecond))
	}
	if !strings.HasPrefix(req.URL, "http://") && !strings.HasPrefix(req.URL, "https://") {
		return harRequest{}, usagef("HAR entry %d is for %q, want an http:// or https:// URL", n, oneLine(req.URL))
	}
	if req.Method == "" {
		req.Method = http.MethodGet
	}
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
		req.Header.Add(name, p.Value)
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

// oneLine keeps the first line of s, for error messages.
func oneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// applyHAR reads --har and adds its entry's request to the flags, as
// applyCurl does for --curl, and returns the URL.
func (f *diagnoseFlags) applyHAR(s streams) (string, error) {
	req, err := readHAR(f.har, s.in, f.harEntry)
	if err != nil {
		return "", err
	}
	f.addState(req.Header, req.Cookies)
	if f.method == "" || f.method == "GET" {
		f.method = req.Method
	}
	if req.Body {
		f.droppedBody = fmt.Sprintf("HAR entry %d's request body was not sent", req.Entry)
	}
	f.reported = &diagnose.Reported{Source: fmt.Sprintf("HAR entry %d", req.Entry), Status: req.Status, At: req.Started, Took: req.Took}
	return req.URL, nil
}
