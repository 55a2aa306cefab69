package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/store"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// Recorder keeps what the monitor reports in the store: every check, and
// each incident with its diagnosis and timeline.
//
// Checks are held in memory and written together by Run, so that a store
// that is slow, locked, full or away never holds up a check: what it
// refuses stays held (up to RecorderOptions.Buffer checks) and is written
// once it takes writes again. Incidents are written at once; an incident
// whose opening could not be written is written with its next change.
type Recorder struct {
	st *store.Store
	o  RecorderOptions
	mu sync.Mutex
	// targets maps the configuration's target IDs to the store's.
	targets map[string]int64
	// incidents maps the monitor's incident IDs to the store's.
	incidents map[string]int64
	held      heldChecks
	// last is each target's newest check, by configuration ID, for the
	// status page: it need not ask the store for it.
	last map[string]store.Check
	// uptime keeps the status page's uptime bars, today's counted here.
	uptime uptimeBook
}

// NewRecorder registers the targets in the store (adding or updating
// them by name) and returns a recorder for their events.
func NewRecorder(ctx context.Context, st *store.Store, targets []watchconfig.Target, o RecorderOptions) (*Recorder, error) {
	r := &Recorder{st: st, o: o.withDefaults(), targets: map[string]int64{}, incidents: map[string]int64{}}
	for _, t := range targets {
		got, err := st.AddTarget(ctx, store.Target{Name: t.Name, URL: t.URL, Group: t.Group, ConfigHash: t.Hash})
		if err != nil {
			return nil, fmt.Errorf("registering target %s: %w", t.Name, err)
		}
		r.targets[t.ID] = got.ID
	}
	return r, nil
}

// StoreID is the store's ID of a configuration's target, 0 when unknown.
func (r *Recorder) StoreID(target string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.targets[target]
}

// Record stores one event of the monitor.
func (r *Recorder) Record(ctx context.Context, ev monitor.Event) error {
	switch ev.Kind {
	case monitor.EventCheck:
		if ev.Check == nil {
			return nil
		}
		c := r.check(*ev.Check)
		r.remember(ev.Check.Target, c)
		r.uptime.observe(c.TargetID, c.Time, c.OK)
		r.hold(c)
		return nil
	case monitor.EventIncidentOpened:
		return r.opened(ctx, ev)
	case monitor.EventIncidentUpdated, monitor.EventIncidentClosed:
		return r.updated(ctx, ev)
	case monitor.EventEpisodeOpened, monitor.EventEpisodeUpdated, monitor.EventEpisodeClosed:
		return r.episode(ctx, ev)
	}
	return nil
}

// episode stores a log's episode as an incident of the target whose log
// it is, opened by the log.
func (r *Recorder) episode(ctx context.Context, ev monitor.Event) error {
	if ev.Episode == nil {
		return nil
	}
	inc := monitor.EpisodeIncident(ev.Source, ev.Episode)
	as := monitor.Event{Kind: monitor.EventIncidentUpdated, Time: ev.Time, Incident: inc, Change: monitor.ChangeCause, From: string(inc.Cause), To: string(inc.Cause)}
	switch ev.Kind {
	case monitor.EventEpisodeOpened:
		as.Kind = monitor.EventIncidentOpened
		return r.opened(ctx, as)
	case monitor.EventEpisodeClosed:
		as.Kind = monitor.EventIncidentClosed
	}
	return r.updated(ctx, as)
}

func (r *Recorder) check(c monitor.CheckResult) store.Check {
	return storeCheck(r.StoreID(c.Target), c)
}

// storeCheck is the store's form of a check of the target of store ID id.
func storeCheck(id int64, c monitor.CheckResult) store.Check {
	rec, _ := c.Detail.(Record)
	t := rec.Timings
	return store.Check{
		TargetID: id, Time: c.Start, Duration: c.Duration,
		Phases: store.Phases{DNS: t.DNS, Connect: t.Connect, TLS: t.TLS, TTFB: t.TTFB, Transfer: t.Transfer},
		Status: c.Status, Product: c.GeneratedBy.Product, Role: c.GeneratedBy.Role,
		OK: c.OK, Cause: string(c.Cause), ErrorClass: string(rec.Class), Protocol: rec.Protocol,
	}
}

