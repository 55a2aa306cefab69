package monitor

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// Policy holds the rules of incidents. A zero field takes its default.
type Policy struct {
	// OpenAfter is how many checks in a row must fail to open an incident
	// (default 2: the failed check and its confirmation).
	OpenAfter int
	// CloseAfter is how many checks in a row must succeed to close one (default 3).
	CloseAfter int
	// FlapWindow is how long a recovery must last before an incident opened
	// by confirmation closes (default 60 s).
	FlapWindow time.Duration
	// BurstSize is how many checks a burst runs (default 10).
	BurstSize int
	// BurstSpan is the time a burst's checks are spread over (default 10 s).
	BurstSpan time.Duration
	// SampleWindow is the time within which two failing bursts open an
	// intermittent incident, and how long a recovery must last before that
	// incident closes (default 10 min).
	SampleWindow time.Duration
	// CauseChangeAfter is how many failed checks in a row must show a new
	// cause before it replaces the incident's (default 2).
	CauseChangeAfter int
	// MaxTimeline is the most entries an incident's timeline keeps (default
	// 200); later entries are counted in Incident.Dropped.
	MaxTimeline int
}

// WithDefaults returns p with its zero fields set to their defaults, the
// values a Tracker works with.
func (p Policy) WithDefaults() Policy { return p.withDefaults() }

// withDefaults returns p with its zero fields set to their defaults.
func (p Policy) withDefaults() Policy {
	setInt(&p.OpenAfter, 2)
	setInt(&p.CloseAfter, 3)
	setDur(&p.FlapWindow, time.Minute)
	setInt(&p.BurstSize, 10)
	setDur(&p.BurstSpan, 10*time.Second)
	setDur(&p.SampleWindow, 10*time.Minute)
	setInt(&p.CauseChangeAfter, 2)
	setInt(&p.MaxTimeline, 200)
	return p
}

func setInt(v *int, def int) {
	if *v <= 0 {
		*v = def
	}
}

func setDur(v *time.Duration, def time.Duration) {
	if *v <= 0 {
		*v = def
	}
}

// How an incident was opened.
const (
	// OpenedConfirmed: OpenAfter checks in a row failed.
	OpenedConfirmed = "confirmed"
	// OpenedSampled: two failing bursts within the sample window.
	OpenedSampled = "sampled"
	// OpenedLog: a rise of failures in a log (an Episode).
	OpenedLog = "log"
)

// EntryKind names an entry of an incident's timeline.
type EntryKind string

// The kinds of timeline entry.
const (
	EntryOpened      EntryKind = "opened"
	EntryCause       EntryKind = "cause"
	EntryPersistence EntryKind = "persistence"
	EntryDiagnosis   EntryKind = "diagnosis"
	EntryRecovering  EntryKind = "recovering"
	EntryFailing     EntryKind = "failing"
	EntryBurst       EntryKind = "burst"
	EntryClosed      EntryKind = "closed"
)

// Entry is one moment of an incident's timeline.
type Entry struct {
	Time time.Time
	Kind EntryKind
	// Cause is the cause at that moment.
	Cause catalog.Cause
	// Note says more, in words ("3 of 10 failed").
	Note string
}

// Incident is a failure of one target, from its onset to its recovery.
type Incident struct {
	// ID is unique and stable: see IncidentID.
	ID     string
	Target string
	Group  string
	// Start is the first failed check; End the check that closed it (zero while open).
	Start time.Time
	End   time.Time
	// Cause is the best known cause: the diagnosis's when it has one for
	// the current failure, else the checks'.
	Cause catalog.Cause
	// Persistence is "persistent" or "intermittent", as in the catalog.
	Persistence diagnose.Persistence
	// OpenedBy is OpenedConfirmed, OpenedSampled or OpenedLog.
	OpenedBy    string
	GeneratedBy diagnose.GeneratedBy
	// Checks and Failures count the checks since the incident's onset,
	// confirmations and bursts included.
	Checks   int
	Failures int
	// Diagnosis is the diagnosis captured at onset; Latest the newest one.
	Diagnosis *Diagnosis
	Latest    *Diagnosis
	Timeline  []Entry
	// Dropped counts timeline entries past Policy.MaxTimeline.
	Dropped int
}

// Open reports whether the incident is still open.
func (i *Incident) Open() bool { return i.End.IsZero() }

// ErrorRate is the share of the incident's checks that failed.
func (i *Incident) ErrorRate() float64 {
	if i.Checks == 0 {
		return 0
	}
	return float64(i.Failures) / float64(i.Checks)
}

// Downtime is how long the incident lasted, or has lasted until now.
func (i *Incident) Downtime(now time.Time) time.Duration {
	if !i.End.IsZero() {
		now = i.End
	}
	return now.Sub(i.Start)
}

// clone copies the incident so that an event's copy does not change later.
func (i *Incident) clone() *Incident {
	c := *i
	c.Timeline = append([]Entry(nil), i.Timeline...)
	return &c
}

// note appends an entry to the timeline, within max entries.
func (i *Incident) note(max int, e Entry) {
	if len(i.Timeline) >= max {
		i.Dropped++
		return
	}
	i.Timeline = append(i.Timeline, e)
}

// IncidentID is the ID of the incident of target that started at start:
// the start in Unix milliseconds and a short hash of the target's ID, so
// it is fit for a URL whatever the target's ID is, and one target has one
// incident at a time.
func IncidentID(target string, start time.Time) string {
	sum := sha256.Sum256([]byte(target))
	return strconv.FormatInt(start.UnixMilli(), 10) + "-" + hex.EncodeToString(sum[:4])
}

// EpisodeIncident is the incident a log episode makes, so that a rise of
// failures in a log is an incident even for URLs no check covers: its
// target is the log, its cause the episode's dominant one, and it is
// intermittent, as a log shows failures beside successes.
func EpisodeIncident(source string, e *Episode) *Incident {
	inc := &Incident{ID: IncidentID(source, e.Start), Target: source, Start: e.Start,
		Cause: e.Dominant, Persistence: diagnose.Intermittent, OpenedBy: OpenedLog,
		Checks: e.Failures, Failures: e.Failures}
	if !e.Open {
		inc.End = e.End
	}
	return inc
}
