package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/store"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
	"github.com/gwdoctor/gwdoctor/internal/web"
)

// ServeOptions tune Serve.
type ServeOptions struct {
	// Checker runs the checks and diagnoses.
	Checker Checker
	// Logger receives the watcher's own log (default: discard).
	Logger *slog.Logger
	// Listener, when set, is served instead of listening on cfg.Listen
	// (tests pass one on a free port).
	Listener net.Listener
	// Ready, when set, is told the address served once everything runs.
	Ready func(addr string)
	// Sinks receive the monitor's events besides storage and metrics.
	Sinks []monitor.Sink
	// Alerts tune the sending of the configuration's alerts.
	Alerts AlertOptions
	// Policy holds the rules of incidents (default monitor.Policy's).
	Policy monitor.Policy
	// Record tunes the writing of checks to the store (held in memory
	// while the store refuses them).
	Record RecorderOptions
	// Replica, when set, names this process among several that share the
	// targets of one store (PostgreSQL): each checks only the targets it
	// leases, about an equal share, and takes over those of a replica
	// that stops (see the replica type for the timing). Empty: this
	// process checks every target.
	Replica string
	// Metrics, when set, are the metrics served and fed, kept across the
	// Serve calls of one process (a reload); ForgetRemoved drops the
	// series of the targets a new configuration leaves out. Default: new
	// ones (NewMetrics) for each call.
	Metrics *web.Metrics
	// MaxConcurrent is the most checks run at once. Default: twice the
	// checks that would be in flight if every check took its whole
	// timeout (the sum of timeout/interval over the targets), at least
	// 64 and at most 4,096; see concurrency.
	MaxConcurrent int
	// KeepLeases leaves a replica's leases in place when Serve ends, as a
	// replica that dies does: the others take its targets once the
	// leases expire. By default they are released, to be taken at once.
	KeepLeases bool
}

// Serve watches the configuration's targets until ctx ends: the scheduler
// checks them, incidents are stored with their diagnosis, alerts go to
// the configuration's routes, and the status page, the API and the
// metrics are served.
func Serve(ctx context.Context, cfg *watchconfig.Config, o ServeOptions) error {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Record.Logger == nil {
		o.Record.Logger = o.Logger
	}
	if err := stateDir(cfg.DB); err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DB, store.Options{CheckRetention: cfg.Retention.Checks, RollupRetention: cfg.Retention.Rollups})
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer st.Close()
	w, err := newWatcher(ctx, cfg, st, o)
	if err != nil {
		return err
	}
	stopAlerts := w.alerting.Start(ctx)
	defer stopAlerts()
	return w.run(ctx, o)
}

// watcher is what Serve runs: the pages, the scheduler, the recorder, the
// alerts and, for a replica, its leases.
type watcher struct {
	st       *store.Store
	srv      *web.Server
	ln       net.Listener
	sched    *monitor.Scheduler
	rec      *Recorder
	alerting *Alerting
	replica  *replica // nil unless ServeOptions.Replica
	windows  *windows
	// targets and sink are for following the targets' logs.
	targets []watchconfig.Target
	sink    monitor.Sink
}

func newWatcher(ctx context.Context, cfg *watchconfig.Config, st *store.Store, o ServeOptions) (*watcher, error) {
	targets := cfg.Targets()
	rec, err := NewRecorder(ctx, st, targets, o.Record)
	if err != nil {
		return nil, err
	}
	w := &watcher{st: st, rec: rec, ln: o.Listener, windows: &windows{st: st}}
	metrics := o.Metrics
	if metrics == nil {
		metrics = NewMetrics()
	}
	var demand *onDemand // set below, before anything is served
	w.srv, err = web.New(web.Options{
		Addr: cfg.Listen, Store: NewPages(st, rec, targets), Metrics: metrics,
		ReadToken: cfg.Tokens.Read, AdminToken: cfg.Tokens.Admin, PublicGroups: publicGroups(cfg),
		Ready: func(ctx context.Context) error { _, err := st.Targets(ctx); return err }, Logger: o.Logger,
		CheckNow: func(ctx context.Context, id string, diag bool) (web.CheckRun, error) {
			return demand.run(ctx, id, diag)
		},
		Maintenance: w.windows,
	})
	if err != nil {
		return nil, err
	}
	if w.ln == nil {
		if w.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			return nil, fmt.Errorf("listening on %s: %w", cfg.Listen, err)
		}
	}
	if w.alerting, err = NewAlerting(cfg, alertOptions(o, rec, w.ln.Addr().String())); err != nil {
		return nil, err
	}
	w.windows.alerting = w.alerting
	if err := w.windows.apply(ctx, time.Now()); err != nil {
		return nil, err
	}
	mt := monitorTargets(targets)
	changes := &pageChanges{changed: w.srv.Changed, ok: map[string]bool{}}
	sinks := monitor.MultiSink(append([]monitor.Sink{rec, metrics, changes}, append(o.Sinks, w.alerting)...)...)
	carry := newCarrier(sinks, st, rec, metrics, o.Policy, mt)
	mo := monitor.Options{
		Check: o.Checker.Check, Diagnose: o.Checker.Diagnose, Policy: o.Policy, Sink: carry,
		Interval: cfg.Interval, Timeout: cfg.Timeout, MaxConcurrent: cmpInt(o.MaxConcurrent, concurrency(mt)),
		OnError: func(err error) { o.Logger.Warn("watching", "err", err) },
	}
	w.carryOn(ctx, cfg, o, carry, mt, &mo)
	w.targets, w.sink = targets, mo.Sink
	w.sched, err = monitor.New(mt, mo)
	demand = &onDemand{sched: w.sched}
	return w, err
}

