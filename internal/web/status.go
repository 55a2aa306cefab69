package web

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// The states of a target on the status page.
const (
	StateUp       = "up"
	StateDown     = "down"
	StateDegraded = "degraded"
	StateUnknown  = "unknown"
)

// maxOpenPages bounds the pages of open incidents the status page reads:
// MaxPage each, 20,000 in all.
const maxOpenPages = 40

// snapshot is what the status page and the targets API read of the store.
type snapshot struct {
	targets []Target
	last    map[string]Check
	open    map[string]Incident // the open incident of each target
	uptime  map[string][]Day
}

// snapshot reads the targets with their last checks, open incidents and,
// when days > 0, uptime by day.
func (s *Server) snapshot(ctx context.Context, days int, now time.Time) (snapshot, error) {
	var sn snapshot
	var err error
	if sn.targets, err = s.o.Store.Targets(ctx); err != nil {
		return sn, fmt.Errorf("listing targets: %w", err)
	}
	if sn.last, err = s.o.Store.LastChecks(ctx); err != nil {
		return sn, fmt.Errorf("reading last checks: %w", err)
	}
	if sn.open, err = s.openIncidents(ctx); err != nil {
		return sn, err
	}
	if days > 0 {
		if sn.uptime, err = s.o.Store.UptimeDays(ctx, days, now); err != nil {
			return sn, fmt.Errorf("reading uptime: %w", err)
		}
	}
	return sn, nil
}

// openIncidents returns the open incident of each target: its newest.
func (s *Server) openIncidents(ctx context.Context) (map[string]Incident, error) {
	open := map[string]Incident{}
	q := IncidentQuery{Open: true, Limit: MaxPage}
	for range maxOpenPages {
		page, err := s.o.Store.Incidents(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("listing open incidents: %w", err)
		}
		for _, inc := range page.Incidents {
			if _, seen := open[inc.Target]; !seen && inc.Open() {
				open[inc.Target] = inc
			}
		}
		if page.Next == "" {
			break
		}
		q.Before = page.Next
	}
	return open, nil
}

// stateOf is a target's state: down with a persistent incident, degraded
// with an intermittent one or a failed check not confirmed yet, up when
// its last check passed, unknown before its first check.
func stateOf(last *Check, inc *Incident) string {
	switch {
	case inc != nil && inc.Persistence == string(diagnose.Intermittent):
		return StateDegraded
	case inc != nil:
		return StateDown
	case last == nil:
		return StateUnknown
	case !last.OK:
		return StateDegraded
	}
	return StateUp
}

type statusView struct {
	pageView
	Days   int
	Counts []stateCount
	Groups []groupView
	// Elsewhere are the open incidents of no listed target: a log's
	// episodes; only readers see them.
	Elsewhere []incidentRef
	// Hidden counts the targets a visitor without the read token does not see.
	Hidden int
	// One is set on the page of one group (?group=), which lists all its
	// targets, PageSize at a time.
	One *groupView
	// RowBars is set when the targets are drawn with their own bars.
	RowBars bool
}

type stateCount struct {
	State string
	N     int
}

type groupView struct {
	Name string
	// Counts are the group's targets by state; Uptime and Bars its
	// uptime over the days, all its targets together.
	Counts []stateCount
	Uptime string
	Bars   template.HTML
	Rows   template.HTML
	// Total is the number of the group's targets; Shown those listed.
	Total, Shown int
	// Summary is set when the group's counts and bars are shown: when
	// not all its targets are listed, or not with their own bars.
	Summary bool
	// Link is the page of the whole group; Prev and Next the pages of its
	// list before and after this one, "" for none.
	Link, Prev, Next string
}

type targetRow struct {
	ID, Path, Label, State string
	Uptime                 string
	// Days are the target's uptime by day, drawn as bars.
	Days     []Day
	Incident *incidentRef
}

// incidentRef is an incident as a line of the status page.
type incidentRef struct {
	ID, Path, Cause, Title, Persistence string
	// Target is set for an incident shown apart from its target's row.
	Target string
	Since  stamp
}

