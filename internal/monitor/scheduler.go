package monitor

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Clock tells the time and waits; the scheduler and dispatcher read time
// only through it.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the Clock of the time package.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// CheckFunc runs one check of a target. It must return when ctx is done,
// with a result that says how far it got; the scheduler abandons it
// otherwise.
type CheckFunc func(ctx context.Context, t Target) CheckResult

// DiagnoseFunc runs the full diagnosis of a target: the same one that
// `gwdoctor diagnose` runs.
type DiagnoseFunc func(ctx context.Context, t Target) (Diagnosis, error)

// Sink receives the events of the monitor: checks recorded, incidents,
// episodes. It is called from many goroutines at once, in order for each
// target; a slow sink slows only the target it records.
type Sink interface {
	Record(ctx context.Context, ev Event) error
}

// SinkFunc is a function that is a Sink.
type SinkFunc func(ctx context.Context, ev Event) error

// Record calls f.
func (f SinkFunc) Record(ctx context.Context, ev Event) error { return f(ctx, ev) }

// ErrAbandoned is the error of a check that did not return within
// Options.AbandonAfter past its deadline.
var ErrAbandoned = errors.New("check abandoned past its deadline")

// Options configures a Scheduler. A zero field takes its default.
type Options struct {
	// Check runs one check; required.
	Check CheckFunc
	// Diagnose runs a full diagnosis; nil runs none.
	Diagnose DiagnoseFunc
	// Sink receives the events; nil drops them.
	Sink Sink
	// Clock defaults to SystemClock. Deadlines are contexts, which follow
	// the time package.
	Clock Clock
	// Rand returns a number in [0, 1) for jitter; default math/rand/v2's
	// Float64. It is called under a lock.
	Rand func() float64
	// Policy holds the rules of incidents.
	Policy Policy
	// Interval is the interval of targets that set none (default 30 s).
	Interval time.Duration
	// Timeout is the deadline of a check of targets that set none (default 10 s).
	Timeout time.Duration
	// AbandonAfter is how long past its deadline a check that ignores its
	// context is waited for (default 1 s).
	AbandonAfter time.Duration
	// DiagnoseTimeout is the deadline of a diagnosis (default 2 min).
	DiagnoseTimeout time.Duration
	// MaxConcurrent is the most checks run at once (default 64).
	MaxConcurrent int
	// MaxDiagnoses is the most diagnoses run at once (default 4).
	MaxDiagnoses int
	// Jitter is the share of its interval by which a slot is moved later,
	// at random (default 0.1; negative for none).
	Jitter float64
	// LateAfter is the lateness past which a check counts as late (default 1 s).
	LateAfter time.Duration
	// OnError receives the errors of diagnoses and of the sink, wrapped
	// with the target they concern; nil drops them.
	OnError func(error)
	// Holds, when set, says whether this scheduler may check a target
	// now: replicas that share targets each check only the ones they
	// hold. A slot of a target it refuses passes without a check, and a
	// confirmation or burst of one stops; nil checks every target.
	Holds func(Target) bool
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	setDur(&o.Interval, 30*time.Second)
	setDur(&o.Timeout, 10*time.Second)
	setDur(&o.AbandonAfter, time.Second)
	setDur(&o.DiagnoseTimeout, 2*time.Minute)
	setInt(&o.MaxConcurrent, 64)
	setInt(&o.MaxDiagnoses, 4)
	switch {
	case o.Jitter == 0:
		o.Jitter = 0.1
	case o.Jitter < 0:
		o.Jitter = 0
	}
	setDur(&o.LateAfter, time.Second)
	o.Policy = o.Policy.withDefaults()
	return o
}

// Stats are the scheduler's counters since it started.
type Stats struct {
	// Checks counts the checks run, of every kind.
	Checks uint64
	// Late counts the routine checks that started more than LateAfter past their slot.
	Late uint64
	// MaxLate is the greatest lateness of a routine check; TotalLate their sum.
	MaxLate   time.Duration
	TotalLate time.Duration
	// Skipped counts slots passed over because their target was still busy.
	Skipped uint64
	// Abandoned counts checks that ignored their deadline.
	Abandoned uint64
	// Diagnoses counts the diagnoses run.
	Diagnoses uint64
	// SinkErrors counts events the sink refused.
	SinkErrors uint64
	// NotHeld counts slots passed over because Options.Holds refused their target.
	NotHeld uint64
}

