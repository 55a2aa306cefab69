package web

import (
	"html/template"
	"net/http"
	"strconv"
	"time"
)

// chartChecks is how many checks the target page charts and lists.
const chartChecks = 60

type targetView struct {
	pageView
	Target   Target
	State    string
	Incident *incidentRef
	Chart    template.HTML
	Legend   []legendItem
	Checks   []checkRow
}

type legendItem struct{ Name, Class string }

type checkRow struct {
	At                                stamp
	OK                                bool
	Cause, CauseTitle, Status         string
	Producer, Protocol, ErrorClass    string
	DNS, Connect, TLS, TTFB, Transfer string
	Total                             string
}

// targetPage shows a target: its state, its open incident, the phase
// timings of its recent checks as a chart, and those checks as a table.
func (s *Server) targetPage(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.storeCtx(r)
	defer cancel()
	t, err := s.target(ctx, r.PathValue("id"))
	if err != nil {
		s.storeFailed(w, r, false, err)
		return
	}
	checks, err := s.o.Store.RecentChecks(ctx, t.ID, chartChecks)
	if err != nil {
		s.storeFailed(w, r, false, err)
		return
	}
	open, err := s.o.Store.Incidents(ctx, IncidentQuery{Target: t.ID, Open: true, Limit: 1})
	if err != nil {
		s.storeFailed(w, r, false, err)
		return
	}
	now := s.o.Now()
	v := targetView{pageView: s.pageFor(r, t.Label()), Target: t, Chart: phaseChart(checks)}
	var last *Check
	if len(checks) > 0 {
		last = &checks[0]
	}
	var inc *Incident
	if len(open.Incidents) > 0 && open.Incidents[0].Open() {
		inc = &open.Incidents[0]
		v.Incident = refOf(*inc, now)
	}
	v.State = stateOf(last, inc)
	for _, p := range phaseOrder {
		v.Legend = append(v.Legend, legendItem{p.Name, p.Class})
	}
	for _, c := range checks {
		v.Checks = append(v.Checks, checkRowOf(c, now))
	}
	s.render(w, r, http.StatusOK, "target", v)
}

func checkRowOf(c Check, now time.Time) checkRow {
	row := checkRow{At: stampOf(c.Time, now), OK: c.OK, Cause: c.Cause, Producer: producer(c.GeneratedBy),
		Protocol: c.Protocol, ErrorClass: c.ErrorClass, Status: "none",
		DNS: ms(c.Phases.DNS), Connect: ms(c.Phases.Connect), TLS: ms(c.Phases.TLS),
		TTFB: ms(c.Phases.TTFB), Transfer: ms(c.Phases.Transfer), Total: ms(c.Duration)}
	if !c.OK {
		row.CauseTitle = causeTitle(c.Cause)
	}
	if c.Status > 0 {
		row.Status = strconv.Itoa(c.Status)
	}
	return row
}
