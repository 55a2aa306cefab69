package web

import (
	"context"
	"errors"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/report"
)

// ErrNotFound is what a Store returns (wrapped or not) for a target or an
// incident that does not exist; the server answers it with 404.
var ErrNotFound = errors.New("not found")

// Store is what the server reads: targets, their checks, uptime and
// incidents. Its methods are called from many requests at once. The server
// only reads; anything that changes state goes through the functions of
// Options.
type Store interface {
	// Targets lists every watched target.
	Targets(ctx context.Context) ([]Target, error)
	// LastChecks returns the newest check of every target that has one,
	// by target ID.
	LastChecks(ctx context.Context) (map[string]Check, error)
	// RecentChecks returns up to n of a target's newest checks, newest
	// first; ErrNotFound when the target does not exist.
	RecentChecks(ctx context.Context, target string, n int) ([]Check, error)
	// UptimeDays returns, for every target with checks in those days, one
	// entry per UTC day of the days up to and including now's, oldest first.
	UptimeDays(ctx context.Context, days int, now time.Time) (map[string][]Day, error)
	// Incidents returns one page of incidents, newest start first, without
	// their timelines and diagnoses.
	Incidents(ctx context.Context, q IncidentQuery) (IncidentPage, error)
	// Incident returns one incident with its timeline and diagnosis;
	// ErrNotFound when it does not exist.
	Incident(ctx context.Context, id string) (Incident, error)
}

// Target is a watched site.
type Target struct {
	// ID names the target in URLs and metric labels.
	ID string
	// Name is what people read; default the URL.
	Name  string
	URL   string
	Group string
}

// Label is what the pages call the target: its name, else its URL, else its ID.
func (t Target) Label() string {
	switch {
	case t.Name != "":
		return t.Name
	case t.URL != "":
		return t.URL
	}
	return t.ID
}

// Phases are a check's phase timings, each zero when the phase did not
// happen or was not reached.
type Phases struct {
	DNS, Connect, TLS, TTFB, Transfer time.Duration
}

// Check is one check of a target.
type Check struct {
	Target string
	// Time is when the check started; Duration how long it took.
	Time     time.Time
	Duration time.Duration
	Phases   Phases
	// OK is true when the target answered without a gateway failure.
	OK bool
	// Cause is a catalog ID: "ok" when OK.
	Cause string
	// Status is the HTTP status seen, 0 when none came back.
	Status      int
	GeneratedBy diagnose.GeneratedBy
	// ErrorClass is the class of the network error, if any.
	ErrorClass string
	// Protocol is the HTTP version of the answer (HTTP/1.1, h2).
	Protocol string
}

// Day counts one UTC day's checks of a target.
type Day struct {
	// Day is the day's midnight, UTC.
	Day              time.Time
	Checks, Failures int
}

// Uptime is the share of the day's checks that passed, and false when the
// day had none.
func (d Day) Uptime() (float64, bool) {
	if d.Checks == 0 {
		return 0, false
	}
	return float64(d.Checks-d.Failures) / float64(d.Checks), true
}

// IncidentQuery selects a page of incidents.
type IncidentQuery struct {
	// Target keeps one target's incidents; default "": every target's.
	Target string
	// Open keeps only the incidents still open.
	Open bool
	// Limit is the page's size: DefaultPage when 0, at most MaxPage.
	Limit int
	// Before is the Next of the page before; default "": the newest.
	Before string
}

// Paging of incidents.
const (
	DefaultPage = 50
	MaxPage     = 500
)

// IncidentPage is one page of incidents, newest first.
type IncidentPage struct {
	Incidents []Incident
	// Next is the cursor of the following page; "" on the last one.
	Next string
}

// Incident is a failure of one target, from its onset to its recovery.
type Incident struct {
	ID     string
	Target string
	// Start is the onset; End is zero while the incident is open.
	Start, End time.Time
	// Cause is the incident's current cause, a catalog ID.
	Cause string
	// Persistence is the catalog's persistent or intermittent.
	Persistence string
	// GeneratedBy is who produced the error the users saw.
	GeneratedBy diagnose.GeneratedBy
	// Checks and Failures count the checks since the onset.
	Checks, Failures int
	// Timeline is the incident's history, oldest first; only Store.Incident fills it.
	Timeline []Entry
	// Diagnosis is the diagnosis captured at onset, nil when none was;
	// only Store.Incident fills it.
	Diagnosis *report.Diagnosis
}

// Open reports whether the incident is still open.
func (i Incident) Open() bool { return i.End.IsZero() }

// Entry is one moment of an incident's timeline.
type Entry struct {
	Time time.Time
	// Kind is what happened: opened, cause, persistence, diagnosis,
	// recovering, failing, burst, closed (the monitor's words), or another.
	Kind string
	// Cause is the cause at that moment.
	Cause string
	// Note says more, in words.
	Note string
}
