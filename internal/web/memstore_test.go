package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/probe"
	"github.com/gwdoctor/gwdoctor/internal/report"
)

// memStore is a Store in memory, for tests: checks newest first,
// incidents newest first, the cursor of a page the ID of its last incident.
type memStore struct {
	mu        sync.Mutex
	targets   []Target
	checks    map[string][]Check
	days      map[string][]Day
	incidents []Incident
	fail      error // returned by every method when set
}

var _ Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{checks: map[string][]Check{}, days: map[string][]Day{}}
}

func (m *memStore) Targets(context.Context) ([]Target, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.targets), m.fail
}

func (m *memStore) LastChecks(context.Context) (map[string]Check, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]Check{}
	for id, cs := range m.checks {
		if len(cs) > 0 {
			out[id] = cs[0]
		}
	}
	return out, m.fail
}

func (m *memStore) RecentChecks(_ context.Context, target string, n int) ([]Check, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !slices.ContainsFunc(m.targets, func(t Target) bool { return t.ID == target }) {
		return nil, fmt.Errorf("target %q: %w", target, ErrNotFound)
	}
	cs := m.checks[target]
	return slices.Clone(cs[:min(n, len(cs))]), m.fail
}

func (m *memStore) UptimeDays(_ context.Context, days int, now time.Time) (map[string][]Day, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	from := now.UTC().Truncate(day).Add(-time.Duration(days-1) * day)
	out := map[string][]Day{}
	for id, ds := range m.days {
		for _, d := range ds {
			if !d.Day.Before(from) {
				out[id] = append(out[id], d)
			}
		}
	}
	return out, m.fail
}

func (m *memStore) Incidents(_ context.Context, q IncidentQuery) (IncidentPage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if q.Limit <= 0 {
		q.Limit = DefaultPage
	}
	var page IncidentPage
	started := q.Before == ""
	for _, inc := range m.incidents {
		if !started {
			started = inc.ID == q.Before
			continue
		}
		if q.Target != "" && inc.Target != q.Target || q.Open && !inc.Open() {
			continue
		}
		if len(page.Incidents) == q.Limit {
			page.Next = page.Incidents[len(page.Incidents)-1].ID
			break
		}
		inc.Timeline, inc.Diagnosis = nil, nil
		page.Incidents = append(page.Incidents, inc)
	}
	return page, m.fail
}

func (m *memStore) Incident(_ context.Context, id string) (Incident, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, inc := range m.incidents {
		if inc.ID == id {
			return inc, m.fail
		}
	}
	return Incident{}, fmt.Errorf("incident %q: %w", id, ErrNotFound)
}

// hostile is a name written to break out of HTML.
const hostile = `<script>alert("x")</script>`

// fixtureNow is the fixed clock of the tests.
var fixtureNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// fixture is a store with four targets: shop (up) and api (down with an
// open incident, which has a diagnosis) in the public group "shop", intranet
// in the private group "office" with a closed incident, and a target and
// group with hostile names whose log line is hostile too.
func fixture() *memStore {
	m := newMemStore()
	m.targets = []Target{
		{ID: "shop", Name: "Shop", URL: "https://shop.example/", Group: "shop"},
		{ID: "api", Name: "API", URL: "https://api.shop.example/health", Group: "shop"},
		{ID: "intranet", URL: "https://intranet.example/", Group: "office"},
		{ID: "evil", Name: hostile, URL: "https://evil.example/?q=" + hostile, Group: hostile},
	}
	for i, id := range []string{"shop", "api", "intranet", "evil"} {
		for k := range 30 {
			c := Check{Target: id, Time: fixtureNow.Add(-time.Duration(k) * 30 * time.Second), Duration: 40 * time.Millisecond,
				Phases: Phases{DNS: time.Millisecond, Connect: 2 * time.Millisecond, TLS: 8 * time.Millisecond,
					TTFB: time.Duration(20+k) * time.Millisecond, Transfer: time.Millisecond},
				OK: true, Cause: string(diagnose.OK), Status: 200, Protocol: "h2",
				GeneratedBy: diagnose.GeneratedBy{Role: "reverse_proxy", Product: "nginx"}}
			if id == "api" || id == "evil" && k%3 == 0 {
				c.OK, c.Cause, c.Status = false, string(diagnose.UpstreamRefused), 502
				if id == "evil" {
					c.Cause = hostile
				}
			}
			m.checks[id] = append(m.checks[id], c)
		}
		for d := range 30 {
			m.days[id] = append(m.days[id], Day{Day: fixtureNow.Truncate(day).Add(-time.Duration(29-d) * day),
				Checks: 2880, Failures: (i * d) % 7})
		}
	}
	m.incidents = []Incident{
		{ID: "1741608000000-aaaa", Target: "evil", Start: fixtureNow.Add(-10 * time.Minute), Cause: hostile,
			Persistence: string(diagnose.Intermittent), GeneratedBy: diagnose.GeneratedBy{Role: hostile, Product: hostile},
			Checks: 20, Failures: 7, Timeline: []Entry{{Time: fixtureNow.Add(-10 * time.Minute), Kind: "opened", Cause: hostile, Note: hostile}},
			Diagnosis: diagnosisOf("https://evil.example/?q="+hostile, hostile)},
		{ID: "1741607000000-bbbb", Target: "api", Start: fixtureNow.Add(-26 * time.Minute), Cause: string(diagnose.UpstreamRefused),
			Persistence: string(diagnose.Persistent), GeneratedBy: diagnose.GeneratedBy{Role: "reverse_proxy", Product: "nginx"},
			Checks: 52, Failures: 52, Timeline: timeline(fixtureNow.Add(-26 * time.Minute)),
			Diagnosis: diagnosisOf("https://api.shop.example/health", `2026/03/10 11:34:00 [error] 812#812: *1 connect() failed (111: Connection refused) while connecting to upstream`)},
		{ID: "1741500000000-cccc", Target: "intranet", Start: fixtureNow.Add(-30 * time.Hour), End: fixtureNow.Add(-29 * time.Hour),
			Cause: string(diagnose.UpstreamTimeout), Persistence: string(diagnose.Persistent),
			GeneratedBy: diagnose.GeneratedBy{Role: "reverse_proxy", Product: "apache"}, Checks: 130, Failures: 120},
	}
	return m
}

