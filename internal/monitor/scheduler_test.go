package monitor

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// recorder is a Sink that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) Record(_ context.Context, ev Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return nil
}

// checks returns the checks recorded for target, in order.
func (r *recorder) checks(target string) []CheckResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []CheckResult
	for _, ev := range r.events {
		if ev.Kind == EventCheck && ev.Target == target {
			out = append(out, *ev.Check)
		}
	}
	return out
}

func (r *recorder) count(kind EventKind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ev := range r.events {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

// runFor runs s inside a synctest bubble for d of its fake time.
func runFor(t *testing.T, s *Scheduler, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	time.Sleep(d)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func zeroRand() float64 { return 0 }

func targets(n int, interval time.Duration) []Target {
	out := make([]Target, n)
	for i := range out {
		out[i] = Target{ID: fmt.Sprintf("site-%d", i), Interval: interval}
	}
	return out
}

// TestSchedulerHangingCheck checks that a target that hangs, whether its
// check honours the deadline or not, delays no other target.
func TestSchedulerHangingCheck(t *testing.T) {
	tests := []struct {
		name          string
		hang          func(ctx context.Context, release <-chan struct{})
		wantAbandoned bool
	}{
		{"the check honours its deadline", func(ctx context.Context, _ <-chan struct{}) { <-ctx.Done() }, false},
		{"the check ignores its deadline", func(_ context.Context, release <-chan struct{}) { <-release }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				release := make(chan struct{})
				defer close(release)
				rec := &recorder{}
				ts := append(targets(10, 30*time.Second), Target{ID: "hang", Interval: 30 * time.Second})
				s, err := New(ts, Options{Sink: rec, MaxConcurrent: 2, Rand: zeroRand,
					Check: func(ctx context.Context, tg Target) CheckResult {
						if tg.ID == "hang" {
							tt.hang(ctx, release)
							return CheckResult{Cause: diagnose.EdgeUnreachable}
						}
						return CheckResult{OK: true}
					}})
				if err != nil {
					t.Fatal(err)
				}
				runFor(t, s, 299*time.Second)
				for _, tg := range ts[:10] {
					cs := rec.checks(tg.ID)
					if len(cs) != 10 {
						t.Errorf("%s: got %d checks in 5 minutes, want 10", tg.ID, len(cs))
					}
					for _, c := range cs {
						if c.Late() != 0 {
							t.Errorf("%s: a check %v late", tg.ID, c.Late())
						}
					}
				}
				if got := s.Stats().Abandoned > 0; got != tt.wantAbandoned {
					t.Errorf("abandoned: got %v, want %v", got, tt.wantAbandoned)
				}
			})
		})
	}
}

// TestSchedulerConcurrency checks that no more than MaxConcurrent checks
// run at once, and that the bound is reached under load.
func TestSchedulerConcurrency(t *testing.T) {
	for _, limit := range []int{1, 3, 8} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var active, peak atomic.Int32
				s, err := New(targets(50, 10*time.Second), Options{MaxConcurrent: limit,
					Rand: rand.New(rand.NewPCG(1, 2)).Float64,
					Check: func(ctx context.Context, _ Target) CheckResult {
						n := active.Add(1)
						for old := peak.Load(); n > old && !peak.CompareAndSwap(old, n); old = peak.Load() {
						}
						select {
						case <-time.After(2 * time.Second):
						case <-ctx.Done():
						}
						active.Add(-1)
						return CheckResult{OK: true}
					}})
				if err != nil {
					t.Fatal(err)
				}
				runFor(t, s, time.Minute)
				if got := peak.Load(); got != int32(limit) {
					t.Errorf("peak concurrency: got %d, want %d", got, limit)
				}
			})
		})
	}
}