// statusPage shows every group with its state and uptime, and the first
// targets of each, the failing ones first, and to readers their current
// incidents; ?group=NAME lists all the targets of one group, a page at a
// time (?page=). A visitor without the read token sees only the public
// groups, without incidents. The page is served from the cache of pages.
func (s *Server) statusPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pv := s.pageFor(r, s.o.Title)
	key := pageKey{reader: pv.Reader, signedIn: pv.SignedIn, group: q.Get("group"), all: q.Has("group")}
	if key.all {
		n, err := strconv.Atoi(cmp.Or(q.Get("page"), "1"))
		if err != nil || n < 1 || n > maxGroupPages {
			s.render(w, r, http.StatusBadRequest, "error", errorView{pageView: pv, Code: http.StatusBadRequest,
				Message: fmt.Sprintf("page: want a number from 1 to %d", maxGroupPages)})
			return
		}
		key.page = n
	}
	s.cache.serve(w, r, key, func(ctx context.Context) (int, []byte, error) {
		now := s.o.Now()
		sn, err := s.snapshot(ctx, s.o.UptimeDays, now)
		if err != nil {
			return 0, nil, err
		}
		v := s.statusView(pv, sn, now, key)
		if key.all && v.One == nil {
			b, err := s.renderBytes("error", errorView{pageView: pv, Code: http.StatusNotFound, Message: "no such group"})
			return http.StatusNotFound, b, err
		}
		b, err := s.renderBytes("status", v)
		return http.StatusOK, b, err
	}, func(err error) { s.storeFailed(w, r, false, err) })
}

func (s *Server) statusView(pv pageView, sn snapshot, now time.Time, key pageKey) statusView {
	v := statusView{pageView: pv, Days: s.o.UptimeDays}
	byGroup := map[string][]targetRow{}
	counts := map[string]int{}
	for _, t := range sn.targets {
		if !pv.Reader && !s.public[t.Group] {
			v.Hidden++
			continue
		}
		row := s.targetRow(t, sn, now, pv.Reader)
		counts[row.State]++
		byGroup[t.Group] = append(byGroup[t.Group], row)
	}
	if pv.Reader && !key.all {
		v.Elsewhere = elsewhere(sn, now)
	}
	v.Counts = stateCounts(counts)
	// The targets' own bars, unless the page would list too many.
	listed := 0
	for _, rows := range byGroup {
		listed += min(len(rows), s.o.GroupRows)
	}
	bars := key.all || listed <= maxRowBars
	v.RowBars = bars
	for name, rows := range byGroup {
		if key.all && name != key.group {
			continue
		}
		// The failing targets first, then by name.
		slices.SortFunc(rows, func(a, b targetRow) int {
			return cmp.Or(cmp.Compare(stateRank(a.State), stateRank(b.State)), cmp.Compare(a.Label, b.Label), cmp.Compare(a.ID, b.ID))
		})
		g, ok := s.group(name, rows, pv.Reader, bars, now, key)
		if !ok {
			continue
		}
		if key.all {
			v.One = &g
		}
		v.Groups = append(v.Groups, g)
	}
	// Named groups by name, then the targets without a group.
	slices.SortFunc(v.Groups, func(a, b groupView) int {
		if (a.Name == "") != (b.Name == "") {
			return cmp.Compare(b.Name, a.Name)
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return v
}

func (s *Server) targetRow(t Target, sn snapshot, now time.Time, reader bool) targetRow {
	var last *Check
	if c, ok := sn.last[t.ID]; ok {
		last = &c
	}
	var inc *Incident
	if i, ok := sn.open[t.ID]; ok {
		inc = &i
	}
	row := targetRow{ID: t.ID, Path: "/targets/" + url.PathEscape(t.ID), Label: t.Label(), State: stateOf(last, inc)}
	row.Days = inWindow(sn.uptime[t.ID], s.o.UptimeDays, now)
	row.Uptime = uptimeSummary(row.Days)
	if reader && inc != nil {
		row.Incident = refOf(*inc, now)
	}
	return row
}

func refOf(inc Incident, now time.Time) *incidentRef {
	return &incidentRef{ID: inc.ID, Path: "/incidents/" + url.PathEscape(inc.ID), Cause: inc.Cause,
		Title: causeTitle(inc.Cause), Persistence: inc.Persistence, Since: stampOf(inc.Start, now)}
}

// elsewhere are the open incidents of targets not in the list, newest first.
func elsewhere(sn snapshot, now time.Time) []incidentRef {
	listed := make(map[string]bool, len(sn.targets))
	for _, t := range sn.targets {
		listed[t.ID] = true
	}
	var out []incidentRef
	for id, inc := range sn.open {
		if !listed[id] {
			ref := refOf(inc, now)
			ref.Target = inc.Target
			out = append(out, *ref)
		}
	}
	slices.SortFunc(out, func(a, b incidentRef) int { return cmp.Compare(b.Since.RFC3339, a.Since.RFC3339) })
	return out
}