func timeline(start time.Time) []Entry {
	return []Entry{
		{Time: start, Kind: "opened", Cause: string(diagnose.Upstream), Note: "2 checks in a row failed"},
		{Time: start.Add(4 * time.Second), Kind: "diagnosis", Cause: string(diagnose.UpstreamRefused)},
		{Time: start.Add(5 * time.Second), Kind: "cause", Cause: string(diagnose.UpstreamRefused), Note: "upstream → upstream.refused"},
		{Time: start.Add(10 * time.Minute), Kind: "recovering", Cause: string(diagnose.UpstreamRefused)},
		{Time: start.Add(10*time.Minute + 20*time.Second), Kind: "failing", Cause: string(diagnose.UpstreamRefused)},
	}
}

// diagnosisOf is a diagnosis of nginx answering 502 because its upstream
// refuses connections, with one log line.
func diagnosisOf(url, logLine string) *report.Diagnosis {
	at := fixtureNow.Add(-26 * time.Minute)
	res := &probe.Result{Method: "GET", URL: url, Started: at, Addr: "192.0.2.10:443",
		Timings: probe.Timings{DNS: time.Millisecond, Connect: 2 * time.Millisecond, TTFB: 3 * time.Millisecond, Total: 7 * time.Millisecond},
		Reached: probe.PhaseComplete,
		Response: &probe.Response{Proto: "HTTP/1.1", Status: 502, Header: http.Header{"Server": {"nginx/1.24.0"}},
			Body: []byte("<html><center><h1>502 Bad Gateway</h1></center></html>"), BodyBytes: 54}}
	ev := diagnose.Evidence{URL: url, Tries: []diagnose.Attempt{{Label: "try 1", Probe: res}},
		Logs: []diagnose.LogLine{{Where: "/var/log/nginx/error.log:812", Time: at, Product: "nginx",
			Cause: diagnose.UpstreamRefused, Raw: logLine, Error: true}}}
	return &report.Diagnosis{ID: "d1", URL: url, Started: at, Duration: 600 * time.Millisecond, Evidence: ev,
		Verdict: diagnose.Verdict{Cause: diagnose.UpstreamRefused, Title: "The upstream refused the connection",
			Persistence: diagnose.Persistent, GeneratedBy: diagnose.GeneratedBy{Role: "reverse_proxy", Product: "nginx"},
			Status: 502, Confidence: "high", Summary: "nginx answered 502 because nothing listens at 10.0.0.5:8080.",
			Steps: []diagnose.Step{{Who: "operator", Text: "Start the application at 10.0.0.5:8080."},
				{Who: "operator", Text: "Check that nginx points at the right port."}, {Who: "visitor", Text: "Wait."}}}}
}

// newTestServer is a server on fixture's store with the given options,
// listening nowhere: tests call its Handler.
func newTestServer(t *testing.T, o Options) (*Server, *memStore) {
	t.Helper()
	st := fixture()
	if o.Store == nil {
		o.Store = st
	}
	if o.Now == nil {
		o.Now = func() time.Time { return fixtureNow }
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s, st
}
