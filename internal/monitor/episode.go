package monitor

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// EpisodeOptions holds the rules of log episodes. A zero field takes its default.
type EpisodeOptions struct {
	// MinFailures is how many failures within Window open an episode (default 5).
	MinFailures int
	// Window is the time those failures fall within (default 60 s).
	Window time.Duration
	// Ratio is how many times the rate of the Baseline before the window
	// the window's rate must reach (default 3).
	Ratio float64
	// Baseline is the time before the window whose rate is the norm
	// (default 1 h); before a log has shown that much, the rest counts as quiet.
	Baseline time.Duration
	// Quiet is how long without a rise closes an episode (default 5 min).
	Quiet time.Duration
	// MinCauseFailures is how many failures a cause needs within an episode
	// to count as appearing in it (default 2).
	MinCauseFailures int
}

func (o EpisodeOptions) withDefaults() EpisodeOptions {
	setInt(&o.MinFailures, 5)
	setDur(&o.Window, time.Minute)
	if o.Ratio <= 0 {
		o.Ratio = 3
	}
	setDur(&o.Baseline, time.Hour)
	setDur(&o.Quiet, 5*time.Minute)
	setInt(&o.MinCauseFailures, 2)
	o.Window = max(o.Window.Truncate(time.Second), time.Second)
	o.Baseline = max(o.Baseline.Truncate(time.Second), time.Second)
	return o
}

// LogFailure is one upstream failure a log shows.
type LogFailure struct {
	Time  time.Time
	Cause catalog.Cause
}

// CauseCount is how many failures of an episode had one cause.
type CauseCount struct {
	Cause catalog.Cause
	Count int
}

// CauseChange is a cause that appeared in an episode beside another.
type CauseChange struct {
	// Time is the new cause's first failure in the episode.
	Time   time.Time
	Cause  catalog.Cause
	Beside catalog.Cause
}

// String says what changed: "upstream.none_healthy appears beside upstream.refused".
func (c CauseChange) String() string {
	return string(c.Cause) + " appears beside " + string(c.Beside)
}

// Episode is a rise of failures in a log, as an incident would be opened.
type Episode struct {
	Source string
	// Start is the first failure of the rise, End the last failure of it.
	Start, End time.Time
	Failures   int
	// Dominant is the cause of most failures.
	Dominant catalog.Cause
	// Causes counts the failures by cause, most first.
	Causes  []CauseCount
	Changes []CauseChange
	// Open is true while the episode goes on; from Episodes, when the log
	// ended before it was quiet.
	Open bool
}