// counters are the atomic form of Stats.
type counters struct {
	checks, late, skipped, abandoned, diagnoses, sinkErrors, notHeld atomic.Uint64
	maxLate, totalLate                                               atomic.Int64
}

// Status is what the scheduler knows of one target now.
type Status struct {
	// Healthy is true when no incident is open and the last checks succeeded.
	Healthy bool
	// Incident is a copy of the open incident, or nil.
	Incident *Incident
}

// targetState is a target and its tracker. A target runs one flow (a check
// and what follows it) at a time; mu guards the tracker against the
// diagnoses that finish beside the flow.
type targetState struct {
	t        Target
	idx      int // in Scheduler.targets
	interval time.Duration
	timeout  time.Duration
	anchor   time.Time // slot k is anchor + k·interval, plus jitter
	slot     int64
	done     chan CheckResult // owned by the flow; replaced when a check is abandoned
	inflight atomic.Int32     // checks running, abandoned ones included

	mu sync.Mutex
	tr *Tracker
}

// Scheduler runs checks of targets at their intervals and feeds their trackers.
type Scheduler struct {
	o       Options
	targets []*targetState
	byID    map[string]*targetState
	sem     chan struct{}
	diagSem chan struct{}
	wake    chan struct{}
	wg      sync.WaitGroup
	started atomic.Bool
	n       counters

	mu    sync.Mutex // guards queue and o.Rand
	queue slotHeap
	due   []slotItem

	// stopping is set, under stopMu, once Run waits for the work under
	// way, and stopped closed: a diagnosis a check on demand asks for then
	// no longer starts, and one under way ends.
	stopMu   sync.RWMutex
	stopping bool
	stopped  chan struct{}
}

// New returns a Scheduler for targets. Target IDs must be unique and not empty.
func New(targets []Target, o Options) (*Scheduler, error) {
	if o.Check == nil {
		return nil, errors.New("monitor: no check function")
	}
	o = o.withDefaults()
	s := &Scheduler{o: o, byID: make(map[string]*targetState, len(targets)),
		sem: make(chan struct{}, o.MaxConcurrent), diagSem: make(chan struct{}, o.MaxDiagnoses),
		wake: make(chan struct{}, 1), queue: make(slotHeap, 0, len(targets)), stopped: make(chan struct{})}
	for _, t := range targets {
		if t.ID == "" {
			return nil, errors.New("monitor: a target has no ID")
		}
		if _, dup := s.byID[t.ID]; dup {
			return nil, fmt.Errorf("monitor: target %q given twice", t.ID)
		}
		ts := &targetState{t: t, idx: len(s.targets), interval: cmp(t.Interval, o.Interval), timeout: cmp(t.Timeout, o.Timeout),
			done: make(chan CheckResult, 1), tr: NewTracker(t, o.Policy)}
		s.targets = append(s.targets, ts)
		s.byID[t.ID] = ts
	}
	return s, nil
}

