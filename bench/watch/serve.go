package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/watch"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// tally counts the watcher's events from start on.
type tally struct {
	mu sync.Mutex
	// began is when Serve was started; start when the measure begins.
	began, start      time.Time
	checks, all       int
	routine, failed   int
	late              int // routine checks more than 1 s past their slot
	maxLate           time.Duration
	maxLateAt         time.Time
	maxLateOf         string
	opened, diagnosed int
	// lates are the routine checks' lateness, with when they were due.
	lates []lateness
	// spans are when each check began and ended, for the checks in flight.
	spans [][2]time.Time
}

type lateness struct {
	late time.Duration
	slot time.Time
}

func (t *tally) Record(_ context.Context, ev monitor.Event) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case ev.Kind == monitor.EventCheck && ev.Check != nil:
		t.all++
		if ev.Time.Before(t.start) {
			return nil
		}
		t.checks++
		t.spans = append(t.spans, [2]time.Time{ev.Check.Start, ev.Check.Start.Add(ev.Check.Duration)})
		if !ev.Check.OK {
			t.failed++
		}
		if ev.Check.Kind == monitor.KindRoutine {
			t.routine++
			late := ev.Check.Late()
			t.lates = append(t.lates, lateness{late, ev.Check.Slot})
			if late > t.maxLate {
				t.maxLate, t.maxLateAt, t.maxLateOf = late, ev.Check.Slot, ev.Target
			}
			if late > time.Second {
				t.late++
			}
		}
	case ev.Kind == monitor.EventIncidentOpened:
		t.opened++
	case ev.Kind == monitor.EventIncidentUpdated && ev.Change == monitor.ChangeDiagnosis:
		t.diagnosed++
	}
	return nil
}

// measureServe runs Serve on o.targets targets for o.warmup and then
// o.duration, and prints what it measured.
func measureServe(o options) error {
	addr, stop, err := targetsAt(o)
	if err != nil {
		return err
	}
	defer stop()
	db := o.db
	if db == "" {
		dir, err := os.MkdirTemp("", "gwdoctor-bench-watch")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		db = filepath.Join(dir, "gwdoctor.db")
	}
	cfg, err := watchconfig.Parse("bench.yaml", []byte(targetsYAML(o, addr, db)), nil)
	if err != nil {
		return err
	}
	began := time.Now()
	t := &tally{start: began.Add(o.warmup), began: began}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- watch.Serve(ctx, cfg, watch.ServeOptions{Checker: watch.Checker{}, Sinks: []monitor.Sink{t}, MaxConcurrent: o.concurrency})
	}()
	time.Sleep(o.warmup)
	stopProfiles, err := startProfiles(o)
	if err != nil {
		cancel()
		return err
	}
	cpu0, rss := cpuTime(), newRSSSampler()
	time.Sleep(o.duration)
	cpu := cpuTime() - cpu0
	rss.stop()
	if err := stopProfiles(); err != nil {
		cancel()
		return err
	}
	cancel()
	if err := <-done; err != nil {
		return err
	}
	report(o, t, cpu, rss, db)
	return nil
}

