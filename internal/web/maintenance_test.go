package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// memMaintenance keeps windows in memory, as the watcher's store does.
type memMaintenance struct {
	mu      sync.Mutex
	windows []Window
	next    int
}

func (m *memMaintenance) AddWindow(_ context.Context, w Window) (Window, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.next++
	w.ID = strconv.Itoa(m.next)
	m.windows = append(m.windows, w)
	return w, nil
}

func (m *memMaintenance) DeleteWindow(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := slices.IndexFunc(m.windows, func(w Window) bool { return w.ID == id })
	if i < 0 {
		return ErrNotFound
	}
	m.windows = slices.Delete(m.windows, i, i+1)
	return nil
}

func (m *memMaintenance) Windows(_ context.Context, now time.Time) ([]Window, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Window
	for _, w := range m.windows {
		if w.End.After(now) {
			out = append(out, w)
		}
	}
	return out, nil
}

// admin sends a request with the admin token to s.
func admin(s *Server, method, path, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+adminTok)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, r)
	return rec
}

// adminPost sends a POST with the admin token to s.
func adminPost(s *Server, path, body string) *httptest.ResponseRecorder {
	return admin(s, "POST", path, body)
}

func TestMaintenance(t *testing.T) {
	t.Parallel()
	m := &memMaintenance{}
	s, _ := newTestServer(t, Options{AdminToken: adminTok, Maintenance: m})
	tests := []struct {
		name, body string
		code       int
		msg        string // part of the error
	}{
		{"group until", `{"end":"2026-03-10T13:00:00Z","groups":["shop"]}`, 201, ""},
		{"target by ID, later", `{"start":"2026-03-11T00:00:00Z","end":"2026-03-11T02:00:00+01:00","targets":["api"]}`, 201, ""},
		{"target by name, duration", `{"duration":"90m","targets":["Shop"],"reason":"deploy"}`, 201, ""},
		{"everything", `{"duration":"1h"}`, 201, ""},
		{"end before start", `{"end":"2026-03-10T11:00:00Z","start":"2026-03-10T11:30:00Z"}`, 400, "after start"},
		{"over already", `{"start":"2026-03-10T10:00:00Z","end":"2026-03-10T11:00:00Z"}`, 400, "over already"},
		{"bad end", `{"end":"tomorrow"}`, 400, "RFC 3339"},
		{"bad start", `{"start":"now","duration":"1h"}`, 400, "RFC 3339"},
		{"bad duration", `{"duration":"an hour"}`, 400, "duration"},
		{"negative duration", `{"duration":"-1h"}`, 400, "positive"},
		{"both", `{"end":"2026-03-10T13:00:00Z","duration":"1h"}`, 400, "not both"},
		{"neither", `{"targets":["api"]}`, 400, "give one"},
		{"unknown field", `{"end":"2026-03-10T13:00:00Z","mute":true}`, 400, "mute"},
		{"not json", `not json`, 400, "reading the window"},
		{"two objects", `{"duration":"1h"}{}`, 400, "nothing after"},
		{"empty name", `{"duration":"1h","targets":[""]}`, 400, "empty"},
		{"unknown target", `{"duration":"1h","targets":["nope"]}`, 404, `unknown target \"nope\"`},
		{"unknown group", `{"duration":"1h","groups":["nope"]}`, 404, `unknown group \"nope\"`},
	}
	for _, tt := range tests {
		rec := adminPost(s, "/api/v1/maintenance", tt.body)
		if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.msg) {
			t.Errorf("%s: POST %s: %d %s, want %d with %q", tt.name, tt.body, rec.Code, rec.Body, tt.code, tt.msg)
		}
	}
	hour := func(h, m int) time.Time { return time.Date(2026, 3, 10, h, m, 0, 0, time.UTC) }
	want := []Window{
		{ID: "1", Start: fixtureNow, End: hour(13, 0), Groups: []string{"shop"}},
		{ID: "2", Start: hour(24, 0), End: hour(25, 0), Targets: []string{"api"}},
		{ID: "3", Start: fixtureNow, End: hour(13, 30), Targets: []string{"shop"}, Reason: "deploy"},
		{ID: "4", Start: fixtureNow, End: hour(13, 0)},
	}
	if len(m.windows) != len(want) {
		t.Fatalf("stored %d windows, want %d: %+v", len(m.windows), len(want), m.windows)
	}
	for i := range want {
		g, w := m.windows[i], want[i]
		if g.ID != w.ID || !g.Start.Equal(w.Start) || !g.End.Equal(w.End) || g.Reason != w.Reason ||
			!slices.Equal(g.Groups, w.Groups) || !slices.Equal(g.Targets, w.Targets) {
			t.Errorf("window %d: %+v, want %+v", i, g, w)
		}
	}
	testMaintenanceListDelete(t, s)
}