// cmp returns d, or def when d is not positive.
func cmp(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Stats returns the counters so far.
func (s *Scheduler) Stats() Stats {
	return Stats{
		Checks: s.n.checks.Load(), Late: s.n.late.Load(), Skipped: s.n.skipped.Load(),
		MaxLate: time.Duration(s.n.maxLate.Load()), TotalLate: time.Duration(s.n.totalLate.Load()),
		Abandoned: s.n.abandoned.Load(), Diagnoses: s.n.diagnoses.Load(), SinkErrors: s.n.sinkErrors.Load(),
		NotHeld: s.n.notHeld.Load(),
	}
}

// Status returns what is known of the target with the given ID.
func (s *Scheduler) Status(id string) (Status, bool) {
	ts := s.byID[id]
	if ts == nil {
		return Status{}, false
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return Status{Healthy: ts.tr.Healthy(), Incident: ts.tr.Incident()}, true
}

// Run checks the targets until ctx is done, then waits for the checks and
// diagnoses under way to end. It may be called once.
func (s *Scheduler) Run(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("monitor: scheduler already run")
	}
	now := s.o.Clock.Now()
	s.mu.Lock()
	for _, ts := range s.targets {
		ts.anchor = now.Add(time.Duration(s.o.Rand() * float64(ts.interval)))
		s.queue.push(slotItem{at: s.slotTime(ts, 0), idx: ts.idx})
	}
	s.mu.Unlock()
	s.dispatch(ctx)
	s.stopMu.Lock()
	s.stopping = true
	close(s.stopped)
	s.stopMu.Unlock()
	s.wg.Wait()
	return nil
}

// slotTime is the time of slot k of ts, with its jitter. Called under s.mu.
func (s *Scheduler) slotTime(ts *targetState, k int64) time.Time {
	base := ts.anchor.Add(time.Duration(k) * ts.interval)
	return base.Add(time.Duration(s.o.Rand() * s.o.Jitter * float64(ts.interval)))
}

// dispatch starts each slot when it is due, until ctx is done.
func (s *Scheduler) dispatch(ctx context.Context) {
	for {
		s.mu.Lock()
		now := s.o.Clock.Now()
		due := s.due[:0]
		for len(s.queue) > 0 && !s.queue[0].at.After(now) {
			due = append(due, s.queue.pop())
		}
		s.due = due
		wait := time.Duration(-1)
		if len(s.queue) > 0 {
			wait = s.queue[0].at.Sub(now)
		}
		s.mu.Unlock()
		for _, it := range due {
			if !s.start(ctx, it) {
				return
			}
		}
		if len(due) > 0 {
			continue
		}
		var timer <-chan time.Time
		if wait >= 0 {
			timer = s.o.Clock.After(wait)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-timer:
		}
	}
}

// start runs the flow of one slot once a check may run; false when ctx ended first.
func (s *Scheduler) start(ctx context.Context, it slotItem) bool {
	ts := s.targets[it.idx]
	if ts.inflight.Load() > 0 { // an abandoned check still runs
		s.n.skipped.Add(1)
		s.reschedule(ts)
		return true
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	if !s.holds(ts) { // asked once a check may start, so that the answer is fresh
		<-s.sem
		s.n.notHeld.Add(1)
		s.reschedule(ts)
		return true
	}
	s.wg.Add(1)
	go s.flow(ctx, ts, it.at)
	return true
}

// holds reports whether Options.Holds lets ts be checked now.
func (s *Scheduler) holds(ts *targetState) bool {
	return s.o.Holds == nil || s.o.Holds(ts.t)
}

// reschedule queues the next slot of ts that has not begun yet.
func (s *Scheduler) reschedule(ts *targetState) {
	s.mu.Lock()
	k := ts.slot + 1
	if behind := int64(s.o.Clock.Now().Sub(ts.anchor) / ts.interval); behind >= k {
		s.n.skipped.Add(uint64(behind - k + 1))
		k = behind + 1
	}
	ts.slot = k
	s.queue.push(slotItem{at: s.slotTime(ts, k), idx: ts.idx})
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// slotItem is a slot due at at for target idx.
type slotItem struct {
	at  time.Time
	idx int
}

// slotHeap orders slots by time: a binary heap written out for its one
// element type, so that queueing a slot allocates nothing.
type slotHeap []slotItem

func (h *slotHeap) push(it slotItem) {
	*h = append(*h, it)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if !q[i].at.Before(q[p].at) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
}

func (h *slotHeap) pop() slotItem {
	q := *h
	top := q[0]
	last := len(q) - 1
	q[0] = q[last]
	q = q[:last]
	for i := 0; ; {
		l, small := 2*i+1, i
		if l < len(q) && q[l].at.Before(q[small].at) {
			small = l
		}
		if r := l + 1; r < len(q) && q[r].at.Before(q[small].at) {
			small = r
		}
		if small == i {
			break
		}
		q[i], q[small] = q[small], q[i]
		i = small
	}
	*h = q
	return top
}
