package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// Check results, the values of the result label.
const (
	resultOK      = "ok"
	resultFailure = "failure"
)

// phaseBuckets are the phase-duration histogram's upper bounds in seconds:
// from a loopback connect to a check's default deadline (10 s).
var phaseBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Metrics holds the watcher's Prometheus metrics on a registry of its own.
// Their labels keep the number of series bounded at any number of
// targets: only gwdoctor_up and gwdoctor_last_check_duration_seconds are
// per target; the rest are per group, phase, result and cause, and causes
// are the catalog's fixed set (an ID it lacks counts as "unknown").
//
// Metrics is a monitor.Sink: put it beside the store in a
// monitor.MultiSink, or call ObserveCheck and Record from the wiring.
// Its methods are safe for concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	up       *prometheus.GaugeVec
	lastDur  *prometheus.GaugeVec
	phases   *prometheus.HistogramVec
	checks   *prometheus.CounterVec
	open     *prometheus.GaugeVec
	phasesOf func(detail any) (Phases, bool)

	mu        sync.Mutex
	incidents map[string]string // the open incidents' causes, by incident ID
}

// MetricsOptions configures NewMetrics. A zero field takes its default.
type MetricsOptions struct {
	// PhasesOf reads the phase timings from a monitor.CheckResult's
	// Detail; default: a probe.Timings, probe.Result, or Phases, by value
	// or pointer.
	PhasesOf func(detail any) (Phases, bool)
	// NoRuntime leaves out the Go runtime's and the process's own metrics
	// (go_*, process_*), which are on by default.
	NoRuntime bool
}

// NewMetrics returns the metrics, registered on a new private registry.
func NewMetrics(o MetricsOptions) *Metrics {
	if o.PhasesOf == nil {
		o.PhasesOf = defaultPhasesOf
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "gwdoctor_up",
			Help: "1 when the target's last check passed, 0 when it failed."}, []string{"target"}),
		lastDur: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "gwdoctor_last_check_duration_seconds",
			Help: "How long the target's last check took."}, []string{"target"}),
		phases: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gwdoctor_phase_duration_seconds",
			Help: "Phase timings of checks (dns, connect, tls, ttfb, transfer), by phase and group.", Buckets: phaseBuckets},
			[]string{"phase", "group"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gwdoctor_checks_total",
			Help: "Checks run, by result (ok, failure), group and cause ID."}, []string{"result", "group", "cause"}),
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "gwdoctor_open_incidents",
			Help: "Incidents open now, by cause ID."}, []string{"cause"}),
		phasesOf:  o.PhasesOf,
		incidents: map[string]string{},
	}
	m.reg.MustRegister(m.up, m.lastDur, m.phases, m.checks, m.open)
	if !o.NoRuntime {
		m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	// Every cause shows a count, zero included, so that a query for one
	// cause has a series before the first incident of it.
	for _, c := range catalog.All() {
		if c.ID != catalog.OK {
			m.open.WithLabelValues(string(c.ID))
		}
	}
	return m
}

// Handler serves the metrics in Prometheus's text formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{MaxRequestsInFlight: 4, Timeout: 10 * time.Second})
}

// Registry is the metrics' registry, to gather them or to add others.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// CheckSample is one check as the metrics count it.
type CheckSample struct {
	Target, Group string
	OK            bool
	// Cause is the check's cause ID ("ok" when OK).
	Cause    string
	Duration time.Duration
	// Phases are the check's phase timings; a zero phase (not reached, or
	// no DNS for an address, no TLS for http) is not observed.
	Phases Phases
}

// ObserveCheck counts one check.
func (m *Metrics) ObserveCheck(c CheckSample) {
	up, result, cause := 0.0, resultFailure, causeLabel(c.Cause)
	if c.OK {
		up, result, cause = 1, resultOK, string(catalog.OK)
	} else if cause == string(catalog.OK) {
		cause = string(catalog.Unknown)
	}
	m.up.WithLabelValues(c.Target).Set(up)
	m.lastDur.WithLabelValues(c.Target).Set(c.Duration.Seconds())
	m.checks.WithLabelValues(result, c.Group, cause).Inc()
	for _, p := range phaseOrder {
		if d := p.Of(c.Phases); d > 0 {
			m.phases.WithLabelValues(phaseLabel(p.Name), c.Group).Observe(d.Seconds())
		}
	}
}

