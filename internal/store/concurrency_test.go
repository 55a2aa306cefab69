package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// testConcurrentWriters records checks from several goroutines, singly and
// in batches, while another reads: run with -race.
func testConcurrentWriters(t *testing.T, dsn string) {
	s := openStore(t, dsn, Options{})
	ctx := t.Context()
	const writers, each = 4, 50
	var targets []Target
	for i := range writers {
		targets = append(targets, addTarget(t, s, fmt.Sprintf("w%d.example", i)))
	}
	var writing, reading sync.WaitGroup
	errs := make(chan error, writers+1)
	for w := range writers {
		writing.Go(func() {
			if err := writeChecks(ctx, s, targets[w].ID, each); err != nil {
				errs <- fmt.Errorf("writer %d: %w", w, err)
			}
		})
	}
	done := make(chan struct{})
	reads := 0
	reading.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			for _, tg := range targets {
				if _, err := s.RecentChecks(ctx, tg.ID, 20); err != nil {
					errs <- fmt.Errorf("reader: %w", err)
					return
				}
				if _, err := s.UptimeByDay(ctx, tg.ID, 2, base); err != nil {
					errs <- fmt.Errorf("reader: %w", err)
					return
				}
			}
			reads++
		}
	})
	writing.Wait()
	close(done)
	reading.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Each writer: 45 single checks and 5 batches of 10.
	for _, tg := range targets {
		got, err := s.RecentChecks(ctx, tg.ID, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if want := (each - each/10) + each/10*10; len(got) != want {
			t.Errorf("target %s: %d checks, want %d", tg.Name, len(got), want)
		}
	}
	t.Logf("%d rounds of reads during the writes", reads)
}

// testLocked has another connection hold the lock a write needs: the write
// waits up to BusyTimeout and then fails with ErrLocked, or succeeds if
// the lock is released in time. Never a hang.
func testLocked(t *testing.T, dsn string) {
	tests := []struct {
		name        string
		busyTimeout time.Duration
		releaseIn   time.Duration // 0: not during the write
		wantErr     error
	}{
		{"held past the timeout", 300 * time.Millisecond, 0, ErrLocked},
		{"released in time", 20 * time.Second, 300 * time.Millisecond, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t, dsn, Options{BusyTimeout: tc.busyTimeout})
			tg := addTarget(t, s, "locked.example")
			release := lockDatabase(t, s, dsn)
			defer release()
			if tc.releaseIn > 0 {
				timer := time.AfterFunc(tc.releaseIn, release)
				defer timer.Stop()
			}
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			start := time.Now()
			err := s.RecordCheck(ctx, sampleCheck(tg.ID, 0))
			took := time.Since(start)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("RecordCheck while locked: got %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				t.Logf("RecordCheck while locked: %v", err)
			}
			wait := tc.busyTimeout
			if tc.releaseIn > 0 {
				wait = tc.releaseIn
			}
			if took < wait*8/10 || took > wait+10*time.Second {
				t.Errorf("RecordCheck took %v, want about %v", took, wait)
			}
		})
	}
}

// writeChecks records n checks of a target: one at a time, but every tenth
// time a batch of ten.
func writeChecks(ctx context.Context, s *Store, target int64, n int) error {
	for i := range n {
		if i%10 != 0 {
			if err := s.RecordCheck(ctx, sampleCheck(target, i)); err != nil {
				return err
			}
			continue
		}
		batch := make([]Check, 10)
		for j := range batch {
			batch[j] = sampleCheck(target, 1000+i*10+j)
		}
		if err := s.RecordChecks(ctx, batch); err != nil {
			return err
		}
	}
	return nil
}

// lockDatabase takes the write lock of the checks table on a connection
// of its own (SQLite's one write lock, or a PostgreSQL table lock that
// INSERT waits for) and returns a function that releases it, once.
func lockDatabase(t *testing.T, s *Store, dsn string) func() {
	t.Helper()
	lockSQL := map[string][]string{
		"sqlite":   {"BEGIN IMMEDIATE"},
		"postgres": {"BEGIN", "LOCK TABLE checks IN EXCLUSIVE MODE"},
	}
	driver := map[string]string{"sqlite": "sqlite", "postgres": "pgx"}[s.Engine()]
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range lockSQL[s.Engine()] {
		if _, err := conn.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
				t.Errorf("releasing the lock: %v", err)
			}
			if err := errors.Join(conn.Close(), db.Close()); err != nil {
				t.Errorf("closing the locking connection: %v", err)
			}
		})
	}
	return release
}

// testDurability reads a committed check from a fresh Open, first while
// the writer is still open, then after it closed.
func testDurability(t *testing.T, dsn string) {
	ctx := t.Context()
	w, err := Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := w.AddTarget(ctx, Target{Name: "durable.example", URL: "https://durable.example/", Created: base})
	if err != nil {
		t.Fatal(err)
	}
	want := sampleCheck(tg.ID, 1)
	if err := w.RecordCheck(ctx, want); err != nil {
		t.Fatal(err)
	}
	read := func(when string) {
		t.Helper()
		r := openStore(t, dsn, Options{})
		got, err := r.RecentChecks(ctx, tg.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s: checks = %+v, want [%+v]", when, got, want)
		}
	}
	read("writer open")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	read("writer closed")
}
