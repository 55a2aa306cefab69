// Package doctor runs one whole diagnosis, the same way for every caller
// (the command line, the lab, and anything that watches): prepare reads
// the gateway configurations and routes the URL through them, collect runs
// the experiments and reads the logs, judge decides the verdict once, and
// explain ties it to the settings that fired. An input that cannot be used
// (a log or configuration file that is missing, unreadable or of an unknown
// format) degrades the diagnosis and is named in it; it never sinks it.
package doctor

import (
	"context"
	"fmt"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/experiment"
	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
	"github.com/gwdoctor/gwdoctor/internal/report"
)

// Request is everything one diagnosis is asked to use.
type Request struct {
	// Plan is the experiments: the URL, the client's headers and
	// cookies, the upstream or origin to ask directly. Prepare fills what
	// the gateway's configuration tells and Plan leaves empty.
	Plan experiment.Plan
	// Input is the address as the user typed it, and Candidates its URLs
	// in the order a browser tries them (https first for a bare name);
	// with more than one, the scheme that answers is chosen.
	Input      string
	Candidates []string
	// NoFollow leaves redirects unfollowed: the diagnosis looks at
	// Plan.URL itself, not at the page its redirects end on.
	NoFollow bool
	// Config names the gateway configurations to route the URL through.
	Config gwconfig.Sources
	// Logs are the gateway and PHP-FPM logs to search for the lines of the
	// diagnosis's own requests. When none is given and nginx's
	// configuration is read, the error_log of the URL's route is read.
	Logs []LogFile
	// LogFormat is the format of every log that names none; default
	// detection.
	LogFormat string
	// NginxLogFormat is the log_format definition of an nginx access log.
	NginxLogFormat string
	// Notes are caveats the caller knows of, shown with the report's
	// incomplete parts (a request body that was not sent).
	Notes []string
	// LogSettle is how long to wait for the gateways to write the lines of
	// the last requests before the logs are read; default 300ms.
	LogSettle time.Duration
}

// defaultTimeout bounds a diagnosis whose plan sets no timeout.
const defaultTimeout = 30 * time.Second

// Run carries out one diagnosis. Its error means that nothing at all could
// be done (the plan itself is unusable); a failing site, and inputs that
// cannot be used, are part of the diagnosis.
func Run(ctx context.Context, req Request) (report.Diagnosis, error) {
	p := prepare(ctx, req)
	d, err := collect(ctx, p)
	if err != nil {
		return report.Diagnosis{}, fmt.Errorf("running the diagnosis: %w", err)
	}
	d.Verdict = diagnose.Judge(d.Evidence)
	explain(&d, p.route)
	return d, nil
}

// collect runs the experiments, then reads the logs for the lines of the
// diagnosis's requests.
func collect(ctx context.Context, p prepared) (report.Diagnosis, error) {
	start := time.Now()
	if p.plan.Now != nil {
		start = p.plan.Now()
	}
	ev, err := visitAndRun(ctx, &p)
	if err != nil {
		return report.Diagnosis{}, err
	}
	d := report.Diagnosis{ID: p.plan.ID, URL: p.plan.URL, Started: start, Duration: time.Since(start), Evidence: ev}
	d.Evidence.Incomplete = append(d.Evidence.Incomplete, p.notes...)
	d.Evidence.Inputs = append(d.Evidence.Inputs, p.inputs...)
	if len(p.logs) > 0 {
		sleep(ctx, p.settle)
		lines, inputs := readLogs(ctx, p, d.Started, d.Duration)
		d.Evidence.Logs = lines
		d.Evidence.Inputs = append(d.Evidence.Inputs, inputs...)
	}
	return d, nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Outside is the verdict a visitor reaches from the same evidence: the
// responses alone, without the requests straight to the upstream and
// without the limits that only the gateway's host knows.
func Outside(e diagnose.Evidence) diagnose.Verdict {
	return diagnose.Judge(e.Outside())
}

// visitAndRun reaches the page the visitor ends on and runs the
// experiments there, within one budget. The scheme of a bare name is
// chosen first; the tries then go to that address, and only when they
// are redirected is the chain followed (a quarter of the budget at most)
// and the experiments run again where it ends, so that a site that fails
// at once costs no request more than the tries.
func visitAndRun(ctx context.Context, p *prepared) (diagnose.Evidence, error) {
	budget := p.plan.Timeout
	if budget <= 0 {
		budget = defaultTimeout
	}
	deadline := time.Now().Add(budget)
	scheme, start := experiment.Visit(ctx, p.plan, experiment.VisitOptions{Input: p.req.Input, Candidates: p.req.Candidates})
	p.plan.URL = start
	p.plan.Timeout = max(time.Until(deadline), time.Millisecond)
	ev, err := experiment.Run(ctx, p.plan)
	if err != nil || p.req.NoFollow || !redirected(ev.Tries) {
		ev.Visit = scheme
		return ev, err
	}
	vctx, cancel := context.WithTimeout(ctx, budget/4)
	visit, final := experiment.Visit(vctx, p.plan, experiment.VisitOptions{Input: p.req.Input, Follow: true})
	cancel()
	if visit != nil && scheme != nil {
		visit.SchemeNote = scheme.SchemeNote
	}
	if visit != nil && visit.Loop == nil && final != start {
		p.plan.URL = final
		p.plan.Timeout = max(time.Until(deadline), time.Millisecond)
		if ev, err = experiment.Run(ctx, p.plan); err != nil {
			return ev, err
		}
	}
	ev.Visit = visit
	return ev, nil
}

// redirected reports tries that got a redirect with a Location to follow.
func redirected(tries []diagnose.Attempt) bool {
	for _, t := range tries {
		if t.Probe == nil || t.Probe.Response == nil {
			continue
		}
		switch t.Status() {
		case 301, 302, 303, 307, 308:
			if t.Probe.Response.Header.Get("Location") != "" {
				return true
			}
		}
	}
	return false
}
