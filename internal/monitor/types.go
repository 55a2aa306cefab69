package monitor

import (
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// Target is one thing to watch.
type Target struct {
	// ID names the target uniquely and for good: incidents and events carry it.
	ID string
	// Group is the target's group, for maintenance windows and alerts; may be empty.
	Group string
	// Interval is the time between two routine checks; zero means
	// Options.Interval (default 30 s).
	Interval time.Duration
	// Timeout is the hard deadline of one check; zero means Options.Timeout
	// (default 10 s).
	Timeout time.Duration
	// Spec is what the check and diagnosis functions need to know of the
	// target (URL, headers, logs); the monitor only hands it on.
	Spec any
}

// CheckKind says why a check ran.
type CheckKind string

// The kinds of check.
const (
	// KindRoutine is a check at the target's interval.
	KindRoutine CheckKind = "routine"
	// KindConfirm is run at once after a failed check, to confirm it.
	KindConfirm CheckKind = "confirm"
	// KindBurst is one of the checks of a burst, sampling an intermittent failure.
	KindBurst CheckKind = "burst"
)

// CheckResult is the outcome of one check. The check function fills OK,
// Cause, Status, GeneratedBy and Detail; the scheduler fills the rest.
type CheckResult struct {
	Target string
	Kind   CheckKind
	// Slot is when the check was due; Start is when it began.
	Slot  time.Time
	Start time.Time
	// Duration is how long the check took.
	Duration time.Duration
	// OK is true when the target answered without a gateway failure.
	OK bool
	// Cause is a catalog ID: "ok" when OK, else the failure's cause.
	Cause catalog.Cause
	// Status is the HTTP status seen, 0 when none came back.
	Status int
	// GeneratedBy is who produced the response.
	GeneratedBy diagnose.GeneratedBy
	// Err is set when the check itself could not run to its end (for
	// example [ErrAbandoned]); the check is then a failure.
	Err error
	// Detail is the check's own record (phase timings, response head);
	// the monitor only hands it on to the sink.
	Detail any
}

// Late is how much later than its slot the check started.
func (c CheckResult) Late() time.Duration {
	if c.Slot.IsZero() || c.Start.Before(c.Slot) {
		return 0
	}
	return c.Start.Sub(c.Slot)
}

// Diagnosis is what a full diagnosis found, as far as the monitor needs
// it: the summary that alerts quote, and the whole report, handed on as it is.
type Diagnosis struct {
	// Cause is the catalog ID of the verdict.
	Cause       catalog.Cause
	GeneratedBy diagnose.GeneratedBy
	// Steps are what to do now, most useful first; alerts quote two.
	Steps []string
	// Report is the diagnosis itself, for storage and pages.
	Report any
}

// EventKind names an event.
type EventKind string

// The kinds of event.
const (
	EventCheck           EventKind = "check"
	EventIncidentOpened  EventKind = "incident.opened"
	EventIncidentUpdated EventKind = "incident.updated"
	EventIncidentClosed  EventKind = "incident.closed"
	EventEpisodeOpened   EventKind = "episode.opened"
	EventEpisodeUpdated  EventKind = "episode.updated"
	EventEpisodeClosed   EventKind = "episode.closed"
)

// Change says what an update event changed.
type Change string

// The changes an update reports.
const (
	// ChangeCause: the cause changed, From the old To the new.
	ChangeCause Change = "cause"
	// ChangePersistence: persistent became intermittent.
	ChangePersistence Change = "persistence"
	// ChangeDiagnosis: a diagnosis arrived (or failed, with Err set).
	ChangeDiagnosis Change = "diagnosis"
)

// Event is what the monitor tells its sink: a check recorded, an incident
// opened, updated or closed, a log episode.
type Event struct {
	Kind EventKind
	Time time.Time
	// Target and Group name the target, for check and incident events.
	Target string
	Group  string
	// Check is the check recorded, for EventCheck.
	Check *CheckResult
	// IncidentID is the incident a check belongs to, or the incident's ID.
	IncidentID string
	// Incident is a copy of the incident as it is after the event.
	Incident *Incident
	// Change, From and To describe an update.
	Change Change
	From   string
	To     string
	// Err is a diagnosis that failed, for ChangeDiagnosis.
	Err error
	// Source names the log, and Episode is a copy of the episode, for episode events.
	Source  string
	Episode *Episode
}
