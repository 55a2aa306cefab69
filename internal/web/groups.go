package web

import (
	"html/template"
	"net/url"
	"strconv"
	"time"
)

// Defaults of the groups of the status page.
const (
	// DefaultGroupRows is how many targets the status page lists per
	// group; the rest are on the group's own page.
	DefaultGroupRows = 10
	// groupPageRows is how many targets a group's page lists at a time.
	groupPageRows = 200
	// maxGroupPages bounds ?page= (200,000 targets in one group).
	maxGroupPages = 1000
	// maxRowBars is the most targets whose own bars the status page
	// draws: past it, each group's bars stand for its targets', which
	// its own page draws.
	maxRowBars = 100
)

// stateRank orders the states as the status page lists them: what needs
// attention first.
func stateRank(state string) int {
	switch state {
	case StateDown:
		return 0
	case StateDegraded:
		return 1
	case StateUnknown:
		return 2
	}
	return 3
}

// stateCounts are counts by state in the order of stateRank, zeros left out.
func stateCounts(counts map[string]int) []stateCount {
	var out []stateCount
	for _, st := range []string{StateDown, StateDegraded, StateUp, StateUnknown} {
		if counts[st] > 0 {
			out = append(out, stateCount{st, counts[st]})
		}
	}
	return out
}

// group is one group of the status page: its summary, and the rows of
// the page key asks for, rows being in the order they are listed; false
// for a page past the group's last.
func (s *Server) group(name string, rows []targetRow, reader, bars bool, now time.Time, key pageKey) (groupView, bool) {
	g := groupView{Name: name, Total: len(rows), Link: groupLink(name, 1)}
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.State]++
	}
	g.Counts = stateCounts(counts)
	sum := sumDays(rows, s.o.UptimeDays, now)
	g.Uptime = uptimeSummary(sum)
	g.Bars = template.HTML(appendBars(nil, sum, s.o.UptimeDays, now))
	first, last := 0, min(len(rows), s.o.GroupRows)
	if key.all {
		if first = (key.page - 1) * groupPageRows; first >= len(rows) && first > 0 {
			return groupView{}, false // past the last page
		}
		last = min(len(rows), first+groupPageRows)
		if first > 0 {
			g.Prev = groupLink(name, key.page-1)
		}
		if last < len(rows) {
			g.Next = groupLink(name, key.page+1)
		}
	}
	g.Shown = last - first
	days := 0
	if bars {
		days = s.o.UptimeDays
	}
	g.Summary = key.all || !bars || g.Shown < g.Total
	g.Rows = targetRows(rows[first:last], reader, days, now)
	return g, true
}

// groupLink is the path of page n of a group's own page.
func groupLink(name string, n int) string {
	p := "/?group=" + url.QueryEscape(name)
	if n > 1 {
		p += "&page=" + strconv.Itoa(n)
	}
	return p
}

// sumDays adds up the days of rows in the last n days, oldest first.
func sumDays(rows []targetRow, n int, now time.Time) []Day {
	start := now.UTC().Truncate(day).Add(-time.Duration(n-1) * day)
	sum := make([]Day, n)
	for i := range sum {
		sum[i].Day = start.Add(time.Duration(i) * day)
	}
	for _, r := range rows {
		for _, d := range r.Days {
			if i := int(d.Day.Sub(start) / day); i >= 0 && i < n {
				sum[i].Checks += d.Checks
				sum[i].Failures += d.Failures
			}
		}
	}
	return sum
}