// Forget removes a target's own series, when it is no longer watched.
func (m *Metrics) Forget(target string) {
	m.up.DeleteLabelValues(target)
	m.lastDur.DeleteLabelValues(target)
}

// Record updates the metrics from a monitor event; it is a monitor.Sink
// and never fails.
func (m *Metrics) Record(_ context.Context, ev monitor.Event) error {
	switch ev.Kind {
	case monitor.EventCheck:
		if ev.Check == nil {
			return nil
		}
		c := CheckSample{Target: ev.Target, Group: ev.Group, OK: ev.Check.OK, Cause: string(ev.Check.Cause), Duration: ev.Check.Duration}
		c.Phases, _ = m.phasesOf(ev.Check.Detail)
		m.ObserveCheck(c)
	case monitor.EventIncidentOpened, monitor.EventIncidentUpdated:
		if ev.Incident != nil {
			m.setOpen(ev.Incident.ID, string(ev.Incident.Cause))
		}
	case monitor.EventIncidentClosed:
		if ev.Incident != nil {
			m.setOpen(ev.Incident.ID, "")
		}
	case monitor.EventEpisodeOpened, monitor.EventEpisodeUpdated, monitor.EventEpisodeClosed:
		if ev.Episode != nil {
			inc := monitor.EpisodeIncident(ev.Source, ev.Episode)
			cause := inc.Cause
			if ev.Kind == monitor.EventEpisodeClosed {
				cause = ""
			}
			m.setOpen(inc.ID, string(cause))
		}
	}
	return nil
}

var _ monitor.Sink = (*Metrics)(nil)

// SetOpen counts an incident as open with its cause, or as closed when
// cause is "": for the incidents already open when the process starts.
// Counting one incident twice is harmless.
func (m *Metrics) SetOpen(id, cause string) { m.setOpen(id, cause) }

func (m *Metrics) setOpen(id, cause string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.incidents[id]; ok {
		m.open.WithLabelValues(old).Dec()
		delete(m.incidents, id)
	}
	if cause != "" {
		cause = causeLabel(cause)
		m.incidents[id] = cause
		m.open.WithLabelValues(cause).Inc()
	}
}

// causeLabel is id when the catalog has it, else "unknown": a label's
// values stay the catalog's fixed set whatever a check reports.
func causeLabel(id string) string {
	if _, ok := catalog.Lookup(catalog.Cause(id)); ok {
		return id
	}
	return string(catalog.Unknown)
}

// phaseLabel is a phase's label value: lower case, as in blackbox_exporter.
func phaseLabel(name string) string {
	switch name {
	case "DNS":
		return "dns"
	case "TLS":
		return "tls"
	case "TTFB":
		return "ttfb"
	}
	return name
}

// defaultPhasesOf reads the phases of the check records it knows.
func defaultPhasesOf(detail any) (Phases, bool) {
	switch d := detail.(type) {
	case Phases:
		return d, true
	case *Phases:
		if d != nil {
			return *d, true
		}
	case probe.Timings:
		return phasesOfTimings(d), true
	case *probe.Timings:
		if d != nil {
			return phasesOfTimings(*d), true
		}
	case probe.Result:
		return phasesOfTimings(d.Timings), true
	case *probe.Result:
		if d != nil {
			return phasesOfTimings(d.Timings), true
		}
	}
	return Phases{}, false
}

func phasesOfTimings(t probe.Timings) Phases {
	return Phases{DNS: t.DNS, Connect: t.Connect, TLS: t.TLS, TTFB: t.TTFB, Transfer: t.Transfer}
}
