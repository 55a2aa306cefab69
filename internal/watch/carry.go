package watch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/store"
	"github.com/gwdoctor/gwdoctor/internal/web"
)

// ChangeResumed is the change of the update event that continues an
// incident that another process left open: a replica that died, or this
// watcher before a restart or a reload.
const ChangeResumed monitor.Change = "resumed"

// textClosedRemoved is the timeline's entry of an incident closed because
// its target left the configuration.
const textClosedRemoved = "closed: the target was removed from the configuration"

// carrier continues the incidents that the store has open for the
// targets this process takes on: the scheduler's trackers start with
// none, so, without it, a target failing still would open a second
// incident and the first would stay open for good.
//
// It sits before the other sinks and rewrites the events of a target
// whose incident it carries: until the target's tracker opens an incident
// of its own, checks count towards the carried one, which closes after
// Policy.CloseAfter successes in a row once the recovery has lasted the
// policy's window (FlapWindow, SampleWindow for an intermittent one);
// when the tracker opens an incident, its events carry the carried
// incident's ID, onset and counts instead, so the store updates the same
// row, later failures attach to it, and it closes on recovery.
type carrier struct {
	next    monitor.Sink
	st      *store.Store
	rec     *Recorder
	metrics *web.Metrics
	policy  monitor.Policy
	targets map[int64]monitor.Target // by store ID

	mu sync.Mutex
	// waiting are the carried incidents the target's tracker has not
	// opened one of its own for yet, by target ID.
	waiting map[string]*carried
	// as are the carried incidents by the ID of the tracker's incident
	// that continues them.
	as map[string]*carried
}

// carried is an incident left open in the store.
type carried struct {
	inc      monitor.Incident // ID, target, onset, cause and counts, as stored
	lastFail time.Time
	okStreak int
}

func newCarrier(next monitor.Sink, st *store.Store, rec *Recorder, m *web.Metrics, p monitor.Policy, targets []monitor.Target) *carrier {
	c := &carrier{next: next, st: st, rec: rec, metrics: m, policy: p.WithDefaults(),
		targets: map[int64]monitor.Target{}, waiting: map[string]*carried{}, as: map[string]*carried{}}
	for _, t := range targets {
		c.targets[rec.StoreID(t.ID)] = t
	}
	return c
}

