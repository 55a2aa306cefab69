package store

import (
	"reflect"
	"testing"
	"time"
)

// rollupData is one target's known checks around base (12:30 UTC):
//   - 10:00–10:59: 21 checks. 20 got an answer after i ms (i = 1..20) and
//     took 2i ms; of them i = 7 and 14 failed with upstream.timeout. The
//     21st got no answer (refused) and took 5 s.
//   - 11:00–11:59: 2 checks, both passed, TTFB 5 ms, 10 ms in all.
//   - 12:10: 1 check that passed: the current hour, not rolled up.
//   - the day before, 23:00: 1 failure without a cause.
func rollupData(target int64) []Check {
	ms := time.Millisecond
	ten := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	var cs []Check
	for i := 1; i <= 20; i++ {
		c := Check{TargetID: target, Time: ten.Add(time.Duration(i) * 2 * time.Minute),
			Duration: time.Duration(2*i) * ms, Phases: Phases{TTFB: time.Duration(i) * ms}, Status: 200, OK: true, Cause: "ok"}
		if i == 7 || i == 14 {
			c.Status, c.OK, c.Cause = 504, false, "upstream.timeout"
		}
		cs = append(cs, c)
	}
	cs = append(cs,
		Check{TargetID: target, Time: ten.Add(59 * time.Minute), Duration: 5 * time.Second, Cause: "edge.unreachable", ErrorClass: "refused"},
		Check{TargetID: target, Time: ten.Add(61 * time.Minute), Duration: 10 * ms, Phases: Phases{TTFB: 5 * ms}, OK: true},
		Check{TargetID: target, Time: ten.Add(62 * time.Minute), Duration: 10 * ms, Phases: Phases{TTFB: 5 * ms}, OK: true},
		Check{TargetID: target, Time: ten.Add(130 * time.Minute), Duration: 10 * ms, Phases: Phases{TTFB: 5 * ms}, OK: true},
		Check{TargetID: target, Time: ten.Add(-11 * time.Hour)},
	)
	return cs
}

func testRollup(t *testing.T, dsn string) {
	s := openStore(t, dsn, Options{})
	ctx := t.Context()
	tg := addTarget(t, s, "shop.example")
	if err := s.RecordChecks(ctx, rollupData(tg.ID)); err != nil {
		t.Fatal(err)
	}
	// Another target, with one check 10:05, that counts only for itself;
	// and one without checks, missing from UptimeByDayAll.
	other, idle := addTarget(t, s, "other.example"), addTarget(t, s, "idle.example")
	if err := s.RecordCheck(ctx, Check{TargetID: other.ID, Time: base.Add(-145 * time.Minute), OK: true}); err != nil {
		t.Fatal(err)
	}
	wantDays := []DayUptime{
		{Day: time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)},
		{Day: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC), Checks: 1, Failures: 1, Uptime: 0},
		{Day: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), Checks: 24, Failures: 3, Uptime: 21.0 / 24},
	}
	otherDays := []DayUptime{{Day: wantDays[0].Day}, {Day: wantDays[1].Day}, {Day: wantDays[2].Day, Checks: 1, Uptime: 1}}
	days := map[int64][]DayUptime{tg.ID: wantDays, other.ID: otherDays}
	// The days are the same from raw checks alone, and once rolled up.
	checkDays := func(when string) { checkUptime(t, s, days, idle.ID, when) }
	checkDays("before rollup")

	n, err := s.RollUp(ctx, base)
	if err != nil {
		t.Fatalf("RollUp: %v", err)
	}
	if n != 4 {
		t.Errorf("RollUp wrote %d rows, want 4 (3 hours of one target, 1 of another)", n)
	}
	if n, err := s.RollUp(ctx, base); err != nil || n != 0 {
		t.Errorf("RollUp again wrote %d rows (%v), want 0", n, err)
	}
	checkDays("after rollup")

	ms := time.Millisecond
	want := []Rollup{
		{TargetID: tg.ID, Hour: time.Date(2026, 3, 9, 23, 0, 0, 0, time.UTC), Checks: 1, Failures: 1,
			Causes: map[string]int{"unknown": 1}},
		{TargetID: tg.ID, Hour: time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC), Checks: 21, Failures: 3,
			Uptime: 18.0 / 21,
			// TTFB over the 20 answers: ranks 10 and 19 of 1..20 ms.
			TTFBP50: 10 * ms, TTFBP95: 19 * ms,
			// Durations 2, 4, ..., 40 ms and 5 s: ranks 11 and 20 of 21.
			TotalP50: 22 * ms, TotalP95: 40 * ms,
			Causes: map[string]int{"upstream.timeout": 2, "edge.unreachable": 1}},
		{TargetID: tg.ID, Hour: time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC), Checks: 2, Uptime: 1,
			TTFBP50: 5 * ms, TTFBP95: 5 * ms, TotalP50: 10 * ms, TotalP95: 10 * ms},
	}
	got, err := s.Rollups(ctx, tg.ID, base.Add(-48*time.Hour), base)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Rollups =\n%+v\nwant\n%+v", got, want)
	}
}

