package monitor

import "time"

// rates counts failures per second over a window and the baseline before
// it, in a ring of one counter a second: memory stays the same whatever
// the rate of the log.
type rates struct {
	w, n    int64 // seconds of the window; of the window and baseline together
	ring    []int32
	cur     int64 // the current second (Unix time)
	started bool
	win     int64 // failures in the window: seconds (cur-w, cur]
	base    int64 // failures in the baseline: seconds (cur-n, cur-w]
}

func newRates(window, baseline int64) rates {
	return rates{w: window, n: window + baseline, ring: make([]int32, window+baseline)}
}

// add counts one failure at at and returns its second. A failure earlier
// than the current second counts in the current second.
func (r *rates) add(at time.Time) int64 {
	r.advance(at.Unix())
	r.ring[mod(r.cur, r.n)]++
	r.win++
	return r.cur
}

// advance moves the current second to s, moving the seconds that leave
// the window into the baseline and forgetting those that leave the baseline.
func (r *rates) advance(s int64) {
	switch {
	case !r.started:
		r.cur, r.started = s, true
		return
	case s <= r.cur:
		return
	case s-r.cur >= r.n:
		clear(r.ring)
		r.cur, r.win, r.base = s, 0, 0
		return
	}
	for x := r.cur + 1; x <= s; x++ {
		v := int64(r.ring[mod(x-r.w, r.n)])
		r.win -= v
		r.base += v
		slot := mod(x, r.n) // the second x-n leaves the baseline; its slot is x's
		r.base -= int64(r.ring[slot])
		r.ring[slot] = 0
	}
	r.cur = s
}

// mod is the remainder of a by n, never negative.
func mod(a, n int64) int64 {
	return (a%n + n) % n
}
