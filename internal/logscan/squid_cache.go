package logscan

import (
	"bytes"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// squidCache reads Squid's cache.log (src/debug.cc): the local time, with
// milliseconds when debug_options asks for more than level 1; the process
// that wrote it ("kid1") when Squid runs as a master and its workers, as
// Debian's service does; then the message. A message of several lines
// goes on in indented lines, and the statistics printed at shutdown carry
// no time:
//
//	2026/12/05 06:41:59 kid1| WARNING: HTTP: Invalid Response: No object data received for http://lab.test/closed1 AKA http://lab.test/closed1
//	    current master transaction: master53
//	2026/12/05 06:41:14 kid1| TCP connection to 127.0.0.1/39201 failed
//
// Squid 5.7 writes nothing here at the default level for a peer refused
// from its start (the peer is probed and found dead at level 2), for a
// read timeout, a reset or a response header over reply_header_max_size:
// the access log's status and the X-Squid-Error header tell those.
type squidCache struct {
	loc *time.Location
}

func (p *squidCache) parse(line []byte, e *Entry) verdict {
	if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
		return lineOK // the rest of the message above
	}
	t, msg, ok := squidCacheHead(line, p.loc)
	if !ok {
		if squidUntimed(line) {
			return lineOK
		}
		return lineMalformed
	}
	e.Time = t
	cause, status := squidCacheCause(msg)
	if cause == "" {
		return lineOK
	}
	e.Cause, e.Status = cause, status
	e.Product, e.Format = catalog.Squid, "squid-cache"
	e.Detail = string(capLen(msg, 300))
	e.Upstream = squidCacheUpstream(msg)
	if u := between(msg, " received for ", " AKA "); u != nil {
		e.Path = string(capLen(urlPath(u), 512))
	} else if u := between(msg, " encountered from ", " AKA "); u != nil {
		e.Path = string(capLen(urlPath(u), 512))
	} else if u := between(msg, "select source for '", "'"); u != nil {
		e.Path = string(capLen(urlPath(u), 512))
	}
	return lineFailure
}

// squidCacheHead splits "2026/12/05 06:41:59[.123][ kid1]| [11,2| ]msg"
// into its time and message.
func squidCacheHead(line []byte, loc *time.Location) (time.Time, []byte, bool) {
	t, ok := timeYMD(line, loc)
	if !ok || line[4] != '/' {
		return t, nil, false
	}
	rest := line[19:]
	if len(rest) > 0 && rest[0] == '.' {
		ns, r := fraction(rest[1:])
		t, rest = t.Add(time.Duration(ns)), r
	}
	if len(rest) > 1 && rest[0] == ' ' {
		// the process: kidN, or another name Squid gives its processes
		i := bytes.IndexByte(rest, '|')
		if i < 2 || i > 17 || bytes.IndexByte(rest[1:i], ' ') >= 0 {
			return t, nil, false
		}
		rest = rest[i:]
	}
	if len(rest) < 1 || rest[0] != '|' {
		return t, nil, false
	}
	msg := bytes.TrimPrefix(rest[1:], []byte(" "))
	if i := bytes.Index(msg, []byte("| ")); i > 0 && i < 8 && bytes.IndexByte(msg[:i], ',') > 0 {
		msg = msg[i+2:] // "11,2| ": section and level
	}
	return t, msg, true
}

// squidUntimed reports the lines Squid prints without a time: when it
// stops (PrintRusage in src/tools.cc), and the master's "Squid Parent:"
// messages (src/main.cc), which a container's output shows.
func squidUntimed(line []byte) bool {
	if bytes.HasPrefix(line, []byte("squid[")) && bytes.Contains(line, []byte("]: Squid Parent: ")) {
		return true // the master's syslog messages, copied to stderr in the foreground
	}
	for _, p := range []string{"CPU Usage: ", "Maximum Resident Size: ", "Page faults with physical i/o: "} {
		if bytes.HasPrefix(line, []byte(p)) {
			return true
		}
	}
	return false
}

// squidCacheCause maps a cache.log message to a cause and the status the
// client got with it, as Squid 5.7 answered in the lab; "" for messages
// that are no upstream failure. The strings are Squid's (src/neighbors.cc,
// src/http.cc, src/peer_select.cc).
func squidCacheCause(msg []byte) (catalog.Cause, int) {
	switch {
	case bytes.HasPrefix(msg, []byte("TCP connection to ")) && bytes.HasSuffix(msg, []byte(" failed")),
		bytes.HasPrefix(msg, []byte("ERROR: Connection to ")) && bytes.HasSuffix(msg, []byte(" failed")):
		// A refused connection and a connect timeout both write this
		// line, with no errno (X-Squid-Error has it: ERR_CONNECT_FAIL 111
		// or 110), so the line leaves the cause open. Squid 6 words it
		// "ERROR: Connection to <peer> failed" (squid-cache/squid#1772).
		return catalog.Upstream, 503
	case containsAny(msg, "Detected DEAD Parent: ", "Detected DEAD Sibling: "):
		// Squid stops using the peer; requests then get a 502
		// (ERR_READ_ERROR, HIER_NONE) until it comes back.
		return catalog.UpstreamNoneHealthy, 502
	case bytes.HasPrefix(msg, []byte("Failed to select source for ")):
		// ERR_CANNOT_FORWARD: never_direct, and no peer alive or allowed.
		return catalog.UpstreamNoneHealthy, 503
	case bytes.Contains(msg, []byte("Invalid Response: No object data received")):
		return catalog.UpstreamClosed, 502 // ERR_ZERO_SIZE_OBJECT
	case bytes.Contains(msg, []byte("HTTP: Invalid Response: ")):
		return catalog.UpstreamInvalid, 502 // ERR_INVALID_RESP
	case bytes.HasPrefix(msg, []byte("WARNING: DNS lookup for '")) && bytes.HasSuffix(msg, []byte("' failed!")):
		return catalog.UpstreamDNS, 502 // a cache_peer's name
	case bytes.HasPrefix(msg, []byte("ipcacheParse ")) && bytes.Contains(msg, []byte("No Address records")):
		// src/ipcache.cc: a name Squid was to forward to has no address;
		// the client gets ERR_DNS_FAIL (503).
		return catalog.UpstreamDNS, 503
	}
	return "", 0
}

// squidCacheUpstream finds the peer a message names: "127.0.0.1/39201" of
// a failed connection, the name of a dead peer or of a failed lookup.
func squidCacheUpstream(msg []byte) string {
	a := between(msg, "TCP connection to ", " failed")
	if a == nil {
		a = between(msg, "ERROR: Connection to ", " failed")
	}
	if a != nil {
		if i := bytes.LastIndexByte(a, '/'); i >= 0 {
			return string(capLen(a[:i], 200)) + ":" + string(capLen(a[i+1:], 8))
		}
		return string(capLen(a, 200))
	}
	if i := bytes.Index(msg, []byte("Detected DEAD ")); i >= 0 {
		if j := bytes.Index(msg[i:], []byte(": ")); j >= 0 {
			return string(capLen(bytes.TrimSpace(msg[i+j+2:]), 128))
		}
	}
	if n := between(msg, "DNS lookup for '", "'"); n != nil {
		return string(capLen(n, 128))
	}
	return ""
}
