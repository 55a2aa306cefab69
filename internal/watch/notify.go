package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// AlertOptions tune the sending of alerts. The zero value is usable.
type AlertOptions struct {
	// BaseURL starts the link of each incident's page:
	// "http://127.0.0.1:8502" links to http://127.0.0.1:8502/incidents/ID.
	// Serve sets it from the address it listens on when it is empty.
	BaseURL string
	// Retry says how each route sends (default monitor.RetryPolicy's: 5
	// tries, waits doubling from 2 s to 5 min, 10 s per try, 100 queued).
	Retry monitor.RetryPolicy
	// DiagnosisWait is how long an alert on open waits for the diagnosis
	// (default 3 s, monitor.AlertPolicy's).
	DiagnosisWait time.Duration
	// Logger receives each failed try (default: discard).
	Logger *slog.Logger
	// Clock defaults to monitor.SystemClock.
	Clock monitor.Clock
	// page maps a monitor's incident ID to the ID its page is served
	// under; nil links to none.
	page func(id string) (string, bool)
}

// Alerting sends the alerts of a configuration's routes through shoutrrr
// URLs. Each route has its own monitor.Alerts: its own Alerter (with the
// route's reminder and the maintenance windows) and its own Dispatcher
// (queue and retries), so that a route that fails or hangs holds up no
// other route, and no check. It is a monitor.Sink.
type Alerting struct {
	routes []*alertRoute
	// routesOf maps a target's ID, and a log's name, to its routes;
	// an event of anything else goes to every route.
	routesOf map[string][]string
	// windows are the configuration's maintenance windows, which
	// SetMaintenance keeps beside the ones it is given.
	windows []monitor.Window
}

type alertRoute struct {
	name   string
	alerts *monitor.Alerts
	disp   *monitor.Dispatcher
}

// NewAlerting makes the senders of cfg's alert routes. An alert goes to
// the routes of its target (Target.Alerts: every route when the target
// names none, no route for an empty list). A URL that shoutrrr cannot use
// is an error naming the route and the URL, its secrets masked.
func NewAlerting(cfg *watchconfig.Config, o AlertOptions) (*Alerting, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	targets := cfg.Targets()
	names := make(map[string]string, len(targets))
	a := &Alerting{routesOf: map[string][]string{}}
	for _, t := range targets {
		names[t.ID] = t.Name
		a.routesOf[t.ID] = append([]string{}, t.Alerts...)
		for _, l := range t.Logs {
			a.routesOf[l.Name] = union(a.routesOf[l.Name], t.Alerts)
		}
	}
	shown := cfg.Redacted().Alerts
	a.windows = maintenance(cfg.Maintenance)
	for _, name := range sortedRoutes(cfg.Alerts) {
		n, err := NewNotifier(name, cfg.Alerts[name].URLs, shown[name].URLs)
		if err != nil {
			return nil, err
		}
		n.names, n.base, n.page = names, strings.TrimSuffix(o.BaseURL, "/"), o.page
		onError := func(err error) { o.Logger.Warn("alert not sent", "route", name, "err", err) }
		d := monitor.NewDispatcher(n, o.Retry, o.Clock, onError)
		al := monitor.NewAlerter(monitor.AlertPolicy{Reminder: cfg.Alerts[name].Reminder, DiagnosisWait: o.DiagnosisWait})
		al.SetMaintenance(a.windows)
		a.routes = append(a.routes, &alertRoute{name: name, alerts: monitor.NewAlerts(al, o.Clock, d), disp: d})
	}
	return a, nil
}

// Record hands an incident or episode event to the routes it goes to.
// It never waits on a channel: a full queue drops the alert, with an
// error saying so.
func (a *Alerting) Record(ctx context.Context, ev monitor.Event) error {
	if ev.Incident == nil && ev.Episode == nil {
		return nil
	}
	key := ev.Target
	if ev.Episode != nil {
		key = ev.Source
	}
	routes, known := a.routesOf[key]
	var errs []error
	for _, r := range a.routes {
		if known && !slices.Contains(routes, r.name) {
			continue
		}
		if err := r.alerts.Record(ctx, ev); err != nil {
			errs = append(errs, fmt.Errorf("alert route %s: %w", r.name, err))
		}
	}
	return errors.Join(errs...)
}

// Start runs the routes' reminders and senders until ctx ends or the
// returned function is called; that function waits for them to stop.
func (a *Alerting) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, r := range a.routes {
		wg.Go(func() { _ = r.alerts.Run(ctx) })
		wg.Go(func() { _ = r.disp.Run(ctx) })
	}
	return func() { cancel(); wg.Wait() }
}

// SetMaintenance mutes alerts with the windows ws besides the
// configuration's, in place of the windows of the call before.
func (a *Alerting) SetMaintenance(ws []monitor.Window) {
	all := append(slices.Clone(a.windows), ws...)
	for _, r := range a.routes {
		r.alerts.SetMaintenance(all)
	}
}

// Stats returns each route's counters, by route name.
func (a *Alerting) Stats() map[string]monitor.DispatchStats {
	out := make(map[string]monitor.DispatchStats, len(a.routes))
	for _, r := range a.routes {
		out[r.name] = r.disp.Stats()
	}
	return out
}

// maintenance turns the configuration's windows, which name targets, into
// the monitor's, which name their IDs.
func maintenance(ws []watchconfig.Window) []monitor.Window {
	out := make([]monitor.Window, 0, len(ws))
	for _, w := range ws {
		mw := monitor.Window{Start: w.Start, End: w.End, Groups: slices.Clone(w.Groups)}
		for _, name := range w.Targets {
			mw.Targets = append(mw.Targets, watchconfig.TargetID(name))
		}
		out = append(out, mw)
	}
	return out
}

func sortedRoutes(m map[string]watchconfig.Route) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func union(a, b []string) []string {
	for _, s := range b {
		if !slices.Contains(a, s) {
			a = append(a, s)
		}
	}
	return a
}

// linkBase is the start of the incidents' links when none is configured:
// the address served, with this machine's name in place of an address
// that stands for every interface.
func linkBase(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil && h != "" {
			host = h
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}

// pageID is the ID under which the pages serve the monitor's incident id,
// once the recorder has stored it.
func (r *Recorder) pageID(id string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, ok := r.incidents[id]
	return strconv.FormatInt(n, 10), ok
}
