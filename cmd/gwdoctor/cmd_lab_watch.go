package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwdoctor/gwdoctor/internal/lab"
	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/watch"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

type labWatchFlags struct {
	gateway  string
	flap     time.Duration
	every    int
	interval time.Duration
	listen   string
	db       string
}

func newLabWatchCmd(s streams) *cobra.Command {
	var f labWatchFlags
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Watch the lab's flapping and intermittent sites, offline: incidents open and close with their causes",
		Long: `lab watch starts three sites on 127.0.0.1, each a lab upstream behind a real
gateway (nginx when it is installed, else Go's reverse proxy): one healthy,
one whose upstream flaps (it answers for --flap, then closes every request
for --flap, and so on), one whose upstream closes one request in --every.
It watches them as gwdoctor serve does, with a SQLite file in a temporary
directory (removed on exit) and checks every --interval, prints the
status page's URL, and prints each incident as it opens, is diagnosed and
closes. Ctrl-C stops everything.

So that each outage of the flapping site is an incident of its own, an
incident here closes once its site has answered for half of --flap (serve
waits 60 s, so that a flapping site makes one incident), and an
intermittent one after 2 minutes without failures (serve: 10 minutes).`,
		Example: `  gwdoctor lab watch
  gwdoctor lab watch --gateway haproxy --flap 30s --every 5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLabWatch(cmd.Context(), s, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.gateway, "gateway", "auto", "the gateway in front of the upstreams: auto (nginx, else go), "+strings.Join(lab.Gateways(), ", "))
	fl.DurationVar(&f.flap, "flap", 20*time.Second, "how long the flapping upstream stays up, then down")
	fl.IntVar(&f.every, "every", 3, "the intermittent upstream closes one request in this many")
	fl.DurationVar(&f.interval, "interval", 2*time.Second, "the time between two checks of a site")
	fl.StringVar(&f.listen, "listen", "127.0.0.1:0", "the address of the status page (port 0: a free one)")
	fl.StringVar(&f.db, "db", "", "keep the checks and incidents in this SQLite file (default: a temporary one)")
	return cmd
}

// labSite is one watched site of the demo.
type labSite struct {
	name, about string
	sc          lab.Scenario
	run         *lab.Running
}

func runLabWatch(ctx context.Context, s streams, f labWatchFlags) error {
	if f.flap < 2*time.Second || f.every < 2 || f.interval < time.Second {
		return usagef("lab watch wants --flap of 2s or more, --every of 2 or more and --interval of 1s or more")
	}
	sites := labSites(f)
	defer closeSites(sites)
	product, err := startSites(ctx, sites, f.gateway)
	if err != nil {
		return err
	}
	db, cleanup, err := labDB(f.db)
	if err != nil {
		return err
	}
	defer cleanup()
	cfg, err := labWatchConfig(sites, db, f.interval)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return usagef("listening on %s: %v", f.listen, err)
	}
	out := &lockedWriter{w: s.out}
	fmt.Fprintf(out, "gwdoctor lab watch: %d sites behind %s, checked every %v\n", len(sites), product, f.interval)
	for _, site := range sites {
		fmt.Fprintf(out, "  %-13s %-28s %s\n", site.name, site.run.Gateway.URL(), site.about)
	}
	fmt.Fprintf(out, "store: %s\n", db)
	opts := watch.ServeOptions{
		Listener: ln, Sinks: []monitor.Sink{incidentPrinter(out, cfg)},
		Policy: monitor.Policy{FlapWindow: f.flap / 2, SampleWindow: 2 * time.Minute},
		Ready: func(addr string) {
			fmt.Fprintf(out, "status page: http://%s/\n\nIncidents open and close below; Ctrl-C stops everything.\n", addr)
		},
	}
	return watch.Serve(ctx, cfg, opts)
}

// labSites are the demo's sites: healthy, flapping and intermittent.
func labSites(f labWatchFlags) []*labSite {
	return []*labSite{
		{name: "healthy", about: "answers every request",
			sc: lab.Scenario{Name: "healthy", Fault: lab.Healthy}},
		{name: "flapping", about: fmt.Sprintf("up %v, then down %v (closes every request), and so on", f.flap, f.flap),
			sc: lab.Scenario{Name: "flapping", Fault: lab.Healthy, Options: lab.UpstreamOptions{Flap: f.flap}}},
		{name: "intermittent", about: fmt.Sprintf("closes one request in %d", f.every),
			sc: lab.Scenario{Name: "intermittent", Fault: lab.Intermittent, Options: lab.UpstreamOptions{Every: f.every}}},
	}
}

// startSites starts each site behind the gateway; "auto" is nginx when it
// is installed, else Go's reverse proxy. It returns the gateway's name.
func startSites(ctx context.Context, sites []*labSite, gateway string) (string, error) {
	product := gateway
	if gateway == "auto" {
		product = "nginx"
	} else if _, err := selectGateways(gateway); err != nil || strings.Contains(gateway, ",") {
		return "", usagef("unknown --gateway %q; available: auto, %s", gateway, strings.Join(lab.Gateways(), ", "))
	}
	for _, site := range sites {
		run, err := lab.StartScenario(ctx, site.sc, lab.GatewayOptions{Product: product})
		var missing *lab.NotInstalledError
		if gateway == "auto" && errors.As(err, &missing) {
			product = "go"
			run, err = lab.StartScenario(ctx, site.sc, lab.GatewayOptions{Product: product})
		}
		if err != nil {
			return "", fmt.Errorf("starting the %s site: %w", site.name, err)
		}
		site.run = run
	}
	return product, nil
}

func closeSites(sites []*labSite) {
	for _, site := range sites {
		if site.run != nil {
			site.run.Close()
		}
	}
}

// labDB is the SQLite file: db, or one in a new temporary directory that
// cleanup removes.
func labDB(db string) (file string, cleanup func(), err error) {
	if db != "" {
		return db, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "gwdoctor-lab-watch-")
	if err != nil {
		return "", nil, fmt.Errorf("creating the store's directory: %w", err)
	}
	return filepath.Join(dir, watchconfig.DefaultDBName), func() { os.RemoveAll(dir) }, nil
}

// labWatchConfig is the configuration of the sites, written as a user
// would write it and read by the same parser.
func labWatchConfig(sites []*labSite, db string, interval time.Duration) (*watchconfig.Config, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "db: %q\ninterval: %s\ntargets:\n", db, interval)
	for _, site := range sites {
		fmt.Fprintf(&b, "  - name: %s\n    url: %s\n    upstream: %s\n", site.name, site.run.Gateway.URL(), site.run.Upstream.URL())
	}
	return watchconfig.Parse("lab watch", []byte(b.String()), nil)
}

// incidentPrinter prints each incident's opening, diagnosis, changes and
// closing, one line each.
func incidentPrinter(out io.Writer, cfg *watchconfig.Config) monitor.Sink {
	names := map[string]string{}
	for _, t := range cfg.Targets() {
		names[t.ID] = t.Name
	}
	return monitor.SinkFunc(func(_ context.Context, ev monitor.Event) error {
		inc := ev.Incident
		if inc == nil {
			return nil
		}
		for _, line := range incidentLines(ev, inc) {
			fmt.Fprintf(out, "%s  %-13s %s\n", ev.Time.Format("15:04:05"), names[inc.Target], line)
		}
		return nil
	})
}

// incidentLines say what an incident event changed: an opening (with its
// diagnosis when it came first), a diagnosis, a new cause or persistence,
// a closing.
func incidentLines(ev monitor.Event, inc *monitor.Incident) []string {
	switch {
	case ev.Kind == monitor.EventIncidentOpened:
		opened := fmt.Sprintf("OPENED    %s, %s (the error came from %s)", inc.Cause, inc.Persistence, inc.GeneratedBy.Product)
		if inc.Latest == nil {
			return []string{opened}
		}
		return []string{opened, diagnosedLine(inc.Latest)}
	case ev.Kind == monitor.EventIncidentClosed:
		return []string{fmt.Sprintf("CLOSED    %s after %v, %d of %d checks failed",
			inc.Cause, inc.End.Sub(inc.Start).Round(time.Second), inc.Failures, inc.Checks)}
	case ev.Change == monitor.ChangeDiagnosis && ev.Err != nil:
		return []string{"DIAGNOSIS FAILED: " + ev.Err.Error()}
	case ev.Change == monitor.ChangeDiagnosis && inc.Latest != nil:
		return []string{diagnosedLine(inc.Latest)}
	case ev.Change == monitor.ChangeCause:
		return []string{fmt.Sprintf("CAUSE     %s → %s", ev.From, ev.To)}
	case ev.Change == monitor.ChangePersistence:
		return []string{"NOW       " + string(inc.Persistence)}
	}
	return nil
}

func diagnosedLine(d *monitor.Diagnosis) string {
	step := "its requests all passed this time"
	if len(d.Steps) > 0 {
		step = d.Steps[0]
	}
	return fmt.Sprintf("DIAGNOSED %s: %s", d.Cause, step)
}

// lockedWriter serialises the lines that the monitor's goroutines print.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
