package web

import (
	"bufio"
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// scrape fetches m's exposition as Prometheus reads it and counts its
// series (every line that is not a comment), in all and by metric family
// prefix.
func scrape(t testing.TB, m *Metrics) (text string, total, own int) {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("/metrics answered %d", rec.Code)
	}
	sc := bufio.NewScanner(strings.NewReader(rec.Body.String()))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		total++
		if strings.HasPrefix(line, "gwdoctor_") {
			own++
		}
	}
	return rec.Body.String(), total, own
}

func checkEvent(target, group string, ok bool, cause catalog.Cause, timings probe.Timings) monitor.Event {
	return monitor.Event{Kind: monitor.EventCheck, Target: target, Group: group,
		Check: &monitor.CheckResult{Target: target, OK: ok, Cause: cause, Duration: timings.Total, Detail: timings}}
}

// TestSeriesAt10000Targets watches 10,000 targets in 20 groups that between
// them see every cause of the catalog in every group, and counts the
// series /metrics exposes: per target two, the rest bounded by groups,
// phases and causes.
func TestSeriesAt10000Targets(t *testing.T) {
	t.Parallel()
	const targets, groups = 10000, 20
	causes := catalog.All()
	m := NewMetrics(MetricsOptions{})
	timings := probe.Timings{DNS: time.Millisecond, Connect: 2 * time.Millisecond, TLS: 9 * time.Millisecond,
		TTFB: 30 * time.Millisecond, Transfer: 3 * time.Millisecond, Total: 45 * time.Millisecond}
	ctx := context.Background()
	for i := range targets {
		c := causes[i%len(causes)] // 20 and 29 are coprime: every group sees every cause
		ev := checkEvent(fmt.Sprintf("https://site-%05d.example/", i), fmt.Sprintf("group-%02d", i%groups), c.ID == catalog.OK, c.ID, timings)
		if err := m.Record(ctx, ev); err != nil {
			t.Fatal(err)
		}
		if c.ID != catalog.OK && i < 2*len(causes) {
			inc := &monitor.Incident{ID: fmt.Sprint("inc-", i), Cause: c.ID}
			m.Record(ctx, monitor.Event{Kind: monitor.EventIncidentOpened, Incident: inc})
		}
	}
	_, total, own := scrape(t, m)
	perTarget := 2 * targets
	histograms := 5 * groups * (len(phaseBuckets) + 3) // buckets, +Inf, _sum, _count
	counters := groups * len(causes)                   // ok with cause ok, failure with each other cause
	open := len(causes) - 1
	if want := perTarget + histograms + counters + open; own != want {
		t.Errorf("%d gwdoctor_ series, want %d = %d per target + %d histogram + %d counter + %d open-incident",
			own, want, perTarget, histograms, counters, open)
	}
	t.Logf("10,000 targets in 20 groups, all %d causes seen: %d gwdoctor_ series (%d per target, %d shared), %d with the Go runtime and process metrics",
		len(causes), own, perTarget, own-perTarget, total)
}

func TestMetricsFromEvents(t *testing.T) {
	t.Parallel()
	m := NewMetrics(MetricsOptions{NoRuntime: true})
	ctx := context.Background()
	timings := probe.Timings{Connect: time.Millisecond, TTFB: 20 * time.Millisecond, Total: 25 * time.Millisecond}
	events := []monitor.Event{
		checkEvent("a", "shop", true, "ok", timings),
		checkEvent("b", "shop", false, diagnose.UpstreamRefused, timings),
		checkEvent("b", "shop", false, "not.a.cause", timings),
		checkEvent("c", "", false, diagnose.OK, probe.Timings{}), // failed without a cause
		{Kind: monitor.EventIncidentOpened, Incident: &monitor.Incident{ID: "i1", Cause: diagnose.Upstream}},
		{Kind: monitor.EventIncidentOpened, Incident: &monitor.Incident{ID: "i2", Cause: diagnose.Upstream}},
		{Kind: monitor.EventIncidentUpdated, Incident: &monitor.Incident{ID: "i1", Cause: diagnose.UpstreamRefused}},
		{Kind: monitor.EventIncidentUpdated, Incident: &monitor.Incident{ID: "i1", Cause: diagnose.UpstreamRefused}},
		{Kind: monitor.EventIncidentClosed, Incident: &monitor.Incident{ID: "i2", Cause: diagnose.Upstream}},
		{Kind: monitor.EventEpisodeOpened, Source: "/var/log/nginx/error.log",
			Episode: &monitor.Episode{Start: fixtureNow, Dominant: diagnose.UpstreamTimeout, Open: true}},
	}
	for _, ev := range events {
		if err := m.Record(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"up a", testutil.ToFloat64(m.up.WithLabelValues("a")), 1},
		{"up b", testutil.ToFloat64(m.up.WithLabelValues("b")), 0},
		{"last duration a", testutil.ToFloat64(m.lastDur.WithLabelValues("a")), 0.025},
		{"checks ok", testutil.ToFloat64(m.checks.WithLabelValues("ok", "shop", "ok")), 1},
		{"checks refused", testutil.ToFloat64(m.checks.WithLabelValues("failure", "shop", string(diagnose.UpstreamRefused))), 1},
		{"checks unknown", testutil.ToFloat64(m.checks.WithLabelValues("failure", "shop", string(diagnose.Unknown))), 1},
		{"checks without a cause", testutil.ToFloat64(m.checks.WithLabelValues("failure", "", string(diagnose.Unknown))), 1},
		{"open upstream", testutil.ToFloat64(m.open.WithLabelValues(string(diagnose.Upstream))), 0},
		{"open refused", testutil.ToFloat64(m.open.WithLabelValues(string(diagnose.UpstreamRefused))), 1},
		{"open timeout (a log episode)", testutil.ToFloat64(m.open.WithLabelValues(string(diagnose.UpstreamTimeout))), 1},
		{"phases observed", float64(testutil.CollectAndCount(m.phases)), 2}, // connect and ttfb of group shop
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	m.Forget("a")
	if text, _, _ := scrape(t, m); strings.Contains(text, `target="a"`) {
		t.Error("a forgotten target still has series")
	}
}
