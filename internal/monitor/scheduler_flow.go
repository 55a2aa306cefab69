package monitor

import (
	"context"
	"fmt"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// flow runs the routine check of one slot, holding the check slot the
// dispatcher took for it, then whatever the tracker asks for, then queues
// the target's next slot.
func (s *Scheduler) flow(ctx context.Context, ts *targetState, slot time.Time) {
	defer s.wg.Done()
	r := s.check(ctx, ts, KindRoutine, slot)
	<-s.sem
	if ctx.Err() == nil {
		s.follow(ctx, ts, s.observe(ctx, ts, r))
	}
	s.reschedule(ts)
}

// follow runs the confirmations, bursts and diagnoses an outcome asks for.
func (s *Scheduler) follow(ctx context.Context, ts *targetState, o Outcome) {
	for ctx.Err() == nil {
		if o.Diagnose {
			s.diagnose(ctx, ts)
		}
		switch {
		case o.Confirm:
			r, ok := s.checkNow(ctx, ts, KindConfirm, s.o.Clock.Now())
			if !ok {
				return
			}
			o = s.observe(ctx, ts, r)
		case o.Burst > 0:
			s.burst(ctx, ts, o.Burst)
			return
		default:
			return
		}
	}
}

// burst runs n checks spread evenly over the policy's burst span. A check
// slot is taken for each check only, so a burst holds none while it waits.
func (s *Scheduler) burst(ctx context.Context, ts *targetState, n int) {
	step := s.o.Policy.BurstSpan / time.Duration(n)
	start := s.o.Clock.Now()
	for i := 1; i <= n; i++ {
		slot := start.Add(time.Duration(i) * step)
		select {
		case <-s.o.Clock.After(slot.Sub(s.o.Clock.Now())):
		case <-ctx.Done():
			return
		}
		r, ok := s.checkNow(ctx, ts, KindBurst, slot)
		if !ok {
			return
		}
		if o := s.observe(ctx, ts, r); o.Diagnose {
			s.diagnose(ctx, ts)
		}
	}
}

// checkNow takes a check slot and runs one check; false when ctx ended
// first, when an abandoned check of the target still runs, or when the
// target is no longer held.
func (s *Scheduler) checkNow(ctx context.Context, ts *targetState, kind CheckKind, slot time.Time) (CheckResult, bool) {
	if ts.inflight.Load() > 0 {
		return CheckResult{}, false
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return CheckResult{}, false
	}
	if !s.holds(ts) {
		<-s.sem
		return CheckResult{}, false
	}
	r := s.check(ctx, ts, kind, slot)
	<-s.sem
	return r, ctx.Err() == nil
}

// check runs one check under the target's deadline. A check that ignores
// its context is abandoned AbandonAfter past the deadline: it is then a
// failure with ErrAbandoned, and the target's slots are skipped until it
// returns.
func (s *Scheduler) check(ctx context.Context, ts *targetState, kind CheckKind, slot time.Time) CheckResult {
	start := s.o.Clock.Now()
	s.n.checks.Add(1)
	if kind == KindRoutine {
		s.countLate(start.Sub(slot))
	}
	r, abandoned := s.run(ctx, ts, ts.done)
	if abandoned {
		ts.done = make(chan CheckResult, 1) // the old one is the abandoned call's
	}
	r.Target, r.Kind, r.Slot, r.Start = ts.t.ID, kind, slot, start
	if r.Duration == 0 {
		r.Duration = s.o.Clock.Now().Sub(start)
	}
	if r.OK {
		r.Cause = catalog.OK
	}
	return r
}

// run calls the check function under the target's deadline and waits for
// its result on done; a call that ignores its context is abandoned
// AbandonAfter past the deadline, and its result, when it comes, goes to
// done, which the caller must then no longer read.
func (s *Scheduler) run(ctx context.Context, ts *targetState, done chan CheckResult) (CheckResult, bool) {
	cctx, cancel := context.WithTimeout(ctx, ts.timeout)
	defer cancel()
	ts.inflight.Add(1)
	go func() {
		r := s.o.Check(cctx, ts.t)
		ts.inflight.Add(-1)
		done <- r
	}()
	select {
	case r := <-done:
		return r, false
	case <-cctx.Done():
		select {
		case r := <-done:
			return r, false
		case <-s.o.Clock.After(s.o.AbandonAfter):
			s.n.abandoned.Add(1)
			return CheckResult{Cause: catalog.Unknown, Err: fmt.Errorf("checking %s: %w", ts.t.ID, ErrAbandoned)}, true
		}
	}
}

func (s *Scheduler) countLate(late time.Duration) {
	if late <= 0 {
		return
	}
	s.n.totalLate.Add(int64(late))
	if late > s.o.LateAfter {
		s.n.late.Add(1)
	}
	for {
		old := s.n.maxLate.Load()
		if int64(late) <= old || s.n.maxLate.CompareAndSwap(old, int64(late)) {
			return
		}
	}
}

// observe feeds a result to the target's tracker and records the check
// and the events it caused, in order.
func (s *Scheduler) observe(ctx context.Context, ts *targetState, r CheckResult) Outcome {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	o := ts.tr.Observe(r)
	if s.o.Sink == nil {
		return o
	}
	s.emit(ctx, Event{Kind: EventCheck, Time: r.Start, Target: ts.t.ID, Group: ts.t.Group,
		Check: &r, IncidentID: o.IncidentID})
	for _, ev := range o.Events {
		s.emit(ctx, ev)
	}
	return o
}

// diagnose runs a diagnosis beside the checks and gives it to the tracker.
func (s *Scheduler) diagnose(ctx context.Context, ts *targetState) {
	s.diagnoseUntil(ctx, ts, nil)
}

// diagnoseUntil is diagnose, also ended when stop closes (a nil stop never
// does): for a diagnosis whose ctx outlives Run's.
func (s *Scheduler) diagnoseUntil(ctx context.Context, ts *targetState, stop <-chan struct{}) {
	if s.o.Diagnose == nil {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case s.diagSem <- struct{}{}:
		case <-ctx.Done():
			return
		case <-stop:
			return
		}
		dctx, cancel := context.WithTimeout(ctx, s.o.DiagnoseTimeout)
		if stop != nil {
			go func() {
				select {
				case <-stop:
					cancel()
				case <-dctx.Done():
				}
			}()
		}
		d, err := s.o.Diagnose(dctx, ts.t)
		cancel()
		<-s.diagSem
		s.n.diagnoses.Add(1)
		if ctx.Err() != nil || closed(stop) {
			return
		}
		if err != nil {
			err = fmt.Errorf("diagnosing %s: %w", ts.t.ID, err)
			s.report(err)
		}
		ts.mu.Lock()
		defer ts.mu.Unlock()
		for _, ev := range ts.tr.Diagnosed(s.o.Clock.Now(), d, err).Events {
			s.emit(ctx, ev)
		}
	}()
}

// closed reports whether c is closed; a nil c never is.
func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// emit records one event; called with the target's lock held, so that a
// target's events reach the sink in order.
func (s *Scheduler) emit(ctx context.Context, ev Event) {
	if s.o.Sink == nil {
		return
	}
	if err := s.o.Sink.Record(ctx, ev); err != nil {
		s.n.sinkErrors.Add(1)
		s.report(fmt.Errorf("recording %s of %s: %w", ev.Kind, ev.Target, err))
	}
}

func (s *Scheduler) report(err error) {
	if s.o.OnError != nil {
		s.o.OnError(err)
	}
}