// carryOn continues the incidents left open in the store: those of every
// target at once, or, for a replica, those of the targets it takes, as it
// takes them (mo.Holds is then the replica's).
func (w *watcher) carryOn(ctx context.Context, cfg *watchconfig.Config, o ServeOptions, carry *carrier, mt []monitor.Target, mo *monitor.Options) {
	if o.Replica == "" {
		if err := carry.adopt(ctx, nil); err != nil {
			o.Logger.Warn("continuing the incidents left open; new ones will open", "err", err)
		}
		return
	}
	w.replica = newReplica(w.st, o.Replica, w.rec, mt, cmp(cfg.Interval, 30*time.Second), o.Logger)
	w.replica.taken = func(ctx context.Context, ids []int64) {
		if err := carry.adopt(ctx, ids); err != nil && ctx.Err() == nil {
			o.Logger.Warn("continuing the incidents of the targets taken over; new ones will open", "err", err)
		}
	}
	mo.Holds = w.replica.Holds
}

// run serves the pages, runs the scheduler, the recorder, the leases and
// the store's upkeep until ctx ends, then stops them in turn: the
// scheduler, then the recorder's last write, then the leases.
func (w *watcher) run(ctx context.Context, o ServeOptions) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- w.srv.Serve(w.ln) }()
	go upkeep(ctx, w.st, o.Logger)
	go w.windows.run(ctx, o.Logger)
	followLogs(ctx, w.targets, w.sink, o.Logger)
	var bg sync.WaitGroup
	bg.Go(func() { w.rec.Run(ctx) })
	if w.replica != nil {
		bg.Go(func() { w.replica.run(ctx, o.KeepLeases) })
	}
	if o.Ready != nil {
		o.Ready(w.ln.Addr().String())
	}
	o.Logger.Info("watching", "listen", w.ln.Addr().String(), "replica", o.Replica)
	schedErr := make(chan error, 1)
	go func() { schedErr <- w.sched.Run(ctx) }()
	var err error
	select {
	case err = <-served:
		err = fmt.Errorf("serving the pages: %w", err)
	case err = <-schedErr:
	case <-ctx.Done():
	}
	cancel()
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if serr := w.srv.Shutdown(sctx); serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	bg.Wait()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// upkeep rolls the store's raw checks up into hours and prunes them by
// their retention, every hour.
func upkeep(ctx context.Context, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if _, err := st.Prune(ctx, now); err != nil && ctx.Err() == nil {
				log.Warn("pruning the store", "err", err)
			}
		}
	}
}

// alertOptions are o's, with the link base of the address served unless
// one is set, and the pages' incident IDs from the recorder.
func alertOptions(o ServeOptions, rec *Recorder, addr string) AlertOptions {
	a := o.Alerts
	if a.BaseURL == "" {
		a.BaseURL = linkBase(addr)
	}
	if a.Logger == nil {
		a.Logger = o.Logger
	}
	a.page = rec.pageID
	return a
}

func monitorTargets(ts []watchconfig.Target) []monitor.Target {
	out := make([]monitor.Target, len(ts))
	for i, t := range ts {
		out[i] = monitor.Target{ID: t.ID, Group: t.Group, Interval: t.Interval, Timeout: t.Timeout, Spec: t}
	}
	return out
}

func publicGroups(cfg *watchconfig.Config) []string {
	var out []string
	for name, g := range cfg.Groups {
		if g.Public {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// NewMetrics returns the metrics of a watcher, which read the phase
// timings of its checks' records.
func NewMetrics() *web.Metrics {
	return web.NewMetrics(web.MetricsOptions{PhasesOf: phasesOf})
}

// ForgetRemoved drops from m the per-target series of the targets of old
// that next leaves out, when next replaces old.
func ForgetRemoved(m *web.Metrics, old, next *watchconfig.Config) {
	keep := map[string]bool{}
	for _, t := range next.Targets() {
		keep[t.ID] = true
	}
	for _, t := range old.Targets() {
		if !keep[t.ID] {
			m.Forget(t.ID)
		}
	}
}

// phasesOf reads a check's phase timings for the metrics.
func phasesOf(detail any) (web.Phases, bool) {
	rec, ok := detail.(Record)
	if !ok {
		return web.Phases{}, false
	}
	t := rec.Timings
	return web.Phases{DNS: t.DNS, Connect: t.Connect, TLS: t.TLS, TTFB: t.TTFB, Transfer: t.Transfer}, true
}

// stateDir creates the directory of a SQLite file.
func stateDir(db string) error {
	if strings.Contains(db, "://") || db == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(strings.TrimPrefix(db, "file:")), 0o755); err != nil {
		return fmt.Errorf("creating the state directory: %w", err)
	}
	return nil
}

// Bounds of the default concurrency of checks.
const (
	minConcurrent = 64
	maxConcurrent = 4096
)

// concurrency is how many checks may run at once: twice the checks in
// flight if every check took its whole timeout, within minConcurrent and
// maxConcurrent. The scheduler starts a slot's check only once one of
// these is free; sized to the rate of checks, the slots are not all held
// by targets that hang, nor by checks that a machine short of CPU makes
// slow, while the others' slots pass (64 slots at 10,000 targets every
// 60 s, 167 checks a second, are all held as soon as a check takes 0.4 s).
func concurrency(ts []monitor.Target) int {
	var inFlight float64
	for _, t := range ts {
		if t.Interval > 0 {
			inFlight += float64(t.Timeout) / float64(t.Interval)
		}
	}
	return min(max(int(2*inFlight+0.5), minConcurrent), maxConcurrent)
}

// cmpInt returns n, or def when n is not positive.
func cmpInt(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// cmp returns d, or def when d is not positive.
func cmp(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
