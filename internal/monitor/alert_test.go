package monitor

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// step is one event, or a tick (kind ""), at t0+at.
type step struct {
	at     time.Duration
	kind   EventKind
	change Change
	cause  catalog.Cause // the incident's cause after the event
	diag   bool          // the event brings a diagnosis
	err    error
}

// runAlerter feeds the steps to an Alerter and describes each alert as
// kind@offset, with "+steps" when it quotes steps.
func runAlerter(p AlertPolicy, steps []step) ([]string, []Alert) {
	a := NewAlerter(p)
	inc := &Incident{ID: "1772366400000-abcd", Target: "shop", Group: "web", Start: t0,
		Cause: diagnose.UpstreamRefused, Persistence: diagnose.Persistent,
		GeneratedBy: diagnose.GeneratedBy{Role: "reverse_proxy", Product: "nginx"}}
	var got []string
	var all []Alert
	for _, s := range steps {
		at := t0.Add(s.at)
		var out []Alert
		if s.kind == "" {
			out = a.Due(at)
		} else {
			if s.cause != "" {
				inc.Cause = s.cause
			}
			if s.diag {
				inc.Latest = &Diagnosis{Cause: inc.Cause, Steps: []string{"first " + string(inc.Cause), "second", "third"}}
			}
			if s.kind == EventIncidentClosed {
				inc.End = at
			}
			var from catalog.Cause
			if s.change == ChangeCause {
				from = diagnose.UpstreamRefused
			}
			out = a.Handle(Event{Kind: s.kind, Time: at, Target: "shop", Group: "web", IncidentID: inc.ID,
				Incident: inc.clone(), Change: s.change, From: string(from), To: string(inc.Cause), Err: s.err})
		}
		for _, al := range out {
			d := fmt.Sprintf("%s@%v", al.Kind, al.Time.Sub(t0))
			if len(al.Steps) > 0 {
				d += "+steps"
			}
			got = append(got, d)
		}
		all = append(all, out...)
	}
	return got, all
}

