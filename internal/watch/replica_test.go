package watch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/store"
	"github.com/gwdoctor/gwdoctor/internal/store/storetest"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// TestReplicasShareTargets runs two replicas on one throwaway PostgreSQL
// server, watching 20 targets every second: they share the targets,
// none is checked by both within one interval, and when one dies (its
// context ends and its leases stay, as when its process is killed) the
// other takes its targets over within about one lease (2 s) and a check.
func TestReplicasShareTargets(t *testing.T) {
	cluster, err := storetest.StartPostgres(t, false)
	if err != nil {
		t.Fatal(err)
	}
	dsn := cluster.NewDatabase(t)
	seen := &requestLog{}
	srv := httptest.NewServer(seen)
	t.Cleanup(srv.Close)
	stopA := serveReplica(t, dsn, srv.URL, "a")
	stopB := serveReplica(t, dsn, srv.URL, "b")
	time.Sleep(8 * time.Second)
	before := time.Now()
	time.Sleep(2 * time.Second)
	ofB := seen.targets("b", before, time.Now())
	if len(ofB) == 0 || len(seen.targets("a", before, time.Now())) == 0 {
		t.Fatalf("in 2s after 8s: replica a checked %v, b %v; want them to share the 20 targets",
			seen.targets("a", before, time.Now()), ofB)
	}
	t.Logf("targets checked in 2s: by a %d, by b %d", len(seen.targets("a", before, time.Now())), len(ofB))
	stopB()
	killed := time.Now()
	time.Sleep(6 * time.Second)
	var slowest time.Duration
	for _, target := range ofB {
		first, ok := seen.first("a", target, killed)
		if !ok {
			t.Errorf("%s, checked by b, was not taken over by a within 6s", target)
			continue
		}
		late := first.Sub(killed)
		slowest = max(slowest, late)
		if late > 5*time.Second {
			t.Errorf("%s was taken over by a %v after b died; want within 5s (a lease of 2s, a renewal, a slot)", target, late)
		}
	}
	t.Logf("b's targets taken over by a within %v", slowest.Round(time.Millisecond))
	stopA()
	for _, d := range seen.doubles(900 * time.Millisecond) {
		t.Error(d)
	}
}

// serveReplica runs Serve as replica name on the 20 targets of base,
// each request carrying the replica's name; stop ends it as a replica
// that dies does, its leases kept.
func serveReplica(t *testing.T, dsn, base, name string) (stop func()) {
	t.Helper()
	return serveReplicaWith(t, dsn, base, name, 20, monitor.Policy{})
}

// serveReplicaWith is serveReplica on n targets, under policy.
func serveReplicaWith(t *testing.T, dsn, base, name string, n int, policy monitor.Policy) (stop func()) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "db: %q\ninterval: 1s\ntargets:\n", dsn)
	for i := range n {
		fmt.Fprintf(&b, "  - {name: t%d, url: %q, headers: {X-Replica: %s}}\n", i, fmt.Sprintf("%s/t%d", base, i), name)
	}
	cfg, err := watchconfig.Parse(name+".yaml", []byte(b.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{Listener: ln, Replica: name, KeepLeases: true, Policy: policy})
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil && !errors.Is(err, context.Canceled) {
					t.Errorf("replica %s: %v", name, err)
				}
			case <-time.After(20 * time.Second):
				t.Errorf("replica %s did not stop within 20s", name)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// requestLog is a target server that notes which replica asked for which
// path, and when.
type requestLog struct {
	mu   sync.Mutex
	reqs []request
}

type request struct {
	replica, path string
	at            time.Time
}

func (l *requestLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.reqs = append(l.reqs, request{replica: r.Header.Get("X-Replica"), path: r.URL.Path, at: time.Now()})
	l.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// targets are the paths replica asked for between from and to.
func (l *requestLog) targets(replica string, from, to time.Time) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.reqs {
		if r.replica == replica && r.at.After(from) && r.at.Before(to) && !slices.Contains(out, r.path) {
			out = append(out, r.path)
		}
	}
	slices.Sort(out)
	return out
}

// first is replica's first request for path after since.
func (l *requestLog) first(replica, path string, since time.Time) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.reqs {
		if r.replica == replica && r.path == path && r.at.After(since) {
			return r.at, true
		}
	}
	return time.Time{}, false
}

