package watch

import (
	"context"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// WaitOptions tune Wait.
type WaitOptions struct {
	// Successes is how many healthy checks in a row count as healthy
	// (default 3).
	Successes int
	// Interval is the time between two checks (default 2 s).
	Interval time.Duration
	// OnCheck, when set, sees every check.
	OnCheck func(monitor.CheckResult)
}

// WaitResult is how a wait ended.
type WaitResult struct {
	Healthy bool
	Checks  int
	// Last is the last check made.
	Last monitor.CheckResult
}

// Wait checks the target until Successes checks in a row are healthy, or
// ctx ends (the caller's --timeout): a deploy script's "is it back yet".
func (c Checker) Wait(ctx context.Context, spec watchconfig.Target, o WaitOptions) WaitResult {
	if o.Successes <= 0 {
		o.Successes = 3
	}
	if o.Interval <= 0 {
		o.Interval = 2 * time.Second
	}
	t := monitor.Target{ID: spec.ID, Group: spec.Group, Spec: spec}
	var res WaitResult
	streak := 0
	for {
		start := time.Now()
		cctx, cancel := context.WithTimeout(ctx, checkTimeout(spec, o.Interval))
		r := c.Check(cctx, t)
		cancel()
		if ctx.Err() != nil {
			return res // a check cut short by the end of the wait proves nothing
		}
		r.Target, r.Start, r.Duration = spec.ID, start, time.Since(start)
		res.Checks, res.Last = res.Checks+1, r
		if o.OnCheck != nil {
			o.OnCheck(r)
		}
		streak++
		if !r.OK {
			streak = 0
		}
		if streak >= o.Successes {
			res.Healthy = true
			return res
		}
		select {
		case <-ctx.Done():
			return res
		case <-time.After(time.Until(start.Add(o.Interval))):
		}
	}
}

// checkTimeout is a check's deadline: the target's own, at least the
// interval.
func checkTimeout(spec watchconfig.Target, interval time.Duration) time.Duration {
	if spec.Timeout > 0 {
		return spec.Timeout
	}
	return max(interval, 10*time.Second)
}