// testMaintenanceListDelete lists the windows of TestMaintenance, deletes
// one, and deletes it again.
func testMaintenanceListDelete(t *testing.T, s *Server) {
	var list struct {
		Windows []MaintenanceDoc `json:"windows"`
	}
	rec := get(t, s, "/api/v1/maintenance")
	if err := json.Unmarshal(rec.Body.Bytes(), &list); rec.Code != 200 || err != nil {
		t.Fatalf("GET /api/v1/maintenance: %d %s (%v)", rec.Code, rec.Body, err)
	}
	if len(list.Windows) != 4 || list.Windows[2].Reason != "deploy" || !strings.HasPrefix(list.Windows[2].End, "2026-03-10T13:30:00") ||
		list.Windows[3].Targets == nil {
		t.Errorf("listed %+v", list.Windows)
	}
	steps := []struct {
		path string
		code int
	}{
		{"/api/v1/maintenance/3", http.StatusNoContent},
		{"/api/v1/maintenance/3", http.StatusNotFound},
		{"/api/v1/maintenance/nope", http.StatusNotFound},
	}
	for _, st := range steps {
		if rec := admin(s, "DELETE", st.path, ""); rec.Code != st.code {
			t.Errorf("DELETE %s: %d %s, want %d", st.path, rec.Code, rec.Body, st.code)
		}
	}
	rec = get(t, s, "/api/v1/maintenance")
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Windows) != 3 {
		t.Errorf("after the delete: %s (%v), want 3 windows", rec.Body, err)
	}
}

// TestMaintenanceAccess: reading needs the read token off loopback,
// changing needs the admin token, and a server without one refuses.
func TestMaintenanceAccess(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, Options{Addr: "0.0.0.0:8502", ReadToken: readTok, AdminToken: adminTok, Maintenance: &memMaintenance{}})
	none, _ := newTestServer(t, Options{Maintenance: &memMaintenance{}})
	unwired, _ := newTestServer(t, Options{AdminToken: adminTok})
	body := `{"duration":"1h"}`
	tests := []struct {
		name         string
		s            *Server
		method, auth string
		code         int
	}{
		{"no token", s, "POST", "", http.StatusUnauthorized},
		{"read token", s, "POST", "Bearer " + readTok, http.StatusUnauthorized},
		{"admin token", s, "POST", "Bearer " + adminTok, http.StatusCreated},
		{"delete without token", s, "DELETE", "", http.StatusUnauthorized},
		{"no admin token configured", none, "POST", "Bearer x", http.StatusForbidden},
		{"not wired", unwired, "POST", "Bearer " + adminTok, http.StatusNotImplemented},
	}
	for _, tt := range tests {
		path := "/api/v1/maintenance"
		if tt.method == "DELETE" {
			path += "/1"
		}
		r := httptest.NewRequest(tt.method, path, strings.NewReader(body))
		if tt.auth != "" {
			r.Header.Set("Authorization", tt.auth)
		}
		rec := httptest.NewRecorder()
		tt.s.Handler().ServeHTTP(rec, r)
		if rec.Code != tt.code {
			t.Errorf("%s: %s %s: %d %s, want %d", tt.name, tt.method, path, rec.Code, rec.Body, tt.code)
		}
	}
}

