package logscan

import (
	"bytes"
	"time"
)

// phpFPMLog reads PHP-FPM's master log (sapi/fpm/fpm/fpm_children.c,
// fpm_process_ctl.c, fpm_request.c):
//
//	[21-Aug-2026 10:15:02] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it
//	[21-Aug-2026 10:15:02] WARNING: [pool www] child 1234, script '/var/www/index.php' (request: "GET /index.php") execution timed out (30.000123 sec), terminating
//	[21-Aug-2026 10:15:02] WARNING: [pool www] child 1234 exited on signal 9 (SIGKILL) after 12.5 seconds from start
type phpFPMLog struct {
	loc *time.Location
}

func (p *phpFPMLog) parse(line []byte, e *Entry) verdict {
	if len(line) < 24 || line[0] != '[' || line[21] != ']' {
		return lineMalformed
	}
	b := line[1:21] // 21-Aug-2026 10:15:02
	h, mi, s, ok := clock(b, 12)
	if !ok || b[2] != '-' || b[6] != '-' || b[11] != ' ' {
		return lineMalformed
	}
	t, ok := date(num4(b, 7), month(b[3:6]), num2(b, 0), h, mi, s, 0, p.loc)
	if !ok {
		return lineMalformed
	}
	e.Time = t
	msg := line[22:]
	cause := fpmCause(msg)
	if cause == "" {
		return lineOK
	}
	e.Cause, e.Product, e.Format = cause, productPHPFPM, "php-fpm"
	e.Status = 502 // nginx sees the worker go, or the backlog fill, and answers 502
	if cause == causeOverloaded {
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

// fpmCause maps an FPM log message to a cause. SIGTERM and SIGQUIT exits
// are the master's own stops and reloads (or follow "execution timed out",
// already counted), not failures.
func fpmCause(msg []byte) string {
	switch {
	case containsAny(msg, "reached pm.max_children setting", "reached max_children setting"):
		return causeOverloaded
	case bytes.Contains(msg, []byte("execution timed out")):
		return causeTimeout
	case bytes.Contains(msg, []byte("exited on signal")):
		if containsAny(msg, "(SIGTERM)", "(SIGQUIT)", "signal 15 ", "signal 3 ") {
			return ""
		}
		return causeClosed
	case bytes.Contains(msg, []byte("exited with code ")):
		if bytes.Contains(msg, []byte("exited with code 0 ")) || bytes.HasSuffix(msg, []byte("exited with code 0")) {
			return ""
		}
		return causeClosed
	case bytes.Contains(msg, []byte("failed processes threshold")):
		return causeClosed
	}
	return ""
}
