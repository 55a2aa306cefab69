package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// diagnosisDoc is a diagnosis as `gwdoctor diagnose --json` writes it,
// with its indentation: the store gives it back byte for byte.
const diagnosisDoc = `{
  "schema_version": 1,
  "url": "https://shop.example/",
  "verdict": {"cause": "upstream.timeout", "persistence": "persistent",
    "generated_by": {"role": "reverse_proxy", "product": "nginx"}, "status": 504}
}`

func testIncidents(t *testing.T, dsn string) {
	s := openStore(t, dsn, Options{})
	ctx := t.Context()
	tg := addTarget(t, s, "shop.example")
	opened := Incident{
		TargetID: tg.ID, Opened: base, Cause: "upstream.timeout", Persistence: "persistent",
		Product: "nginx", Role: "reverse_proxy", Failures: 2, Diagnosis: json.RawMessage(diagnosisDoc),
	}
	first := []Event{
		{Time: base, Kind: EventOpened, Cause: "upstream.timeout", Text: "2 of 2 tries timed out after 60s"},
	}
	id, err := s.OpenIncident(ctx, opened, first...)
	if err != nil {
		t.Fatalf("OpenIncident: %v", err)
	}
	later := []Event{
		{Time: base.Add(time.Minute), Kind: EventFailure, Cause: "upstream.timeout"},
		{Time: base.Add(2 * time.Minute), Kind: EventCauseChanged, Cause: "upstream.refused", Text: "php-fpm stopped"},
	}
	updated := opened
	updated.ID, updated.State, updated.LastCause, updated.Failures = id, StateOpen, "upstream.refused", 4
	if err := s.UpdateIncident(ctx, updated, later...); err != nil {
		t.Fatalf("UpdateIncident: %v", err)
	}
	closedAt := base.Add(10 * time.Minute)
	closing := []Event{
		{Time: base.Add(9 * time.Minute), Kind: EventRecovered},
		{Time: closedAt, Kind: EventClosed, Text: "3 successes in a row"},
	}
	closed := updated
	closed.State, closed.Closed, closed.Persistence = StateClosed, closedAt, "recovered"
	if err := s.UpdateIncident(ctx, closed, closing...); err != nil {
		t.Fatalf("UpdateIncident (close): %v", err)
	}

	got, events, err := s.Incident(ctx, id)
	if err != nil {
		t.Fatalf("Incident: %v", err)
	}
	if !reflect.DeepEqual(got, closed) {
		t.Errorf("Incident = %+v\nwant %+v", got, closed)
	}
	if string(got.Diagnosis) != diagnosisDoc {
		t.Errorf("diagnosis = %s, want it byte for byte: %s", got.Diagnosis, diagnosisDoc)
	}
	var wantEvents []Event
	for _, e := range append(append(first, later...), closing...) {
		e.IncidentID = id
		wantEvents = append(wantEvents, e)
	}
	if !reflect.DeepEqual(events, wantEvents) {
		t.Errorf("timeline = %+v\nwant %+v", events, wantEvents)
	}
	testIncidentErrors(t, s, tg, id)
}

func testIncidentErrors(t *testing.T, s *Store, tg Target, id int64) {
	ctx := t.Context()
	if _, _, err := s.Incident(ctx, id+100); !errors.Is(err, ErrNotFound) {
		t.Errorf("Incident of a missing ID: got %v, want ErrNotFound", err)
	}
	missing := Incident{ID: id + 100, TargetID: tg.ID, Opened: base, State: StateOpen, Cause: "unknown"}
	if err := s.UpdateIncident(ctx, missing); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateIncident of a missing ID: got %v, want ErrNotFound", err)
	}
	invalid := []struct {
		name string
		inc  Incident
	}{
		{"no target", Incident{Opened: base, Cause: "unknown"}},
		{"no onset", Incident{TargetID: tg.ID, Cause: "unknown"}},
		{"bad state", Incident{TargetID: tg.ID, Opened: base, State: "resolved"}},
		{"closed without time", Incident{TargetID: tg.ID, Opened: base, State: StateClosed}},
		{"open with closing time", Incident{TargetID: tg.ID, Opened: base, Closed: base}},
		{"diagnosis not JSON", Incident{TargetID: tg.ID, Opened: base, Diagnosis: json.RawMessage("{oops")}},
	}
	for _, tc := range invalid {
		if _, err := s.OpenIncident(ctx, tc.inc); !errors.Is(err, ErrInvalid) {
			t.Errorf("OpenIncident %s: got %v, want ErrInvalid", tc.name, err)
		}
	}
	// An event without a kind fails the whole update.
	before, _, err := s.Incident(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	changed := before
	changed.Failures = 99
	if err := s.UpdateIncident(ctx, changed, Event{Time: base}); !errors.Is(err, ErrInvalid) {
		t.Errorf("UpdateIncident with an event without kind: got %v, want ErrInvalid", err)
	}
	if after, _, err := s.Incident(ctx, id); err != nil || after.Failures != before.Failures {
		t.Errorf("failures after a failed update = %d (%v), want %d", after.Failures, err, before.Failures)
	}
}

