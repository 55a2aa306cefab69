package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/report"
)

// Checks per page of GET /api/v1/targets/{id}/checks.
const (
	defaultChecks = 100
	maxChecks     = 1000
)

// TargetDoc is a target in the API, with its state, last check and open incident.
type TargetDoc struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	URL       string       `json:"url"`
	Group     string       `json:"group"`
	State     string       `json:"state"`
	LastCheck *CheckDoc    `json:"last_check"`
	Incident  *IncidentDoc `json:"incident"`
}

// CheckDoc is a check in the API; durations are in milliseconds.
type CheckDoc struct {
	Time        string               `json:"time"`
	DurationMS  float64              `json:"duration_ms"`
	Phases      PhasesDoc            `json:"phases"`
	OK          bool                 `json:"ok"`
	Cause       string               `json:"cause"`
	Status      int                  `json:"status"`
	GeneratedBy diagnose.GeneratedBy `json:"generated_by"`
	ErrorClass  string               `json:"error_class,omitempty"`
	Protocol    string               `json:"protocol,omitempty"`
}

// PhasesDoc are a check's phase timings in milliseconds.
type PhasesDoc struct {
	DNS      float64 `json:"dns_ms"`
	Connect  float64 `json:"connect_ms"`
	TLS      float64 `json:"tls_ms"`
	TTFB     float64 `json:"ttfb_ms"`
	Transfer float64 `json:"transfer_ms"`
}

// IncidentDoc is an incident in the API. Start and End are RFC 3339; End
// is null while the incident is open.
type IncidentDoc struct {
	ID          string               `json:"id"`
	Target      string               `json:"target"`
	Cause       string               `json:"cause"`
	Title       string               `json:"title"`
	Persistence string               `json:"persistence"`
	GeneratedBy diagnose.GeneratedBy `json:"generated_by"`
	Start       string               `json:"start"`
	End         *string              `json:"end"`
	Open        bool                 `json:"open"`
	Checks      int                  `json:"checks"`
	Failures    int                  `json:"failures"`
	Link        string               `json:"link"`
}

// IncidentDetailDoc is one incident with its timeline and the diagnosis
// captured at onset, in the form of `gwdoctor diagnose --json`.
type IncidentDetailDoc struct {
	IncidentDoc
	Timeline  []EntryDoc       `json:"timeline"`
	Diagnosis *report.Document `json:"diagnosis"`
}

// EntryDoc is one entry of an incident's timeline.
type EntryDoc struct {
	Time  string `json:"time"`
	Kind  string `json:"kind"`
	Cause string `json:"cause,omitempty"`
	Note  string `json:"note,omitempty"`
}

// IncidentListDoc is a page of incidents, newest first; Next goes in
// ?before= for the following page, and is "" on the last one.
type IncidentListDoc struct {
	Incidents []IncidentDoc `json:"incidents"`
	Next      string        `json:"next"`
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }

func checkDoc(c Check) CheckDoc {
	p := c.Phases
	return CheckDoc{Time: rfc3339(c.Time), DurationMS: millis(c.Duration),
		Phases: PhasesDoc{millis(p.DNS), millis(p.Connect), millis(p.TLS), millis(p.TTFB), millis(p.Transfer)},
		OK:     c.OK, Cause: c.Cause, Status: c.Status, GeneratedBy: c.GeneratedBy,
		ErrorClass: c.ErrorClass, Protocol: c.Protocol}
}

func incidentDoc(i Incident) IncidentDoc {
	d := IncidentDoc{ID: i.ID, Target: i.Target, Cause: i.Cause, Title: causeTitle(i.Cause),
		Persistence: i.Persistence, GeneratedBy: i.GeneratedBy, Start: rfc3339(i.Start), Open: i.Open(),
		Checks: i.Checks, Failures: i.Failures, Link: "/incidents/" + url.PathEscape(i.ID)}
	if !i.Open() {
		end := rfc3339(i.End)
		d.End = &end
	}
	return d
}

