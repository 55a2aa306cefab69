package watch

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/store"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// TestRecorderHolds: checks the store refuses (a SQLite file locked by
// another connection) stay held, at most Buffer of them, the oldest
// dropped; once the lock goes they are written in one go, and the log
// says what was dropped.
func TestRecorderHolds(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "gwdoctor.db")
	st, err := store.Open(ctx, db, store.Options{BusyTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	target := watchconfig.Target{ID: "a", Name: "a", URL: "http://127.0.0.1:1/"}
	var logs strings.Builder
	rec, err := NewRecorder(ctx, st, []watchconfig.Target{target}, RecorderOptions{Buffer: 5, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	conn := lockSQLite(t, db)
	start := time.Now().Truncate(time.Second)
	for i := range 8 {
		c := monitor.CheckResult{Target: "a", Start: start.Add(time.Duration(i) * time.Second), OK: true, Cause: "ok", Status: 200}
		if err := rec.Record(ctx, monitor.Event{Kind: monitor.EventCheck, Check: &c}); err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.Flush(ctx); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("Flush while locked: got %v, want ErrLocked", err)
	}
	if got := rec.Held(); got != 5 {
		t.Errorf("held while locked: got %d, want 5", got)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if err := rec.Flush(ctx); err != nil {
		t.Fatalf("Flush once unlocked: %v", err)
	}
	got, err := st.RecentChecks(ctx, rec.StoreID("a"), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || !got[4].Time.Equal(start.Add(3*time.Second).UTC()) || rec.Held() != 0 {
		t.Errorf("written %d checks, the oldest at %v, %d still held; want the newest 5, from %v, none held",
			len(got), got[len(got)-1].Time, rec.Held(), start.Add(3*time.Second).UTC())
	}
	if !strings.Contains(logs.String(), "dropped=3") {
		t.Errorf("the log does not count the 3 checks dropped:\n%s", logs.String())
	}
}
