package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/store"
	"github.com/gwdoctor/gwdoctor/internal/watch"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// historyEvery is the spacing of the generated history's checks: a day
// of it is 48 checks per target, rolled up as the watcher's own would be.
const historyEvery = 30 * time.Minute

// servePages fills o.db with o.days of history of o.targets targets and
// watches them with the status page on o.listen, until o.duration ends
// or a signal comes.
func servePages(o options) error {
	addr, stop, err := targetsAt(o)
	if err != nil {
		return err
	}
	defer stop()
	yaml := targetsYAML(o, addr, o.db)
	cfg, err := watchconfig.Parse("bench.yaml", []byte(yaml), nil)
	if err != nil {
		return err
	}
	cfg.Listen = o.listen
	began := time.Now()
	if err := fillHistory(o, cfg); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "history of %d days for %d targets written in %s\n", o.days, o.targets, time.Since(began).Round(time.Second))
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ctx, cancelRun := context.WithTimeout(ctx, o.duration)
	defer cancelRun()
	return watch.Serve(ctx, cfg, watch.ServeOptions{Ready: func(addr string) {
		fmt.Printf("pages on http://%s/\n", addr)
	}})
}

// fillHistory writes o.days of checks, one every historyEvery, for each
// target, one in a hundred failing, and rolls them up.
func fillHistory(o options, cfg *watchconfig.Config) error {
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.DB, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	rec, err := watch.NewRecorder(ctx, st, cfg.Targets(), watch.RecorderOptions{})
	if err != nil {
		return err
	}
	now := time.Now().Truncate(historyEvery)
	from := now.Add(-time.Duration(o.days) * 24 * time.Hour)
	batch := make([]store.Check, 0, 5000)
	for i, t := range cfg.Targets() {
		id := rec.StoreID(t.ID)
		for at := from; at.Before(now); at = at.Add(historyEvery) {
			ok := (i+int(at.Unix()/int64(historyEvery.Seconds())))%100 != 0
			c := store.Check{TargetID: id, Time: at, Duration: 3 * time.Millisecond, OK: ok, Status: 200, Cause: "ok",
				Phases: store.Phases{Connect: 200 * time.Microsecond, TTFB: 2 * time.Millisecond}, Protocol: "HTTP/1.1"}
			if !ok {
				c.Status, c.Cause = 502, "unknown"
			}
			if batch = append(batch, c); len(batch) == cap(batch) {
				if err := st.RecordChecks(ctx, batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
	}
	if err := st.RecordChecks(ctx, batch); err != nil {
		return err
	}
	_, err = st.RollUp(ctx, now)
	return err
}