func testIncidentPaging(t *testing.T, dsn string) {
	s := openStore(t, dsn, Options{})
	ctx := t.Context()
	a, b := addTarget(t, s, "a.example"), addTarget(t, s, "b.example")
	// Seven incidents; the fourth and fifth open at the same time, so that
	// the ID breaks the tie. ids[i] is the i-th opened.
	var ids []int64
	for i := range 7 {
		tg, at := a, base.Add(time.Duration(i)*time.Hour)
		if i%2 == 1 {
			tg = b
		}
		if i == 4 {
			at = base.Add(3 * time.Hour)
		}
		inc := Incident{TargetID: tg.ID, Opened: at, Cause: fmt.Sprintf("cause.%d", i)}
		if i < 3 {
			inc.State, inc.Closed = StateClosed, at.Add(time.Minute)
		}
		id, err := s.OpenIncident(ctx, inc)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	pick := func(is ...int) []int64 {
		var out []int64
		for _, i := range is {
			out = append(out, ids[i])
		}
		return out
	}
	tests := []struct {
		name  string
		query IncidentQuery
		pages [][]int64
	}{
		{"all", IncidentQuery{Limit: 3}, [][]int64{pick(6, 5, 4), pick(3, 2, 1), pick(0)}},
		{"default limit", IncidentQuery{}, [][]int64{pick(6, 5, 4, 3, 2, 1, 0)}},
		{"exact pages", IncidentQuery{Limit: 7}, [][]int64{pick(6, 5, 4, 3, 2, 1, 0)}},
		{"target", IncidentQuery{TargetID: b.ID, Limit: 2}, [][]int64{pick(5, 3), pick(1)}},
		{"open", IncidentQuery{State: StateOpen, Limit: 2}, [][]int64{pick(6, 5), pick(4, 3)}},
		{"closed of a", IncidentQuery{State: StateClosed, TargetID: a.ID}, [][]int64{pick(2, 0)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := collectPages(t, s, tc.query)
			if !reflect.DeepEqual(got, tc.pages) {
				t.Errorf("pages = %v, want %v", got, tc.pages)
			}
		})
	}
	bad := []IncidentQuery{{State: "resolved"}, {After: "x"}, {After: "1:y"}}
	for _, q := range bad {
		if _, err := s.Incidents(ctx, q); !errors.Is(err, ErrInvalid) {
			t.Errorf("Incidents(%+v): got %v, want ErrInvalid", q, err)
		}
	}
}

// collectPages follows Next to the end and returns each page's IDs.
func collectPages(t *testing.T, s *Store, q IncidentQuery) [][]int64 {
	t.Helper()
	var pages [][]int64
	for range 10 {
		page, err := s.Incidents(t.Context(), q)
		if err != nil {
			t.Fatalf("Incidents: %v", err)
		}
		var ids []int64
		for _, inc := range page.Incidents {
			if inc.Diagnosis != nil {
				t.Errorf("incident %d listed with its diagnosis", inc.ID)
			}
			ids = append(ids, inc.ID)
		}
		pages = append(pages, ids)
		if page.Next == "" {
			return pages
		}
		q.After = page.Next
	}
	t.Fatal("more than 10 pages")
	return nil
}