// checkUptime compares UptimeByDay of each target, and UptimeByDayAll,
// with want over the 3 days up to base; idle has no checks.
func checkUptime(t *testing.T, s *Store, want map[int64][]DayUptime, idle int64, when string) {
	t.Helper()
	ctx := t.Context()
	var days []DayUptime
	for id, w := range want {
		days = w
		got, err := s.UptimeByDay(ctx, id, 3, base)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("UptimeByDay of %d %s = %+v\nwant %+v", id, when, got, w)
		}
	}
	empty := []DayUptime{{Day: days[0].Day}, {Day: days[1].Day}, {Day: days[2].Day}}
	if got, err := s.UptimeByDay(ctx, idle, 3, base); err != nil || !reflect.DeepEqual(got, empty) {
		t.Errorf("UptimeByDay of a target without checks %s = %+v (%v), want %+v", when, got, err, empty)
	}
	all, err := s.UptimeByDayAll(ctx, 3, base)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(all, want) {
		t.Errorf("UptimeByDayAll %s = %+v\nwant %+v", when, all, want)
	}
}

func testPrune(t *testing.T, dsn string) {
	s := openStore(t, dsn, Options{})
	ctx := t.Context()
	tg := addTarget(t, s, "shop.example")
	day := 24 * time.Hour
	checks := []Check{
		{TargetID: tg.ID, Time: base.Add(-15 * day), OK: true},
		{TargetID: tg.ID, Time: base.Add(-13 * day), OK: true},
	}
	if err := s.RecordChecks(ctx, checks); err != nil {
		t.Fatal(err)
	}
	old := []Rollup{
		{TargetID: tg.ID, Hour: base.Add(-401 * day).Truncate(time.Hour), Checks: 1, Uptime: 1},
		{TargetID: tg.ID, Hour: base.Add(-399 * day).Truncate(time.Hour), Checks: 1, Uptime: 1},
	}
	if err := s.writeRollups(ctx, old); err != nil {
		t.Fatal(err)
	}
	got, err := s.Prune(ctx, base)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	// Both checks are rolled up first; the older one is then deleted.
	if want := (Pruned{RolledUp: 2, Checks: 1, Rollups: 1}); got != want {
		t.Errorf("Prune = %+v, want %+v", got, want)
	}
	left, err := s.RecentChecks(ctx, tg.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || !left[0].Time.Equal(checks[1].Time) {
		t.Errorf("checks left = %+v, want the one of 13 days ago", left)
	}
	rollups, err := s.Rollups(ctx, tg.ID, base.Add(-500*day), base)
	if err != nil {
		t.Fatal(err)
	}
	if len(rollups) != 3 {
		t.Errorf("rollups left = %d, want 3 (399, 15 and 13 days ago)", len(rollups))
	}
	if got, err := s.Prune(ctx, base); err != nil || got != (Pruned{}) {
		t.Errorf("Prune again = %+v (%v), want nothing done", got, err)
	}
}

func TestPercentile(t *testing.T) {
	seq := func(n int) []int64 {
		var out []int64
		for i := 1; i <= n; i++ {
			out = append(out, int64(i))
		}
		return out
	}
	tests := []struct {
		values []int64
		p      int
		want   int64
	}{
		{nil, 50, 0},
		{[]int64{7}, 50, 7},
		{[]int64{7}, 95, 7},
		{seq(4), 50, 2},
		{seq(20), 50, 10},
		{seq(20), 95, 19},
		{seq(21), 95, 20},
		{seq(100), 95, 95},
		{seq(100), 100, 100},
	}
	for _, tc := range tests {
		if got := percentile(tc.values, tc.p); got != tc.want {
			t.Errorf("percentile(%v, %d) = %d, want %d", tc.values, tc.p, got, tc.want)
		}
	}
}
