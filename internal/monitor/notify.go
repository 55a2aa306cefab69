package monitor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Notifier sends one alert over one channel (chat, e-mail, webhook).
type Notifier interface {
	Notify(ctx context.Context, a Alert) error
}

// RetryPolicy says how a Dispatcher sends. A zero field takes its default.
type RetryPolicy struct {
	// Attempts is how many times an alert is tried (default 5).
	Attempts int
	// First is the wait after the first failed try; each next wait doubles,
	// up to Max (defaults 2 s and 5 min).
	First time.Duration
	Max   time.Duration
	// Timeout is the deadline of one try (default 10 s).
	Timeout time.Duration
	// Queue is how many alerts may wait to be sent (default 100).
	Queue int
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	setInt(&p.Attempts, 5)
	setDur(&p.First, 2*time.Second)
	setDur(&p.Max, 5*time.Minute)
	setDur(&p.Timeout, 10*time.Second)
	setInt(&p.Queue, 100)
	return p
}

// backoff is the wait after the n-th failed try, from 1.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.First
	for i := 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// DispatchStats are a Dispatcher's counters.
type DispatchStats struct {
	// Sent counts alerts delivered; Failed those given up after every try.
	Sent   uint64
	Failed uint64
	// Retries counts the tries after a first.
	Retries uint64
	// Dropped counts alerts refused because the queue was full.
	Dropped uint64
}

// Dispatcher sends alerts through one Notifier, in order, from its own
// queue: Send never waits, and a failing channel is retried with backoff
// in Run without holding anything else up.
type Dispatcher struct {
	n       Notifier
	p       RetryPolicy
	clock   Clock
	onError func(error)
	q       chan Alert

	sent, failed, retries, dropped atomic.Uint64
}

// NewDispatcher returns a Dispatcher sending through n. clock nil means
// SystemClock; onError, when not nil, receives each failed try.
func NewDispatcher(n Notifier, p RetryPolicy, clock Clock, onError func(error)) *Dispatcher {
	if clock == nil {
		clock = SystemClock{}
	}
	p = p.withDefaults()
	return &Dispatcher{n: n, p: p, clock: clock, onError: onError, q: make(chan Alert, p.Queue)}
}

// Send queues a for sending; false when the queue is full and a is dropped.
func (d *Dispatcher) Send(a Alert) bool {
	select {
	case d.q <- a:
		return true
	default:
		d.dropped.Add(1)
		return false
	}
}

// Stats returns the counters so far.
func (d *Dispatcher) Stats() DispatchStats {
	return DispatchStats{Sent: d.sent.Load(), Failed: d.failed.Load(), Retries: d.retries.Load(), Dropped: d.dropped.Load()}
}

// Run sends the queued alerts until ctx is done.
func (d *Dispatcher) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case a := <-d.q:
			d.deliver(ctx, a)
		}
	}
}

// deliver tries to send a, waiting between tries.
func (d *Dispatcher) deliver(ctx context.Context, a Alert) {
	for try := 1; ; try++ {
		tctx, cancel := context.WithTimeout(ctx, d.p.Timeout)
		err := d.n.Notify(tctx, a)
		cancel()
		if err == nil {
			d.sent.Add(1)
			return
		}
		if d.onError != nil {
			d.onError(fmt.Errorf("sending the %s alert of %s (try %d of %d): %w", a.Kind, a.Target, try, d.p.Attempts, err))
		}
		if try == d.p.Attempts {
			d.failed.Add(1)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-d.clock.After(d.p.backoff(try)):
		}
		d.retries.Add(1)
	}
}

// Alerts is the Sink that turns incident events into alerts and hands
// them to dispatchers. Record never waits on a channel.
type Alerts struct {
	mu    sync.Mutex
	a     *Alerter
	clock Clock
	out   []*Dispatcher
}

// NewAlerts returns an Alerts deciding with a and sending to every one of
// out; clock nil means SystemClock.
func NewAlerts(a *Alerter, clock Clock, out ...*Dispatcher) *Alerts {
	if clock == nil {
		clock = SystemClock{}
	}
	return &Alerts{a: a, clock: clock, out: out}
}

// SetMaintenance replaces the windows that mute the alerts, while they
// are being decided.
func (x *Alerts) SetMaintenance(ws []Window) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.a.SetMaintenance(ws)
}

// Record takes one event.
func (x *Alerts) Record(_ context.Context, ev Event) error {
	if ev.Incident == nil && ev.Episode == nil {
		return nil
	}
	x.mu.Lock()
	al := x.a.Handle(ev)
	x.mu.Unlock()
	return x.send(al)
}

// Run asks the Alerter every second for the alerts that are due, until
// ctx is done. An alert a full queue refuses here is counted in that
// Dispatcher's Stats.
func (x *Alerts) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-x.clock.After(time.Second):
		}
		x.mu.Lock()
		al := x.a.Due(x.clock.Now())
		x.mu.Unlock()
		_ = x.send(al) // counted as dropped by the dispatcher
	}
}

// ErrDropped is the error of an alert that a full queue refused.
var ErrDropped = errors.New("alert queue full: alert dropped")

func (x *Alerts) send(al []Alert) error {
	var errs []error
	for _, a := range al {
		for _, d := range x.out {
			if !d.Send(a) {
				errs = append(errs, fmt.Errorf("the %s alert of %s: %w", a.Kind, a.Target, ErrDropped))
			}
		}
	}
	return errors.Join(errs...)
}

// MultiSink records each event in every one of sinks, in order, and joins
// their errors.
func MultiSink(sinks ...Sink) Sink {
	return SinkFunc(func(ctx context.Context, ev Event) error {
		var errs []error
		for _, s := range sinks {
			if err := s.Record(ctx, ev); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	})
}