// report prints the numbers of a serve run.
func report(o options, t *tally, cpu time.Duration, rss *rssSampler, db string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	secs := o.duration.Seconds()
	fmt.Printf("targets %d, interval %s, failing %.1f%%, measured %s after %s, concurrency %d (0: Serve's)\n",
		o.targets, o.interval, o.fail*100, o.duration, o.warmup, o.concurrency)
	fmt.Printf("checks %d (routine %d, failed %d), incidents opened %d, diagnoses %d\n", t.checks, t.routine, t.failed, t.opened, t.diagnosed)
	fmt.Printf("cpu %.1f s: %.3f cores on average; %.0f checks per CPU-second\n", cpu.Seconds(), cpu.Seconds()/secs, float64(t.checks)/cpu.Seconds())
	fmt.Printf("rss average %.0f MB, peak %.0f MB\n", rss.avg()/1e6, rss.peak()/1e6)
	fmt.Printf("late: latest routine check %v past its slot (of %s, %s into the run); %d of %d more than 1s late\n",
		t.maxLate.Round(time.Millisecond), t.maxLateOf, t.maxLateAt.Sub(t.began).Round(time.Second), t.late, t.routine)
	fmt.Printf("checks in flight: %d at most\n", peakInFlight(t.spans))
	if len(t.lates) > 0 {
		slices.SortFunc(t.lates, func(a, b lateness) int { return cmp.Compare(a.late, b.late) })
		at := func(q float64) time.Duration {
			return t.lates[int(q*float64(len(t.lates)-1))].late.Round(time.Millisecond)
		}
		fmt.Printf("lateness of routine checks: p50 %v, p99 %v, p99.9 %v; the worst, by seconds into the run:", at(0.5), at(0.99), at(0.999))
		for _, l := range t.lates[max(0, len(t.lates)-5):] {
			fmt.Printf(" %v at %.0f s", l.late.Round(time.Millisecond), l.slot.Sub(t.began).Seconds())
		}
		fmt.Println()
	}
	if info, err := os.Stat(db); err == nil && t.all > 0 {
		perCheck := float64(info.Size()) / float64(t.all)
		perDay := perCheck * float64(24*time.Hour) / float64(o.interval)
		fmt.Printf("sqlite %.1f MB for %d checks: %.0f bytes per check, %.0f bytes per target-day at this interval\n",
			float64(info.Size())/1e6, t.all, perCheck, perDay)
	}
}

// peakInFlight is the most spans that overlap at one time.
func peakInFlight(spans [][2]time.Time) int {
	type edge struct {
		at time.Time
		d  int
	}
	edges := make([]edge, 0, 2*len(spans))
	for _, s := range spans {
		edges = append(edges, edge{s[0], 1}, edge{s[1], -1})
	}
	slices.SortFunc(edges, func(a, b edge) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.d, b.d)) })
	n, peak := 0, 0
	for _, e := range edges {
		n += e.d
		peak = max(peak, n)
	}
	return peak
}

// startProfiles starts the CPU profile and the execution trace that o
// asks for; the function returned stops them and closes their files.
func startProfiles(o options) (func() error, error) {
	var stops []func() error
	stop := func() error {
		var errs []error
		for _, f := range stops {
			errs = append(errs, f())
		}
		return errors.Join(errs...)
	}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, err
		}
		stops = append(stops, func() error { pprof.StopCPUProfile(); return f.Close() })
	}
	if o.trace != "" {
		f, err := os.Create(o.trace)
		if err != nil {
			return nil, errors.Join(err, stop())
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			return nil, errors.Join(err, stop())
		}
		stops = append(stops, func() error { trace.Stop(); return f.Close() })
	}
	return stop, nil
}

// targetsAt is o.addr, or the address of targets started in a child process.
func targetsAt(o options) (string, func(), error) {
	if o.addr != "" {
		return o.addr, func() {}, nil
	}
	return startTargets(o)
}

// cpuTime is this process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rssSampler reads this process's resident set every second.
type rssSampler struct {
	mu    sync.Mutex
	sum   float64
	n     int
	max   float64
	done  chan struct{}
	ended sync.WaitGroup
}

func newRSSSampler() *rssSampler {
	s := &rssSampler{done: make(chan struct{})}
	s.ended.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
			}
			if v := rssBytes(); v > 0 {
				s.mu.Lock()
				s.sum, s.n, s.max = s.sum+v, s.n+1, max(s.max, v)
				s.mu.Unlock()
			}
		}
	})
	return s
}

func (s *rssSampler) stop() { close(s.done); s.ended.Wait() }

func (s *rssSampler) avg() float64 {
	if s.n == 0 {
		return 0
	}
	return s.sum / float64(s.n)
}

func (s *rssSampler) peak() float64 { return s.max }

// rssBytes reads VmRSS from /proc/self/status.
func rssBytes() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
			return kb * 1024
		}
	}
	return 0
}
