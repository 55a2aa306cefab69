package monitor

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// behaviour says whether the n-th request to a target, sent at, fails and with which cause.
type behaviour func(n int, at time.Time) (ok bool, cause catalog.Cause)

// simItem is one thing the simulated scheduler does.
type simItem struct {
	at   time.Time
	kind CheckKind
	diag bool
}

// simulate drives a Tracker the way the Scheduler does: routine checks at
// interval, a confirmation 100 ms after a failure asks for it, a burst's
// checks spread over BurstSpan, and a diagnosis that comes back 2 s after
// it was asked for with the cause of the failure then.
func simulate(p Policy, interval, span time.Duration, b behaviour) []Event {
	tr := NewTracker(Target{ID: "shop", Group: "web"}, p)
	p = p.withDefaults()
	queue := []simItem{{at: t0, kind: KindRoutine}}
	var events []Event
	n, lastCause := 0, catalog.Cause("")
	for len(queue) > 0 {
		slices.SortStableFunc(queue, func(a, b simItem) int { return a.at.Compare(b.at) })
		it := queue[0]
		queue = queue[1:]
		if it.at.After(t0.Add(span)) {
			break
		}
		if it.diag {
			o := tr.Diagnosed(it.at, Diagnosis{Cause: lastCause, Steps: []string{"one", "two", "three"}}, nil)
			events = append(events, o.Events...)
			continue
		}
		n++
		ok, cause := b(n, it.at)
		if ok {
			cause = diagnose.OK
		} else {
			lastCause = cause
		}
		o := tr.Observe(CheckResult{Target: "shop", Kind: it.kind, Start: it.at, OK: ok, Cause: cause})
		events = append(events, o.Events...)
		if it.kind == KindRoutine {
			queue = append(queue, simItem{at: it.at.Add(interval), kind: KindRoutine})
		}
		if o.Confirm {
			queue = append(queue, simItem{at: it.at.Add(100 * time.Millisecond), kind: KindConfirm})
		}
		if o.Diagnose {
			queue = append(queue, simItem{at: it.at.Add(2 * time.Second), diag: true})
		}
		for i := 1; i <= o.Burst; i++ {
			queue = append(queue, simItem{at: it.at.Add(time.Duration(i) * p.BurstSpan / time.Duration(o.Burst)), kind: KindBurst})
		}
	}
	return events
}

// runTally counts what a run of events did.
type runTally struct {
	opened, closed, causeChanges, persistenceChanges int
	openedBy                                         []string
}

func count(events []Event) runTally {
	var c runTally
	for _, ev := range events {
		switch {
		case ev.Kind == EventIncidentOpened:
			c.opened++
			c.openedBy = append(c.openedBy, ev.Incident.OpenedBy)
		case ev.Kind == EventIncidentClosed:
			c.closed++
		case ev.Change == ChangeCause:
			c.causeChanges++
		case ev.Change == ChangePersistence:
			c.persistenceChanges++
		}
	}
	return c
}

// downBetween fails every request from from to to with cause.
func downBetween(from, to time.Duration, cause catalog.Cause) behaviour {
	return func(_ int, at time.Time) (bool, catalog.Cause) {
		d := at.Sub(t0)
		return d < from || d >= to, cause
	}
}

