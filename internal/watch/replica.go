package watch

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/store"
)

// replica shares the targets of one store with the other replicas that
// use it, through the store's leases: it checks only the targets it
// leases, about an equal share of them, and takes over those whose
// leases nobody renews.
//
// Timing, with I the longest interval of the targets: a lease lasts
// ttl = 2·I and is renewed every ttl/4. A replica checks a target only
// until I before the lease it was granted would expire, counted from
// before the call that granted it; another replica takes it only once
// that lease has expired. So the last check of one holder and the first
// of the next are at least I apart, and a target is never checked by two
// replicas within one interval, whether its holder died, lost the
// database, or gave it up. A replica that dies has its targets taken over
// within ttl plus one renewal; one that stops cleanly releases them, to
// be taken at the next renewal.
type replica struct {
	st     *store.Store
	holder string
	ttl    time.Duration
	margin time.Duration
	ids    map[string]int64 // configuration ID → store ID
	all    []int64
	log    *slog.Logger

	// taken, when set, is told the targets this replica has just taken,
	// before it checks them.
	taken func(ctx context.Context, ids []int64)

	mu    sync.Mutex
	until map[int64]time.Time // when this replica stops checking a target
	since map[int64]time.Time // when it took it, to shed the newest first
}

func newReplica(st *store.Store, holder string, rec *Recorder, targets []monitor.Target, interval time.Duration, log *slog.Logger) *replica {
	r := &replica{st: st, holder: holder, ids: map[string]int64{}, log: log,
		until: map[int64]time.Time{}, since: map[int64]time.Time{}}
	r.margin = interval
	for _, t := range targets {
		r.margin = max(r.margin, t.Interval)
		id := rec.StoreID(t.ID)
		r.ids[t.ID] = id
		r.all = append(r.all, id)
	}
	r.ttl = 2 * r.margin
	return r
}

// Holds reports whether this replica checks t now; it is the scheduler's
// Options.Holds.
func (r *replica) Holds(t monitor.Target) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Now().Before(r.until[r.ids[t.ID]])
}

// run renews and takes leases every ttl/4 until ctx ends, then releases
// them unless keep is set (as a replica that dies keeps them).
func (r *replica) run(ctx context.Context, keep bool) {
	t := time.NewTicker(r.ttl / 4)
	defer t.Stop()
	for {
		if err := r.round(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("renewing the leases of targets; checks of the ones held stop when their leases would end",
				"replica", r.holder, "err", err)
		}
		select {
		case <-ctx.Done():
			if !keep {
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				defer cancel()
				if err := r.st.Release(rctx, r.holder); err != nil {
					r.log.Error("releasing the leases of targets", "replica", r.holder, "err", err)
				}
			}
			return
		case <-t.C:
		}
	}
}

// round notes this replica's presence, and leases its share of the
// targets: the ones it holds up to its share, oldest first, plus, when it
// holds fewer, any that nobody holds. Targets past its share are not
// renewed, so they expire and go to others.
func (r *replica) round(ctx context.Context) error {
	start := time.Now()
	live, err := r.st.Present(ctx, r.holder, r.ttl)
	if err != nil {
		return err
	}
	share := (len(r.all) + live - 1) / max(live, 1)
	keep, mine := r.kept(start, share)
	ask := keep
	if len(keep) < share {
		for _, id := range r.all {
			if !mine[id] {
				ask = append(ask, id)
			}
		}
	}
	held, err := r.st.Lease(ctx, r.holder, ask, r.ttl)
	if err != nil {
		return err
	}
	if r.taken != nil {
		// Before the targets are checked: their first check may already
		// continue an incident.
		r.taken(ctx, r.newly(start, held))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range held {
		if r.until[id].Before(start) {
			r.since[id] = start
		}
		r.until[id] = start.Add(r.ttl - r.margin)
	}
	return nil
}

// newly are the targets of held that this replica did not check at now.
func (r *replica) newly(now time.Time, held []int64) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []int64{}
	for _, id := range held {
		if !r.until[id].After(now) {
			out = append(out, id)
		}
	}
	return out
}

// kept are the targets this replica checks at now that it keeps, at most
// share of them, those held longest first; mine are all it may still
// hold a lease on, so as not to ask for one it gives up.
func (r *replica) kept(now time.Time, share int) (keep []int64, mine map[int64]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	mine = map[int64]bool{}
	for id, until := range r.until {
		if until.Add(r.margin).After(now) {
			mine[id] = true
		}
		if until.After(now) {
			keep = append(keep, id)
		}
	}
	slices.SortFunc(keep, func(a, b int64) int {
		if c := r.since[a].Compare(r.since[b]); c != 0 {
			return c
		}
		return int(a - b)
	})
	return keep[:min(len(keep), share)], mine
}
