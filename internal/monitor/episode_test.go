package monitor

import (
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// every returns a failure of cause every step from t0+from until t0+to.
func every(from, to, step time.Duration, cause catalog.Cause) []LogFailure {
	var out []LogFailure
	for d := from; d < to; d += step {
		out = append(out, LogFailure{Time: t0.Add(d), Cause: cause})
	}
	return out
}

// merged joins runs of failures in time order.
func merged(runs ...[]LogFailure) []LogFailure {
	out := slices.Concat(runs...)
	slices.SortStableFunc(out, func(a, b LogFailure) int { return a.Time.Compare(b.Time) })
	return out
}

func TestEpisodes(t *testing.T) {
	const refused, none = diagnose.UpstreamRefused, diagnose.UpstreamNoneHealthy
	type want struct {
		dominant catalog.Cause
		changes  []string
		open     bool
	}
	tests := []struct {
		name     string
		failures []LogFailure
		want     []want
	}{
		{"a steady trickle of one failure a minute", every(0, 5*time.Hour, time.Minute, refused), nil},
		{"four failures in a minute are not enough", every(time.Hour, time.Hour+40*time.Second, 10*time.Second, refused), nil},
		{"a burst after an hour of trickle",
			merged(every(0, 3*time.Hour, time.Minute, refused), every(time.Hour+10*time.Second, time.Hour+40*time.Second, time.Second, refused)),
			[]want{{dominant: refused}}},
		{"a rise to less than three times the hour's rate",
			merged(every(0, 2*time.Hour, 20*time.Second, refused), every(time.Hour, 2*time.Hour, 12*time.Second, refused)),
			nil},
		{"a rise to three times the hour's rate",
			merged(every(0, 2*time.Hour, 20*time.Second, refused), every(time.Hour, time.Hour+2*time.Minute, 10*time.Second, refused)),
			[]want{{dominant: refused}}},
		{"a second cause appears",
			merged(every(time.Hour, time.Hour+5*time.Minute, time.Second, refused), every(time.Hour+2*time.Minute, time.Hour+5*time.Minute, 3*time.Second, none)),
			[]want{{dominant: refused, changes: []string{"upstream.none_healthy appears beside upstream.refused"}, open: true}}},
		{"one stray failure of another cause is no change",
			merged(every(time.Hour, time.Hour+5*time.Minute, time.Second, refused), []LogFailure{{t0.Add(time.Hour + 2*time.Minute), diagnose.Unknown}}),
			[]want{{dominant: refused, open: true}}},
		{"two bursts four minutes apart are one episode",
			merged(every(time.Hour, time.Hour+time.Minute, time.Second, refused), every(time.Hour+5*time.Minute, time.Hour+6*time.Minute, time.Second, refused)),
			[]want{{dominant: refused, open: true}}},
		{"two bursts ten minutes apart are two episodes",
			merged(every(time.Hour, time.Hour+time.Minute, time.Second, refused), every(time.Hour+11*time.Minute, time.Hour+12*time.Minute, time.Second, none)),
			[]want{{dominant: refused}, {dominant: none, open: true}}},
		{"a log that ends during a burst", every(time.Hour, time.Hour+time.Minute, time.Second, refused),
			[]want{{dominant: refused, open: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eps := Episodes(tt.failures, EpisodeOptions{})
			var got []want
			for _, e := range eps {
				w := want{dominant: e.Dominant, open: e.Open}
				for _, c := range e.Changes {
					w.changes = append(w.changes, c.String())
				}
				got = append(got, w)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d episodes %+v, want %d %+v", len(got), eps, len(tt.want), tt.want)
			}
			for i := range got {
				if got[i].dominant != tt.want[i].dominant || !slices.Equal(got[i].changes, tt.want[i].changes) ||
					got[i].open != tt.want[i].open {
					t.Errorf("episode %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestEpisodeBounds checks an episode's start, end and count on a burst
// of exactly known failures.
func TestEpisodeBounds(t *testing.T) {
	burst := every(time.Hour, time.Hour+30*time.Second, time.Second, diagnose.UpstreamTimeout)
	eps := Episodes(burst, EpisodeOptions{})
	if len(eps) != 1 {
		t.Fatalf("got %d episodes, want 1", len(eps))
	}
	e := eps[0]
	if !e.Start.Equal(burst[0].Time) || !e.End.Equal(burst[len(burst)-1].Time) || e.Failures != len(burst) {
		t.Errorf("got %v–%v with %d failures, want %v–%v with %d",
			e.Start, e.End, e.Failures, burst[0].Time, burst[len(burst)-1].Time, len(burst))
	}
	if want := "13:00–13:00 30 failures, mostly upstream.timeout (still going on)"; e.String() != want {
		t.Errorf("String: got %q, want %q", e.String(), want)
	}
}

// TestEpisodeTrackerStream checks the events of the streaming form: an
// opening, a new cause, and a close by Tick after the quiet.
func TestEpisodeTrackerStream(t *testing.T) {
	tr := NewEpisodeTracker("/var/log/nginx/error.log", EpisodeOptions{})
	fs := merged(every(0, 2*time.Minute, time.Second, diagnose.UpstreamRefused),
		every(time.Minute, 2*time.Minute, 2*time.Second, diagnose.UpstreamNoneHealthy))
	var kinds []EventKind
	for _, f := range fs {
		for _, ev := range tr.Add(f) {
			kinds = append(kinds, ev.Kind)
			if ev.Source != "/var/log/nginx/error.log" || ev.Episode == nil {
				t.Errorf("event %v: source %q, episode %v", ev.Kind, ev.Source, ev.Episode)
			}
		}
	}
	last := fs[len(fs)-1].Time
	if evs := tr.Tick(last.Add(4 * time.Minute)); len(evs) != 0 {
		t.Errorf("closed after 4 quiet minutes: %+v", evs)
	}
	evs := tr.Tick(last.Add(5 * time.Minute))
	for _, ev := range evs {
		kinds = append(kinds, ev.Kind)
	}
	want := []EventKind{EventEpisodeOpened, EventEpisodeUpdated, EventEpisodeClosed}
	if !slices.Equal(kinds, want) {
		t.Fatalf("events: got %v, want %v", kinds, want)
	}
	closed := evs[0].Episode
	if closed.Open || !closed.End.Equal(last) || !strings.Contains(closed.String(), "none_healthy appears beside") {
		t.Errorf("closed episode: %+v", closed)
	}
	if tr.Current() != nil {
		t.Errorf("an episode is still open after the close")
	}
}

// TestEpisodesUnsorted checks that the order of the input does not matter.
func TestEpisodesUnsorted(t *testing.T) {
	fs := every(time.Hour, time.Hour+time.Minute, time.Second, diagnose.UpstreamRefused)
	rev := slices.Clone(fs)
	slices.Reverse(rev)
	a, b := Episodes(fs, EpisodeOptions{}), Episodes(rev, EpisodeOptions{})
	if len(a) != 1 || len(b) != 1 || a[0].String() != b[0].String() {
		t.Errorf("sorted %v, reversed %v", a, b)
	}
}

// TestRatesGap checks the counters across a gap longer than the ring.
func TestRatesGap(t *testing.T) {
	r := newRates(60, 3600)
	for i := range 10 {
		r.add(t0.Add(time.Duration(i) * time.Second))
	}
	if r.win != 10 || r.base != 0 {
		t.Fatalf("window %d baseline %d, want 10 and 0", r.win, r.base)
	}
	r.add(t0.Add(2 * time.Minute))
	if r.win != 1 || r.base != 10 {
		t.Errorf("a minute later: window %d baseline %d, want 1 and 10", r.win, r.base)
	}
	r.add(t0.Add(3 * time.Hour))
	if r.win != 1 || r.base != 0 {
		t.Errorf("hours later: window %d baseline %d, want 1 and 0", r.win, r.base)
	}
}

// TestLogWatch follows a log that bursts and goes quiet.
func TestLogWatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		in := make(chan LogFailure)
		done := make(chan error)
		go func() {
			done <- LogWatch{Source: "error.log", Sink: rec}.Run(t.Context(), in)
		}()
		for range 30 {
			in <- LogFailure{Time: time.Now(), Cause: diagnose.UpstreamRefused}
			time.Sleep(time.Second)
		}
		time.Sleep(4 * time.Minute)
		if got := rec.count(EventEpisodeClosed); got != 0 {
			t.Errorf("closed after 4 quiet minutes")
		}
		time.Sleep(2 * time.Minute)
		close(in)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if o, c := rec.count(EventEpisodeOpened), rec.count(EventEpisodeClosed); o != 1 || c != 1 {
			t.Errorf("got %d opened, %d closed; want 1 and 1", o, c)
		}
	})
}