// TestSchedulerJitter checks that each slot falls within its jitter of
// the target's own phase, and that the phases spread over the interval.
func TestSchedulerJitter(t *testing.T) {
	const interval, jitter = 10 * time.Second, 0.2
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		start := time.Now()
		s, err := New(targets(100, interval), Options{Sink: rec, Jitter: jitter,
			Rand:  rand.New(rand.NewPCG(3, 4)).Float64,
			Check: func(context.Context, Target) CheckResult { return CheckResult{OK: true} }})
		if err != nil {
			t.Fatal(err)
		}
		runFor(t, s, time.Minute)
		maxJ := time.Duration(jitter * float64(interval))
		var firsts []time.Duration
		for i := range 100 {
			cs := rec.checks(fmt.Sprintf("site-%d", i))
			if len(cs) < 5 {
				t.Fatalf("site-%d: %d checks", i, len(cs))
			}
			first := cs[0].Slot.Sub(start)
			firsts = append(firsts, first)
			if first < 0 || first >= interval+maxJ {
				t.Errorf("site-%d: first slot at %v, want within [0, %v)", i, first, interval+maxJ)
			}
			for k, c := range cs {
				off := c.Slot.Sub(cs[0].Slot) - time.Duration(k)*interval
				if off <= -maxJ || off >= maxJ {
					t.Errorf("site-%d: slot %d off its phase by %v, want within ±%v", i, k, off, maxJ)
				}
			}
		}
		slices.Sort(firsts)
		if spread := firsts[len(firsts)-1] - firsts[0]; spread < interval/2 {
			t.Errorf("first slots spread over %v only", spread)
		}
	})
}

// TestSchedulerLate checks that a check that starts later than its slot
// is counted: three targets due at once, one check at a time, 4 s each.
func TestSchedulerLate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		s, err := New(targets(3, time.Minute), Options{Sink: rec, MaxConcurrent: 1, Rand: zeroRand,
			Check: func(ctx context.Context, _ Target) CheckResult {
				select {
				case <-time.After(4 * time.Second):
				case <-ctx.Done():
				}
				return CheckResult{OK: true}
			}})
		if err != nil {
			t.Fatal(err)
		}
		runFor(t, s, 10*time.Second)
		st := s.Stats()
		if st.Late != 2 || st.MaxLate != 8*time.Second || st.TotalLate != 12*time.Second {
			t.Errorf("got %d late, max %v, total %v; want 2, 8s, 12s", st.Late, st.MaxLate, st.TotalLate)
		}
	})
}

// TestSchedulerIncident runs an outage through the scheduler: the failed
// check is confirmed at once, diagnosed once, and makes one incident.
func TestSchedulerIncident(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		start := time.Now()
		var diagnoses atomic.Int32
		s, err := New([]Target{{ID: "shop", Interval: 30 * time.Second}}, Options{Sink: rec, Rand: zeroRand,
			Check: func(context.Context, Target) CheckResult {
				d := time.Since(start)
				if d >= time.Minute && d < 3*time.Minute {
					return CheckResult{Cause: diagnose.UpstreamRefused, Status: 502}
				}
				return CheckResult{OK: true}
			},
			Diagnose: func(context.Context, Target) (Diagnosis, error) {
				diagnoses.Add(1)
				time.Sleep(3 * time.Second)
				return Diagnosis{Cause: diagnose.UpstreamRefused, Steps: []string{"start the app"}}, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- s.Run(ctx) }()
		time.Sleep(2 * time.Minute)
		if st, _ := s.Status("shop"); st.Incident == nil || st.Healthy {
			t.Errorf("status during the outage: %+v", st)
		}
		time.Sleep(8 * time.Minute)
		if st, _ := s.Status("shop"); st.Incident != nil || !st.Healthy {
			t.Errorf("status after the outage: %+v", st)
		}
		cancel()
		<-done
		if o, c := rec.count(EventIncidentOpened), rec.count(EventIncidentClosed); o != 1 || c != 1 {
			t.Errorf("got %d opened, %d closed; want 1 and 1", o, c)
		}
		if n := diagnoses.Load(); n != 1 {
			t.Errorf("got %d diagnoses, want 1", n)
		}
		cs := rec.checks("shop")
		i := slices.IndexFunc(cs, func(c CheckResult) bool { return !c.OK })
		if i < 0 || i+1 >= len(cs) || cs[i+1].Kind != KindConfirm || cs[i+1].Start.Sub(cs[i].Start) > time.Second {
			t.Fatalf("no confirmation at once after the first failure: %+v", cs)
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for _, ev := range rec.events {
			if ev.Kind == EventIncidentClosed && ev.Incident.Diagnosis == nil {
				t.Errorf("closed incident has no diagnosis")
			}
		}
	})
}

// TestSchedulerIntermittent runs a target failing one request in 20: bursts
// of 10 checks over 10 s sample it, and one intermittent incident opens.
func TestSchedulerIntermittent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		var n atomic.Int32
		s, err := New([]Target{{ID: "api", Interval: 30 * time.Second}}, Options{Sink: rec, Rand: zeroRand,
			Check: func(context.Context, Target) CheckResult {
				if n.Add(1)%20 == 0 {
					return CheckResult{Cause: diagnose.UpstreamClosed, Status: 502}
				}
				return CheckResult{OK: true}
			}})
		if err != nil {
			t.Fatal(err)
		}
		runFor(t, s, time.Hour)
		if got := rec.count(EventIncidentOpened); got != 1 {
			t.Errorf("got %d incidents, want 1", got)
		}
		var bursts []time.Time
		for _, c := range rec.checks("api") {
			if c.Kind == KindBurst {
				bursts = append(bursts, c.Start)
			}
		}
		if len(bursts) == 0 || len(bursts)%10 != 0 {
			t.Fatalf("got %d burst checks, want bursts of 10", len(bursts))
		}
		for i := 1; i < 10; i++ {
			if gap := bursts[i].Sub(bursts[i-1]); gap != time.Second {
				t.Errorf("burst checks %v apart, want 1s", gap)
			}
		}
	})
}