func TestTrackerScenarios(t *testing.T) {
	const refused, none = diagnose.UpstreamRefused, diagnose.UpstreamNoneHealthy
	tests := []struct {
		name     string
		interval time.Duration
		span     time.Duration
		b        behaviour
		want     runTally
	}{
		{"healthy", 30 * time.Second, time.Hour,
			func(int, time.Time) (bool, catalog.Cause) { return true, "" },
			runTally{}},
		{"a single failure in an hour", 30 * time.Second, time.Hour,
			func(n int, _ time.Time) (bool, catalog.Cause) { return n != 50, refused },
			runTally{}},
		{"one request in 20 fails", 30 * time.Second, time.Hour,
			func(n int, _ time.Time) (bool, catalog.Cause) { return n%20 != 0, diagnose.UpstreamClosed },
			runTally{opened: 1, openedBy: []string{OpenedSampled}}},
		{"one request in 20 fails for half an hour, then none", 30 * time.Second, 2 * time.Hour,
			func(n int, at time.Time) (bool, catalog.Cause) {
				return n%20 != 0 || at.Sub(t0) > 30*time.Minute, diagnose.UpstreamClosed
			},
			runTally{opened: 1, closed: 1, openedBy: []string{OpenedSampled}}},
		{"an outage of five minutes", 30 * time.Second, time.Hour,
			downBetween(10*time.Minute, 15*time.Minute, refused),
			runTally{opened: 1, closed: 1, openedBy: []string{OpenedConfirmed}}},
		{"a flapping target: 40 s down, 40 s up, for 20 minutes", 10 * time.Second, time.Hour,
			func(_ int, at time.Time) (bool, catalog.Cause) {
				d := at.Sub(t0)
				return d < 5*time.Minute || d >= 25*time.Minute || (d/(40*time.Second))%2 == 1, refused
			},
			runTally{opened: 1, closed: 1, persistenceChanges: 1, openedBy: []string{OpenedConfirmed}}},
		{"a recovery longer than the flap window, then a failure", 30 * time.Second, time.Hour,
			func(_ int, at time.Time) (bool, catalog.Cause) {
				d := at.Sub(t0)
				return !(d >= 5*time.Minute && d < 7*time.Minute || d >= 10*time.Minute && d < 12*time.Minute), refused
			},
			runTally{opened: 2, closed: 2, openedBy: []string{OpenedConfirmed, OpenedConfirmed}}},
		{"refused, then none healthy", 30 * time.Second, time.Hour,
			func(_ int, at time.Time) (bool, catalog.Cause) {
				d := at.Sub(t0)
				if d < 5*time.Minute || d >= 20*time.Minute {
					return true, ""
				}
				if d < 10*time.Minute {
					return false, refused
				}
				return false, none
			},
			runTally{opened: 1, closed: 1, causeChanges: 1, openedBy: []string{OpenedConfirmed}}},
		{"one check with another cause is no change", 30 * time.Second, time.Hour,
			func(n int, at time.Time) (bool, catalog.Cause) {
				d := at.Sub(t0)
				if d < 5*time.Minute || d >= 20*time.Minute {
					return true, ""
				}
				if d >= 10*time.Minute && d < 10*time.Minute+30*time.Second {
					return false, none
				}
				return false, refused
			},
			runTally{opened: 1, closed: 1, openedBy: []string{OpenedConfirmed}}},
		{"a vaguer cause is no change", 30 * time.Second, time.Hour,
			func(n int, at time.Time) (bool, catalog.Cause) {
				d := at.Sub(t0)
				if d < 5*time.Minute || d >= 20*time.Minute {
					return true, ""
				}
				if d >= 10*time.Minute {
					return false, diagnose.Upstream
				}
				return false, refused
			},
			runTally{opened: 1, closed: 1, openedBy: []string{OpenedConfirmed}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := count(simulate(Policy{}, tt.interval, tt.span, tt.b))
			if !slices.Equal(got.openedBy, tt.want.openedBy) || got.opened != tt.want.opened ||
				got.closed != tt.want.closed || got.causeChanges != tt.want.causeChanges ||
				got.persistenceChanges != tt.want.persistenceChanges {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestTrackerCloseAfter checks that an incident closes on the M-th
// success in a row, not before, once the recovery lasted the flap window.
func TestTrackerCloseAfter(t *testing.T) {
	tests := []struct {
		closeAfter int
		flap       time.Duration
		wantClose  int // the success that closes, counted from 1
	}{
		{closeAfter: 1, flap: time.Second, wantClose: 1},
		{closeAfter: 3, flap: time.Second, wantClose: 3},
		{closeAfter: 5, flap: time.Second, wantClose: 5},
		{closeAfter: 3, flap: 60 * time.Second, wantClose: 6}, // 10 s apart: the 6th is 60 s after the last failure
	}
	for _, tt := range tests {
		tr := NewTracker(Target{ID: "api"}, Policy{CloseAfter: tt.closeAfter, FlapWindow: tt.flap})
		at := t0
		tr.Observe(CheckResult{Kind: KindRoutine, Start: at, Cause: diagnose.UpstreamTimeout})
		at = at.Add(time.Second)
		if o := tr.Observe(CheckResult{Kind: KindConfirm, Start: at, Cause: diagnose.UpstreamTimeout}); len(o.Events) != 1 {
			t.Fatalf("confirmation: got %d events, want the incident opened", len(o.Events))
		}
		got := 0
		for i := 1; i <= 20 && got == 0; i++ {
			at = at.Add(10 * time.Second)
			o := tr.Observe(CheckResult{Kind: KindRoutine, Start: at, OK: true, Cause: diagnose.OK})
			if len(o.Events) > 0 && o.Events[0].Kind == EventIncidentClosed {
				got = i
				if n := len(o.Events[0].Incident.Timeline); n < 3 {
					t.Errorf("closed incident's timeline: got %d entries, want opened, recovering, closed", n)
				}
			}
		}
		if got != tt.wantClose {
			t.Errorf("CloseAfter %d, FlapWindow %v: closed on success %d, want %d", tt.closeAfter, tt.flap, got, tt.wantClose)
		}
	}
}

// TestTrackerOnset checks the first steps: a failure asks for a
// confirmation and a diagnosis; the incident carries the diagnosis
// whether it comes before or after the confirmation.
func TestTrackerOnset(t *testing.T) {
	diag := Diagnosis{Cause: diagnose.UpstreamRefused, Steps: []string{"start php-fpm"}}
	tests := []struct {
		name       string
		diagFirst  bool
		diagErr    error
		openAfter  int
		wantEvents []EventKind // after the confirmation(s) and the diagnosis
		wantDiag   bool
	}{
		{"diagnosis before confirmation", true, nil, 0, []EventKind{EventIncidentOpened}, true},
		{"diagnosis after confirmation", false, nil, 0, []EventKind{EventIncidentOpened, EventIncidentUpdated}, true},
		{"diagnosis failed", false, errors.New("timed out"), 0, []EventKind{EventIncidentOpened, EventIncidentUpdated}, false},
		{"three failures to open", true, nil, 3, []EventKind{EventIncidentOpened}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTracker(Target{ID: "shop"}, Policy{OpenAfter: tt.openAfter})
			fail := CheckResult{Kind: KindRoutine, Start: t0, Cause: diagnose.Upstream}
			o := tr.Observe(fail)
			if !o.Confirm || !o.Diagnose || len(o.Events) != 0 {
				t.Fatalf("first failure: got %+v, want a confirmation and a diagnosis, no event", o)
			}
			var kinds []EventKind
			var last *Incident
			collect := func(o Outcome) {
				for _, ev := range o.Events {
					kinds = append(kinds, ev.Kind)
					last = ev.Incident
				}
			}
			if tt.diagFirst {
				collect(tr.Diagnosed(t0.Add(time.Second), diag, tt.diagErr))
			}
			for fail.Kind = KindConfirm; tr.Incident() == nil; {
				fail.Start = fail.Start.Add(100 * time.Millisecond)
				collect(tr.Observe(fail))
			}
			if !tt.diagFirst {
				collect(tr.Diagnosed(t0.Add(2*time.Second), diag, tt.diagErr))
			}
			if !slices.Equal(kinds, tt.wantEvents) {
				t.Errorf("events: got %v, want %v", kinds, tt.wantEvents)
			}
			if got := last.Diagnosis != nil; got != tt.wantDiag {
				t.Fatalf("incident has a diagnosis: got %v, want %v", got, tt.wantDiag)
			}
			if tt.wantDiag && last.Cause != diagnose.UpstreamRefused {
				t.Errorf("cause: got %q, want the diagnosis's %q", last.Cause, diagnose.UpstreamRefused)
			}
			if !last.Start.Equal(t0) {
				t.Errorf("start: got %v, want the first failure %v", last.Start, t0)
			}
		})
	}
}

func TestIncidentID(t *testing.T) {
	a := IncidentID("https://shop.example/", t0)
	b := IncidentID("https://shop.example/", t0.Add(time.Millisecond))
	c := IncidentID("https://api.example/", t0)
	if a == b || a == c {
		t.Errorf("IDs not unique: %q %q %q", a, b, c)
	}
	if a != IncidentID("https://shop.example/", t0) {
		t.Errorf("ID not stable")
	}
}

// TestTrackerFreshOnset checks that an outage is diagnosed afresh: the
// diagnosis of a failure sampled minutes before is not its onset.
func TestTrackerFreshOnset(t *testing.T) {
	tr := NewTracker(Target{ID: "shop"}, Policy{})
	at := t0
	obs := func(kind CheckKind, ok bool, cause catalog.Cause) Outcome {
		at = at.Add(time.Second)
		return tr.Observe(CheckResult{Kind: kind, Start: at, OK: ok, Cause: cause})
	}
	obs(KindRoutine, false, diagnose.UpstreamClosed)
	tr.Diagnosed(at, Diagnosis{Cause: diagnose.UpstreamClosed}, nil)
	if o := obs(KindConfirm, true, diagnose.OK); o.Burst == 0 {
		t.Fatalf("a confirmed success after a failure asked for no burst")
	}
	at = at.Add(3 * time.Minute)
	if o := obs(KindRoutine, false, diagnose.UpstreamRefused); !o.Diagnose {
		t.Fatalf("a new failure asked for no diagnosis")
	}
	obs(KindConfirm, false, diagnose.UpstreamRefused)
	o := tr.Diagnosed(at, Diagnosis{Cause: diagnose.UpstreamRefused}, nil)
	if inc := o.Events[0].Incident; inc.Diagnosis.Cause != diagnose.UpstreamRefused || inc.OpenedBy != OpenedConfirmed {
		t.Errorf("onset diagnosis %q, opened by %s; want %q, confirmed", inc.Diagnosis.Cause, inc.OpenedBy, diagnose.UpstreamRefused)
	}
}

// TestTrackerInvariants drives trackers with random failures and checks
// what must always hold: incidents open and close in turn, one at a time,
// each with its own ID, its end after its start and a count that adds up.
func TestTrackerInvariants(t *testing.T) {
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 7))
		rate := r.Float64() * 0.3
		causes := []catalog.Cause{diagnose.UpstreamRefused, diagnose.UpstreamTimeout, diagnose.Upstream, diagnose.Unknown}
		events := simulate(Policy{}, time.Duration(5+r.IntN(55))*time.Second, 3*time.Hour,
			func(int, time.Time) (bool, catalog.Cause) { return r.Float64() >= rate, causes[r.IntN(len(causes))] })
		open := ""
		seen := map[string]bool{}
		for _, ev := range events {
			inc := ev.Incident
			switch ev.Kind {
			case EventIncidentOpened:
				if open != "" || seen[inc.ID] {
					t.Fatalf("seed %d: %s opened while %q open, or twice", seed, inc.ID, open)
				}
				open, seen[inc.ID] = inc.ID, true
			case EventIncidentClosed:
				if open != inc.ID || inc.End.Before(inc.Start) || inc.Failures > inc.Checks {
					t.Fatalf("seed %d: closed %+v while %q open", seed, inc, open)
				}
				open = ""
			case EventIncidentUpdated:
				if open != inc.ID {
					t.Fatalf("seed %d: update of %s while %q open", seed, inc.ID, open)
				}
			}
		}
	}
}
