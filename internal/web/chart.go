package web

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"
	"time"
)

// The charts are inline SVG built here rather than in a template: a status
// page of 1,000 targets draws 90,000 days, and a template action per day
// would cost more than the rest of the page. Everything written is a
// number, a class from a fixed set, a date, or text passed through
// template.HTMLEscapeString, so the result is safe as template.HTML.

const day = 24 * time.Hour

// uptimeLevel is the class of a day's bar.
func uptimeLevel(d Day) string {
	u, ok := d.Uptime()
	switch {
	case !ok:
		return "u-none"
	case u >= 1:
		return "u-full"
	case u >= 0.99:
		return "u-minor"
	case u >= 0.95:
		return "u-major"
	}
	return "u-down"
}

// uptimeBars draws a target's last n days as one bar per day, runs of days
// of one level drawn as one rectangle with its dates and uptime in its
// tooltip, and returns the uptime over the days that had checks.
func uptimeBars(days []Day, n int, now time.Time) (template.HTML, string) {
	start := now.UTC().Truncate(day).Add(-time.Duration(n-1) * day)
	slots := make([]Day, n)
	for i := range slots {
		slots[i].Day = start.Add(time.Duration(i) * day)
	}
	var checks, failures int
	for _, d := range days {
		if i := int(d.Day.Sub(start) / day); i >= 0 && i < n && d.Day.Sub(start)%day == 0 {
			slots[i] = d
			checks, failures = checks+d.Checks, failures+d.Failures
		}
	}
	summary := "no checks"
	if checks > 0 {
		summary = percent(float64(checks-failures) / float64(checks))
	}
	var b strings.Builder
	b.Grow(256)
	fmt.Fprintf(&b, `<svg class="bars" viewBox="0 0 %d 1" preserveAspectRatio="none" role="img" aria-label="uptime over %d days: %s">`, n, n, summary)
	for i := 0; i < n; {
		j, level := i, uptimeLevel(slots[i])
		var c, f int
		for ; j < n && uptimeLevel(slots[j]) == level; j++ {
			c, f = c+slots[j].Checks, f+slots[j].Failures
		}
		fmt.Fprintf(&b, `<rect x="%d" width="%d" height="1" class="%s"><title>%s</title></rect>`,
			i, j-i, level, runTitle(slots[i].Day, slots[j-1].Day, c, f))
		i = j
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()), summary
}

// runTitle is the tooltip of a run of days: "2025-03-01 – 2025-03-04:
// 99.5 % of 11520 checks".
func runTitle(first, last time.Time, checks, failures int) string {
	dates := first.Format(time.DateOnly)
	if !last.Equal(first) {
		dates += " – " + last.Format(time.DateOnly)
	}
	if checks == 0 {
		return dates + ": no checks"
	}
	return fmt.Sprintf("%s: %s of %d checks", dates, percent(float64(checks-failures)/float64(checks)), checks)
}

// phase is one phase of a check as the chart stacks it.
type phase struct {
	Name, Class string
	Of          func(Phases) time.Duration
}

// phaseOrder is the order the phases happen in, bottom of a bar to top.
var phaseOrder = []phase{
	{"DNS", "p-dns", func(p Phases) time.Duration { return p.DNS }},
	{"connect", "p-connect", func(p Phases) time.Duration { return p.Connect }},
	{"TLS", "p-tls", func(p Phases) time.Duration { return p.TLS }},
	{"TTFB", "p-ttfb", func(p Phases) time.Duration { return p.TTFB }},
	{"transfer", "p-transfer", func(p Phases) time.Duration { return p.Transfer }},
}

func (p Phases) total() time.Duration {
	return p.DNS + p.Connect + p.TLS + p.TTFB + p.Transfer
}

// The chart's drawing area, in the SVG's own units.
const (
	chartW, chartH = 640, 200
	markH          = 6 // the red mark under a failed check
)

// phaseChart stacks the phase timings of checks (given newest first) as
// one bar per check, oldest on the left, with gridlines at quarters of a
// round top; a failed check has a red mark under its bar.
func phaseChart(checks []Check) template.HTML {
	checks = slices.Clone(checks)
	slices.Reverse(checks)
	var top time.Duration
	for _, c := range checks {
		top = max(top, c.Phases.total())
	}
	top = roundUp(top)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="phases" viewBox="0 0 %d %d" role="img" aria-label="phase timings of the last %d checks, up to %s ms">`,
		chartW, chartH+markH, len(checks), ms(top))
	for q := 1; q <= 4; q++ {
		y := chartH - chartH*q/4
		fmt.Fprintf(&b, `<line x1="0" x2="%d" y1="%d" y2="%d" class="grid"/><text x="2" y="%d" class="axis">%s ms</text>`,
			chartW, y, y, y+12, ms(top*time.Duration(q)/4))
	}
	slot := float64(chartW) / float64(max(len(checks), 1))
	for i, c := range checks {
		x, w := float64(i)*slot+slot*0.15, slot*0.7
		fmt.Fprintf(&b, `<g><title>%s</title>`, template.HTMLEscapeString(checkTitle(c)))
		y := float64(chartH)
		for _, p := range phaseOrder {
			h := float64(p.Of(c.Phases)) / float64(top) * chartH
			if h <= 0 {
				continue
			}
			y -= h
			fmt.Fprintf(&b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" class="%s"/>`, x, y, w, h, p.Class)
		}
		if !c.OK {
			fmt.Fprintf(&b, `<rect x="%.2f" y="%d" width="%.2f" height="%d" class="fail"/>`, x, chartH, w, markH)
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// checkTitle is a check's tooltip: its time, result and phases.
func checkTitle(c Check) string {
	var b strings.Builder
	b.WriteString(c.Time.UTC().Format(time.RFC3339))
	if c.OK {
		b.WriteString(" ok")
	} else {
		b.WriteString(" failed: " + c.Cause)
	}
	for _, p := range phaseOrder {
		fmt.Fprintf(&b, ", %s %s ms", p.Name, ms(p.Of(c.Phases)))
	}
	return b.String()
}

// roundUp is d rounded up to 1, 2 or 5 times a power of ten milliseconds,
// at least 1 ms.
func roundUp(d time.Duration) time.Duration {
	v := float64(d) / float64(time.Millisecond)
	if v <= 1 {
		return time.Millisecond
	}
	mag := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*mag {
			return time.Duration(m * mag * float64(time.Millisecond))
		}
	}
	return d
}