// okCheck is a CheckNow whose check passes.
func okCheck(_ context.Context, id string, _ bool) (CheckRun, error) {
	return CheckRun{Check: Check{Target: id, Time: fixtureNow, OK: true, Cause: string(diagnose.OK), Status: 200}}, nil
}

func TestCheckNow(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var asked []string
	check := func(_ context.Context, id string, diag bool) (CheckRun, error) {
		mu.Lock()
		asked = append(asked, id+":"+strconv.FormatBool(diag))
		mu.Unlock()
		run := CheckRun{Check: Check{Target: id, Time: fixtureNow, Duration: 30 * time.Millisecond, Cause: string(diagnose.UpstreamRefused), Status: 502}}
		if diag {
			run.Diagnosis = diagnosisOf("https://api.shop.example/health", "connect() failed (111: Connection refused)")
		}
		return run, nil
	}
	s, _ := newTestServer(t, Options{AdminToken: adminTok, CheckNow: check})
	tests := []struct {
		path string
		code int
		diag bool
	}{
		{"/api/v1/targets/api/check", http.StatusOK, false},
		{"/api/v1/targets/api/check?diagnose=true", http.StatusOK, true},
		{"/api/v1/targets/api/check?diagnose=maybe", http.StatusBadRequest, false},
		{"/api/v1/targets/nope/check", http.StatusNotFound, false},
	}
	for _, tt := range tests {
		rec := adminPost(s, tt.path, "")
		if rec.Code != tt.code {
			t.Errorf("POST %s: %d %s, want %d", tt.path, rec.Code, rec.Body, tt.code)
			continue
		}
		if tt.code != http.StatusOK {
			continue
		}
		var doc CheckRunDoc
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Target != "api" || doc.Check.Status != 502 || doc.Check.Cause != string(diagnose.UpstreamRefused) || (doc.Diagnosis != nil) != tt.diag {
			t.Errorf("POST %s: %s", tt.path, rec.Body)
		}
	}
	if want := []string{"api:false", "api:true"}; !reflect.DeepEqual(asked, want) {
		t.Errorf("asked %v, want %v", asked, want)
	}
	unwired, _ := newTestServer(t, Options{AdminToken: adminTok})
	if rec := adminPost(unwired, "/api/v1/targets/api/check", ""); rec.Code != http.StatusNotImplemented {
		t.Errorf("without CheckNow: %d, want 501", rec.Code)
	}
}

// TestCheckNowBounded: checks on demand past maxCheckNow are refused with
// 429 while the others run, and a check that fails to run is a 500.
func TestCheckNowBounded(t *testing.T) {
	t.Parallel()
	release, started := make(chan struct{}), make(chan struct{}, maxCheckNow)
	check := func(ctx context.Context, id string, _ bool) (CheckRun, error) {
		if id == "intranet" {
			return CheckRun{}, errors.New("the store is away")
		}
		started <- struct{}{}
		<-release
		return okCheck(ctx, id, false)
	}
	s, _ := newTestServer(t, Options{AdminToken: adminTok, CheckNow: check})
	var wg sync.WaitGroup
	for range maxCheckNow {
		wg.Go(func() { adminPost(s, "/api/v1/targets/shop/check", "") })
	}
	for range maxCheckNow {
		<-started
	}
	if rec := adminPost(s, "/api/v1/targets/shop/check", ""); rec.Code != http.StatusTooManyRequests {
		t.Errorf("check past the bound: %d %s, want 429", rec.Code, rec.Body)
	}
	close(release)
	wg.Wait()
	if rec := adminPost(s, "/api/v1/targets/intranet/check", ""); rec.Code != http.StatusInternalServerError {
		t.Errorf("check that could not run: %d %s, want 500", rec.Code, rec.Body)
	}
}
