package watch

import (
	"context"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/store"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
	"github.com/gwdoctor/gwdoctor/internal/web"
)

// carryRig is a store with an incident of shop left open by another
// process 5 minutes before t0, and a carrier of this process that has
// adopted it, feeding a recorder and metrics; its tracker is the one the
// scheduler would have for shop.
type carryRig struct {
	st      *store.Store
	rec     *Recorder
	metrics *web.Metrics
	carry   *carrier
	tr      *monitor.Tracker
	target  monitor.Target
	left    int64 // the store's ID of the incident left open
}

var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func newCarryRig(t *testing.T) *carryRig {
	t.Helper()
	ctx := t.Context()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "gwdoctor.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	spec := watchconfig.Target{ID: watchconfig.TargetID("shop"), Name: "shop", URL: "http://shop.example/"}
	rec, err := NewRecorder(ctx, st, []watchconfig.Target{spec}, RecorderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sid := rec.StoreID(spec.ID)
	left, err := st.OpenIncident(ctx, store.Incident{TargetID: sid, Opened: t0.Add(-5 * time.Minute),
		Cause: string(diagnose.UpstreamRefused), Persistence: "persistent", Failures: 12},
		store.Event{Time: t0.Add(-5 * time.Minute), Kind: store.EventOpened, Cause: string(diagnose.UpstreamRefused), Text: "opened: confirmed"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RecordChecks(ctx, []store.Check{{TargetID: sid, Time: t0.Add(-time.Minute), OK: false, Cause: string(diagnose.UpstreamRefused)}}); err != nil {
		t.Fatal(err)
	}
	mt := monitor.Target{ID: spec.ID, Spec: spec}
	policy := monitor.Policy{FlapWindow: time.Minute}
	m := NewMetrics()
	r := &carryRig{st: st, rec: rec, metrics: m, target: mt, left: left, tr: monitor.NewTracker(mt, policy)}
	r.carry = newCarrier(monitor.MultiSink(rec, m), st, rec, m, policy, []monitor.Target{mt})
	if err := r.carry.adopt(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return r
}

// check runs one check of shop at the given time through the tracker
// and the carrier, as the scheduler's flow does.
func (r *carryRig) check(t *testing.T, at time.Time, ok bool) {
	t.Helper()
	c := monitor.CheckResult{Target: r.target.ID, Kind: monitor.KindRoutine, Start: at, Slot: at, OK: ok, Cause: diagnose.OK, Status: 200}
	if !ok {
		c.Cause, c.Status = diagnose.UpstreamTimeout, 504
	}
	o := r.tr.Observe(c)
	evs := append([]monitor.Event{{Kind: monitor.EventCheck, Time: at, Target: r.target.ID, Check: &c, IncidentID: o.IncidentID}}, o.Events...)
	for _, ev := range evs {
		if err := r.carry.Record(t.Context(), ev); err != nil {
			t.Fatal(err)
		}
	}
}

// incidents are the store's incidents, newest first.
func (r *carryRig) incidents(t *testing.T) []store.Incident {
	t.Helper()
	page, err := r.st.Incidents(t.Context(), store.IncidentQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return page.Incidents
}

// openGauge reads gwdoctor_open_incidents of cause.
func (r *carryRig) openGauge(t *testing.T, cause catalog.Cause) float64 {
	t.Helper()
	return openIncidents(t, r.metrics, cause)
}

func openIncidents(t *testing.T, m *web.Metrics, cause catalog.Cause) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != "gwdoctor_open_incidents" {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "cause" && l.GetValue() == string(cause) {
					return s.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no gwdoctor_open_incidents series of cause %s", cause)
	return 0
}

// TestCarryFailingAgain: the target still fails when this process takes
// it on; its tracker opens an incident, which continues the one left
// open (same ID in the store and in the events, failures added, the
// cause change noted), and closes it on recovery.
func TestCarryFailingAgain(t *testing.T) {
	t.Parallel()
	r := newCarryRig(t)
	if got := r.openGauge(t, diagnose.UpstreamRefused); got != 1 {
		t.Errorf("open incidents of upstream.refused at start: %v, want 1", got)
	}
	at := t0
	for range 4 { // a failure, its confirmation, two more
		r.check(t, at, false)
		at = at.Add(10 * time.Second)
	}
	incs := r.incidents(t)
	if len(incs) != 1 || incs[0].ID != r.left || incs[0].State != store.StateOpen || incs[0].Failures != 12+4 ||
		incs[0].LastCause != string(diagnose.UpstreamTimeout) {
		t.Fatalf("after failures: %+v, want the one left open, still open, 16 failures, now upstream.timeout", incs)
	}
	for range 3 {
		at = at.Add(time.Minute)
		r.check(t, at, true)
	}
	incs = r.incidents(t)
	if len(incs) != 1 || incs[0].ID != r.left || incs[0].State != store.StateClosed {
		t.Fatalf("after recovery: %+v, want the one left open, closed", incs)
	}
	_, events, err := r.st.Incident(t.Context(), r.left)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind+": "+e.Text)
	}
	joined := strings.Join(kinds, "\n")
	if !strings.Contains(joined, "resumed: continued, failing again: upstream.refused → upstream.timeout") || !strings.Contains(joined, "closed") {
		t.Errorf("timeline:\n%s", joined)
	}
	for _, cause := range []catalog.Cause{diagnose.UpstreamRefused, diagnose.UpstreamTimeout} {
		if got := r.openGauge(t, cause); got != 0 {
			t.Errorf("open incidents of %s at the end: %v, want 0", cause, got)
		}
	}
}

// TestCarryRecovered: the target answers when this process takes it on;
// the incident left open closes once the recovery has lasted the flap
// window with CloseAfter successes, and not before.
func TestCarryRecovered(t *testing.T) {
	t.Parallel()
	r := newCarryRig(t)
	// The last failure was at t0-1m: the window (1m) ends at t0.
	for i, at := range []time.Time{t0.Add(-50 * time.Second), t0.Add(-40 * time.Second), t0.Add(-30 * time.Second)} {
		r.check(t, at, true)
		if incs := r.incidents(t); incs[0].State != store.StateOpen {
			t.Fatalf("closed after %d successes within the flap window", i+1)
		}
	}
	r.check(t, t0, true)
	incs := r.incidents(t)
	if len(incs) != 1 || incs[0].ID != r.left || incs[0].State != store.StateClosed || !incs[0].Closed.Equal(t0) {
		t.Fatalf("after the recovery: %+v, want the one left open, closed at %v", incs, t0)
	}
	if got := r.openGauge(t, diagnose.UpstreamRefused); got != 0 {
		t.Errorf("open incidents of upstream.refused: %v, want 0", got)
	}
	r.check(t, t0.Add(10*time.Second), false) // a new failure is a new story
	r.check(t, t0.Add(11*time.Second), false)
	if incs := r.incidents(t); len(incs) != 2 || incs[0].ID == r.left || incs[0].State != store.StateOpen {
		t.Errorf("a failure after the close: %+v, want a new incident", incs)
	}
}

// TestServeOpenIncidentsAtStart: the open-incidents gauge counts, from
// the start, the incidents the store has open for the targets watched;
// the incident of a target no longer configured is closed, with a
// timeline entry that says why.
func TestServeOpenIncidentsAtStart(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "gwdoctor.db")
	st, err := store.Open(t.Context(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var gone int64
	for _, name := range []string{"shop", "api", "gone"} {
		tg, err := st.AddTarget(t.Context(), store.Target{Name: name, URL: "http://127.0.0.1:1/" + name})
		if err != nil {
			t.Fatal(err)
		}
		id, err := st.OpenIncident(t.Context(), store.Incident{TargetID: tg.ID, Opened: t0, Cause: string(diagnose.UpstreamTimeout)})
		if err != nil {
			t.Fatal(err)
		}
		gone = id
	}
	st.Close()
	cfg, err := watchconfig.Parse("test.yaml", []byte("db: "+db+"\ninterval: 1h\ntargets:\n"+
		"  - {name: shop, url: \"http://127.0.0.1:1/shop\"}\n  - {name: api, url: \"http://127.0.0.1:1/api\"}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMetrics()
	ctx, cancel := context.WithCancel(t.Context())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{Metrics: m, Listener: listen(t), Ready: func(a string) { ready <- a }})
	}()
	<-ready
	if got := openIncidents(t, m, diagnose.UpstreamTimeout); got != 2 {
		t.Errorf("gwdoctor_open_incidents{cause=upstream.timeout} at start: %v, want 2", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
	st, err = store.Open(t.Context(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	inc, events, err := st.Incident(t.Context(), gone)
	if err != nil {
		t.Fatal(err)
	}
	if inc.State != store.StateClosed || len(events) == 0 || events[len(events)-1].Text != textClosedRemoved {
		t.Errorf("the removed target's incident: %+v, timeline %+v; want it closed, saying why", inc, events)
	}
	page, err := st.Incidents(t.Context(), store.IncidentQuery{State: store.StateOpen})
	if err != nil || len(page.Incidents) != 2 {
		t.Errorf("open incidents after the start: %+v, %v; want the 2 of the targets watched", page.Incidents, err)
	}
}

// TestForgetRemoved: a reload that drops a target drops its own series
// and keeps the others'.
func TestForgetRemoved(t *testing.T) {
	t.Parallel()
	parse := func(names ...string) *watchconfig.Config {
		yaml := "db: /nonexistent/gwdoctor.db\ntargets:\n"
		for _, n := range names {
			yaml += "  - {name: " + n + ", url: \"http://127.0.0.1:1/" + n + "\"}\n"
		}
		cfg, err := watchconfig.Parse("test.yaml", []byte(yaml), nil)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	old, next := parse("shop", "api"), parse("shop", "blog")
	m := NewMetrics()
	for _, tg := range old.Targets() {
		m.ObserveCheck(web.CheckSample{Target: tg.ID, OK: true, Cause: string(diagnose.OK), Duration: time.Millisecond})
	}
	ForgetRemoved(m, old, next)
	text := scrapeMetrics(t, m)
	if shop := watchconfig.TargetID("shop"); !strings.Contains(text, `gwdoctor_up{target="`+shop+`"} 1`) {
		t.Errorf("shop's series went:\n%s", text)
	}
	if api := watchconfig.TargetID("api"); strings.Contains(text, api) {
		t.Errorf("api's series stayed after its removal:\n%s", text)
	}
}

func scrapeMetrics(t *testing.T, m *web.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}
