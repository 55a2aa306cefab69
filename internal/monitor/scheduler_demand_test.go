package monitor

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// TestCheckOnDemand checks that checks run on demand count in the target's
// incident tracking: two failed ones open an incident, with the diagnosis
// asked for given to it, and three passed ones close it; that a target
// another replica holds gets its check recorded and not tracked; and that
// an unknown target is ErrNoTarget.
func TestCheckOnDemand(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var failing, held atomic.Bool
		failing.Store(true)
		held.Store(true)
		var diagnoses atomic.Int32
		rec := &recorder{}
		s, err := New([]Target{{ID: "shop", Interval: time.Hour}}, Options{Sink: rec, Rand: zeroRand,
			Holds: func(Target) bool { return held.Load() },
			Check: func(context.Context, Target) CheckResult {
				if failing.Load() {
					return CheckResult{Cause: diagnose.UpstreamRefused, Status: 502}
				}
				return CheckResult{OK: true}
			},
			Diagnose: func(context.Context, Target) (Diagnosis, error) {
				diagnoses.Add(1)
				return Diagnosis{Cause: diagnose.UpstreamRefused, Steps: []string{"start the app"}}, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		first, err := s.CheckOnDemand(ctx, "shop", "on_demand", true)
		if err != nil || !first.Tracked || first.Diagnosis == nil || first.Diagnosis.Cause != diagnose.UpstreamRefused {
			t.Fatalf("first check: %+v, %v; want tracked with its diagnosis", first, err)
		}
		second, _ := s.CheckOnDemand(ctx, "shop", "on_demand", false)
		if st, _ := s.Status("shop"); st.Incident == nil || second.IncidentID == "" || st.Incident.ID != second.IncidentID {
			t.Fatalf("after two failed checks: status %+v, check %+v; want an open incident", st, second)
		}
		if st, _ := s.Status("shop"); st.Incident.Diagnosis == nil {
			t.Errorf("the open incident has no diagnosis")
		}
		failing.Store(false)
		for range 3 {
			time.Sleep(time.Minute) // past the flap window
			if _, err := s.CheckOnDemand(ctx, "shop", "on_demand", false); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(10 * time.Minute)
		if _, err := s.CheckOnDemand(ctx, "shop", "on_demand", false); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.Status("shop"); st.Incident != nil || !st.Healthy {
			t.Errorf("after passed checks: %+v, want healthy", st)
		}
		if o, c := rec.count(EventIncidentOpened), rec.count(EventIncidentClosed); o != 1 || c != 1 {
			t.Errorf("got %d opened, %d closed; want 1 and 1", o, c)
		}
		held.Store(false)
		failing.Store(true)
		before := len(rec.checks("shop"))
		for range 3 {
			if od, _ := s.CheckOnDemand(ctx, "shop", "on_demand", false); od.Tracked {
				t.Errorf("a check of a target held elsewhere was tracked")
			}
		}
		if st, _ := s.Status("shop"); st.Incident != nil {
			t.Errorf("a target held elsewhere opened an incident here")
		}
		if got := len(rec.checks("shop")) - before; got != 3 {
			t.Errorf("recorded %d checks of the target held elsewhere, want 3", got)
		}
		if _, err := s.CheckOnDemand(ctx, "nope", "on_demand", false); !errors.Is(err, ErrNoTarget) {
			t.Errorf("unknown target: %v, want ErrNoTarget", err)
		}
		synctest.Wait()
		if n := diagnoses.Load(); n != 1 {
			t.Errorf("%d diagnoses, want 1 (the one asked for; the tracker's own was satisfied by it)", n)
		}
	})
}

// TestCheckOnDemandStops: a diagnosis that a check on demand started
// beside it ends when Run stops, and none starts after.
func TestCheckOnDemandStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var started atomic.Int32
		s, err := New([]Target{{ID: "shop", Interval: time.Hour}}, Options{Rand: zeroRand,
			Check: func(context.Context, Target) CheckResult {
				return CheckResult{Cause: diagnose.UpstreamRefused, Status: 502}
			},
			Diagnose: func(ctx context.Context, _ Target) (Diagnosis, error) {
				started.Add(1)
				<-ctx.Done() // a diagnosis that takes its whole deadline
				return Diagnosis{}, ctx.Err()
			}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- s.Run(ctx) }()
		synctest.Wait()
		if _, err := s.CheckOnDemand(t.Context(), "shop", "on_demand", false); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if started.Load() != 1 {
			t.Fatalf("%d diagnoses started beside the check, want 1", started.Load())
		}
		start := time.Now()
		cancel()
		<-done
		if waited := time.Since(start); waited >= time.Minute {
			t.Errorf("Run waited %v for the diagnosis, want it ended at once", waited)
		}
		if _, err := s.CheckOnDemand(t.Context(), "shop", "on_demand", false); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if started.Load() != 1 {
			t.Errorf("a diagnosis started after Run stopped")
		}
	})
}
