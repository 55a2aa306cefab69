package logscan

import (
	"bytes"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// phpFPMLog reads PHP-FPM's master log (sapi/fpm/fpm/fpm_children.c,
// fpm_process_ctl.c, fpm_request.c):
//
//	[21-Aug-2026 10:15:02] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it
//	[21-Aug-2026 10:15:02] WARNING: [pool www] child 1234, script '/var/www/index.php' (request: "GET /index.php") execution timed out (30.000123 sec), terminating
//	[21-Aug-2026 10:15:02] WARNING: [pool www] child 1234 exited on signal 9 (SIGKILL) after 12.5 seconds from start
type phpFPMLog struct {
	loc *time.Location
	zc  zoneCache
}

func (p *phpFPMLog) parse(line []byte, e *Entry) verdict {
	msg, ok := p.head(line, e)
	if !ok {
		return p.access(line, e)
	}
	cause := fpmCause(msg)
	if cause == "" {
		return lineOK
	}
	e.Cause, e.Product, e.Format = cause, catalog.PHPFPM, "php-fpm"
	e.Status = 502 // nginx sees the worker go, or the backlog fill, and answers 502
	if cause == catalog.UpstreamOverloaded {
		e.Status = 504 // requests wait in the listen backlog until the gateway gives up
	}
	if pool := between(msg, "[pool ", "]"); pool != nil {
		e.Upstream = "pool " + string(capLen(pool, 64))
	}
	if r := between(msg, `(request: "`, `")`); r != nil {
		e.Method, e.Path = requestLine(r)
	}
	e.Detail = string(capLen(bytes.TrimSpace(msg), 300))
	return lineFailure
}

// head splits a line into its time and message: "[21-Aug-2026 10:15:02] "
// with microseconds at log_level debug; none when FPM writes to a journal
// or a container's stderr without them ("WARNING: [pool www] ..."), or to
// syslog ("[WARNING] [pool www] ...").
func (p *phpFPMLog) head(line []byte, e *Entry) ([]byte, bool) {
	if len(line) < 24 || line[0] != '[' || line[12] != ' ' {
		if fpmLevel(line) || len(line) > 1 && line[0] == '[' && fpmLevel(line[1:]) || bytes.HasPrefix(line, []byte("[pool ")) {
			// the last: a pool's message published without its time
			// and level ("[pool www] server reached pm.max_children")
			return line, true
		}
		return nil, false
	}
	b := line[1:]
	h, mi, sec, ok := clock(b, 12)
	if !ok || b[2] != '-' || b[6] != '-' {
		return nil, false
	}
	t, ok := date(num4(b, 7), month(b[3:6]), num2(b, 0), h, mi, sec, 0, p.loc)
	rest := b[20:]
	if len(rest) > 0 && rest[0] == '.' {
		var ns int
		ns, rest = fraction(rest[1:])
		t = t.Add(time.Duration(ns))
	}
	if !ok || len(rest) < 2 || rest[0] != ']' || rest[1] != ' ' {
		return nil, false
	}
	e.Time = t
	return rest[2:], true
}

// fpmLevel reports whether b starts with one of FPM's levels
// (fpm/zlog.c), as "WARNING: " or syslog's "WARNING] ".
func fpmLevel(b []byte) bool {
	for _, l := range []string{"NOTICE", "WARNING", "ERROR", "ALERT", "DEBUG"} {
		if len(b) > len(l)+1 && bytes.HasPrefix(b, []byte(l)) && (b[len(l)] == ':' || b[len(l)] == ']') && b[len(l)+1] == ' ' {
			return true
		}
	}
	return false
}

// access reads a line of FPM's access log in its default format
// (access.format = "%R - %u %t \"%m %r\" %s"):
//
//	172.20.0.2 -  28/May/2018:10:31:15 +0000 "GET /index.php" 200
//
// The status is the one the script set: a gateway status there is the
// application's own answer.
func (p *phpFPMLog) access(line []byte, e *Entry) verdict {
	q := bytes.IndexByte(line, '"')
	if q < 28 || line[q-1] != ' ' {
		return lineMalformed
	}
	t, ok := timeCLF(line[q-27:q-1], p.loc, &p.zc)
	req, rest, ok2 := quoted(line[q:])
	if !ok || !ok2 || len(rest) < 2 || rest[0] != ' ' {
		return lineMalformed
	}
	status, ok := digits(bytes.TrimSpace(rest))
	if !ok {
		return lineMalformed
	}
	e.Time = t
	if !catalog.IsGatewayStatus(status) {
		return lineOK
	}
	e.Cause, e.Product, e.Format, e.Status = catalog.UpstreamAppError, catalog.PHPFPM, "php-fpm", status
	client, _ := word(line)
	e.Client = string(capLen(client, 64))
	e.Method, e.Path = requestLine(req)
	return lineFailure
}

// fpmCause maps an FPM log message to a cause. SIGTERM and SIGQUIT exits
// are the master's own stops and reloads (or follow "execution timed out",
// already counted), not failures.
func fpmCause(msg []byte) catalog.Cause {
	switch {
	case containsAny(msg, "reached pm.max_children setting", "reached max_children setting"):
		return catalog.UpstreamOverloaded
	case bytes.Contains(msg, []byte("execution timed out")):
		return catalog.UpstreamTimeout
	case bytes.Contains(msg, []byte("exited on signal")):
		if containsAny(msg, "(SIGTERM)", "(SIGQUIT)", "signal 15 ", "signal 3 ") {
			return ""
		}
		return catalog.UpstreamClosed
	case bytes.Contains(msg, []byte("exited with code ")):
		if bytes.Contains(msg, []byte("exited with code 0 ")) || bytes.HasSuffix(msg, []byte("exited with code 0")) {
			return ""
		}
		return catalog.UpstreamClosed
	case bytes.Contains(msg, []byte("failed processes threshold")):
		return catalog.UpstreamClosed
	}
	return ""
}

// phpErrorCause reads PHP's own error message as a gateway logs it from
// its FastCGI upstream's stderr (nginx's "FastCGI sent in stderr", lighttpd's
// "FastCGI-stderr:"): a fatal error is the application failing, answered
// with a 500 by PHP itself (main/main.c, php_error_cb), and a fatal error
// for max_execution_time ("Maximum execution time of 30 seconds exceeded",
// Zend/zend_execute_API.c) is the script running out of its time. Notices
// and warnings go with answers that worked, and "Primary script unknown"
// is a 404: "".
func phpErrorCause(msg []byte) catalog.Cause {
	if !bytes.Contains(msg, []byte("PHP Fatal error")) {
		return ""
	}
	if bytes.Contains(msg, []byte("Maximum execution time of ")) {
		return catalog.UpstreamTimeout
	}
	return catalog.UpstreamAppError
}
