package web

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// get asks s for path on loopback and returns the answer.
func get(t *testing.T, s *Server, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1:8502"+path, nil))
	return rec
}

// TestIncidentsJSON checks the shape of GET /api/v1/incidents field by
// field: others rely on it.
func TestIncidentsJSON(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, Options{})
	rec := get(t, s, "/api/v1/incidents")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("got %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc struct {
		Incidents []map[string]any `json:"incidents"`
		Next      *string          `json:"next"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Incidents) != 3 || doc.Next == nil || *doc.Next != "" {
		t.Fatalf("got %d incidents and next %v, want 3 and \"\"", len(doc.Incidents), doc.Next)
	}
	wantKeys := []string{"cause", "checks", "end", "failures", "generated_by", "id", "link", "open", "persistence", "start", "target", "title"}
	var starts []time.Time
	for i, inc := range doc.Incidents {
		keys := make([]string, 0, len(inc))
		for k := range inc {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !reflect.DeepEqual(keys, wantKeys) {
			t.Errorf("incident %d has keys %v, want %v", i, keys, wantKeys)
		}
		by, ok := inc["generated_by"].(map[string]any)
		if _, role := by["role"].(string); !ok || !role || len(by) != 2 {
			t.Errorf("incident %d: generated_by %v, want {role, product}", i, inc["generated_by"])
		}
		start, err := time.Parse(time.RFC3339, inc["start"].(string))
		if err != nil {
			t.Errorf("incident %d: start %v is not RFC 3339", i, inc["start"])
		}
		starts = append(starts, start)
		switch end := inc["end"].(type) {
		case nil:
			if inc["open"] != true {
				t.Errorf("incident %d: end null but not open", i)
			}
		case string:
			if _, err := time.Parse(time.RFC3339, end); err != nil || inc["open"] != false {
				t.Errorf("incident %d: end %q (open %v): want RFC 3339 and closed", i, end, inc["open"])
			}
		default:
			t.Errorf("incident %d: end %v, want a string or null", i, end)
		}
	}
	if !slices.IsSortedFunc(starts, func(a, b time.Time) int { return b.Compare(a) }) {
		t.Errorf("starts %v: want newest first", starts)
	}
	api := doc.Incidents[1]
	if api["cause"] != "upstream.refused" || api["persistence"] != "persistent" || api["title"] != "The upstream refused the connection" ||
		api["generated_by"].(map[string]any)["product"] != "nginx" || api["link"] != "/incidents/1741607000000-bbbb" {
		t.Errorf("the api incident reads %v", api)
	}
}

// TestIncidentsPaging walks the incidents two at a time.
func TestIncidentsPaging(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, Options{})
	var ids []string
	path := "/api/v1/incidents?limit=2"
	for range 3 {
		var doc IncidentListDoc
		rec := get(t, s, path)
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		for _, inc := range doc.Incidents {
			ids = append(ids, inc.ID)
		}
		if doc.Next == "" {
			break
		}
		path = "/api/v1/incidents?limit=2&before=" + doc.Next
	}
	want := []string{"1741608000000-aaaa", "1741607000000-bbbb", "1741500000000-cccc"}
	if !slices.Equal(ids, want) {
		t.Errorf("pages gave %v, want %v", ids, want)
	}
}

func TestAPIStatus(t *testing.T) {
	t.Parallel()
	s, st := newTestServer(t, Options{})
	tests := []struct {
		path string
		code int
		has  string
	}{
		{"/api/v1/incidents?limit=0", 400, `"error":"limit`},
		{"/api/v1/incidents?limit=501", 400, `"error":"limit`},
		{"/api/v1/incidents?limit=x", 400, `"error":"limit`},
		{"/api/v1/incidents?open=maybe", 400, `"error":"open`},
		{"/api/v1/incidents?open=true", 200, `"id":"1741607000000-bbbb"`},
		{"/api/v1/incidents?target=intranet", 200, `"id":"1741500000000-cccc"`},
		{"/api/v1/incidents/1741607000000-bbbb", 200, `"schema_version":1`},
		{"/api/v1/incidents/1741500000000-cccc", 200, `"diagnosis":null`},
		{"/api/v1/incidents/nope", 404, `"error":"not found"`},
		{"/api/v1/targets", 200, `"state":"down"`},
		{"/api/v1/targets/api/checks?limit=2", 200, `"ttfb_ms":21`},
		{"/api/v1/targets/nope/checks", 404, `"error":"not found"`},
		{"/api/v1/targets/api/checks?limit=1001", 400, `"error":"limit`},
	}
	for _, tt := range tests {
		rec := get(t, s, tt.path)
		if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.has) {
			t.Errorf("GET %s: %d %s, want %d with %s", tt.path, rec.Code, rec.Body, tt.code, tt.has)
		}
	}
	st.mu.Lock()
	st.fail = errors.New("disk I/O error at /var/lib/gwdoctor/gwdoctor.db")
	st.mu.Unlock()
	rec := get(t, s, "/api/v1/incidents")
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "gwdoctor.db") {
		t.Errorf("a failing store: %d %s, want 500 without the error's detail", rec.Code, rec.Body)
	}
}

func TestTargetsJSON(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, Options{})
	var doc struct {
		Targets []TargetDoc `json:"targets"`
	}
	if err := json.Unmarshal(get(t, s, "/api/v1/targets").Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, td := range doc.Targets {
		got[td.ID] = td.State
	}
	want := map[string]string{"shop": StateUp, "api": StateDown, "intranet": StateUp, "evil": StateDegraded}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("states %v, want %v", got, want)
	}
}
