package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/watch"
)

type watchFlags struct {
	interval time.Duration
	insecure bool
}

func newWatchCmd(s streams) *cobra.Command {
	var f watchFlags
	cmd := &cobra.Command{
		Use:   "watch ADDRESS",
		Short: "Keep checking a site from the terminal, one line per check",
		Long: `watch checks the site every --interval and prints one line per check: the
time, the status, a bar of its phases (d DNS, c connect, t TLS, w waiting
for the first byte, r transfer), how long it took, who answered and, on a
failure, its cause. A failed check is confirmed at once; when it is
confirmed, an incident opens with the full diagnosis of that moment, the
one gwdoctor diagnose runs, and its verdict is printed. Ctrl-C prints a
summary.`,
		Example: `  gwdoctor watch shop.example
  gwdoctor watch https://shop.example/checkout --interval 5s`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("watch takes exactly one address, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWatch(cmd.Context(), s, args[0], f)
		},
	}
	cmd.Flags().DurationVar(&f.interval, "interval", 10*time.Second, "the time between two checks")
	cmd.Flags().BoolVarP(&f.insecure, "insecure", "k", false, "go on when a certificate does not verify")
	return cmd
}

func runWatch(ctx context.Context, s streams, input string, f watchFlags) error {
	if f.interval < time.Second {
		return usagef("--interval must be at least 1s, got %s", f.interval)
	}
	spec, err := oneTarget(input, f.interval)
	if err != nil {
		return err
	}
	c := watch.Checker{Insecure: f.insecure}
	var sum watch.Summary
	var mu sync.Mutex
	sink := monitor.SinkFunc(func(_ context.Context, ev monitor.Event) error {
		mu.Lock()
		defer mu.Unlock()
		sum.Add(ev)
		if line := watch.EventLine(ev); line != "" {
			fmt.Fprintln(s.out, line)
		}
		return nil
	})
	sched, err := monitor.New([]monitor.Target{{ID: spec.ID, Spec: spec, Interval: f.interval, Timeout: spec.Timeout}},
		monitor.Options{Check: c.Check, Diagnose: c.Diagnose, Sink: sink, Jitter: -1})
	if err != nil {
		return err
	}
	fmt.Fprintf(s.out, "watching %s every %s; Ctrl-C to stop\n", spec.URL, f.interval)
	err = sched.Run(ctx)
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprintln(s.out, sum.String())
	if err != nil && ctx.Err() == nil {
		return err
	}
	if sum.Failures > 0 {
		return errFailureFound
	}
	return nil
}
