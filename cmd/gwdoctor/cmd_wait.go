package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwdoctor/gwdoctor/internal/doctor"
	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/watch"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

type waitFlags struct {
	timeout   time.Duration
	interval  time.Duration
	successes int
	insecure  bool
	quiet     bool
	json      bool
}

func newWaitCmd(s streams) *cobra.Command {
	var f waitFlags
	cmd := &cobra.Command{
		Use:   "wait ADDRESS",
		Short: "Wait until a site is healthy; on timeout, diagnose it",
		Long: `wait checks the site every --interval until --successes checks in a row are
healthy, and exits 0: for deploy scripts that must not go on while the site
fails. When --timeout passes first, it runs the full diagnosis, prints it,
and exits 1.

Exit codes: 0 healthy, 1 still failing at the timeout (the diagnosis is
printed), 2 bad usage, 3 gwdoctor itself could not run.`,
		Example: `  gwdoctor wait https://shop.example/health --timeout 10m
  kubectl rollout restart deploy/shop && gwdoctor wait shop.example --timeout 5m --successes 5`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("wait takes exactly one address, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWait(cmd.Context(), s, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.DurationVar(&f.timeout, "timeout", 10*time.Minute, "how long to wait for the site to be healthy")
	fl.DurationVar(&f.interval, "interval", 2*time.Second, "the time between two checks")
	fl.IntVar(&f.successes, "successes", 3, "how many healthy checks in a row count as healthy")
	fl.BoolVarP(&f.insecure, "insecure", "k", false, "go on when a certificate does not verify")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print nothing while waiting")
	fl.BoolVar(&f.json, "json", false, "print the diagnosis at the timeout as JSON")
	return cmd
}

func runWait(ctx context.Context, s streams, input string, f waitFlags) error {
	if f.timeout <= 0 || f.interval <= 0 || f.successes < 1 {
		return usagef("--timeout and --interval must be positive and --successes at least 1")
	}
	spec, err := oneTarget(input, f.interval)
	if err != nil {
		return err
	}
	c := watch.Checker{Insecure: f.insecure}
	wctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	res := c.Wait(wctx, spec, watch.WaitOptions{Successes: f.successes, Interval: f.interval, OnCheck: func(r monitor.CheckResult) {
		if !f.quiet {
			fmt.Fprintln(s.err, watch.Line(r))
		}
	}})
	if res.Healthy {
		fmt.Fprintf(s.out, "%s is healthy: %d checks in a row passed (%d checks in all)\n", spec.URL, f.successes, res.Checks)
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	fmt.Fprintf(s.err, "%s is not healthy after %s; diagnosing it\n", spec.URL, f.timeout)
	d, err := doctor.Run(ctx, watch.Request(spec, c))
	if err != nil {
		return err
	}
	if err := render(s, d, diagnoseFlags{json: f.json, format: "text"}); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return errFailureFound
}

// oneTarget is the watched target of a single address on the command line.
func oneTarget(input string, interval time.Duration) (watchconfig.Target, error) {
	cfg, err := watchconfig.FromFlags([]string{input}, "-", "", interval)
	if err != nil {
		return watchconfig.Target{}, usageError{err}
	}
	ts := cfg.Targets()
	if len(ts) != 1 {
		return watchconfig.Target{}, usagef("bad address %q", input)
	}
	return ts[0], nil
}
