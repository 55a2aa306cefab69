package watch

import (
	"context"
	"fmt"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/report"
	"github.com/gwdoctor/gwdoctor/internal/web"
)

// KindOnDemand is the kind of a check asked for through the API.
const KindOnDemand monitor.CheckKind = "on_demand"

// onDemand runs the checks asked for through the API with the functions
// the scheduler runs (the check, then the diagnosis of a failure), and
// records them in the sink of the scheduler's checks.
type onDemand struct {
	targets  map[string]monitor.Target
	check    monitor.CheckFunc
	diagnose monitor.DiagnoseFunc
	sink     monitor.Sink
	// timeout is the deadline of a check of a target that sets none.
	timeout time.Duration
}

func newOnDemand(targets []monitor.Target, o monitor.Options) *onDemand {
	d := &onDemand{targets: map[string]monitor.Target{}, check: o.Check, diagnose: o.Diagnose,
		sink: o.Sink, timeout: cmp(o.Timeout, 10*time.Second)}
	for _, t := range targets {
		d.targets[t.ID] = t
	}
	return d
}

// run checks the target now, under its deadline, records the check and,
// when diag is set and the check failed, diagnoses the target.
func (d *onDemand) run(ctx context.Context, id string, diag bool) (web.CheckRun, error) {
	t, ok := d.targets[id]
	if !ok {
		return web.CheckRun{}, fmt.Errorf("target %q: %w", id, web.ErrNotFound)
	}
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, cmp(t.Timeout, d.timeout))
	r := d.check(cctx, t)
	cancel()
	r.Target, r.Kind, r.Slot, r.Start = t.ID, KindOnDemand, start, start
	if r.Duration == 0 {
		r.Duration = time.Since(start)
	}
	if r.OK {
		r.Cause = diagnose.OK
	}
	if d.sink != nil {
		ev := monitor.Event{Kind: monitor.EventCheck, Time: start, Target: t.ID, Group: t.Group, Check: &r}
		if err := d.sink.Record(ctx, ev); err != nil {
			return web.CheckRun{}, fmt.Errorf("recording the check of %s: %w", t.ID, err)
		}
	}
	run := web.CheckRun{Check: webCheck(t.ID, storeCheck(0, r))}
	if !diag || r.OK || d.diagnose == nil {
		return run, nil
	}
	dg, err := d.diagnose(ctx, t)
	if err != nil {
		run.DiagnosisError = err.Error()
		return run, nil
	}
	if doc, ok := dg.Report.(report.Diagnosis); ok {
		run.Diagnosis = &doc
	}
	return run, nil
}
