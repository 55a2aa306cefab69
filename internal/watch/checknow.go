package watch

import (
	"context"
	"errors"
	"fmt"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/report"
	"github.com/gwdoctor/gwdoctor/internal/web"
)

// KindOnDemand is the kind of a check asked for through the API.
const KindOnDemand monitor.CheckKind = "on_demand"

// onDemand runs the checks asked for through the API in the scheduler,
// which feeds them to the targets' incident tracking and records them as
// it records its own.
type onDemand struct {
	sched *monitor.Scheduler
}

// run checks the target now, under its deadline, and, when diag is set
// and the check failed, diagnoses the target.
func (d *onDemand) run(ctx context.Context, id string, diag bool) (web.CheckRun, error) {
	od, err := d.sched.CheckOnDemand(ctx, id, KindOnDemand, diag)
	if errors.Is(err, monitor.ErrNoTarget) {
		return web.CheckRun{}, fmt.Errorf("target %q: %w", id, web.ErrNotFound)
	}
	if err != nil {
		return web.CheckRun{}, err
	}
	run := web.CheckRun{Check: webCheck(id, storeCheck(0, od.Check))}
	if od.DiagnosisErr != nil {
		run.DiagnosisError = od.DiagnosisErr.Error()
	}
	if od.Diagnosis != nil {
		if doc, ok := od.Diagnosis.Report.(report.Diagnosis); ok {
			run.Diagnosis = &doc
		}
	}
	return run, nil
}
