package store

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/store/storetest"
)

// BenchmarkRecordCheck records healthy checks of 100 targets, one at a
// time (RecordCheck) and in batches of 100 (RecordChecks), on a SQLite
// file and on a PostgreSQL server with its default, durable settings
// (each commit flushed). It reports checks per second, CPU per check, and
// the bytes each
// check takes on disk: the SQLite file's growth, PostgreSQL's checks table
// with its indexes.
func BenchmarkRecordCheck(b *testing.B) {
	parent := b
	var cluster *storetest.Cluster
	engines := []struct {
		name string
		dsn  func(b *testing.B) string
	}{
		{"sqlite", func(b *testing.B) string { return filepath.Join(b.TempDir(), "bench.db") }},
		{"postgres", func(b *testing.B) string {
			if cluster == nil {
				var err error
				// Started for the parent, to serve every sub-benchmark.
				if cluster, err = storetest.StartPostgres(parent, true); err != nil {
					b.Fatal(err)
				}
			}
			return cluster.NewDatabase(b)
		}},
	}
	for _, e := range engines {
		for _, batch := range []int{1, 100} {
			b.Run(fmt.Sprintf("%s/batch=%d", e.name, batch), func(b *testing.B) {
				benchRecord(b, e.dsn(b), batch)
			})
		}
	}
}

func benchRecord(b *testing.B, dsn string, batch int) {
	s := openStore(b, dsn, Options{})
	ctx := b.Context()
	var targets []int64
	for i := range 100 {
		tg, err := s.AddTarget(ctx, Target{Name: fmt.Sprintf("t%d.example", i), URL: fmt.Sprintf("https://t%d.example/", i)})
		if err != nil {
			b.Fatal(err)
		}
		targets = append(targets, tg.ID)
	}
	check := func(i int) Check {
		return Check{
			TargetID: targets[i%len(targets)], Time: base.Add(time.Duration(i) * time.Second),
			Duration: 41234 * time.Microsecond,
			Phases: Phases{DNS: 812 * time.Microsecond, Connect: 1103 * time.Microsecond,
				TLS: 9876 * time.Microsecond, TTFB: 27001 * time.Microsecond, Transfer: 2442 * time.Microsecond},
			Status: 200, Product: "nginx", Role: "reverse_proxy", OK: true, Cause: "ok", Protocol: "HTTP/2.0",
		}
	}
	before := storedBytes(b, s, dsn)
	buf := make([]Check, 0, batch)
	b.ResetTimer()
	start, cpuStart := time.Now(), cpuTime(b)
	for i := range b.N {
		if batch == 1 {
			if err := s.RecordCheck(ctx, check(i)); err != nil {
				b.Fatal(err)
			}
			continue
		}
		buf = append(buf, check(i))
		if len(buf) == batch || i == b.N-1 {
			if err := s.RecordChecks(ctx, buf); err != nil {
				b.Fatal(err)
			}
			buf = buf[:0]
		}
	}
	elapsed, cpu := time.Since(start), cpuTime(b)-cpuStart
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "checks/s")
	// The CPU of this process: all of SQLite's work, only the client's
	// part of PostgreSQL's.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/check")
	if b.N >= 10000 {
		b.ReportMetric(float64(storedBytes(b, s, dsn)-before)/float64(b.N), "disk-B/check")
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// storedBytes is the size of the SQLite file once its WAL is checkpointed
// into it, or the size of PostgreSQL's checks table and its indexes.
func storedBytes(b *testing.B, s *Store, dsn string) int64 {
	b.Helper()
	if s.Engine() == "postgres" {
		var n int64
		if err := s.rdb.QueryRowContext(b.Context(), "SELECT pg_total_relation_size('checks')").Scan(&n); err != nil {
			b.Fatal(err)
		}
		return n
	}
	if _, err := s.wdb.ExecContext(b.Context(), "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(dsn)
	if err != nil {
		b.Fatal(err)
	}
	return info.Size()
}

// BenchmarkUptimeByDayAll reads the 90-day bars of a status page of 1,000
// targets with 30 days of hourly rollups (720,000 rows) and the hour not
// yet rolled up (60 checks a target).
func BenchmarkUptimeByDayAll(b *testing.B) {
	parent := b
	var cluster *storetest.Cluster
	engines := []struct {
		name string
		dsn  func(b *testing.B) string
	}{
		{"sqlite", func(b *testing.B) string { return filepath.Join(b.TempDir(), "bench.db") }},
		{"postgres", func(b *testing.B) string {
			var err error
			if cluster, err = storetest.StartPostgres(parent, false); err != nil {
				b.Fatal(err)
			}
			return cluster.NewDatabase(b)
		}},
	}
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			s := openStore(b, e.dsn(b), Options{})
			fillStatusPage(b, s, 1000, 30)
			b.ResetTimer()
			for range b.N {
				all, err := s.UptimeByDayAll(b.Context(), 90, base)
				if err != nil {
					b.Fatal(err)
				}
				if len(all) != 1000 {
					b.Fatalf("%d targets, want 1000", len(all))
				}
			}
		})
	}
}

// fillStatusPage adds targets with days of hourly rollups up to base's
// hour, and a check a minute in base's hour.
func fillStatusPage(b *testing.B, s *Store, targets, days int) {
	ctx := b.Context()
	for i := range targets {
		if _, err := s.AddTarget(ctx, Target{Name: fmt.Sprintf("t%d.example", i), URL: fmt.Sprintf("https://t%d.example/", i)}); err != nil {
			b.Fatal(err)
		}
	}
	hour := micros(base.Truncate(time.Hour))
	// Both engines take WITH RECURSIVE before INSERT.
	q := `WITH RECURSIVE h(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM h WHERE n < ?)
INSERT INTO rollups (target_id, hour_us, checks, failures, uptime, ttfb_p50_us, ttfb_p95_us, total_p50_us, total_p95_us, causes)
SELECT t.id, CAST(? AS BIGINT) - h.n * CAST(? AS BIGINT), 60, 1, 0.98, 20000, 40000, 30000, 60000, '{"upstream.timeout": 1}' FROM targets t, h`
	if _, err := s.wdb.ExecContext(ctx, s.dialect.rebind(q), days*24, hour, hourMicros); err != nil {
		b.Fatal(err)
	}
	// The day sums, as RollUp keeps them.
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO rollup_days (target_id, day_us, checks, failures)
SELECT target_id, hour_us - hour_us % 86400000000, SUM(checks), SUM(failures) FROM rollups GROUP BY 1, 2`)
	if err != nil {
		b.Fatal(err)
	}
	var checks []Check
	var list []Target
	list, err = s.Targets(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, t := range list {
		for m := range 60 {
			checks = append(checks, Check{TargetID: t.ID, Time: base.Truncate(time.Hour).Add(time.Duration(m) * time.Minute), OK: m != 7})
		}
	}
	if err := s.RecordChecks(ctx, checks); err != nil {
		b.Fatal(err)
	}
}
