package monitor

import (
	"fmt"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// Outcome is what a Tracker asks for after a check, and what happened.
type Outcome struct {
	// Confirm asks for one more check at once.
	Confirm bool
	// Diagnose asks for a full diagnosis now; its result goes to
	// Tracker.Diagnosed.
	Diagnose bool
	// Burst asks for this many checks spread over Policy.BurstSpan.
	Burst int
	// IncidentID is the incident the check belongs to, if any.
	IncidentID string
	// Events are the incident events the check caused, in order.
	Events []Event
}

// counts are the checks and failures seen since a moment.
type counts struct {
	checks, failures int
}

// burstState follows the burst in progress.
type burstState struct {
	active   bool
	checks   int // burst checks seen
	failures int // failures, the one that set the burst off included
}

// Tracker follows the incidents of one target. It is a pure state machine:
// it reads the time only from the results it is given, which must come in
// the order the checks started. It is not safe for concurrent use.
type Tracker struct {
	target Target
	p      Policy

	failStreak, okStreak int
	streakStart          time.Time // the first failure of the current failure streak
	recoverSince         time.Time // the first success of the current success streak
	lastFail             CheckResult

	inc        *Incident     // the open incident, or nil
	checkCause catalog.Cause // the incident's cause as the checks see it
	cand       catalog.Cause // a new cause seen in the last candN failures
	candN      int

	diag       *Diagnosis // a diagnosis held for an incident not yet open
	diagWanted bool       // a diagnosis was asked for and has not come back

	burst   burstState
	samples []time.Time // when each failing burst began, within the sample window
	pre     counts      // checks since sampling began, for an incident it opens
}

// NewTracker returns a Tracker for target under the rules of p.
func NewTracker(target Target, p Policy) *Tracker {
	return &Tracker{target: target, p: p.withDefaults()}
}

// Incident returns a copy of the open incident, or nil.
func (t *Tracker) Incident() *Incident {
	if t.inc == nil {
		return nil
	}
	return t.inc.clone()
}

// Healthy reports whether no incident is open and the last
// Policy.CloseAfter checks succeeded.
func (t *Tracker) Healthy() bool {
	return t.inc == nil && t.okStreak >= t.p.CloseAfter
}

// Observe takes the result of one check and says what to do next.
func (t *Tracker) Observe(c CheckResult) Outcome {
	var o Outcome
	t.expire(c.Start)
	t.countPre(c)
	t.countBurst(c, &o)
	if c.OK {
		t.success(c, &o)
	} else {
		t.failure(c, &o)
	}
	if o.IncidentID == "" && t.inc != nil {
		o.IncidentID = t.inc.ID
	}
	return o
}

// Diagnosed takes the diagnosis asked for by an Outcome, or the error that
// stopped it. A diagnosis that arrives before its incident opens is held
// for it.
func (t *Tracker) Diagnosed(at time.Time, d Diagnosis, err error) Outcome {
	var o Outcome
	t.diagWanted = false
	if t.inc == nil {
		if err == nil && t.suspect() {
			t.diag = &d
		}
		return o
	}
	o.IncidentID = t.inc.ID
	if err != nil {
		t.note(Entry{Time: at, Kind: EntryDiagnosis, Cause: t.inc.Cause, Note: "diagnosis failed: " + err.Error()})
		ev := t.event(EventIncidentUpdated, at)
		ev.Change, ev.Err = ChangeDiagnosis, err
		o.Events = append(o.Events, ev)
		return o
	}
	from := t.inc.Cause
	t.applyDiagnosis(&d)
	t.note(Entry{Time: at, Kind: EntryDiagnosis, Cause: t.inc.Cause, Note: "diagnosed " + string(d.Cause)})
	ev := t.event(EventIncidentUpdated, at)
	ev.Change, ev.From, ev.To = ChangeDiagnosis, string(from), string(t.inc.Cause)
	o.Events = append(o.Events, ev)
	return o
}

// applyDiagnosis attaches d to the open incident; its cause, when it names
// a failure, becomes the incident's.
func (t *Tracker) applyDiagnosis(d *Diagnosis) {
	if t.inc.Diagnosis == nil {
		t.inc.Diagnosis = d
	}
	t.inc.Latest = d
	if !vaguer(d.Cause, t.inc.Cause) {
		t.inc.Cause = d.Cause
	}
	if d.GeneratedBy.Role != "" {
		t.inc.GeneratedBy = d.GeneratedBy
	}
}

// suspect reports whether, with no incident open, the target is under
// watch: failing now, sampling, or with a failing burst in the window.
func (t *Tracker) suspect() bool {
	return t.failStreak > 0 || t.burst.active || len(t.samples) > 0
}

// expire forgets failing bursts older than the sample window, and the
// diagnosis held for them.
func (t *Tracker) expire(now time.Time) {
	keep := t.samples[:0]
	for _, s := range t.samples {
		if now.Sub(s) <= t.p.SampleWindow {
			keep = append(keep, s)
		}
	}
	t.samples = keep
	if t.inc == nil && !t.suspect() {
		t.diag = nil
	}
}

// countPre counts the checks of a suspect target, for the incident that
// may open.
func (t *Tracker) countPre(c CheckResult) {
	if t.inc != nil {
		return
	}
	if !t.suspect() {
		if c.OK {
			return
		}
		t.pre = counts{}
	}
	t.pre.checks++
	if !c.OK {
		t.pre.failures++
	}
}

// countBurst follows the burst in progress; a routine check ends it.
func (t *Tracker) countBurst(c CheckResult, o *Outcome) {
	if !t.burst.active {
		return
	}
	switch c.Kind {
	case KindRoutine:
		t.burst.active = false
	case KindBurst:
		t.burst.checks++
		if !c.OK {
			t.burst.failures++
		}
		if t.burst.checks >= t.p.BurstSize {
			t.burst.active = false
			t.note(Entry{Time: c.Start, Kind: EntryBurst, Cause: t.lastFail.Cause,
				Note: fmt.Sprintf("%d of %d failed", t.burst.failures-1, t.burst.checks)})
		}
	}
}

// startBurst asks for a burst unless one is running. Its trigger counts
// as its first failure.
func (t *Tracker) startBurst(o *Outcome) bool {
	if t.burst.active {
		return false
	}
	t.burst = burstState{active: true, failures: 1}
	o.Burst = t.p.BurstSize
	return true
}

func (t *Tracker) failure(c CheckResult, o *Outcome) {
	t.okStreak = 0
	t.failStreak++
	if t.failStreak == 1 {
		t.streakStart = c.Start
	}
	t.lastFail = c
	if t.inc != nil {
		t.attachFailure(c, o)
		return
	}
	if t.failStreak >= t.p.OpenAfter {
		t.open(c.Start, OpenedConfirmed, t.streakStart, o)
		return
	}
	if c.Kind != KindBurst {
		o.Confirm = true // the next check of a burst confirms it anyway
	}
	if t.failStreak == 1 {
		t.wantDiagnosis(o)
	}
}

func (t *Tracker) success(c CheckResult, o *Outcome) {
	prevFail := t.failStreak
	t.failStreak = 0
	t.okStreak++
	if t.okStreak == 1 {
		t.recoverSince = c.Start
	}
	sampled := prevFail > 0 && c.Kind == KindConfirm
	if t.inc != nil {
		t.attachSuccess(c, sampled, o)
		return
	}
	if !sampled || !t.startBurst(o) {
		return
	}
	t.samples = append(t.samples, t.streakStart)
	if len(t.samples) >= 2 {
		t.open(c.Start, OpenedSampled, t.samples[0], o)
	}
}

// wantDiagnosis asks for a diagnosis unless one is on its way. The new
// one replaces a diagnosis held from an earlier failure.
func (t *Tracker) wantDiagnosis(o *Outcome) {
	if !t.diagWanted {
		o.Diagnose = true
		t.diagWanted = true
		t.diag = nil
	}
}

// open opens an incident that started at start, seen at now.
func (t *Tracker) open(now time.Time, by string, start time.Time, o *Outcome) {
	persistence := diagnose.Persistent
	if by == OpenedSampled {
		persistence = diagnose.Intermittent
	}
	t.inc = &Incident{
		ID: IncidentID(t.target.ID, start), Target: t.target.ID, Group: t.target.Group,
		Start: start, Cause: t.lastFail.Cause, Persistence: persistence, OpenedBy: by,
		GeneratedBy: t.lastFail.GeneratedBy, Checks: t.pre.checks, Failures: t.pre.failures,
	}
	t.checkCause, t.cand, t.candN = t.lastFail.Cause, "", 0
	t.note(Entry{Time: start, Kind: EntryOpened, Cause: t.inc.Cause, Note: by})
	if t.diag != nil {
		t.applyDiagnosis(t.diag)
	} else {
		t.wantDiagnosis(o)
	}
	t.diag, t.samples = nil, nil
	o.Events = append(o.Events, t.event(EventIncidentOpened, now))
}

func (t *Tracker) attachFailure(c CheckResult, o *Outcome) {
	inc := t.inc
	inc.Checks++
	inc.Failures++
	if t.failStreak == 1 { // a failure after a success: the target flaps
		if inc.OpenedBy == OpenedConfirmed {
			t.note(Entry{Time: c.Start, Kind: EntryFailing, Cause: c.Cause,
				Note: "failing again after " + c.Start.Sub(t.recoverSince).Round(time.Second).String()})
		}
		if inc.Persistence == diagnose.Persistent {
			inc.Persistence = diagnose.Intermittent
			t.note(Entry{Time: c.Start, Kind: EntryPersistence, Cause: inc.Cause, Note: string(diagnose.Intermittent)})
			ev := t.event(EventIncidentUpdated, c.Start)
			ev.Change, ev.From, ev.To = ChangePersistence, string(diagnose.Persistent), string(diagnose.Intermittent)
			o.Events = append(o.Events, ev)
		}
		if c.Kind != KindBurst {
			o.Confirm = true
		}
	}
	t.causeChange(c, o)
}

func (t *Tracker) attachSuccess(c CheckResult, sampled bool, o *Outcome) {
	inc := t.inc
	inc.Checks++
	if t.okStreak == 1 && inc.OpenedBy == OpenedConfirmed {
		t.note(Entry{Time: c.Start, Kind: EntryRecovering, Cause: inc.Cause})
	}
	if sampled {
		t.startBurst(o)
	}
	window := t.p.FlapWindow
	if inc.OpenedBy == OpenedSampled {
		window = t.p.SampleWindow
	}
	if t.okStreak >= t.p.CloseAfter && c.Start.Sub(t.lastFail.Start) >= window {
		t.close(c.Start, o)
	}
}

func (t *Tracker) close(at time.Time, o *Outcome) {
	t.inc.End = at
	t.note(Entry{Time: at, Kind: EntryClosed, Cause: t.inc.Cause,
		Note: "down " + t.inc.Downtime(at).Round(time.Second).String()})
	o.IncidentID = t.inc.ID
	o.Events = append(o.Events, t.event(EventIncidentClosed, at))
	t.inc, t.checkCause, t.cand, t.candN = nil, "", "", 0
	t.samples, t.diag = nil, nil
}

// causeChange replaces the incident's cause once CauseChangeAfter failed
// checks in a row show the same new one. A vaguer cause does not count.
func (t *Tracker) causeChange(c CheckResult, o *Outcome) {
	cause := c.Cause
	if cause == t.checkCause || vaguer(cause, t.checkCause) {
		t.cand, t.candN = "", 0
		return
	}
	if cause != t.cand {
		t.cand, t.candN = cause, 0
	}
	t.candN++
	if t.candN < t.p.CauseChangeAfter {
		return
	}
	inc := t.inc
	from := inc.Cause
	t.checkCause, t.cand, t.candN = cause, "", 0
	if from == cause {
		return // the checks now see what the diagnosis had found
	}
	inc.Cause, inc.GeneratedBy = cause, c.GeneratedBy
	t.note(Entry{Time: c.Start, Kind: EntryCause, Cause: cause, Note: string(from) + " → " + string(cause)})
	ev := t.event(EventIncidentUpdated, c.Start)
	ev.Change, ev.From, ev.To = ChangeCause, string(from), string(cause)
	o.Events = append(o.Events, ev)
	t.wantDiagnosis(o)
}

// vaguer reports whether cause says less than than: no cause, unknown, or
// a family ("upstream") of than ("upstream.refused").
func vaguer(cause, than catalog.Cause) bool {
	switch cause {
	case "", catalog.OK, catalog.Unknown:
		return true
	}
	return than.Refines(cause)
}

func (t *Tracker) note(e Entry) {
	if t.inc != nil {
		t.inc.note(t.p.MaxTimeline, e)
	}
}

// event returns an incident event with a copy of the incident.
func (t *Tracker) event(kind EventKind, at time.Time) Event {
	return Event{Kind: kind, Time: at, Target: t.target.ID, Group: t.target.Group,
		IncidentID: t.inc.ID, Incident: t.inc.clone()}
}