func (r *Recorder) opened(ctx context.Context, ev monitor.Event) error {
	inc := ev.Incident
	if inc == nil {
		return nil
	}
	row, err := r.row(*inc)
	if err != nil {
		return err
	}
	id, err := r.st.OpenIncident(ctx, row, store.Event{Time: inc.Start, Kind: store.EventOpened, Cause: string(inc.Cause), Text: "opened: " + inc.OpenedBy})
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.incidents[inc.ID] = id
	r.mu.Unlock()
	return nil
}

func (r *Recorder) updated(ctx context.Context, ev monitor.Event) error {
	inc := ev.Incident
	if inc == nil {
		return nil
	}
	r.mu.Lock()
	id, ok := r.incidents[inc.ID]
	r.mu.Unlock()
	if !ok {
		// Its opening was not written (the store refused it): write it now.
		if err := r.opened(ctx, ev); err != nil {
			return err
		}
		r.mu.Lock()
		id = r.incidents[inc.ID]
		r.mu.Unlock()
	}
	row, err := r.row(*inc)
	if err != nil {
		return err
	}
	row.ID = id
	e := store.Event{Time: ev.Time, Kind: string(ev.Change), Cause: string(inc.Cause), Text: changeText(ev)}
	if ev.Kind == monitor.EventIncidentClosed {
		e.Kind, e.Text = store.EventClosed, "closed"
	}
	return r.st.UpdateIncident(ctx, row, e)
}

// row is the store's form of a monitor incident, its onset diagnosis as
// the JSON of the whole diagnosis.
func (r *Recorder) row(inc monitor.Incident) (store.Incident, error) {
	row := store.Incident{
		TargetID: r.StoreID(inc.Target), Opened: inc.Start, Closed: inc.End, State: store.StateOpen,
		Cause: string(inc.Cause), LastCause: string(inc.Cause), Persistence: string(inc.Persistence),
		Product: inc.GeneratedBy.Product, Role: inc.GeneratedBy.Role, Failures: inc.Failures,
	}
	if !inc.End.IsZero() {
		row.State = store.StateClosed
	}
	if d := inc.Diagnosis; d != nil && d.Report != nil {
		b, err := json.Marshal(d.Report)
		if err != nil {
			return row, fmt.Errorf("recording incident %s: %w", inc.ID, err)
		}
		row.Diagnosis = b
	}
	return row, nil
}

func changeText(ev monitor.Event) string {
	switch ev.Change {
	case monitor.ChangeCause:
		return ev.From + " → " + ev.To
	case ChangeResumed:
		if ev.From != ev.To {
			return "continued, failing again: " + ev.From + " → " + ev.To
		}
		return "continued, failing again"
	case monitor.ChangeDiagnosis:
		if ev.Err != nil {
			return "diagnosis failed: " + ev.Err.Error()
		}
		return "diagnosed"
	}
	return string(ev.Change)
}

// adopt maps a monitor's incident ID to a stored incident that another
// process opened, so that its events update that incident.
func (r *Recorder) adopt(id string, storeID int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.incidents[id] = storeID
}

// keeps reports whether an incident of the store is one this recorder
// writes.
func (r *Recorder) keeps(storeID int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range r.incidents {
		if id == storeID {
			return true
		}
	}
	return false
}

// remember keeps a target's newest check.
func (r *Recorder) remember(target string, c store.Check) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		r.last = map[string]store.Check{}
	}
	if old, ok := r.last[target]; !ok || !c.Time.Before(old.Time) {
		r.last[target] = c
	}
}

// Last returns the newest check of a target seen since the recorder
// started, and whether there is one.
func (r *Recorder) Last(target string) (store.Check, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.last[target]
	return c, ok
}