func TestAlerterDecisions(t *testing.T) {
	const none = diagnose.UpstreamNoneHealthy
	h := time.Hour
	window := func(from, to time.Duration, groups ...string) []Window {
		return []Window{{Start: t0.Add(from), End: t0.Add(to), Groups: groups}}
	}
	tests := []struct {
		name  string
		maint []Window
		steps []step
		want  []string
	}{
		{"opened with its diagnosis", nil,
			[]step{{at: 0, kind: EventIncidentOpened, diag: true}},
			[]string{"opened@0s+steps"}},
		{"the opening waits for the diagnosis", nil,
			[]step{{at: 0, kind: EventIncidentOpened}, {at: time.Second}, {at: 2 * time.Second, kind: EventIncidentUpdated, change: ChangeDiagnosis, diag: true}},
			[]string{"opened@2s+steps"}},
		{"the opening waits no longer than DiagnosisWait", nil,
			[]step{{at: 0, kind: EventIncidentOpened}, {at: 2 * time.Second}, {at: 3 * time.Second}, {at: 4 * time.Second}},
			[]string{"opened@3s"}},
		{"a failed diagnosis sends the opening", nil,
			[]step{{at: 0, kind: EventIncidentOpened}, {at: time.Second, kind: EventIncidentUpdated, change: ChangeDiagnosis, err: errors.New("timeout")}},
			[]string{"opened@1s"}},
		{"a cause change, with its own diagnosis", nil,
			[]step{{at: 0, kind: EventIncidentOpened, diag: true},
				{at: time.Minute, kind: EventIncidentUpdated, change: ChangeCause, cause: none},
				{at: time.Minute + time.Second, kind: EventIncidentUpdated, change: ChangeDiagnosis, diag: true}},
			[]string{"opened@0s+steps", "cause_changed@1m1s+steps"}},
		{"a cause change before the opening is sent is in the opening", nil,
			[]step{{at: 0, kind: EventIncidentOpened},
				{at: time.Second, kind: EventIncidentUpdated, change: ChangeCause, cause: none},
				{at: 2 * time.Second, kind: EventIncidentUpdated, change: ChangeDiagnosis, diag: true}},
			[]string{"opened@2s+steps"}},
		{"reminders every 4 hours, then the resolve", nil,
			[]step{{at: 0, kind: EventIncidentOpened, diag: true}, {at: h}, {at: 4 * h}, {at: 5 * h}, {at: 8 * h}, {at: 9 * h, kind: EventIncidentClosed}, {at: 12 * h}},
			[]string{"opened@0s+steps", "reminder@4h0m0s+steps", "reminder@8h0m0s+steps", "resolved@9h0m0s"}},
		{"an incident within a window sends nothing", window(-h, h),
			[]step{{at: 0, kind: EventIncidentOpened, diag: true}, {at: 10 * time.Minute}, {at: 20 * time.Minute, kind: EventIncidentClosed}, {at: 2 * h}},
			nil},
		{"an incident that outlasts its window is sent when the window ends", window(-h, h),
			[]step{{at: 0, kind: EventIncidentOpened, diag: true}, {at: 30 * time.Minute}, {at: h}, {at: 2 * h, kind: EventIncidentClosed}},
			[]string{"opened@1h0m0s+steps", "resolved@2h0m0s"}},
		{"a window of another group mutes nothing", window(-h, h, "api"),
			[]step{{at: 0, kind: EventIncidentOpened, diag: true}},
			[]string{"opened@0s+steps"}},
		{"a window of the target's group mutes", window(-h, h, "web"),
			[]step{{at: 0, kind: EventIncidentOpened, diag: true}},
			nil},
		{"a window mutes a reminder and a cause change, not the resolve", window(3*h, 6*h),
			[]step{{at: 0, kind: EventIncidentOpened, diag: true}, {at: 4 * h},
				{at: 5 * h, kind: EventIncidentUpdated, change: ChangeCause, cause: none},
				{at: 5*h + time.Second, kind: EventIncidentUpdated, change: ChangeDiagnosis, diag: true},
				{at: 5*h + time.Minute, kind: EventIncidentClosed}},
			[]string{"opened@0s+steps", "resolved@5h1m0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := runAlerter(AlertPolicy{Maintenance: tt.maint}, tt.steps)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestAlertContent checks what an alert says: the cause ID and title, who
// produced the error, two steps, the link, and the downtime on resolve.
func TestAlertContent(t *testing.T) {
	_, al := runAlerter(AlertPolicy{BaseURL: "http://127.0.0.1:8502/incidents/"}, []step{
		{at: 0, kind: EventIncidentOpened, diag: true},
		{at: time.Minute, kind: EventIncidentUpdated, change: ChangeCause, cause: diagnose.UpstreamNoneHealthy},
		{at: time.Minute + 4*time.Second},
		{at: 12*time.Minute + 30*time.Second, kind: EventIncidentClosed},
	})
	if len(al) != 3 {
		t.Fatalf("got %d alerts, want 3", len(al))
	}
	open := al[0].Text()
	for _, want := range []string{"upstream.refused", "The upstream refused the connection", "nginx (reverse_proxy)",
		"1. first upstream.refused", "2. second", "http://127.0.0.1:8502/incidents/1772366400000-abcd"} {
		if !strings.Contains(open, want) {
			t.Errorf("opening lacks %q:\n%s", want, open)
		}
	}
	if strings.Contains(open, "third") {
		t.Errorf("opening quotes more than two steps:\n%s", open)
	}
	change := al[1]
	if change.PreviousCause != diagnose.UpstreamRefused || change.Cause != diagnose.UpstreamNoneHealthy || len(change.Steps) != 0 {
		t.Errorf("cause change without its diagnosis: got %+v", change)
	}
	if want := "CHANGED shop: The gateway has no healthy upstream (upstream.none_healthy), was upstream.refused"; change.Subject() != want {
		t.Errorf("subject: got %q, want %q", change.Subject(), want)
	}
	if want := "RESOLVED shop after 12m30s: The gateway has no healthy upstream (upstream.none_healthy)"; al[2].Subject() != want {
		t.Errorf("subject: got %q, want %q", al[2].Subject(), want)
	}
}

func TestAlerterTitleLookup(t *testing.T) {
	_, al := runAlerter(AlertPolicy{Title: func(id catalog.Cause) string { return "T:" + string(id) }},
		[]step{{at: 0, kind: EventIncidentOpened, diag: true}})
	if len(al) != 1 || al[0].Title != "T:upstream.refused" {
		t.Errorf("got %+v, want the injected title", al)
	}
}

// TestAlerterEpisode checks that a log episode is alerted as an incident
// of the log, at once on open and on close.
func TestAlerterEpisode(t *testing.T) {
	a := NewAlerter(AlertPolicy{})
	tr := NewEpisodeTracker("/var/log/nginx/error.log", EpisodeOptions{})
	var got []string
	for _, f := range every(time.Hour, time.Hour+time.Minute, time.Second, diagnose.UpstreamRefused) {
		for _, ev := range tr.Add(f) {
			for _, al := range a.Handle(ev) {
				got = append(got, fmt.Sprintf("%s %s %s", al.Kind, al.Target, al.Cause))
			}
		}
	}
	for _, ev := range tr.Tick(t0.Add(2 * time.Hour)) {
		for _, al := range a.Handle(ev) {
			got = append(got, fmt.Sprintf("%s %s %s %v", al.Kind, al.Target, al.Cause, al.Downtime))
		}
	}
	want := []string{"opened /var/log/nginx/error.log upstream.refused",
		"resolved /var/log/nginx/error.log upstream.refused 59s"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
