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
// mod_proxy_fcgi logs why a request failed (AH01067 "Failed to read
// FastCGI header", AH01068, AH01070) and then AH01075 "Error dispatching
// request" for the same request: that second line is not counted again.
type apacheError struct {
	loc *time.Location
	// fcgi is the client of the last mod_proxy_fcgi failure that AH01075
	// follows, and its time.
	fcgi   string
	fcgiAt time.Time
}

func (p *apacheError) parse(line []byte, e *Entry) verdict {
	if len(line) < 30 || line[0] != '[' {
		return lineMalformed
	}
	end := bytes.IndexByte(line, ']')
	if end < 0 {
		return lineMalformed
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
	cause := apacheCause(code, msg, errnoIn(pre))
	if cause == "" {
		return lineOK
	}
	switch code {
	case "AH01067", "AH01068", "AH01070":
		p.fcgi, p.fcgiAt = string(between(rest, "[client ", "]")), t
	case "AH01075":
		c := between(rest, "[client ", "]")
		if p.fcgi != "" && string(c) == p.fcgi && t.Sub(p.fcgiAt) < time.Second {
			p.fcgi = ""
			return lineOK // the same request's failure, logged above
		}
	}
	e.Cause, e.Product, e.Format = cause, catalog.Apache, "apache-error"
	e.Status = statusFor(catalog.Apache, cause)
	detail := rest[bytes.IndexByte(rest, ']')+1:]
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
	case "AH01102", "AH01097", "AH01084", "AH01075":
		if timedOut {
			return catalog.UpstreamTimeout
		}
		return catalog.UpstreamClosed
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
