package monitor

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time, user and system, of this process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkScheduler10000 schedules 10,000 targets at a 1 s interval with
// a trivial check and a sink that keeps nothing, until b.N checks have
// run. One op is one check: allocs/op are the scheduler's per check, and
// cpu-ns/check its CPU time per check (wall time per op is the interval's
// pace, not a cost).
func BenchmarkScheduler10000(b *testing.B) {
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	done := make(chan struct{}, 1)
	ts := targets(10000, time.Second)
	s, err := New(ts, Options{
		MaxConcurrent: 64,
		Sink:          SinkFunc(func(context.Context, Event) error { return nil }),
		Check: func(context.Context, Target) CheckResult {
			return CheckResult{OK: true, Status: 200}
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	checks := func() uint64 { return s.Stats().Checks }
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	b.ResetTimer()
	go func() {
		for checks() < uint64(b.N) {
			time.Sleep(time.Millisecond)
		}
		done <- struct{}{}
		cancel()
	}()
	if err := s.Run(ctx); err != nil {
		b.Fatal(err)
	}
	<-done
	b.StopTimer()
	st := s.Stats()
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(st.Checks), "cpu-ns/check")
	b.ReportMetric(float64(st.MaxLate)/float64(time.Millisecond), "max-late-ms")
}