// apiTargets lists every target with its state.
func (s *Server) apiTargets(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.storeCtx(r)
	defer cancel()
	sn, err := s.snapshot(ctx, 0, s.o.Now())
	if err != nil {
		s.storeFailed(w, r, true, err)
		return
	}
	out := struct {
		Targets []TargetDoc `json:"targets"`
	}{Targets: []TargetDoc{}}
	for _, t := range sn.targets {
		doc := TargetDoc{ID: t.ID, Name: t.Label(), URL: t.URL, Group: t.Group}
		var last *Check
		if c, ok := sn.last[t.ID]; ok {
			last = &c
			cd := checkDoc(c)
			doc.LastCheck = &cd
		}
		var inc *Incident
		if i, ok := sn.open[t.ID]; ok {
			inc = &i
			id := incidentDoc(i)
			doc.Incident = &id
		}
		doc.State = stateOf(last, inc)
		out.Targets = append(out.Targets, doc)
	}
	s.writeJSON(w, http.StatusOK, out)
}

// apiChecks lists a target's newest checks, ?limit= of them.
func (s *Server) apiChecks(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r, defaultChecks, maxChecks)
	if err != nil {
		s.apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, cancel := s.storeCtx(r)
	defer cancel()
	id := r.PathValue("id")
	checks, err := s.o.Store.RecentChecks(ctx, id, limit)
	if err != nil {
		s.storeFailed(w, r, true, err)
		return
	}
	out := struct {
		Target string     `json:"target"`
		Checks []CheckDoc `json:"checks"`
	}{Target: id, Checks: make([]CheckDoc, 0, len(checks))}
	for _, c := range checks {
		out.Checks = append(out.Checks, checkDoc(c))
	}
	s.writeJSON(w, http.StatusOK, out)
}

// apiIncidents lists incidents newest first, ?limit= per page, the page
// after ?before=; ?target= keeps one target's, ?open=true the open ones.
func (s *Server) apiIncidents(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r, DefaultPage, MaxPage)
	if err != nil {
		s.apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	q := r.URL.Query()
	open := false
	if v := q.Get("open"); v != "" {
		if open, err = strconv.ParseBool(v); err != nil {
			s.apiError(w, http.StatusBadRequest, "open: want true or false")
			return
		}
	}
	ctx, cancel := s.storeCtx(r)
	defer cancel()
	page, err := s.o.Store.Incidents(ctx, IncidentQuery{Target: q.Get("target"), Open: open, Limit: limit, Before: q.Get("before")})
	if err != nil {
		s.storeFailed(w, r, true, err)
		return
	}
	out := IncidentListDoc{Incidents: make([]IncidentDoc, 0, len(page.Incidents)), Next: page.Next}
	for _, i := range page.Incidents {
		out.Incidents = append(out.Incidents, incidentDoc(i))
	}
	s.writeJSON(w, http.StatusOK, out)
}

// apiIncident returns one incident with its timeline and diagnosis.
func (s *Server) apiIncident(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.storeCtx(r)
	defer cancel()
	inc, err := s.o.Store.Incident(ctx, r.PathValue("id"))
	if err != nil {
		s.storeFailed(w, r, true, err)
		return
	}
	out := IncidentDetailDoc{IncidentDoc: incidentDoc(inc), Timeline: make([]EntryDoc, 0, len(inc.Timeline))}
	for _, e := range inc.Timeline {
		out.Timeline = append(out.Timeline, EntryDoc{Time: rfc3339(e.Time), Kind: e.Kind, Cause: e.Cause, Note: e.Note})
	}
	if inc.Diagnosis != nil {
		doc := report.NewDocument(*inc.Diagnosis)
		out.Diagnosis = &doc
	}
	s.writeJSON(w, http.StatusOK, out)
}

// limitParam reads ?limit=: def when absent, between 1 and most.
func limitParam(r *http.Request, def, most int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		return 0, fmt.Errorf("limit: want a number from 1 to %d", most)
	}
	return n, nil
}
