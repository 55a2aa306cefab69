package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwdoctor/gwdoctor/internal/watch"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

type serveFlags struct {
	targets     []string
	config      string
	checkConfig bool
	db          string
	listen      string
	interval    time.Duration
	logFormat   string
	insecure    bool
	replica     string
}

func newServeCmd(s streams) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Watch sites: checks, incidents with their diagnosis, a status page, an API and metrics",
		Long: `serve checks each target at its interval with one request and full phase
timing. A failed check is confirmed at once; a confirmed failure opens an
incident that keeps the diagnosis of that moment (the one gwdoctor diagnose
runs), follows its cause, and closes after it recovers. Checks and
incidents go to a SQLite file (or PostgreSQL with --db postgres://...); the
status page, the incident and target pages, the JSON API under /api/v1/
and the Prometheus metrics at /metrics are served on 127.0.0.1:8502.

With --config, the YAML file sets everything (see the README); SIGHUP or a
change of the file reloads it, and a bad new file keeps the old one
running and says why.

Several processes on one PostgreSQL store share the targets when each is
given --replica NAME: each checks about an equal share, never a target
that another checked less than an interval before, and takes over the
targets of one that stops within about three intervals.`,
		Example: `  gwdoctor serve --target https://shop.example/ --target https://api.shop.example/health
  gwdoctor serve --config gwdoctor.yaml
  gwdoctor serve --config gwdoctor.yaml --check-config`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), s, f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.targets, "target", nil, "watch this address (repeatable)")
	fl.StringVar(&f.config, "config", "", "read the configuration from this YAML file")
	fl.BoolVar(&f.checkConfig, "check-config", false, "check the configuration and exit")
	fl.StringVar(&f.db, "db", "", "the store: a SQLite file (default gwdoctor.db in the state directory) or postgres://...")
	fl.StringVar(&f.listen, "listen", "", "the address of the pages, the API and the metrics (default 127.0.0.1:8502)")
	fl.DurationVar(&f.interval, "interval", 0, "the time between two checks of a target (default 30s)")
	fl.StringVar(&f.logFormat, "log-format", "text", "the format of gwdoctor's own log on stderr: text or json")
	fl.BoolVarP(&f.insecure, "insecure", "k", false, "go on when a certificate does not verify")
	fl.StringVar(&f.replica, "replica", "", "share the targets with other replicas on one PostgreSQL store, under this name (one per process)")
	return cmd
}

func runServe(ctx context.Context, s streams, f serveFlags) error {
	cfg, err := serveConfig(f)
	if err != nil {
		return err
	}
	if f.checkConfig {
		fmt.Fprintf(s.out, "configuration ok: %d targets, store %s, listening on %s\n", len(cfg.TargetSpecs), cfg.DB, cfg.Listen)
		return nil
	}
	log := slog.New(slog.NewTextHandler(s.err, nil))
	if f.logFormat == "json" {
		log = slog.New(slog.NewJSONHandler(s.err, nil))
	}
	opts := watch.ServeOptions{Checker: watch.Checker{Insecure: f.insecure}, Logger: log, Replica: f.replica, Ready: func(addr string) {
		fmt.Fprintf(s.err, "gwdoctor: watching %d targets; store %s; pages on http://%s/\n", len(cfg.TargetSpecs), cfg.DB, addr)
	}}
	if f.config == "" {
		return watch.Serve(ctx, cfg, opts)
	}
	return serveReloading(ctx, cfg, f.config, opts, log)
}

// serveReloading serves cfg, and serves each new configuration that a
// SIGHUP or a change of the file brings, in its place.
func serveReloading(ctx context.Context, cfg *watchconfig.Config, path string, opts watch.ServeOptions, log *slog.Logger) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	next := make(chan *watchconfig.Config, 1)
	go watchconfig.Watch(ctx, path, watchconfig.WatchOptions{
		Env: os.LookupEnv, Reload: hup, Current: cfg,
		OnChange: func(c *watchconfig.Config) { next <- c },
		OnError:  func(err error) { log.Error("reloading the configuration; the running one stays", "err", err) },
	})
	// One set of metrics for every configuration, so that counters go on
	// across reloads; a removed target's own series go.
	if opts.Metrics == nil {
		opts.Metrics = watch.NewMetrics()
	}
	for {
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- watch.Serve(sctx, cfg, opts) }()
		select {
		case err := <-done:
			cancel()
			return err
		case c := <-next:
			log.Info("reloading the configuration", "file", path)
			cancel()
			if err := <-done; err != nil {
				return err
			}
			watch.ForgetRemoved(opts.Metrics, cfg, c)
			cfg = c
		}
	}
}

// serveConfig is the configuration of the file, or of the flags.
func serveConfig(f serveFlags) (*watchconfig.Config, error) {
	if f.logFormat != "text" && f.logFormat != "json" {
		return nil, usagef("unknown --log-format %q: want text or json", f.logFormat)
	}
	if f.config != "" {
		if len(f.targets) > 0 {
			return nil, usagef("serve takes its targets from --config or from --target, not both")
		}
		cfg, err := watchconfig.Load(f.config, os.LookupEnv)
		if err != nil {
			return nil, usageError{err}
		}
		return cfg, nil
	}
	cfg, err := watchconfig.FromFlags(f.targets, f.db, f.listen, f.interval)
	if err != nil {
		return nil, usageError{err}
	}
	return cfg, nil
}
