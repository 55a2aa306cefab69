package diagnose

import (
	"fmt"
	"strings"
	"time"
)

// LogLine is a failure line that a gateway or an application server logged
// for one of the diagnosis's requests, read with --log.
type LogLine struct {
	// Where is "file:line".
	Where string `json:"where"`
	// Time is when the line was logged; zero if it carries no time.
	Time time.Time `json:"time,omitempty"`
	// Product wrote the line ("nginx", "php_fpm", ...).
	Product string `json:"product"`
	// Cause is the catalog ID the line reads as.
	Cause string `json:"cause"`
	// Upstream is the upstream the line names, if any.
	Upstream string `json:"upstream,omitempty"`
	// Raw is the line, cut to a bounded length.
	Raw string `json:"raw"`
	// Tagged is set when the line carries the diagnosis's tag (its request
	// ID or query parameter); otherwise it matched by time and path.
	Tagged bool `json:"tagged"`
	// Error is set for error-log lines, which say why; access-log lines
	// only say what.
	Error bool `json:"error"`
}

// logs weighs the log lines of the diagnosis's own requests. A gateway's
// error log says in its own words why it failed, which turns the parent
// cause "upstream" or a cause read from timing alone into the exact one.
func (j *judgement) logs() {
	if len(j.e.Logs) == 0 || j.v.Cause == OK {
		return
	}
	best, n := bestLogCause(j.e.Logs)
	if best == "" {
		return
	}
	line := firstLine(j.e.Logs, best)
	how := "matched by time and path"
	if line.Tagged {
		how = "tagged with this diagnosis's ID"
	}
	j.note("log", "%s logged %d line(s) reading %s (%s), e.g. %s: %s", line.Product, n, best, how, line.Where, line.Raw)
	switch {
	case j.v.Cause == best:
		return
	case j.v.Cause == Upstream || j.v.Cause == Unknown || j.conf != "high" || exactOf(j.v.Cause, best):
		if j.v.Cause != Upstream && j.v.Cause != Unknown {
			j.note("log", "the log is more exact than the responses: %s rather than %s", best, j.v.Cause)
		}
		j.set(best, "high")
	default:
		j.note("log", "the log reads %s, but the direct evidence says %s; both may be true (one causes the other)", best, j.v.Cause)
	}
}

// exactOf reports whether the log's cause refines the verdict's: the
// upstream that refused is why no upstream is healthy; a killed worker
// (closed) is how a PHP timeout shows; a connection a gateway aborts
// (closed) is how a body that broke off shows.
func exactOf(verdict, log string) bool {
	return (verdict == UpstreamClosed && (log == UpstreamTimeout || log == UpstreamOverloaded || log == UpstreamTruncated)) ||
		// A gateway gives up on a connect that goes unanswered with the same
		// page, after its connect timeout, as on a read: its log tells which.
		(verdict == UpstreamTimeout && log == UpstreamUnreachable) ||
		(verdict == UpstreamNoneHealthy && strings.HasPrefix(log, "upstream."))
}

// bestLogCause picks the cause the logs name most often, preferring error
// lines to access lines and specific causes to the parent "upstream".
func bestLogCause(lines []LogLine) (string, int) {
	counts := map[string]int{}
	var order []string
	for _, l := range lines {
		if _, ok := Lookup(l.Cause); !ok || l.Cause == Upstream || l.Cause == OK || l.Cause == Unknown {
			continue
		}
		w := 1
		switch {
		case l.Product == "php_fpm":
			w = 1000 // the deeper hop's own words explain the gateway's
		case l.Cause == UpstreamNoneHealthy:
			w = 10 // a consequence of the failures that marked servers down
		case l.Error:
			w = 100 // one error line outweighs many access lines
		}
		if counts[l.Cause] == 0 {
			order = append(order, l.Cause)
		}
		counts[l.Cause] += w
	}
	best, bw := "", 0
	for _, c := range order {
		if counts[c] > bw {
			best, bw = c, counts[c]
		}
	}
	n := 0
	for _, l := range lines {
		if l.Cause == best {
			n++
		}
	}
	return best, n
}

func firstLine(lines []LogLine, cause string) LogLine {
	for _, l := range lines {
		if l.Cause == cause && l.Error {
			return l
		}
	}
	for _, l := range lines {
		if l.Cause == cause {
			return l
		}
	}
	return LogLine{}
}

// String is how a log line is quoted in text: where, then the line.
func (l LogLine) String() string { return fmt.Sprintf("%s %s", l.Where, l.Raw) }
