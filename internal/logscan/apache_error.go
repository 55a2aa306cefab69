package logscan

import (
	"bytes"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// apacheError reads Apache httpd 2.4's error log in its default
// ErrorLogFormat (server/log.c), and 2.2's, which has no module, pid or AH
// codes ("[Wed Dec 04 17:14:32 2019] [error] (111)Connection refused: proxy:
// HTTP: attempt to connect to 127.0.0.1:8212 (*) failed"):
//
//	[Fri Aug 21 10:15:02.123456 2026] [proxy:error] [pid 1234:tid 140001] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 (localhost:8080) failed
//
// mod_proxy logs one failure on several lines (AH00957, then AH00959 and
// AH01114); the line with the errno is counted and its companions are not.
// A module that logs why a request failed and then a line of its own that
// only repeats it has the second line not counted again (apacheRepeatOf).
//
// A message published without the date and module in front, from its AH
// code on ("AH01084: pass request body failed to ..."), is read when it
// is a failure, without a time.
type apacheError struct {
	loc *time.Location
	// last is the last line that a repeat may follow, if any.
	last apacheLead
}

// apacheLead is the last line that said why a request failed: the code
// of the line that would repeat it, the request's client, and when it was
// logged.
type apacheLead struct {
	repeat, client string
	at             time.Time
}

// apacheRepeatOf returns the code of the line that a module logs after a
// line of code for the same request, and which only repeats it; "" for
// none. mod_proxy_fcgi says why a request failed (AH01067 "Failed to read
// FastCGI header", AH01068, AH01070) and then AH01075 "Error dispatching
// request"; mod_proxy_http logs AH01097 "pass request body failed" with
// no status after AH01084 (the body could not be written to the backend)
// or AH02608 (it could not be read from the client), since "apr_status_t
// value has been logged in lower level method" (mod_proxy_http.c).
func apacheRepeatOf(code string) string {
	switch code {
	case "AH01067", "AH01068", "AH01070":
		return "AH01075"
	case "AH01084", "AH02608":
		return "AH01097"
	}
	return ""
}

func (p *apacheError) parse(line []byte, e *Entry) verdict {
	if len(line) > 9 && line[0] == 'A' && line[1] == 'H' && isAHCode(line) {
		if v := p.message(line, time.Time{}, e); v == lineFailure || apacheRepeated(line[:7]) {
			return v
		}
		return lineMalformed // a bare message of no failure: not known to be a log's
	}
	if len(line) < 30 || line[0] != '[' {
		return lineMalformed
	}
	end := bytes.IndexByte(line, ']')
	if end < 0 {
		return lineMalformed
	}
	if moduleLevel(line[1:end]) && bytes.HasPrefix(line[end+1:], []byte(" [pid ")) {
		// A line published without its time: "[proxy:error] [pid 19182]
		// (111)Connection refused: AH00957: ...": httpd's own layout.
		return p.message(line[1:], time.Time{}, e)
	}
	t, ok := timeApache(line[1:end], p.loc)
	if !ok || !bytes.HasPrefix(line[end+1:], []byte(" [")) {
		return lineMalformed
	}
	e.Time = t
	rest := line[end+2:]
	if bytes.IndexByte(rest, ']') < 0 {
		return lineMalformed
	}
	return p.message(rest, t, e)
}

// message reads a line after its time: its module, pid, client, errno and
// AH code in brackets and before the message, or the message alone.
func (p *apacheError) message(rest []byte, t time.Time, e *Entry) verdict {
	ah := bytes.Index(rest, []byte("AH"))
	for ah >= 0 && !isAHCode(rest[ah:]) {
		k := bytes.Index(rest[ah+2:], []byte("AH"))
		if k < 0 {
			ah = -1
			break
		}
		ah += 2 + k
	}
	code, msg, pre := "", rest, rest
	if ah >= 0 {
		code, msg, pre = string(rest[ah:ah+7]), rest[ah+9:], rest[:ah]
	}
	if p.repeats(code, rest, t) {
		return lineOK // the same request's failure, logged above
	}
	cause := apacheCause(code, msg, errnoIn(pre))
	if cause == "" {
		return lineOK
	}
	e.Cause, e.Product, e.Format = cause, catalog.Apache, "apache-error"
	e.Status = statusFor(catalog.Apache, cause)
	detail := rest
	if i := bytes.IndexByte(rest, ']'); i >= 0 && ah != 0 {
		detail = rest[i+1:]
	}
	if i := bytes.Index(detail, []byte("[pid ")); i >= 0 && bytes.IndexByte(detail[i:], ']') >= 0 {
		detail = detail[i+bytes.IndexByte(detail[i:], ']')+1:]
	}
	e.Detail = string(capLen(bytes.TrimSpace(detail), 300))
	if c := between(rest, "[client ", "]"); c != nil {
		e.Client = string(capLen(c, 64))
	}
	e.Upstream = apacheUpstream(msg)
	if pth := between(append(msg, '\n'), " returned by ", "\n"); pth != nil {
		e.Path = string(capLen(bytes.TrimSuffix(pth, []byte(", referer")), 512))
	}
	return lineFailure
}

// repeats tells whether a line of this code, at time t, only repeats the
// line before it (apacheRepeatOf), and notes a line that a repeat may
// follow. The two are the same request's when they name the same client
// (or none) within a second, or both have no time.
func (p *apacheError) repeats(code string, rest []byte, t time.Time) bool {
	if r := apacheRepeatOf(code); r != "" {
		p.last = apacheLead{repeat: r, client: string(between(rest, "[client ", "]")), at: t}
		return false
	}
	l := p.last
	if l.repeat == "" || code != l.repeat || string(between(rest, "[client ", "]")) != l.client {
		return false
	}
	if d := t.Sub(l.at); d >= time.Second || d <= -time.Second {
		return false
	}
	p.last = apacheLead{}
	return true
}

// apacheRepeated reports whether code is a line that apacheRepeatOf
// pairs, either one of the two.
func apacheRepeated(code []byte) bool {
	switch string(code) {
	case "AH01075", "AH01097":
		return true
	}
	return apacheRepeatOf(string(code)) != ""
}

func isAHCode(b []byte) bool {
	if len(b) < 9 || b[7] != ':' {
		return false
	}
	_, ok := digits(b[2:7])
	return ok
}

// apacheCause maps an AH code (modules/proxy/*.c, modules/ssl) to a cause,
// or "" for lines that are not failures or only repeat one.
func apacheCause(code string, msg []byte, errno int) catalog.Cause {
	timedOut := errno == 70007
	switch code {
	case "AH00957", "AH02454", "AH00952":
		// AH02454: mod_proxy_fcgi's "FCGI: attempt to connect to Unix
		// domain socket ... failed"; its companion AH01079 ("failed to make
		// connection to backend") is not counted again. AH00952: "error
		// creating fam N socket for target": the socket itself was refused
		// (EACCES under SELinux or a sandbox).
		return causeOfErrno(errno)
	case "AH01102", "AH01075":
		if timedOut {
			return catalog.UpstreamTimeout
		}
		return catalog.UpstreamClosed
	case "AH01084":
		// "pass request body failed to ADDR": writing the request's body
		// to the backend failed, with the APR status in front; without
		// one (a message published alone) why is not said.
		switch {
		case timedOut:
			return catalog.UpstreamTimeout
		case errno < 0:
			return catalog.Upstream
		}
		return catalog.UpstreamClosed
	case "AH01097":
		// Logged with no status, after the line that has it (see
		// apacheRepeatOf); alone, it does not say whether the backend or
		// the client failed.
		return catalog.Upstream
	case "AH00940", "AH01170":
		// AH01170: "balancer://app: All workers are in error state".
		return catalog.UpstreamNoneHealthy
	case "AH03303":
		// mod_proxy_hcheck: "Threaded Health check DISABLING http://…",
		// the check that takes a balancer member out.
		if bytes.Contains(msg, []byte("DISABLING")) {
			return catalog.UpstreamNoneHealthy
		}
		return ""
	case "AH00941":
		return catalog.UpstreamOverloaded
	case "AH01144":
		// "No protocol handler was valid for the URL": the proxy module
		// the URL needs is not loaded; Apache answers 500 itself.
		return catalog.Unknown
	case "AH01106", "AH01068", "AH01070":
		return catalog.UpstreamInvalid
	case "AH01110":
		return catalog.UpstreamTruncated
	case "AH01067":
		return catalog.UpstreamClosed
	case "AH02003", "AH02004", "AH02005", "AH02411":
		return catalog.UpstreamTLS
	}
	switch {
	case code == "" && bytes.Contains(msg, []byte("attempt to connect to ")) && bytes.HasSuffix(msg, []byte(" failed")):
		// Apache 2.2, before AH codes: "proxy: HTTP: attempt to connect to
		// 127.0.0.1:8080 (*) failed" after the errno.
		return causeOfErrno(errno)
	case code == "" && bytes.Contains(msg, []byte("proxy: ")) && bytes.Contains(msg, []byte(": disabled connection for (")):
		return catalog.UpstreamNoneHealthy // 2.2's form of AH00940
	case bytes.Contains(msg, []byte("DNS lookup failure for")):
		return catalog.UpstreamDNS
	case bytes.Contains(msg, []byte("Error during SSL Handshake with remote server")):
		return catalog.UpstreamTLS
	case bytes.Contains(msg, []byte("Corrupt status line returned by remote server")):
		return catalog.UpstreamInvalid
	}
	return ""
}

// apacheUpstream finds the backend in the messages that name one.
func apacheUpstream(msg []byte) string {
	for _, m := range [][2]string{{"attempt to connect to ", " "}, {"remote server ", "\n"}, {"check DISABLING ", "\n"}, {"balancer://", ": All workers"},
		{"connection for (", ")"}, {"DNS lookup failure for: ", " "}, {"backend: ", "\n"}} {
		if u := between(append(msg, '\n'), m[0], m[1]); len(u) > 0 {
			return string(capLen(u, 256))
		}
	}
	return ""
}

// timeApache parses "Fri Aug 21 10:15:02.123456 2026" in loc.
func timeApache(b []byte, loc *time.Location) (time.Time, bool) {
	if len(b) < 24 || b[3] != ' ' || b[7] != ' ' {
		return time.Time{}, false
	}
	day := num2(b, 8)
	if b[8] == ' ' {
		day = num2([]byte{'0', b[9]}, 0)
	}
	h, mi, s, ok := clock(b, 11)
	if !ok {
		return time.Time{}, false
	}
	rest, ns := b[19:], 0
	if len(rest) > 0 && rest[0] == '.' {
		ns, rest = fraction(rest[1:])
	}
	if len(rest) != 5 || rest[0] != ' ' {
		return time.Time{}, false
	}
	return date(num4(rest, 1), month(b[4:7]), day, h, mi, s, ns, loc)
}

// moduleLevel reports a "module:level" tag such as "proxy:error" or
// "proxy_fcgi:warn".
func moduleLevel(b []byte) bool {
	i := bytes.IndexByte(b, ':')
	if i <= 0 || i == len(b)-1 || len(b) > 40 {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == ':') {
			return false
		}
	}
	return true
}
