package watch

import (
	"context"
	"log/slog"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/logscan"
	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// followLogs follows the gateway logs each target names, from now on,
// and hands their upstream failures to a log watch per target: a rise of
// failures opens an incident with the log's cause even when no check of
// the target failed (monitor.EpisodeOptions has the rules). It returns at
// once; the followers stop with ctx.
func followLogs(ctx context.Context, targets []watchconfig.Target, sink monitor.Sink, log *slog.Logger) {
	for _, t := range targets {
		if len(t.Logs) == 0 {
			continue
		}
		failures := make(chan monitor.LogFailure, 1024)
		w := monitor.LogWatch{Source: t.ID, Sink: sink, OnError: func(err error) { log.Warn("recording a log episode", "err", err) }}
		go w.Run(ctx, failures)
		go follow(ctx, t, failures, log)
	}
}

// follow reads the target's logs as they grow and sends each failure on;
// a full channel drops the failure rather than hold the reader up.
func follow(ctx context.Context, t watchconfig.Target, out chan<- monitor.LogFailure, log *slog.Logger) {
	srcs := make([]logscan.Source, len(t.Logs))
	for i, l := range t.Logs {
		srcs[i] = logscan.Source{Name: l.Name, Format: l.Format}
	}
	opts := logscan.Options{Follow: true, Since: time.Now(), OnEntry: func(e logscan.Entry) {
		if e.Cause == "" || e.Time.IsZero() {
			return
		}
		select {
		case out <- monitor.LogFailure{Time: e.Time, Cause: e.Cause}:
		default:
		}
	}}
	if _, err := logscan.Scan(ctx, srcs, opts); err != nil && ctx.Err() == nil {
		log.Warn("following the logs", "target", t.Name, "err", err)
	}
}
