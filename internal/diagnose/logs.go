package diagnose

import (
	"fmt"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
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
	Cause Cause `json:"cause"`
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

// logs reads the log lines of the diagnosis's own requests. A gateway's
// error log says in its own words why it failed; decide lets that make the
// parent cause "upstream", or a cause read from timing alone, exact.
func (j *judgement) logs() []claim {
	if len(j.e.Logs) == 0 {
		return nil
	}
	best, n := bestLogCause(j.e.Logs)
	if best == "" {
		return nil
	}
	line := firstLine(j.e.Logs, best)
	how := phraseLogByTime
	if line.Tagged {
		how = phraseLogByTag
	}
	return []claim{j.claim(best, kindOwnWords, "log", factLogReads, line.Product, n, best, how, line.Where, line.Raw)}
}

// explain says how the decision weighed the failing response's own words
// and the log against the other claims, where they disagree.
func (j *judgement) explain(d decision, cs []claim) {
	won := d.chain
	if len(won) == 0 {
		return
	}
	for _, c := range cs {
		if c.against || c.kind != kindOwnWords || c.source != j.rep.Label || c.cause == d.cause || j.rep.Print == nil {
			continue
		}
		if won[0].kind == kindDirect && won[0].cause != c.cause {
			j.note("upstream", noteDirectExacter, won[0].cause, j.rep.Print.Generator.Product, c.cause)
		}
	}
	var log *claim
	var others []claim
	for i, c := range cs {
		if c.source == "log" && !c.against {
			log = &cs[i]
		} else {
			others = append(others, c)
		}
	}
	if log == nil {
		return
	}
	if log.cause != d.cause {
		j.note("log", noteLogDisagrees, log.cause, d.cause)
		return
	}
	if prior := decide(others).cause; !parent(prior) && prior != log.cause {
		j.note("log", noteLogExacter, log.cause, prior)
	}
}

// bestLogCause picks the cause the logs name most often, preferring error
// lines to access lines and specific causes to the parent "upstream".
func bestLogCause(lines []LogLine) (Cause, int) {
	counts := map[Cause]int{}
	var order []Cause
	for _, l := range lines {
		if !l.Cause.Known() || l.Cause == Upstream || l.Cause == OK || l.Cause == Unknown {
			continue
		}
		w := 1
		switch {
		case l.Product == string(catalog.PHPFPM):
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
	var best Cause
	bw := 0
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

func firstLine(lines []LogLine, cause Cause) LogLine {
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
