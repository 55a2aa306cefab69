package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/logscan"
)

// LogsOptions tune the text and Markdown renderings of a logs report.
type LogsOptions struct {
	// Color uses ANSI colours in text; default off.
	Color bool
	// Location is the zone times are shown in; default time.Local.
	Location *time.Location
	// Width is the widest a text line gets; default 100.
	Width int
}

func (o LogsOptions) withDefaults() LogsOptions {
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Width <= 0 {
		o.Width = 100
	}
	return o
}

// LogsText writes a logs report for a terminal: totals, a causes table, a
// per-minute chart, the top upstreams and paths, and per cause its fixes
// and example lines.
func LogsText(w io.Writer, r *logscan.Report, opt LogsOptions) error {
	opt = opt.withDefaults()
	s := style{opt.Color}
	var b strings.Builder
	logsHeader(&b, r, s)
	if r.Failures > 0 {
		logsCauses(&b, r, opt, s)
		logsTimeline(&b, r, opt, s)
		logsKeys(&b, s, "TOP UPSTREAMS", r.Upstreams, "(other upstreams)")
		logsKeys(&b, s, "TOP PATHS", r.Paths, "(other paths)")
		logsDetails(&b, r, opt, s)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func logsHeader(b *strings.Builder, r *logscan.Report, s style) {
	head := fmt.Sprintf("%s failures", thousands(r.Failures))
	if r.Failures > 0 {
		head = s.red(head)
	} else {
		head = s.green("no upstream failures")
	}
	fmt.Fprintf(b, "%s  %s in %s lines (%s)", s.bold("gwdoctor logs"), head, thousands(r.Lines), byteSize(r.Bytes))
	if r.Joined > 0 {
		fmt.Fprintf(b, ", %s access lines explained by error lines", thousands(r.Joined))
	}
	b.WriteString("\n")
	for _, f := range r.Files {
		format := f.Format
		if format == "" {
			format = "(empty)"
		}
		if f.Also != "" {
			format += "+" + f.Also
		}
		fmt.Fprintf(b, "  %-30s %-14s %12s lines %10s failures%s\n", cutLeft(f.Name, 30), format, thousands(f.Lines), thousands(f.Failures), fileNotes(f))
	}
	if r.Skipped+r.Malformed+r.Filtered > 0 {
		fmt.Fprintf(b, "  %s lines too long, %s malformed, %s outside --since/--until\n",
			thousands(r.Skipped), thousands(r.Malformed), thousands(r.Filtered))
	}
}

func logsCauses(b *strings.Builder, r *logscan.Report, opt LogsOptions, s style) {
	section(b, s, "CAUSES")
	fmt.Fprintf(b, "  %-26s %10s %6s  %-9s %-19s  %-19s\n", "cause", "failures", "share", "status", "first", "last")
	for _, c := range r.Causes {
		fmt.Fprintf(b, "  %-26s %10s %5.1f%%  %-9s %-19s  %-19s\n", c.Cause, thousands(c.Count),
			100*float64(c.Count)/float64(r.Failures), statusList(c.Statuses), stamp(c.First, opt.Location), stamp(c.Last, opt.Location))
	}
}

func logsKeys(b *strings.Builder, s style, title string, keys []logscan.KeyCount, otherName string) {
	if len(keys) == 0 {
		return
	}
	section(b, s, title)
	for _, k := range keys {
		name := k.Key
		if name == "" {
			name = otherName
		}
		fmt.Fprintf(b, "  %-40s %10s  %s\n", cutRunes(name, 40), thousands(k.Count), causeMix(k.Causes, 3))
	}
}

func logsDetails(b *strings.Builder, r *logscan.Report, opt LogsOptions, s style) {
	section(b, s, "WHAT TO DO")
	for _, c := range r.Causes {
		fmt.Fprintf(b, "%s  %s (%s)\n", s.wrap("1;33", string(c.Cause)), plural(c.Count, "failure"), joinProducts(c.Products))
		for _, f := range c.Fixes {
			fmt.Fprintf(b, "  fix (%s): %s\n", f.Product, f.Text)
		}
		for _, e := range c.Examples {
			fmt.Fprintf(b, "  e.g. %s\n", cutRunes(logsExample(&e, opt.Location), opt.Width-7))
			fmt.Fprintf(b, "       %s\n", s.dim(exampleSources(&e)))
		}
	}
}

// logsExample describes one failure on a line: when, what, where and the
// product's own words.
func logsExample(e *logscan.Entry, loc *time.Location) string {
	var b strings.Builder
	b.WriteString(stampShort(e.Time, loc))
	if e.Status > 0 {
		fmt.Fprintf(&b, " %d", e.Status)
	}
	if e.Method != "" || e.Path != "" {
		fmt.Fprintf(&b, " %s %s", e.Method, e.Path)
	}
	if e.Upstream != "" {
		fmt.Fprintf(&b, " → %s", e.Upstream)
	}
	detail := e.Detail
	if e.Joined != nil && e.Joined.Detail != "" {
		detail = e.Joined.Detail
	}
	if detail != "" {
		fmt.Fprintf(&b, ": %s", detail)
	}
	return b.String()
}

// exampleSources names the lines an example comes from.
func exampleSources(e *logscan.Entry) string {
	s := fmt.Sprintf("%s:%d", e.File, e.Line)
	if e.Joined != nil {
		s += fmt.Sprintf(" + %s:%d", e.Joined.File, e.Joined.Line)
	}
	return s
}

// logsTimeline draws failures per minute (or per group of minutes, to fit
// the width) with block characters, and lists the burst minutes.
func logsTimeline(b *strings.Builder, r *logscan.Report, opt LogsOptions, s style) {
	if len(r.Timeline) == 0 {
		return
	}
	cols, per, peak := chartColumns(r.Timeline, opt.Width-4)
	first := r.Timeline[0].Start
	unit := "1 minute"
	if per > 1 {
		unit = fmt.Sprintf("%d minutes", per)
	}
	fmt.Fprintf(b, "\n%s  one column = %s, highest %s failures\n", s.bold("TIMELINE"), unit, thousands(peak))
	const blocks = " ▁▂▃▄▅▆▇█"
	runes := []rune(blocks)
	var line strings.Builder
	for _, n := range cols {
		i := 0
		if n > 0 {
			i = 1 + int(float64(n)*7/float64(peak)+0.5)
			i = min(i, 8)
		}
		line.WriteRune(runes[i])
	}
	fmt.Fprintf(b, "  %s\n", s.wrap("31", line.String()))
	last := first.Add(time.Duration(len(cols)*per) * time.Minute)
	fmt.Fprintf(b, "  %-*s%s\n", max(len(cols)-5, 17), first.In(opt.Location).Format("2006-01-02 15:04"), last.In(opt.Location).Format("15:04"))
	for _, m := range r.Timeline {
		if m.Burst {
			fmt.Fprintf(b, "  burst %s  %s failures: %s\n", m.Start.In(opt.Location).Format("2006-01-02 15:04"), thousands(m.Total), causeMix(m.Causes, 3))
		}
	}
}

// chartColumns groups the minutes into at most width columns.
func chartColumns(tl []logscan.Minute, width int) (cols []int64, per int, peak int64) {
	first := tl[0].Start.Unix() / 60
	span := int(tl[len(tl)-1].Start.Unix()/60-first) + 1
	per = (span + width - 1) / width
	cols = make([]int64, (span+per-1)/per)
	for _, m := range tl {
		i := int(m.Start.Unix()/60-first) / per
		cols[i] += m.Total
		peak = max(peak, cols[i])
	}
	return cols, per, peak
}

// fileNotes says how a file was read when it was not plain: the wrappers
// stripped from its lines and how many of its lines no format read.
func fileNotes(f logscan.FileSummary) string {
	var n string
	if f.Wrapper != "" {
		n += ", in " + f.Wrapper
	}
	if f.Malformed > 0 {
		n += fmt.Sprintf(", %s unread", thousands(f.Malformed))
	}
	return n
}