// adopt carries the incidents the store has open for the targets of
// these store IDs, or for every target of this process when ids is nil,
// except those this process keeps itself. Each counts at once in the
// open-incidents gauge.
func (c *carrier) adopt(ctx context.Context, ids []int64) error {
	var only map[int64]bool
	if ids != nil {
		if len(ids) == 0 {
			return nil
		}
		only = make(map[int64]bool, len(ids))
		for _, id := range ids {
			only[id] = true
		}
	}
	q := store.IncidentQuery{State: store.StateOpen, Limit: store.MaxIncidentPage}
	for {
		page, err := c.st.Incidents(ctx, q)
		if err != nil {
			return fmt.Errorf("reading the open incidents: %w", err)
		}
		for _, inc := range page.Incidents {
			t, ok := c.targets[inc.TargetID]
			if !ok && ids == nil {
				// A single process watches every target the store
				// knows: one no longer configured will not be checked
				// again, and its incident would stay open for good.
				if err := c.closeRemoved(ctx, inc); err != nil {
					return err
				}
				continue
			}
			if !ok || only != nil && !only[inc.TargetID] || c.rec.keeps(inc.ID) {
				continue
			}
			if err := c.carry(ctx, t, inc); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		q.After = page.Next
	}
}

// closeRemoved closes the open incident of a target that is no longer
// configured, saying so in its timeline.
func (c *carrier) closeRemoved(ctx context.Context, inc store.Incident) error {
	now := time.Now()
	if now.Before(inc.Opened) {
		now = inc.Opened
	}
	inc.State, inc.Closed = store.StateClosed, now
	ev := store.Event{Time: now, Kind: store.EventClosed, Cause: inc.LastCause, Text: textClosedRemoved}
	if err := c.st.UpdateIncident(ctx, inc, ev); err != nil {
		return fmt.Errorf("closing the incident of a removed target: %w", err)
	}
	return nil
}

// carry takes on one stored incident of t. Of two open for one target,
// the newest is carried (the list is newest first).
func (c *carrier) carry(ctx context.Context, t monitor.Target, inc store.Incident) error {
	last, ok, err := c.st.LastFailure(ctx, inc.TargetID)
	if err != nil {
		return err
	}
	if !ok || last.Before(inc.Opened) {
		last = inc.Opened
	}
	k := &carried{lastFail: last, inc: monitor.Incident{
		ID: monitor.IncidentID(t.ID, inc.Opened), Target: t.ID, Group: t.Group, Start: inc.Opened,
		Cause: catalog.Cause(inc.LastCause), Persistence: diagnose.Persistence(inc.Persistence), OpenedBy: monitor.OpenedConfirmed,
		GeneratedBy: diagnose.GeneratedBy{Product: inc.Product, Role: inc.Role}, Failures: inc.Failures,
	}}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.waiting[t.ID]; dup {
		return nil
	}
	for _, other := range c.as {
		if other.inc.ID == k.inc.ID {
			return nil
		}
	}
	c.rec.adopt(k.inc.ID, inc.ID)
	c.metrics.SetOpen(k.inc.ID, string(k.inc.Cause))
	c.waiting[t.ID] = k
	return nil
}

// Record hands ev on to the next sinks, as the carried incident's when it
// is about one, with the closing of a carried incident it causes.
func (c *carrier) Record(ctx context.Context, ev monitor.Event) error {
	var errs []error
	for _, e := range c.rewrite(ev) {
		if err := c.next.Record(ctx, e); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (c *carrier) rewrite(ev monitor.Event) []monitor.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.waiting) == 0 && len(c.as) == 0 {
		return []monitor.Event{ev}
	}
	switch {
	case ev.Incident != nil:
		return []monitor.Event{c.incidentEvent(ev)}
	case ev.Kind == monitor.EventCheck && ev.Check != nil:
		if k, ok := c.as[ev.IncidentID]; ok {
			ev.IncidentID = k.inc.ID
		}
		if k, ok := c.waiting[ev.Target]; ok {
			return c.observe(k, ev)
		}
	}
	return []monitor.Event{ev}
}

// incidentEvent is ev as the carried incident's, when the tracker's
// incident continues one; the tracker's opening is the carried one's
// update.
func (c *carrier) incidentEvent(ev monitor.Event) monitor.Event {
	id := ev.Incident.ID
	if k, ok := c.as[id]; ok {
		if ev.Kind == monitor.EventIncidentClosed {
			delete(c.as, id)
		}
		return k.continued(ev)
	}
	k, ok := c.waiting[ev.Target]
	if !ok || ev.Kind != monitor.EventIncidentOpened {
		return ev
	}
	delete(c.waiting, ev.Target)
	c.as[id] = k
	from := k.inc.Cause
	ev = k.continued(ev)
	ev.Kind, ev.Change, ev.From, ev.To = monitor.EventIncidentUpdated, ChangeResumed, string(from), string(ev.Incident.Cause)
	return ev
}

// continued is ev with the tracker's incident made the carried one: its
// ID and onset, and the counts from before added to the tracker's.
func (k *carried) continued(ev monitor.Event) monitor.Event {
	inc := *ev.Incident
	inc.ID, inc.Start = k.inc.ID, k.inc.Start
	inc.Checks += k.inc.Checks
	inc.Failures += k.inc.Failures
	ev.Incident, ev.IncidentID = &inc, k.inc.ID
	return ev
}

// observe counts a check of a target whose carried incident waits, and
// closes the incident once the target has recovered for long enough.
func (c *carrier) observe(k *carried, ev monitor.Event) []monitor.Event {
	r := ev.Check
	ev.IncidentID = k.inc.ID
	k.inc.Checks++
	if !r.OK {
		k.inc.Failures++
		k.okStreak, k.lastFail = 0, r.Start
		return []monitor.Event{ev}
	}
	k.okStreak++
	window := c.policy.FlapWindow
	if k.inc.Persistence == diagnose.Intermittent {
		window = c.policy.SampleWindow
	}
	if k.okStreak < c.policy.CloseAfter || r.Start.Sub(k.lastFail) < window {
		return []monitor.Event{ev}
	}
	delete(c.waiting, ev.Target)
	closed := k.inc
	closed.End = r.Start
	return []monitor.Event{ev, {Kind: monitor.EventIncidentClosed, Time: r.Start, Target: ev.Target, Group: ev.Group,
		IncidentID: closed.ID, Incident: &closed}}
}
