package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"testing/fstest"
	"time"
)

// TestStore runs one table of tests against each engine.
func TestStore(t *testing.T) {
	suite := []struct {
		name string
		run  func(t *testing.T, dsn string)
	}{
		{"migrations", testMigrations},
		{"newer schema", testNewerSchema},
		{"failed migration", testFailedMigration},
		{"upgrade", testUpgrade},
		{"targets", testTargets},
		{"checks", testChecks},
		{"incidents", testIncidents},
		{"incident paging", testIncidentPaging},
		{"rollup", testRollup},
		{"prune", testPrune},
		{"leases", testLeases},
		{"lease race", testLeaseRace},
		{"replicas present", testPresent},
		{"concurrent writers", testConcurrentWriters},
		{"locked", testLocked},
		{"durability", testDurability},
		{"maintenance", testMaintenance},
	}
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			for _, tc := range suite {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, b.dsn(t)) })
			}
		})
	}
}

func openStore(t testing.TB, dsn string, opts Options) *Store {
	t.Helper()
	s, err := Open(t.Context(), dsn, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func addTarget(t *testing.T, s *Store, name string) Target {
	t.Helper()
	tg, err := s.AddTarget(t.Context(), Target{Name: name, URL: "https://" + name + "/", Created: base})
	if err != nil {
		t.Fatalf("AddTarget: %v", err)
	}
	return tg
}

// base is the tests' clock: a Tuesday, 12:30 UTC.
var base = time.Date(2026, 3, 10, 12, 30, 0, 0, time.UTC)

func schemaVersions(t *testing.T, s *Store) []int {
	t.Helper()
	rows, err := s.rdb.QueryContext(t.Context(), "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatalf("reading schema_migrations: %v", err)
	}
	defer rows.Close()
	var got []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

func testMigrations(t *testing.T, dsn string) {
	fsys, err := migrationFS(sqlite)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := loadMigrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, m := range steps {
		want = append(want, m.version)
	}
	// Opened three times: the steps apply once, and opening again is a
	// no-op, also while another store has the database open.
	first := openStore(t, dsn, Options{})
	for i := range 3 {
		s := first
		if i > 0 {
			s = openStore(t, dsn, Options{})
		}
		if got := schemaVersions(t, s); !reflect.DeepEqual(got, want) {
			t.Errorf("open %d: schema_migrations = %v, want %v", i+1, got, want)
		}
	}
	for _, table := range []string{"targets", "checks", "incidents", "incident_events", "rollups", "rollup_days", "leases", "replicas"} {
		var n int
		if err := first.rdb.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
}

func testNewerSchema(t *testing.T, dsn string) {
	s := openStore(t, dsn, Options{})
	_, err := s.wdb.ExecContext(t.Context(), s.dialect.rebind(
		"INSERT INTO schema_migrations (version, name, applied_us) VALUES (?, ?, ?)"), 999, "0999_future.sql", 0)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Open(t.Context(), dsn, Options{})
	if err == nil {
		t.Fatal(errors.Join(errors.New("Open of a newer schema succeeded"), s2.Close()))
	}
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("Open of a newer schema: got %v, want ErrSchemaTooNew", err)
	}
}

// testFailedMigration applies a step that fails halfway: nothing of it
// stays, and it is not recorded.
func testFailedMigration(t *testing.T, dsn string) {
	s := openStore(t, dsn, Options{})
	fsys, err := migrationFS(s.dialect)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := loadMigrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	bad := fstest.MapFS{}
	var want []int
	for _, m := range steps {
		bad[m.name] = &fstest.MapFile{Data: []byte(m.sql)}
		want = append(want, m.version)
	}
	next := fmt.Sprintf("%04d_broken.sql", len(steps)+1)
	bad[next] = &fstest.MapFile{Data: []byte("CREATE TABLE half_done (x INTEGER);\nSELECT no_such_column FROM half_done;")}
	if err := migrate(t.Context(), s.wdb, s.dialect, bad); err == nil {
		t.Fatal("a broken migration succeeded")
	}
	if got := schemaVersions(t, s); !reflect.DeepEqual(got, want) {
		t.Errorf("schema_migrations after a failed step = %v, want %v", got, want)
	}
	if _, err := s.rdb.ExecContext(t.Context(), "SELECT COUNT(*) FROM half_done"); err == nil {
		t.Error("the failed step's table exists")
	}
}

// testUpgrade opens a database of schema version 1 that has rollups: the
// step that adds their day sums fills them in.
func testUpgrade(t *testing.T, dsn string) {
	ctx := t.Context()
	d := sqlite
	if dsnKind(dsn) == "postgres" {
		d = postgres
	}
	fsys, err := migrationFS(d)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := loadMigrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open(map[dialect]string{sqlite: "sqlite", postgres: "pgx"}[d], dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	v1 := fstest.MapFS{steps[0].name: {Data: []byte(steps[0].sql)}}
	if err := migrate(ctx, old, d, v1); err != nil {
		t.Fatalf("migrating to version 1: %v", err)
	}
	day := micros(base.Truncate(24 * time.Hour))
	for _, q := range []string{
		"INSERT INTO targets (name, url, created_us) VALUES ('a', 'https://a.example/', 0)",
		fmt.Sprintf(`INSERT INTO rollups (target_id, hour_us, checks, failures, uptime, ttfb_p50_us, ttfb_p95_us, total_p50_us, total_p95_us)
VALUES (1, %d, 60, 1, 0.98, 0, 0, 0, 0), (1, %d, 60, 2, 0.97, 0, 0, 0, 0)`, day, day+hourMicros),
	} {
		if _, err := old.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s := openStore(t, dsn, Options{})
	got, err := s.UptimeByDay(ctx, 1, 1, base)
	if err != nil {
		t.Fatal(err)
	}
	want := []DayUptime{{Day: fromMicros(day), Checks: 120, Failures: 3, Uptime: 117.0 / 120}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UptimeByDay after the upgrade = %+v, want %+v", got, want)
	}
}

func testTargets(t *testing.T, dsn string) {
	s := openStore(t, dsn, Options{})
	ctx := t.Context()
	tests := []struct {
		name string
		in   Target
		want Target // without ID
	}{
		{"named", Target{Name: "shop", URL: "https://shop.example/", Group: "web", ConfigHash: "h1", Created: base},
			Target{Name: "shop", URL: "https://shop.example/", Group: "web", ConfigHash: "h1", Created: base}},
		{"name defaults to URL", Target{URL: "https://api.example/health", Created: base.Add(time.Microsecond)},
			Target{Name: "https://api.example/health", URL: "https://api.example/health", Created: base.Add(time.Microsecond)}},
		{"same name updates, keeps created", Target{Name: "shop", URL: "https://shop.example/v2", Group: "web", ConfigHash: "h2", Created: base.Add(time.Hour)},
			Target{Name: "shop", URL: "https://shop.example/v2", Group: "web", ConfigHash: "h2", Created: base}},
	}
	ids := map[string]int64{}
	for _, tc := range tests {
		got, err := s.AddTarget(ctx, tc.in)
		if err != nil {
			t.Fatalf("%s: AddTarget: %v", tc.name, err)
		}
		if id, seen := ids[got.Name]; seen && id != got.ID {
			t.Errorf("%s: id = %d, want %d as before", tc.name, got.ID, id)
		}
		ids[got.Name] = got.ID
		tc.want.ID = got.ID
		if got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
	list, err := s.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Target{
		{ID: ids["https://api.example/health"], Name: "https://api.example/health", URL: "https://api.example/health", Created: base.Add(time.Microsecond)},
		{ID: ids["shop"], Name: "shop", URL: "https://shop.example/v2", Group: "web", ConfigHash: "h2", Created: base},
	}
	if !reflect.DeepEqual(list, want) {
		t.Errorf("Targets = %+v, want %+v", list, want)
	}
	if _, err := s.AddTarget(ctx, Target{Name: "no url"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("AddTarget without URL: got %v, want ErrInvalid", err)
	}
}

// sampleCheck is a check of target at minute i after base, every field set.
func sampleCheck(target int64, i int) Check {
	return Check{
		TargetID: target,
		Time:     base.Add(time.Duration(i)*time.Minute + 123*time.Microsecond),
		Duration: time.Duration(40+i) * time.Millisecond,
		Phases: Phases{DNS: 1 * time.Millisecond, Connect: 2 * time.Millisecond, TLS: 5 * time.Millisecond,
			TTFB: time.Duration(30+i) * time.Millisecond, Transfer: 2 * time.Millisecond},
		Status: 502 + i%3, Product: "nginx", Role: "reverse_proxy", OK: i%4 == 0,
		Cause: "upstream.refused", ErrorClass: "refused", Protocol: "HTTP/1.1",
	}
}

func testChecks(t *testing.T, dsn string) {
	s := openStore(t, dsn, Options{})
	ctx := t.Context()
	a, b := addTarget(t, s, "a.example"), addTarget(t, s, "b.example")
	var want []Check
	if err := s.RecordCheck(ctx, sampleCheck(a.ID, 0)); err != nil {
		t.Fatalf("RecordCheck: %v", err)
	}
	want = append(want, sampleCheck(a.ID, 0))
	// 250 checks cross two full batches and a partial one.
	var batch []Check
	for i := 1; i <= 250; i++ {
		batch = append(batch, sampleCheck(a.ID, i))
	}
	batch = append(batch, sampleCheck(b.ID, 7))
	if err := s.RecordChecks(ctx, batch); err != nil {
		t.Fatalf("RecordChecks: %v", err)
	}
	want = append(want, batch[:250]...)

	recent, err := s.RecentChecks(ctx, a.ID, 3)
	if err != nil {
		t.Fatal(err)
	}
	if wantRecent := []Check{want[250], want[249], want[248]}; !reflect.DeepEqual(recent, wantRecent) {
		t.Errorf("RecentChecks = %+v, want %+v", recent, wantRecent)
	}
	var exported []Check
	err = s.ExportChecks(ctx, a.ID, want[200].Time, func(c Check) error {
		exported = append(exported, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(exported, want[200:]) {
		t.Errorf("ExportChecks gave %d checks, want %d; first %+v, want %+v", len(exported), len(want[200:]), exported[0], want[200])
	}
	stop := errors.New("stop")
	if err := s.ExportChecks(ctx, a.ID, base, func(Check) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("ExportChecks with a failing fn: got %v, want its error", err)
	}
	testLastFailure(t, s, a.ID, want[250].Time)
	testCheckErrors(t, s, a.ID, b.ID)
}

// testLastFailure reads the newest failed check of a, which failed at
// last, and of a target without checks.
func testLastFailure(t *testing.T, s *Store, a int64, last time.Time) {
	got, ok, err := s.LastFailure(t.Context(), a)
	if err != nil || !ok || !got.Equal(last) {
		t.Errorf("LastFailure = %v, %v, %v; want %v", got, ok, err, last)
	}
	none := addTarget(t, s, "none.example")
	if got, ok, err := s.LastFailure(t.Context(), none.ID); err != nil || ok {
		t.Errorf("LastFailure of a target without checks = %v, %v, %v; want none", got, ok, err)
	}
}

func testCheckErrors(t *testing.T, s *Store, a, b int64) {
	ctx := t.Context()
	invalid := []struct {
		name string
		c    Check
	}{
		{"no target", Check{Time: base}},
		{"no time", Check{TargetID: a}},
	}
	for _, tc := range invalid {
		if err := s.RecordCheck(ctx, tc.c); !errors.Is(err, ErrInvalid) {
			t.Errorf("RecordCheck %s: got %v, want ErrInvalid", tc.name, err)
		}
		if err := s.RecordChecks(ctx, []Check{sampleCheck(a, 1), tc.c}); !errors.Is(err, ErrInvalid) {
			t.Errorf("RecordChecks %s: got %v, want ErrInvalid", tc.name, err)
		}
	}
	// A batch fails whole: a check of an unknown target leaves none.
	before, err := s.RecentChecks(ctx, b, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordChecks(ctx, []Check{sampleCheck(b, 300), sampleCheck(9999, 301)}); err == nil {
		t.Error("RecordChecks with an unknown target succeeded")
	}
	if after, err := s.RecentChecks(ctx, b, 1000); err != nil || len(after) != len(before) {
		t.Errorf("checks of b after a failed batch: %d (%v), want %d", len(after), err, len(before))
	}
}

func TestOpenRefuses(t *testing.T) {
	tests := []struct {
		name, dsn string
	}{
		{"other scheme", "mysql://db.example/gwdoctor"},
		{"memory", ":memory:"},
		{"memory URL", "file::memory:"},
		{"memory mode", "file:x.db?mode=memory"},
		{"path with query", "gwdoctor.db?x=1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			s, err := Open(ctx, tc.dsn, Options{})
			if err == nil {
				t.Fatal(errors.Join(errors.New("Open succeeded"), s.Close()))
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Open(%q): got %v, want ErrInvalid", tc.dsn, err)
			}
		})
	}
}
