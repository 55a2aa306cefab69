package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/store"
)

// Defaults of RecorderOptions.
const (
	DefaultHeldChecks = 10_000
	DefaultFlushEvery = 250 * time.Millisecond
	DefaultRetryWrite = time.Second
	// closingFlush bounds the last write of held checks when Run ends.
	closingFlush = 5 * time.Second
	// failingNote is how often a store that keeps refusing writes is logged again.
	failingNote = 30 * time.Second
)

// RecorderOptions tune a Recorder. The zero value is usable.
type RecorderOptions struct {
	// Buffer is the most checks held in memory while the store refuses
	// them; past it the oldest are dropped, and counted in the log.
	// Default 10,000: at 10,000 targets every 60 s, a minute of checks.
	Buffer int
	// FlushEvery is how often Run writes the checks held, all in one
	// transaction. Default 250 ms.
	FlushEvery time.Duration
	// RetryAfter is how long Run waits after a write the store refused.
	// Default 1 s.
	RetryAfter time.Duration
	// Logger receives the store's refusals and its recovery (default: discard).
	Logger *slog.Logger
}

func (o RecorderOptions) withDefaults() RecorderOptions {
	if o.Buffer <= 0 {
		o.Buffer = DefaultHeldChecks
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = DefaultFlushEvery
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = DefaultRetryWrite
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// heldChecks are the checks not written yet, oldest first.
type heldChecks struct {
	mu      sync.Mutex
	checks  []store.Check
	dropped int // since the last write that succeeded
	// writing serialises Flush, so that checks are written in order.
	writing sync.Mutex
	// failing is when the store began refusing writes; zero when it takes them.
	failing time.Time
	noted   time.Time
}

// hold queues one check for the next write.
func (r *Recorder) hold(c store.Check) {
	h := &r.held
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checks = append(h.checks, c)
	if over := len(h.checks) - r.o.Buffer; over > 0 {
		h.checks = h.checks[over:]
		h.dropped += over
	}
}

// Held is how many checks wait to be written.
func (r *Recorder) Held() int {
	r.held.mu.Lock()
	defer r.held.mu.Unlock()
	return len(r.held.checks)
}

// Run writes the checks held every FlushEvery until ctx ends, then writes
// what is left, within a few seconds.
func (r *Recorder) Run(ctx context.Context) {
	t := time.NewTicker(r.o.FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closingFlush)
			defer cancel()
			if err := r.Flush(fctx); err != nil {
				r.o.Logger.Error("checks not written at exit", "held", r.Held(), "err", err)
			}
			return
		case <-t.C:
		}
		if r.Flush(ctx) != nil {
			select {
			case <-ctx.Done():
			case <-time.After(r.o.RetryAfter):
			}
		}
	}
}

// Flush writes the checks held in one transaction. Checks the store
// refuses stay held for the next try, unless the store calls them
// invalid; the first refusal of a streak is logged, then one every
// failingNote, and the recovery with how long it took.
func (r *Recorder) Flush(ctx context.Context) error {
	h := &r.held
	h.writing.Lock()
	defer h.writing.Unlock()
	h.mu.Lock()
	batch, dropped := h.checks, h.dropped
	h.checks, h.dropped = nil, 0
	h.mu.Unlock()
	if len(batch) == 0 && dropped == 0 {
		return nil
	}
	err := r.st.RecordChecks(ctx, batch)
	switch {
	case err == nil:
		r.recovered(len(batch), dropped)
		return nil
	case errors.Is(err, store.ErrInvalid):
		r.o.Logger.Error("checks refused by the store as invalid; dropped", "checks", len(batch), "err", err)
		return err
	}
	h.mu.Lock()
	h.checks = append(batch, h.checks...)
	h.dropped += dropped
	if over := len(h.checks) - r.o.Buffer; over > 0 {
		h.checks = h.checks[over:]
		h.dropped += over
	}
	held, lost := len(h.checks), h.dropped
	h.mu.Unlock()
	r.refused(held, lost, err)
	return fmt.Errorf("writing %d checks: %w", len(batch), err)
}

// refused logs a write the store refused: at the first of a streak, and
// every failingNote after.
func (r *Recorder) refused(held, dropped int, err error) {
	h := &r.held
	now := time.Now()
	if !h.failing.IsZero() && now.Sub(h.noted) < failingNote {
		return
	}
	if h.failing.IsZero() {
		h.failing = now
	}
	h.noted = now
	r.o.Logger.Error("the store refuses checks; holding them in memory and retrying",
		"held", held, "dropped", dropped, "failing_for", now.Sub(h.failing).Round(time.Second), "err", err)
}

// recovered logs the first write after a streak of refusals, and the
// checks dropped meanwhile.
func (r *Recorder) recovered(written, dropped int) {
	h := &r.held
	if h.failing.IsZero() && dropped == 0 {
		return
	}
	var after time.Duration
	if !h.failing.IsZero() {
		after = time.Since(h.failing).Round(time.Second)
	}
	r.o.Logger.Warn("the store takes checks again", "written", written, "dropped", dropped, "after", after)
	h.failing, h.noted = time.Time{}, time.Time{}
}