// doubles describes each pair of requests for one path by two replicas
// less than within apart.
func (l *requestLog) doubles(within time.Duration) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	last := map[string]request{}
	var out []string
	for _, r := range l.reqs {
		prev, ok := last[r.path]
		if ok && prev.replica != r.replica && r.at.Sub(prev.at) < within {
			out = append(out, fmt.Sprintf("%s checked by %s and then by %s %v later", r.path, prev.replica, r.replica, r.at.Sub(prev.at)))
		}
		last[r.path] = r
	}
	return out
}

// TestServePostgresRestarted stops the PostgreSQL server under a watcher
// for 3 s and starts it again: checks go on meanwhile, the log says the
// store refuses them, and once the server is back the watcher reconnects
// and writes the checks it held and those that follow.
func TestServePostgresRestarted(t *testing.T) {
	cluster, err := storetest.StartPostgres(t, false)
	if err != nil {
		t.Fatal(err)
	}
	w := serveInProcess(t, manyTargets(t, cluster.NewDatabase(t), 10))
	before := w.waitChecks(t, 30)
	cluster.Stop(t)
	down := time.Now()
	n0 := w.checks.Load()
	time.Sleep(3 * time.Second)
	if n := w.checks.Load() - n0; n < 10*2 {
		t.Errorf("%d checks in the 3s PostgreSQL was down; want them to go on (at least 20)", n)
	}
	if err := cluster.Start(t); err != nil {
		t.Fatal(err)
	}
	up := time.Now()
	target := watchconfig.TargetID("ok-0")
	waitCheckBetween(t, w.base, target, down.Add(500*time.Millisecond), up)
	waitCheckBetween(t, w.base, target, up, time.Now().Add(time.Minute))
	w.waitLog(t, "the store takes checks again")
	stillThere(t, before, readAPI(t, w.base))
	t.Logf("the log of the store:\n%s", w.lines("store"))
}

// TestReplicaTakeoverCarriesIncident: replica b opens an incident for a
// failing target and dies; replica a takes the target over and continues
// that incident (the same one in the store, its failures growing) instead
// of opening another, and closes it when the target recovers.
func TestReplicaTakeoverCarriesIncident(t *testing.T) {
	cluster, err := storetest.StartPostgres(t, false)
	if err != nil {
		t.Fatal(err)
	}
	dsn := cluster.NewDatabase(t)
	var failing atomic.Bool
	failing.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/t0" && failing.Load() {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	st, err := store.Open(t.Context(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	policy := monitor.Policy{FlapWindow: 2 * time.Second}
	stopB := serveReplicaWith(t, dsn, srv.URL, "b", 2, policy)
	left := waitIncidents(t, st, "b to open an incident", func(incs []store.Incident) bool {
		return len(incs) == 1 && incs[0].State == store.StateOpen
	})[0]
	stopB()
	serveReplicaWith(t, dsn, srv.URL, "a", 2, policy)
	waitIncidents(t, st, "a to attach failures to b's incident", func(incs []store.Incident) bool {
		if len(incs) != 1 || incs[0].ID != left.ID || incs[0].State != store.StateOpen {
			t.Fatalf("after the takeover: %+v, want b's incident %d, still open, and no other", incs, left.ID)
		}
		return incs[0].Failures > left.Failures+1
	})
	failing.Store(false)
	waitIncidents(t, st, "a to close b's incident", func(incs []store.Incident) bool {
		if len(incs) != 1 || incs[0].ID != left.ID {
			t.Fatalf("after the recovery: %+v, want b's incident %d and no other", incs, left.ID)
		}
		return incs[0].State == store.StateClosed
	})
}

// waitIncidents polls the store's incidents until done says so, for 30 s.
func waitIncidents(t *testing.T, st *store.Store, what string, done func([]store.Incident) bool) []store.Incident {
	t.Helper()
	var incs []store.Incident
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		page, err := st.Incidents(t.Context(), store.IncidentQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if incs = page.Incidents; done(incs) {
			return incs
		}
	}
	t.Fatalf("waited 30s for %s; incidents: %+v", what, incs)
	return nil
}
