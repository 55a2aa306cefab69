package monitor

import (
	"net/url"
	"slices"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// AlertKind says why an alert is sent.
type AlertKind string

// The kinds of alert.
const (
	AlertOpened       AlertKind = "opened"
	AlertCauseChanged AlertKind = "cause_changed"
	AlertReminder     AlertKind = "reminder"
	AlertResolved     AlertKind = "resolved"
)

// Alert is one message to send about an incident.
type Alert struct {
	Kind       AlertKind
	Time       time.Time
	Target     string
	Group      string
	IncidentID string
	// Link is the incident's page: AlertPolicy.BaseURL and the incident's ID.
	Link string
	// Cause and Title name the cause from the catalog.
	Cause catalog.Cause
	Title string
	// PreviousCause is the cause the last alert named, for AlertCauseChanged.
	PreviousCause catalog.Cause
	Persistence   string
	// GeneratedBy is who produced the error.
	GeneratedBy diagnose.GeneratedBy
	// Steps are the diagnosis's first two steps, when it has them for this cause.
	Steps []string
	// Since is the incident's start; Downtime how long it lasted, or has lasted so far.
	Since    time.Time
	Downtime time.Duration
}

// Window is a maintenance window: alerts of the targets and groups it
// names (of every target when it names none) are muted from Start until End.
type Window struct {
	Start, End time.Time
	Targets    []string
	Groups     []string
}

// Covers reports whether w mutes the alerts of target in group at at.
func (w Window) Covers(target, group string, at time.Time) bool {
	if at.Before(w.Start) || !at.Before(w.End) {
		return false
	}
	if len(w.Targets) == 0 && len(w.Groups) == 0 {
		return true
	}
	return slices.Contains(w.Targets, target) || group != "" && slices.Contains(w.Groups, group)
}

// AlertPolicy holds the rules of alerts. A zero field takes its default.
type AlertPolicy struct {
	// Reminder is the time after the last alert of an open incident when a
	// reminder is sent (default 4 h; negative for none).
	Reminder time.Duration
	// DiagnosisWait is how long an alert on open or on a cause change waits
	// for the diagnosis (default 3 s).
	DiagnosisWait time.Duration
	// BaseURL is put before an incident's ID to make its link, for example
	// "http://127.0.0.1:8502/incidents/"; empty for no link.
	BaseURL string
	// Title returns the title of a cause ID; default the catalog's
	// (internal/catalog), or the ID itself when it is not there.
	Title func(id catalog.Cause) string
	// Maintenance are the windows that mute alerts.
	Maintenance []Window
}

func (p AlertPolicy) withDefaults() AlertPolicy {
	if p.Reminder == 0 {
		p.Reminder = 4 * time.Hour
	}
	setDur(&p.DiagnosisWait, 3*time.Second)
	if p.Title == nil {
		p.Title = catalogTitle
	}
	return p
}

// catalogTitle is the title of id in the cause catalog, or id.
func catalogTitle(id catalog.Cause) string {
	if c, ok := catalog.Lookup(id); ok {
		return c.Title
	}
	return string(id)
}

// alertState is what the Alerter knows of one open incident.
type alertState struct {
	inc       *Incident // the latest copy
	announced bool      // its opening was sent
	fresh     bool      // its latest diagnosis is about its current cause
	lastSent  time.Time
	pending   AlertKind     // an alert waiting for the diagnosis, or for a window to end
	until     time.Time     // when the pending alert stops waiting for the diagnosis
	prevCause catalog.Cause // the cause the last alert named
}

// Alerter decides which alerts incident events call for. It is a pure
// state machine fed with events in order and asked with Due as time goes
// by; it is not safe for concurrent use.
type Alerter struct {
	p    AlertPolicy
	open map[string]*alertState
}

// NewAlerter returns an Alerter under p.
func NewAlerter(p AlertPolicy) *Alerter {
	return &Alerter{p: p.withDefaults(), open: map[string]*alertState{}}
}

// SetMaintenance replaces the maintenance windows.
func (a *Alerter) SetMaintenance(ws []Window) {
	a.p.Maintenance = slices.Clone(ws)
}

// Handle takes one event and returns the alerts to send now. A log
// episode is alerted as its EpisodeIncident, on open and on close; check
// events are ignored.
func (a *Alerter) Handle(ev Event) []Alert {
	if ev.Episode != nil {
		ev = episodeEvent(ev)
	}
	if ev.Incident == nil {
		return nil
	}
	st := a.open[ev.IncidentID]
	switch ev.Kind {
	case EventIncidentOpened:
		// A log's incident has no diagnosis to wait for.
		st = &alertState{inc: ev.Incident, fresh: ev.Incident.Latest != nil || ev.Incident.OpenedBy == OpenedLog}
		a.open[ev.IncidentID] = st
		return a.hold(st, AlertOpened, ev.Time)
	case EventIncidentClosed:
		delete(a.open, ev.IncidentID)
		if st == nil || !st.announced {
			return nil
		}
		st.inc = ev.Incident
		return []Alert{a.alert(st, AlertResolved, ev.Time)}
	case EventIncidentUpdated:
		if st == nil { // opened before this Alerter started
			st = &alertState{inc: ev.Incident}
			a.open[ev.IncidentID] = st
			return a.hold(st, AlertOpened, ev.Time)
		}
		st.inc = ev.Incident
		return a.update(st, ev)
	}
	return nil
}

// episodeEvent is the incident event of an episode event: opened and
// closed; a new cause beside the others is no alert.
func episodeEvent(ev Event) Event {
	inc := EpisodeIncident(ev.Source, ev.Episode)
	out := Event{Time: ev.Time, Target: inc.Target, IncidentID: inc.ID}
	switch ev.Kind {
	case EventEpisodeOpened:
		out.Kind, out.Incident = EventIncidentOpened, inc
	case EventEpisodeClosed:
		out.Kind, out.Incident = EventIncidentClosed, inc
	}
	return out
}

func (a *Alerter) update(st *alertState, ev Event) []Alert {
	switch ev.Change {
	case ChangeCause:
		st.fresh = false
		if !st.announced {
			return nil // the opening, still to be sent, will name the new cause
		}
		if st.pending == "" {
			st.prevCause = catalog.Cause(ev.From)
		}
		return a.hold(st, AlertCauseChanged, ev.Time)
	case ChangeDiagnosis:
		st.fresh = ev.Err == nil
		if st.pending != "" {
			return a.release(st, ev.Time)
		}
	}
	return nil
}

// hold makes kind pending until the diagnosis comes, or sends it at once
// when it is there.
func (a *Alerter) hold(st *alertState, kind AlertKind, now time.Time) []Alert {
	st.pending, st.until = kind, now.Add(a.p.DiagnosisWait)
	if st.fresh {
		return a.release(st, now)
	}
	return nil
}

// release sends the pending alert unless a window mutes it. A muted
// opening stays pending until the window ends; a muted cause change is
// dropped, as the next alert names the cause anyway.
func (a *Alerter) release(st *alertState, now time.Time) []Alert {
	kind := st.pending
	if a.muted(st.inc, now) {
		if kind != AlertOpened {
			st.pending = ""
		}
		return nil
	}
	st.pending = ""
	if kind == AlertOpened {
		st.announced = true
	}
	return []Alert{a.alert(st, kind, now)}
}

// Due returns the alerts whose time has come by now: pending ones whose
// wait is over, openings whose window ended, and reminders, in the order
// of their incidents' IDs.
func (a *Alerter) Due(now time.Time) []Alert {
	ids := make([]string, 0, len(a.open))
	for id := range a.open {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []Alert
	for _, id := range ids {
		st := a.open[id]
		switch {
		case st.pending != "" && !now.Before(st.until):
			out = append(out, a.release(st, now)...)
		case st.pending == "" && st.announced && a.p.Reminder > 0 && now.Sub(st.lastSent) >= a.p.Reminder:
			if a.muted(st.inc, now) {
				st.lastSent = now
				continue
			}
			out = append(out, a.alert(st, AlertReminder, now))
		}
	}
	return out
}

func (a *Alerter) muted(inc *Incident, at time.Time) bool {
	for _, w := range a.p.Maintenance {
		if w.Covers(inc.Target, inc.Group, at) {
			return true
		}
	}
	return false
}

// alert makes the alert of kind about st's incident, and notes it sent.
func (a *Alerter) alert(st *alertState, kind AlertKind, now time.Time) Alert {
	inc := st.inc
	al := Alert{
		Kind: kind, Time: now, Target: inc.Target, Group: inc.Group, IncidentID: inc.ID,
		Cause: inc.Cause, Title: a.p.Title(inc.Cause), Persistence: string(inc.Persistence),
		GeneratedBy: inc.GeneratedBy, Since: inc.Start, Downtime: inc.Downtime(now),
	}
	if kind == AlertCauseChanged {
		al.PreviousCause = st.prevCause
	}
	if d := inc.Latest; d != nil && st.fresh && kind != AlertResolved {
		al.Steps = slices.Clone(d.Steps[:min(2, len(d.Steps))])
	}
	if a.p.BaseURL != "" {
		al.Link = a.p.BaseURL + url.PathEscape(inc.ID)
	}
	st.lastSent, st.prevCause = now, inc.Cause
	return al
}
