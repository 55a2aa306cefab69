package web

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestPages(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, Options{})
	tests := []struct {
		path string
		code int
		has  []string
	}{
		{"/", 200, []string{`<h2>shop</h2>`, `<h2>office</h2>`, `href="/incidents/1741607000000-bbbb"`,
			`<code class="cause">upstream.refused</code>`, `The upstream refused the connection`, `<svg class="bars"`, `2 up`, `1 down`}},
		{"/incidents/1741607000000-bbbb", 200, []string{`<code class="cause">upstream.refused</code>`, `nginx (reverse_proxy)`,
			`2026-03-10T11:34:00.000Z`, `(26 min ago)`, `cause changed`, `52 of 52 failed (100 %)`,
			`Start the application at 10.0.0.5:8080.`, `connect() failed (111: Connection refused)`,
			`src="/incidents/1741607000000-bbbb/diagnosis"`}},
		{"/incidents/1741500000000-cccc", 200, []string{`Closed incident`, `Lasted</dt><dd>1 h`, `No diagnosis was captured`}},
		{"/incidents/1741607000000-bbbb/diagnosis", 200, []string{`<title>gwdoctor diagnosis of https://api.shop.example/health</title>`}},
		{"/incidents/1741500000000-cccc/diagnosis", 404, nil},
		{"/incidents/nope", 404, []string{"404: not found"}},
		{"/targets/api", 200, []string{`<svg class="phases"`, `class="p-ttfb"`, `class="fail"`, `<tr class="failed">`, `upstream.refused`}},
		{"/targets/nope", 404, nil},
		{"/nope", 404, nil},
		{"/login", 200, []string{`no read token configured`}},
	}
	for _, tt := range tests {
		rec := get(t, s, tt.path)
		if rec.Code != tt.code {
			t.Errorf("GET %s: %d, want %d", tt.path, rec.Code, tt.code)
		}
		for _, h := range tt.has {
			if !strings.Contains(rec.Body.String(), h) {
				t.Errorf("GET %s: no %q in the page", tt.path, h)
			}
		}
	}
}

// TestPublicStatus: a visitor without the read token sees the public
// groups' state and uptime only: no private group, no incident, no cause,
// no link to a page that would refuse them.
func TestPublicStatus(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, Options{Addr: "0.0.0.0:8502", ReadToken: readTok, PublicGroups: []string{"shop"}})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	body := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("got %d", rec.Code)
	}
	for _, want := range []string{`<h2>shop</h2>`, `>Shop<`, `>API<`, `s-down`, `<svg class="bars"`, `2 targets are shown only to readers`, `Sign in`} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q on the public page", want)
		}
	}
	for _, leak := range []string{"office", "intranet", "upstream.refused", "/incidents/", "/targets/", "evil"} {
		if strings.Contains(body, leak) {
			t.Errorf("the public page shows %q", leak)
		}
	}
}

// TestHostileNames: a target, group, cause, producer, timeline note and
// log line that are HTML come out as text on every page.
func TestHostileNames(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, Options{})
	for _, path := range []string{"/", "/targets/evil", "/incidents/1741608000000-aaaa", "/incidents/1741608000000-aaaa/diagnosis",
		"/api/v1/targets", "/api/v1/incidents/1741608000000-aaaa"} {
		rec := get(t, s, path)
		body := rec.Body.String()
		if rec.Code != 200 {
			t.Errorf("GET %s: %d", path, rec.Code)
		}
		if strings.Contains(body, "<script") {
			t.Errorf("GET %s: a raw <script in the answer", path)
		}
		if !strings.Contains(body, "&lt;script&gt;") && !strings.Contains(body, `\u003cscript\u003e`) {
			t.Errorf("GET %s: the hostile name is not there, escaped", path)
		}
	}
}

func TestStoreDown(t *testing.T) {
	t.Parallel()
	ready := errors.New("connection refused")
	s, st := newTestServer(t, Options{Ready: func(context.Context) error { return ready }})
	st.mu.Lock()
	st.fail = errors.New("database is locked")
	st.mu.Unlock()
	for path, code := range map[string]int{"/": 500, "/targets/api": 500, "/healthz": 200, "/readyz": 503} {
		if rec := get(t, s, path); rec.Code != code {
			t.Errorf("GET %s with the store down: %d, want %d", path, rec.Code, code)
		}
	}
}

func TestRelative(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "just now"}, {45 * time.Second, "45 s ago"}, {3 * time.Minute, "3 min ago"}, {90 * time.Minute, "1 h 30 min ago"},
		{2 * time.Hour, "2 h ago"}, {30 * time.Hour, "30 h ago"}, {72 * time.Hour, "3 days ago"}, {-5 * time.Minute, "in 5 min"},
	}
	for _, tt := range tests {
		if got := relative(fixtureNow.Add(-tt.d), fixtureNow); got != tt.want {
			t.Errorf("relative(now - %v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestUptimeBars(t *testing.T) {
	t.Parallel()
	today := fixtureNow.Truncate(day)
	d := func(ago, checks, failures int) Day {
		return Day{Day: today.Add(-time.Duration(ago) * day), Checks: checks, Failures: failures}
	}
	tests := []struct {
		name    string
		days    []Day
		summary string
		rects   int
	}{
		{"none", nil, "no checks", 1},
		{"all up", []Day{d(1, 100, 0), d(0, 100, 0)}, "100 %", 2}, // 88 days without checks, 2 up
		{"a bad day", []Day{d(2, 100, 0), d(1, 100, 50), d(0, 100, 0)}, "83.33 %", 4},
		{"one failure in 10,000", []Day{d(0, 10000, 1)}, "99.99 %", 2},
		{"outside the window", []Day{d(90, 100, 100)}, "no checks", 1},
	}
	for _, tt := range tests {
		svg, summary := uptimeBars(tt.days, 90, fixtureNow)
		if summary != tt.summary {
			t.Errorf("%s: summary %q, want %q", tt.name, summary, tt.summary)
		}
		if got := strings.Count(string(svg), "<rect"); got != tt.rects {
			t.Errorf("%s: %d rects, want %d: %s", tt.name, got, tt.rects, svg)
		}
	}
}
