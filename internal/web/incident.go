package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/report"
)

type incidentView struct {
	pageView
	ID, Cause, CauseTitle, Explanation string
	Persistence, Producer              string
	Role, Product                      string
	Target                             Target
	TargetPath                         string
	Open                               bool
	Start, End                         stamp
	Duration                           string
	Checks, Failures                   int
	ErrorRate                          string
	Steps                              []string
	Timeline                           []entryView
	Logs                               []logView
	// DiagnosisPath is the captured diagnosis's own page; "" when none was captured.
	DiagnosisPath string
}

type entryView struct {
	At          stamp
	Kind, Cause string
	Note        string
}

type logView struct {
	Where, Time, Product, Cause, Raw string
}

// entryWords names the monitor's and the store's kinds of timeline entry.
var entryWords = map[string]string{
	"opened": "opened", "cause": "cause changed", "cause_changed": "cause changed",
	"persistence": "became intermittent", "diagnosis": "diagnosed", "recovering": "recovering",
	"recovered": "recovering", "failing": "failing again", "failure": "failed",
	"burst": "sampled", "closed": "closed",
}

// incidentPage shows an incident: its cause first, then its timeline, the
// log lines of its diagnosis, and the diagnosis itself as `gwdoctor
// diagnose --format-out html` renders it.
func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.storeCtx(r)
	defer cancel()
	inc, err := s.o.Store.Incident(ctx, r.PathValue("id"))
	if err != nil {
		s.storeFailed(w, r, false, err)
		return
	}
	t, err := s.target(ctx, inc.Target)
	switch {
	case errors.Is(err, ErrNotFound):
		t = Target{Name: inc.Target} // a log's episode, or a target no longer watched
	case err != nil:
		s.storeFailed(w, r, false, err)
		return
	}
	v := s.incidentView(s.pageFor(r, "Incident: "+t.Label()), inc, t, s.o.Now())
	s.render(w, r, http.StatusOK, "incident", v)
}

func (s *Server) incidentView(pv pageView, inc Incident, t Target, now time.Time) incidentView {
	v := incidentView{pageView: pv, ID: inc.ID, Cause: inc.Cause, CauseTitle: causeTitle(inc.Cause),
		Persistence: inc.Persistence, Producer: producer(inc.GeneratedBy),
		Role: inc.GeneratedBy.Role, Product: inc.GeneratedBy.Product,
		Target: t, Open: inc.Open(), Start: stampOf(inc.Start, now), End: stampOf(inc.End, now),
		Checks: inc.Checks, Failures: inc.Failures}
	if t.ID != "" {
		v.TargetPath = "/targets/" + url.PathEscape(t.ID)
	}
	end := inc.End
	if inc.Open() {
		end = now
	}
	v.Duration = span(end.Sub(inc.Start))
	if inc.Checks > 0 {
		v.ErrorRate = percent(float64(inc.Failures) / float64(inc.Checks))
	}
	for _, e := range inc.Timeline {
		word := entryWords[e.Kind]
		if word == "" {
			word = e.Kind
		}
		v.Timeline = append(v.Timeline, entryView{At: stampOf(e.Time, now), Kind: word, Cause: e.Cause, Note: e.Note})
	}
	if d := inc.Diagnosis; d != nil {
		v.DiagnosisPath = "/incidents/" + url.PathEscape(inc.ID) + "/diagnosis"
		v.Explanation = d.Verdict.Summary
		for i, st := range d.Verdict.Steps {
			if i == 2 {
				break
			}
			v.Steps = append(v.Steps, st.Text)
		}
		for _, l := range d.Evidence.Logs {
			lv := logView{Where: l.Where, Product: l.Product, Cause: string(l.Cause), Raw: l.Raw}
			if !l.Time.IsZero() {
				lv.Time = rfc3339(l.Time)
			}
			v.Logs = append(v.Logs, lv)
		}
	}
	return v
}

// diagnosisPage serves the incident's captured diagnosis as the HTML
// report, for the incident page's frame and to open on its own.
func (s *Server) diagnosisPage(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.storeCtx(r)
	defer cancel()
	inc, err := s.o.Store.Incident(ctx, r.PathValue("id"))
	if err == nil && inc.Diagnosis == nil {
		err = fmt.Errorf("incident %s has no diagnosis: %w", inc.ID, ErrNotFound)
	}
	if err != nil {
		s.storeFailed(w, r, false, err)
		return
	}
	var b bytes.Buffer
	if err := report.HTML(&b, *inc.Diagnosis); err != nil {
		s.o.Logger.Error("rendering a diagnosis", "incident", inc.ID, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

// target finds one target by ID.
func (s *Server) target(ctx context.Context, id string) (Target, error) {
	ts, err := s.o.Store.Targets(ctx)
	if err != nil {
		return Target{}, fmt.Errorf("listing targets: %w", err)
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return Target{ID: id}, fmt.Errorf("target %q: %w", id, ErrNotFound)
}