// TestSchedulerSinkError checks that a sink that fails is reported and
// stops nothing.
func TestSchedulerSinkError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errDisk := errors.New("disk full")
		var reported atomic.Int32
		s, err := New(targets(2, 10*time.Second), Options{Rand: zeroRand,
			Sink:  SinkFunc(func(context.Context, Event) error { return errDisk }),
			Check: func(context.Context, Target) CheckResult { return CheckResult{OK: true} },
			OnError: func(err error) {
				if errors.Is(err, errDisk) {
					reported.Add(1)
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		runFor(t, s, 55*time.Second)
		if st := s.Stats(); st.Checks != 12 || st.SinkErrors != 12 || reported.Load() != 12 {
			t.Errorf("got %d checks, %d sink errors, %d reported; want 12 each", st.Checks, st.SinkErrors, reported.Load())
		}
	})
}

func TestNewRefuses(t *testing.T) {
	ok := func(context.Context, Target) CheckResult { return CheckResult{OK: true} }
	tests := []struct {
		name    string
		targets []Target
		check   CheckFunc
	}{
		{"no check function", []Target{{ID: "a"}}, nil},
		{"a target without ID", []Target{{ID: "a"}, {}}, ok},
		{"a target twice", []Target{{ID: "a"}, {ID: "a"}}, ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.targets, Options{Check: tt.check}); err == nil {
				t.Errorf("got no error")
			}
		})
	}
}

// TestSchedulerHolds: a target that Holds refuses is not checked, and its
// slots come back to it once it is held again, as when a replica takes a
// target over; a failing check of a target dropped meanwhile is not
// confirmed.
func TestSchedulerHolds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var held atomic.Bool
		rec := &recorder{}
		s, err := New(targets(2, 10*time.Second), Options{Rand: zeroRand, Sink: rec,
			Holds: func(tg Target) bool { return tg.ID == "site-0" || held.Load() },
			Check: func(_ context.Context, tg Target) CheckResult {
				if tg.ID == "site-1" {
					held.Store(false) // dropped while it ran
				}
				return CheckResult{OK: tg.ID == "site-0", Cause: diagnose.Unknown}
			}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- s.Run(ctx) }()
		time.Sleep(25 * time.Second)
		held.Store(true)
		time.Sleep(30 * time.Second)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got, want := len(rec.checks("site-0")), 6; got != want {
			t.Errorf("checks of the held target: got %d, want %d", got, want)
		}
		if got := rec.checks("site-1"); len(got) != 1 || got[0].Kind != KindRoutine {
			t.Errorf("checks of the target held from 25s to its first check: got %+v, want one routine check, no confirmation", got)
		}
		if st := s.Stats(); st.NotHeld != 5 {
			t.Errorf("NotHeld = %d, want 5", st.NotHeld)
		}
	})
}
