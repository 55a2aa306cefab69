package web

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The charts are inline SVG built here rather than in a template: a status
// page of 1,000 targets draws 90,000 days, and a template action per day
// would cost more than the rest of the page. Everything written is a
// number, a class from a fixed set, a date, or text passed through
// template.HTMLEscapeString, so the result is safe as template.HTML.

const day = 24 * time.Hour

// dayCount is one day's checks and failures, as the bars count them.
type dayCount struct{ checks, failures int }

// uptimeLevel is the class of a day's bar.
func uptimeLevel(d dayCount) string {
	switch {
	case d.checks == 0:
		return "u-none"
	case d.failures == 0:
		return "u-full"
	}
	u := float64(d.checks-d.failures) / float64(d.checks)
	switch {
	case u >= 0.99:
		return "u-minor"
	case u >= 0.95:
		return "u-major"
	}
	return "u-down"
}

// uptimeSummary is the uptime over the days that had checks, in words.
func uptimeSummary(days []Day) string {
	var checks, failures int
	for _, d := range days {
		checks, failures = checks+d.Checks, failures+d.Failures
	}
	if checks == 0 {
		return "no checks"
	}
	return percent(float64(checks-failures) / float64(checks))
}

// uptimeBars draws a target's last n days as one bar per day, and returns
// the uptime over the days that had checks.
func uptimeBars(days []Day, n int, now time.Time) (template.HTML, string) {
	return template.HTML(appendBars(nil, days, n, now)), uptimeSummary(inWindow(days, n, now))
}

// inWindow is the days of the last n, from days given oldest first.
func inWindow(days []Day, n int, now time.Time) []Day {
	start := now.UTC().Truncate(day).Add(-time.Duration(n-1) * day)
	end := start.Add(time.Duration(n) * day)
	for len(days) > 0 && days[0].Day.Before(start) {
		days = days[1:]
	}
	for len(days) > 0 && !days[len(days)-1].Day.Before(end) {
		days = days[:len(days)-1]
	}
	return days
}

// appendBars appends the SVG of a target's last n days: one bar per day,
// runs of days of one level drawn as one rectangle with their dates and
// uptime in its tooltip. It is the status page's hot path: it appends
// bytes rather than formatting, and allocates nothing of its own for up
// to a year of days.
func appendBars(b []byte, days []Day, n int, now time.Time) []byte {
	start := now.UTC().Truncate(day).Add(-time.Duration(n-1) * day)
	var buf [366]dayCount
	var slots []dayCount
	if n <= len(buf) {
		slots = buf[:n]
	} else {
		slots = make([]dayCount, n)
	}
	var checks, failures int
	for _, d := range days {
		if i := int(d.Day.Sub(start) / day); i >= 0 && i < n && d.Day.Sub(start)%day == 0 {
			slots[i] = dayCount{d.Checks, d.Failures}
			checks, failures = checks+d.Checks, failures+d.Failures
		}
	}
	b = append(b, `<svg class="bars" viewBox="0 0 `...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ` 1" preserveAspectRatio="none" role="img" aria-label="uptime over `...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ` days: `...)
	if checks == 0 {
		b = append(b, "no checks"...)
	} else {
		b = append(b, percent(float64(checks-failures)/float64(checks))...)
	}
	b = append(b, `">`...)
	for i := 0; i < n; {
		j, level := i+1, uptimeLevel(slots[i])
		run := slots[i]
		for ; j < n && uptimeLevel(slots[j]) == level; j++ {
			run.checks, run.failures = run.checks+slots[j].checks, run.failures+slots[j].failures
		}
		b = append(b, `<rect x="`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `" width="`...)
		b = strconv.AppendInt(b, int64(j-i), 10)
		b = append(b, `" height="1" class="`...)
		b = append(b, level...)
		b = append(b, `"><title>`...)
		b = appendRunTitle(b, start.Add(time.Duration(i)*day), start.Add(time.Duration(j-1)*day), run.checks, run.failures)
		b = append(b, `</title></rect>`...)
		i = j
	}
	return append(b, `</svg>`...)
}

// appendRunTitle appends the tooltip of a run of days: "2025-03-01 –
// 2025-03-04: 99.5 % of 11520 checks".
func appendRunTitle(b []byte, first, last time.Time, checks, failures int) []byte {
	b = first.AppendFormat(b, time.DateOnly)
	if !last.Equal(first) {
		b = append(b, " – "...)
		b = last.AppendFormat(b, time.DateOnly)
	}
	if checks == 0 {
		return append(b, ": no checks"...)
	}
	b = append(b, ": "...)
	b = append(b, percent(float64(checks-failures)/float64(checks))...)
	b = append(b, " of "...)
	b = strconv.AppendInt(b, int64(checks), 10)
	return append(b, " checks"...)
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
	// The labels of the gridlines are HTML beside the SVG, which stretches
	// to its box: text inside it would stretch too.
	var b strings.Builder
	b.WriteString(`<div class="chart">`)
	for q := 4; q >= 1; q-- {
		fmt.Fprintf(&b, `<span class="axis q%d">%s ms</span>`, q, ms(top*time.Duration(q)/4))
	}
	fmt.Fprintf(&b, `<svg class="phases" viewBox="0 0 %d %d" preserveAspectRatio="none" role="img" aria-label="phase timings of the last %d checks, up to %s ms">`,
		chartW, chartH+markH, len(checks), ms(top))
	for q := 1; q <= 4; q++ {
		y := chartH - chartH*q/4
		fmt.Fprintf(&b, `<line x1="0" x2="%d" y1="%d" y2="%d" class="grid"/>`, chartW, y, y)
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
	b.WriteString(`</svg></div>`)
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
