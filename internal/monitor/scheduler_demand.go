package monitor

import (
	"context"
	"errors"
	"fmt"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// OnDemand is a check run outside the schedule, and what came of it.
type OnDemand struct {
	Check CheckResult
	// Tracked is set when the check was fed to the target's tracker; it
	// is not when another replica holds the target.
	Tracked bool
	// IncidentID is the incident the check opened or joined, if any.
	IncidentID string
	// Diagnosis is the diagnosis of a failed check, when one was asked
	// for; DiagnosisErr the error that stopped it.
	Diagnosis    *Diagnosis
	DiagnosisErr error
}

// ErrNoTarget is returned for a target the scheduler does not check.
var ErrNoTarget = errors.New("no such target")

// CheckOnDemand checks the target with the given ID at once, outside its
// slots (an operator's "check now"), and, when this scheduler holds the
// target, feeds the check to its tracker and records it and the events it
// causes, as a routine check is: it counts toward opening, attaching to
// and closing incidents. With diagnose set a failed check is diagnosed
// before CheckOnDemand returns, and the diagnosis is given to the tracker;
// without, a diagnosis the tracker asks for runs beside, as after a
// routine check. Confirmations and bursts the check would ask for are
// left to the target's next slots, which follow at once in a failing
// target's flow. Not held, the check is recorded only.
func (s *Scheduler) CheckOnDemand(ctx context.Context, id string, kind CheckKind, diagnose bool) (OnDemand, error) {
	ts := s.byID[id]
	if ts == nil {
		return OnDemand{}, fmt.Errorf("checking %q: %w", id, ErrNoTarget)
	}
	start := s.o.Clock.Now()
	s.n.checks.Add(1)
	r, _ := s.run(ctx, ts, make(chan CheckResult, 1))
	r.Target, r.Kind, r.Slot, r.Start = ts.t.ID, kind, start, start
	if r.Duration == 0 {
		r.Duration = s.o.Clock.Now().Sub(start)
	}
	if r.OK {
		r.Cause = catalog.OK
	}
	od := OnDemand{Check: r, Tracked: s.holds(ts)}
	if !od.Tracked {
		s.emit(ctx, Event{Kind: EventCheck, Time: r.Start, Target: ts.t.ID, Group: ts.t.Group, Check: &r})
	} else {
		o := s.observe(ctx, ts, r)
		od.IncidentID = o.IncidentID
		if o.Diagnose && !diagnose {
			// Not ended with the request that asked for the check: the
			// diagnosis has its own deadline, and ends when Run stops;
			// once Run is stopping, none starts.
			s.stopMu.RLock()
			if !s.stopping {
				s.diagnoseUntil(context.WithoutCancel(ctx), ts, s.stopped)
			}
			s.stopMu.RUnlock()
		}
	}
	if !diagnose || r.OK || s.o.Diagnose == nil {
		return od, nil
	}
	dctx, cancel := context.WithTimeout(ctx, s.o.DiagnoseTimeout)
	d, err := s.o.Diagnose(dctx, ts.t)
	cancel()
	s.n.diagnoses.Add(1)
	if err != nil {
		od.DiagnosisErr = fmt.Errorf("diagnosing %s: %w", ts.t.ID, err)
	} else {
		od.Diagnosis = &d
	}
	if od.Tracked && ctx.Err() == nil {
		ts.mu.Lock()
		for _, ev := range ts.tr.Diagnosed(s.o.Clock.Now(), d, od.DiagnosisErr).Events {
			s.emit(ctx, ev)
		}
		ts.mu.Unlock()
	}
	return od, nil
}
