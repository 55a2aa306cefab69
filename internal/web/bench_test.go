package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// bigStore is a store of n targets in 20 groups, each with 30 days of
// history and a last check; one target in 100 has an open incident.
func bigStore(n int) *memStore {
	m := newMemStore()
	for i := range n {
		id := fmt.Sprintf("site-%04d", i)
		m.targets = append(m.targets, Target{ID: id, Name: fmt.Sprintf("Site %04d", i),
			URL: "https://" + id + ".example/", Group: fmt.Sprintf("group-%02d", i%20)})
		ok := i%100 != 0
		cause := string(diagnose.OK)
		if !ok {
			cause = string(diagnose.UpstreamTimeout)
			m.incidents = append(m.incidents, Incident{ID: fmt.Sprintf("%d-%04d", fixtureNow.UnixMilli(), i), Target: id,
				Start: fixtureNow.Add(-time.Duration(i) * time.Second), Cause: cause, Persistence: string(diagnose.Persistent)})
		}
		m.checks[id] = []Check{{Target: id, Time: fixtureNow, Duration: 40 * time.Millisecond, OK: ok, Cause: cause, Status: 200}}
		for d := range 30 {
			m.days[id] = append(m.days[id], Day{Day: fixtureNow.Truncate(day).Add(-time.Duration(29-d) * day),
				Checks: 2880, Failures: (i + d) % 11 / 10})
		}
	}
	return m
}

// BenchmarkStatusPage asks for the status page of 1,000 targets with 30
// days of history, as a reader, in process: the server's own share of a
// request, without the network or a real store. "render" renders it for
// each request (PageCache negative), "cached" serves it from the cache of
// pages, plain and gzipped.
func BenchmarkStatusPage(b *testing.B) {
	st := bigStore(1000)
	uptime, err := st.UptimeDays(context.Background(), 90, fixtureNow)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		cache  time.Duration
		accept string
	}{
		{"render", -1, ""},
		{"cached", 0, ""},
		{"cached gzip", 0, "gzip"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, err := New(Options{Store: readyUptime{st, uptime}, Now: func() time.Time { return fixtureNow }, PageCache: bc.cache})
			if err != nil {
				b.Fatal(err)
			}
			h := s.Handler()
			r := httptest.NewRequest("GET", "http://127.0.0.1:8502/", nil)
			r.Header.Set("Accept-Encoding", bc.accept)
			var w countingWriter
			b.ReportAllocs()
			for b.Loop() {
				w = countingWriter{header: http.Header{}}
				h.ServeHTTP(&w, r)
				if w.code != 200 {
					b.Fatalf("got %d", w.code)
				}
			}
			b.ReportMetric(float64(w.n), "bytes/page")
		})
	}
}

// readyUptime is a store whose uptime is read already, as a database's
// answer would be: the memStore's own filtering is not the server's work.
type readyUptime struct {
	*memStore
	uptime map[string][]Day
}

func (r readyUptime) UptimeDays(context.Context, int, time.Time) (map[string][]Day, error) {
	return r.uptime, nil
}

// countingWriter is a ResponseWriter that counts what it is sent, as a
// socket would take it, without keeping a copy.
type countingWriter struct {
	header http.Header
	code   int
	n      int
}

func (w *countingWriter) Header() http.Header  { return w.header }
func (w *countingWriter) WriteHeader(code int) { w.code = code }
func (w *countingWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = 200
	}
	w.n += len(p)
	return len(p), nil
}