// String is one line: "01:14–01:31 57 failures, mostly upstream.refused;
// upstream.none_healthy appears beside upstream.refused".
func (e Episode) String() string {
	layout := "15:04"
	if e.Start.YearDay() != e.End.YearDay() || e.Start.Year() != e.End.Year() {
		layout = "2006-01-02 15:04"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s–%s %d failures, mostly %s", e.Start.Format(layout), e.End.Format(layout), e.Failures, e.Dominant)
	for _, c := range e.Changes {
		b.WriteString("; " + c.String())
	}
	if e.Open {
		b.WriteString(" (still going on)")
	}
	return b.String()
}

// causeAgg is what an episode knows of one cause.
type causeAgg struct {
	count   int
	first   time.Time
	present bool // reached MinCauseFailures
}

// causeTally counts failures by cause, in the order causes first came.
type causeTally struct {
	by    map[catalog.Cause]*causeAgg
	order []catalog.Cause
	n     int
}

func (t *causeTally) add(cause catalog.Cause, at time.Time, n int) {
	if t.by == nil {
		t.by = map[catalog.Cause]*causeAgg{}
	}
	a := t.by[cause]
	if a == nil {
		a = &causeAgg{first: at}
		t.by[cause] = a
		t.order = append(t.order, cause)
	}
	a.count += n
	t.n += n
}

// dominant is the present cause with most failures, the first one on a tie.
func (t *causeTally) dominant(presentOnly bool) catalog.Cause {
	var best catalog.Cause
	n := 0
	for _, c := range t.order {
		if a := t.by[c]; a.count > n && (a.present || !presentOnly) {
			best, n = c, a.count
		}
	}
	return best
}

// secBucket holds the failures of one second of the window, by cause.
type secBucket struct {
	sec    int64
	first  time.Time
	causes []CauseCount
}

// EpisodeTracker finds the episodes of one log as its failures come, in
// time order (a failure earlier than the last one counts as at the last
// one's second). It is not safe for concurrent use.
type EpisodeTracker struct {
	source string
	o      EpisodeOptions
	rates  rates
	window []secBucket

	ep        *Episode // the open episode, or nil
	need      float64  // the window count the Ratio asks for, frozen at the opening
	lastLoud  time.Time
	committed causeTally
	tail      causeTally // failures since the last loud one, not yet part of the episode
}

// NewEpisodeTracker returns an EpisodeTracker for the log named source.
func NewEpisodeTracker(source string, o EpisodeOptions) *EpisodeTracker {
	o = o.withDefaults()
	w := int64(o.Window / time.Second)
	return &EpisodeTracker{source: source, o: o,
		rates: newRates(w, int64(o.Baseline/time.Second)), window: make([]secBucket, w)}
}

// Add takes one failure and returns the episode events it caused: an
// episode closed by the quiet before it, opened, or with a new cause.
func (t *EpisodeTracker) Add(f LogFailure) []Event {
	evs := t.Tick(f.Time)
	sec := t.rates.add(f.Time)
	t.addWindow(sec, f)
	if t.ep == nil {
		need := t.o.Ratio * float64(t.rates.base) * float64(t.o.Window) / float64(t.o.Baseline)
		if t.loud(need) {
			t.open(f.Time, need)
			evs = append(evs, t.event(EventEpisodeOpened, f.Time, nil))
		}
		return evs
	}
	t.tail.add(f.Cause, f.Time, 1)
	if t.loud(t.need) {
		for _, c := range t.commit(f.Time) {
			ev := t.event(EventEpisodeUpdated, c.Time, &c)
			evs = append(evs, ev)
		}
	}
	return evs
}

// Tick closes the open episode when it has been quiet until now.
func (t *EpisodeTracker) Tick(now time.Time) []Event {
	if t.ep == nil || now.Sub(t.lastLoud) < t.o.Quiet {
		return nil
	}
	ev := t.event(EventEpisodeClosed, now, nil)
	ev.Episode.Open = false
	t.ep, t.committed, t.tail = nil, causeTally{}, causeTally{}
	return []Event{ev}
}

// Current returns a copy of the open episode, or nil.
func (t *EpisodeTracker) Current() *Episode {
	if t.ep == nil {
		return nil
	}
	return t.snapshot()
}

// loud reports whether the window holds a rise.
func (t *EpisodeTracker) loud(need float64) bool {
	n := t.rates.win
	return n >= int64(t.o.MinFailures) && float64(n) >= need
}

func (t *EpisodeTracker) addWindow(sec int64, f LogFailure) {
	b := &t.window[mod(sec, int64(len(t.window)))]
	if b.sec != sec || b.first.IsZero() {
		*b = secBucket{sec: sec, first: f.Time, causes: b.causes[:0]}
	}
	for i := range b.causes {
		if b.causes[i].Cause == f.Cause {
			b.causes[i].Count++
			return
		}
	}
	b.causes = append(b.causes, CauseCount{f.Cause, 1})
}

// open starts an episode with the failures of the window.
func (t *EpisodeTracker) open(at time.Time, need float64) {
	t.ep = &Episode{Source: t.source, Start: at, Open: true}
	t.need = need
	w := int64(len(t.window))
	buckets := make([]secBucket, 0, w)
	for _, b := range t.window {
		if !b.first.IsZero() && b.sec > t.rates.cur-w && b.sec <= t.rates.cur {
			buckets = append(buckets, b)
		}
	}
	slices.SortFunc(buckets, func(a, b secBucket) int { return a.first.Compare(b.first) })
	for _, b := range buckets {
		if b.first.Before(t.ep.Start) {
			t.ep.Start = b.first
		}
		for _, c := range b.causes {
			t.tail.add(c.Cause, b.first, c.Count)
		}
	}
	t.commit(at)
	t.ep.Changes = nil // the causes of the opening are where it starts from
}

// commit makes the tail part of the episode, and returns the causes that
// appeared with it.
func (t *EpisodeTracker) commit(at time.Time) []CauseChange {
	var changes []CauseChange
	for _, c := range t.tail.order {
		ta := t.tail.by[c]
		t.committed.add(c, ta.first, ta.count)
		a := t.committed.by[c]
		if a.present || a.count < t.o.MinCauseFailures {
			continue
		}
		beside := t.committed.dominant(true)
		a.present = true
		if beside != "" {
			ch := CauseChange{Time: a.first, Cause: c, Beside: beside}
			t.ep.Changes = append(t.ep.Changes, ch)
			changes = append(changes, ch)
		}
	}
	t.tail = causeTally{}
	t.lastLoud, t.ep.End = at, at
	return changes
}

// snapshot copies the open episode, with its counts.
func (t *EpisodeTracker) snapshot() *Episode {
	e := *t.ep
	e.Failures = t.committed.n
	e.Dominant = t.committed.dominant(false)
	e.Causes = make([]CauseCount, 0, len(t.committed.order))
	for _, c := range t.committed.order {
		e.Causes = append(e.Causes, CauseCount{c, t.committed.by[c].count})
	}
	slices.SortStableFunc(e.Causes, func(a, b CauseCount) int { return b.Count - a.Count })
	e.Changes = slices.Clone(t.ep.Changes)
	return &e
}

func (t *EpisodeTracker) event(kind EventKind, at time.Time, c *CauseChange) Event {
	ev := Event{Kind: kind, Time: at, Source: t.source, Episode: t.snapshot()}
	if c != nil {
		ev.Change, ev.From, ev.To = ChangeCause, string(c.Beside), string(c.Cause)
	}
	return ev
}

// Episodes finds the episodes of a whole log read after the fact, in the
// order they started; the failures are sorted by time first if they are not.
func Episodes(failures []LogFailure, o EpisodeOptions) []Episode {
	if !slices.IsSortedFunc(failures, func(a, b LogFailure) int { return a.Time.Compare(b.Time) }) {
		failures = slices.Clone(failures)
		slices.SortStableFunc(failures, func(a, b LogFailure) int { return a.Time.Compare(b.Time) })
	}
	t := NewEpisodeTracker("", o)
	var out []Episode
	for _, f := range failures {
		for _, ev := range t.Add(f) {
			if ev.Kind == EventEpisodeClosed {
				out = append(out, *ev.Episode)
			}
		}
	}
	if e := t.Current(); e != nil {
		out = append(out, *e)
	}
	return out
}
