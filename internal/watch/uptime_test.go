package watch

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/store"
	"github.com/gwdoctor/gwdoctor/internal/web"
)

// TestUptimeBook: the days are read from the store once, today's count
// grows with each check observed, and a new day reads them again.
func TestUptimeBook(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "gwdoctor.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tg, err := st.AddTarget(ctx, store.Target{Name: "shop", URL: "http://shop.example/"})
	if err != nil {
		t.Fatal(err)
	}
	today := t0.Truncate(24 * time.Hour)
	yesterday := today.Add(-24 * time.Hour)
	var checks []store.Check
	for i := range 10 {
		checks = append(checks, store.Check{TargetID: tg.ID, Time: yesterday.Add(time.Duration(i) * time.Hour), OK: i != 3})
	}
	for i := range 5 {
		checks = append(checks, store.Check{TargetID: tg.ID, Time: today.Add(time.Duration(i) * time.Minute), OK: true})
	}
	if err := st.RecordChecks(ctx, checks); err != nil {
		t.Fatal(err)
	}
	var u uptimeBook
	u.observe(tg.ID, t0, false) // before the first read: the read counts what the store has
	got, err := u.days(ctx, st, 3, t0)
	want := []web.Day{{Day: yesterday, Checks: 10, Failures: 1}, {Day: today, Checks: 5}}
	if err != nil || !reflect.DeepEqual(got[tg.ID], want) {
		t.Fatalf("days = %+v, %v; want %+v", got[tg.ID], err, want)
	}
	u.observe(tg.ID, t0.Add(time.Minute), false)
	u.observe(tg.ID, t0.Add(2*time.Minute), true)
	u.observe(tg.ID, today.Add(25*time.Hour), false) // tomorrow's: read with tomorrow
	if err := st.RecordChecks(ctx, []store.Check{{TargetID: tg.ID, Time: t0.Add(3 * time.Minute), OK: true}}); err != nil {
		t.Fatal(err)
	}
	got, _ = u.days(ctx, st, 3, t0.Add(3*time.Minute))
	want = []web.Day{{Day: yesterday, Checks: 10, Failures: 1}, {Day: today, Checks: 7, Failures: 1}}
	if !reflect.DeepEqual(got[tg.ID], want) {
		t.Errorf("days after two checks = %+v; want %+v (the store not read again)", got[tg.ID], want)
	}
	got, _ = u.days(ctx, st, 3, today.Add(24*time.Hour+time.Minute))
	want = []web.Day{{Day: yesterday, Checks: 10, Failures: 1}, {Day: today, Checks: 6}}
	if !reflect.DeepEqual(got[tg.ID], want) {
		t.Errorf("days of the next day = %+v; want %+v (read again)", got[tg.ID], want)
	}
}
