package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/report"
	"github.com/gwdoctor/gwdoctor/internal/store"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
	"github.com/gwdoctor/gwdoctor/internal/web"
)

// Pages reads the store for the web pages and the API: targets by their
// configuration IDs, incidents by the store's.
type Pages struct {
	st   *store.Store
	rec  *Recorder
	byID map[string]watchconfig.Target // configuration ID → target
	ids  map[string]int64              // configuration ID → store ID
	back map[int64]string              // store ID → configuration ID
}

var _ web.Store = (*Pages)(nil)

// NewPages serves the targets of the configuration, as the recorder
// registered them.
func NewPages(st *store.Store, r *Recorder, targets []watchconfig.Target) *Pages {
	p := &Pages{st: st, rec: r, byID: map[string]watchconfig.Target{}, ids: map[string]int64{}, back: map[int64]string{}}
	for _, t := range targets {
		id := r.StoreID(t.ID)
		p.byID[t.ID], p.ids[t.ID], p.back[id] = t, id, t.ID
	}
	return p
}

// Targets lists the watched targets.
func (p *Pages) Targets(context.Context) ([]web.Target, error) {
	out := make([]web.Target, 0, len(p.byID))
	for id, t := range p.byID {
		out = append(out, web.Target{ID: id, Name: t.Name, URL: t.URL, Group: t.Group})
	}
	return out, nil
}

// LastChecks returns the newest check of each target.
func (p *Pages) LastChecks(ctx context.Context) (map[string]web.Check, error) {
	out := map[string]web.Check{}
	for id := range p.byID {
		if c, ok := p.rec.Last(id); ok {
			// Seen since the start, or read once before: no query for it.
			out[id] = webCheck(id, c)
			continue
		}
		cs, err := p.st.RecentChecks(ctx, p.ids[id], 1)
		if err != nil {
			return nil, err
		}
		if len(cs) > 0 {
			p.rec.remember(id, cs[0])
			out[id] = webCheck(id, cs[0])
		}
	}
	return out, nil
}

// RecentChecks returns a target's newest checks, newest first.
func (p *Pages) RecentChecks(ctx context.Context, target string, n int) ([]web.Check, error) {
	sid, ok := p.ids[target]
	if !ok {
		return nil, web.ErrNotFound
	}
	cs, err := p.st.RecentChecks(ctx, sid, n)
	if err != nil {
		return nil, err
	}
	out := make([]web.Check, len(cs))
	for i, c := range cs {
		out[i] = webCheck(target, c)
	}
	return out, nil
}

// webCheck is a stored check as the pages show it.
func webCheck(target string, c store.Check) web.Check {
	return web.Check{
		Target: target, Time: c.Time, Duration: c.Duration,
		Phases: web.Phases{DNS: c.Phases.DNS, Connect: c.Phases.Connect, TLS: c.Phases.TLS, TTFB: c.Phases.TTFB, Transfer: c.Phases.Transfer},
		OK:     c.OK, Cause: c.Cause, Status: c.Status, GeneratedBy: diagnose.GeneratedBy{Role: c.Role, Product: c.Product},
		ErrorClass: c.ErrorClass, Protocol: c.Protocol,
	}
}

// UptimeDays returns each target's days, oldest first: the store's past
// days, read once a day, and today's counts kept by the recorder.
func (p *Pages) UptimeDays(ctx context.Context, days int, now time.Time) (map[string][]web.Day, error) {
	all, err := p.rec.uptime.days(ctx, p.st, days, now)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]web.Day, len(all))
	for sid, ds := range all {
		if id, ok := p.back[sid]; ok {
			out[id] = ds
		}
	}
	return out, nil
}

// Incidents returns one page of incidents, newest first.
func (p *Pages) Incidents(ctx context.Context, q web.IncidentQuery) (web.IncidentPage, error) {
	sq := store.IncidentQuery{Limit: q.Limit, After: q.Before}
	if q.Target != "" {
		sid, ok := p.ids[q.Target]
		if !ok {
			return web.IncidentPage{}, web.ErrNotFound
		}
		sq.TargetID = sid
	}
	if q.Open {
		sq.State = store.StateOpen
	}
	page, err := p.st.Incidents(ctx, sq)
	if err != nil {
		return web.IncidentPage{}, err
	}
	out := web.IncidentPage{Next: page.Next}
	for _, inc := range page.Incidents {
		out.Incidents = append(out.Incidents, p.incident(inc))
	}
	return out, nil
}

// Incident returns one incident with its timeline and diagnosis.
func (p *Pages) Incident(ctx context.Context, id string) (web.Incident, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return web.Incident{}, web.ErrNotFound
	}
	inc, events, err := p.st.Incident(ctx, n)
	if errors.Is(err, store.ErrNotFound) {
		return web.Incident{}, web.ErrNotFound
	}
	if err != nil {
		return web.Incident{}, err
	}
	out := p.incident(inc)
	for _, e := range events {
		out.Timeline = append(out.Timeline, web.Entry{Time: e.Time, Kind: e.Kind, Cause: e.Cause, Note: e.Text})
	}
	if len(inc.Diagnosis) > 0 {
		var d report.Diagnosis
		if err := json.Unmarshal(inc.Diagnosis, &d); err != nil {
			return out, fmt.Errorf("reading the diagnosis of incident %s: %w", id, err)
		}
		out.Diagnosis = &d
	}
	return out, nil
}

func (p *Pages) incident(inc store.Incident) web.Incident {
	return web.Incident{
		ID: strconv.FormatInt(inc.ID, 10), Target: p.back[inc.TargetID], Start: inc.Opened, End: inc.Closed,
		Cause: inc.LastCause, Persistence: inc.Persistence,
		GeneratedBy: diagnose.GeneratedBy{Role: inc.Role, Product: inc.Product}, Failures: inc.Failures,
	}
}
