package monitor

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// flaky is a Notifier that fails its first fails tries (all when fails < 0)
// and notes when each try came.
type flaky struct {
	mu    sync.Mutex
	fails int
	tries []time.Time
	hang  bool // wait for the deadline instead
}

var errChannel = errors.New("500 Internal Server Error")

func (f *flaky) Notify(ctx context.Context, _ Alert) error {
	f.mu.Lock()
	f.tries = append(f.tries, time.Now())
	n := len(f.tries)
	f.mu.Unlock()
	if f.hang {
		<-ctx.Done()
		return ctx.Err()
	}
	if f.fails < 0 || n <= f.fails {
		return errChannel
	}
	return nil
}

func (f *flaky) offsets(from time.Time) []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Duration
	for _, t := range f.tries {
		out = append(out, t.Sub(from))
	}
	return out
}

func TestDispatcherRetry(t *testing.T) {
	tests := []struct {
		name      string
		fails     int
		wantTries []time.Duration
		want      DispatchStats
	}{
		{"sent at once", 0, []time.Duration{0}, DispatchStats{Sent: 1}},
		{"sent on the third try", 2, []time.Duration{0, 2 * time.Second, 6 * time.Second}, DispatchStats{Sent: 1, Retries: 2}},
		{"given up after five tries", -1,
			[]time.Duration{0, 2 * time.Second, 6 * time.Second, 14 * time.Second, 30 * time.Second},
			DispatchStats{Failed: 1, Retries: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := &flaky{fails: tt.fails}
				var reported []error
				d := NewDispatcher(n, RetryPolicy{}, nil, func(err error) { reported = append(reported, err) })
				ctx, cancel := context.WithCancel(t.Context())
				done := make(chan error)
				go func() { done <- d.Run(ctx) }()
				start := time.Now()
				d.Send(Alert{Kind: AlertOpened, Target: "shop"})
				time.Sleep(time.Hour)
				cancel()
				<-done
				if got := n.offsets(start); !slices.Equal(got, tt.wantTries) {
					t.Errorf("tries at %v, want %v", got, tt.wantTries)
				}
				if got := d.Stats(); got != tt.want {
					t.Errorf("stats %+v, want %+v", got, tt.want)
				}
				for _, err := range reported {
					if !errors.Is(err, errChannel) {
						t.Errorf("reported %v, want it to wrap the channel's error", err)
					}
				}
				if len(reported) != len(tt.wantTries)-int(tt.want.Sent) {
					t.Errorf("reported %d errors, want one per failed try", len(reported))
				}
			})
		})
	}
}

func TestRetryBackoff(t *testing.T) {
	p := RetryPolicy{First: time.Second, Max: 10 * time.Second}.withDefaults()
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, p.backoff(n))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestDispatcherSendNeverWaits checks that Send returns at once when the
// channel hangs, and drops what a full queue cannot hold.
func TestDispatcherSendNeverWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := NewDispatcher(&flaky{hang: true}, RetryPolicy{Queue: 2}, nil, nil)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- d.Run(ctx) }()
		start := time.Now()
		synctest.Wait()
		var accepted int
		for range 5 {
			if d.Send(Alert{Kind: AlertOpened, Target: "shop"}) {
				accepted++
			}
			synctest.Wait()
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("Send took %v", took)
		}
		cancel()
		<-done
		// One alert is being tried, two wait in the queue.
		if accepted != 3 || d.Stats().Dropped != 2 {
			t.Errorf("accepted %d, dropped %d; want 3 and 2", accepted, d.Stats().Dropped)
		}
	})
}

// TestAlertsNeverBlockChecks runs an outage through the scheduler with an
// alert channel that hangs on every try: the alert is tried, and every
// check still starts on its slot.
func TestAlertsNeverBlockChecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := &flaky{hang: true}
		d := NewDispatcher(n, RetryPolicy{}, nil, nil)
		alerts := NewAlerts(NewAlerter(AlertPolicy{}), nil, d)
		rec := &recorder{}
		start := time.Now()
		s, err := New([]Target{{ID: "shop", Interval: 10 * time.Second}}, Options{Rand: zeroRand,
			Sink: MultiSink(rec, alerts),
			Check: func(context.Context, Target) CheckResult {
				if time.Since(start) >= time.Minute {
					return CheckResult{Cause: diagnose.UpstreamRefused}
				}
				return CheckResult{OK: true}
			}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		wg.Go(func() { _ = d.Run(ctx) })
		wg.Go(func() { _ = alerts.Run(ctx) })
		runFor(t, s, 10*time.Minute)
		cancel()
		wg.Wait()
		if len(n.offsets(start)) == 0 {
			t.Errorf("the opening was never tried")
		}
		for _, c := range rec.checks("shop") {
			if c.Late() != 0 {
				t.Errorf("a check started %v late", c.Late())
			}
		}
		if got := len(rec.checks("shop")); got < 60 {
			t.Errorf("got %d checks in 10 minutes, want at least 60", got)
		}
	})
}
