package watch

import (
	"fmt"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
)

// Line writes one check as one line of a terminal: the time, the status,
// a bar of its phases, who answered and, on failure, the cause.
func Line(r monitor.CheckResult) string {
	rec, _ := r.Detail.(Record)
	status := "---"
	if r.Status != 0 {
		status = fmt.Sprint(r.Status)
	}
	mark := "ok  "
	if !r.OK {
		mark = "FAIL"
	}
	who := r.GeneratedBy.Product
	if who == "" || who == "unknown" {
		who = "-"
	}
	line := fmt.Sprintf("%s  %s  %s  %-24s %8s  %-12s", r.Start.Format("15:04:05"), mark, status, bar(rec), round(r.Duration), who)
	if !r.OK {
		line += "  " + string(r.Cause)
		if rec.Class != "" {
			line += " (" + string(rec.Class) + ")"
		}
	}
	return strings.TrimRight(line, " ")
}

// bar draws the phases of a check in 24 cells, each phase with its own
// letter: d DNS, c connect, t TLS, w waiting for the first byte, r the
// transfer.
func bar(rec Record) string {
	t := rec.Timings
	phases := []struct {
		d time.Duration
		c byte
	}{{t.DNS, 'd'}, {t.Connect, 'c'}, {t.TLS, 't'}, {t.TTFB, 'w'}, {t.Transfer, 'r'}}
	var total time.Duration
	for _, p := range phases {
		total += p.d
	}
	if total <= 0 {
		return strings.Repeat(".", 24)
	}
	var b []byte
	for _, p := range phases {
		n := int(24 * p.d / total)
		for range n {
			b = append(b, p.c)
		}
	}
	for len(b) < 24 {
		b = append(b, '.')
	}
	return string(b[:24])
}

func round(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}
