package store

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
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
	var cluster *pgCluster
	engines := []struct {
		name string
		dsn  func(b *testing.B) string
	}{
		{"sqlite", func(b *testing.B) string { return filepath.Join(b.TempDir(), "bench.db") }},
		{"postgres", func(b *testing.B) string {
			if cluster == nil {
				var err error
				// Started for the parent, to serve every sub-benchmark.
				if cluster, err = startPostgres(parent, true); err != nil {
					b.Fatal(err)
				}
			}
			return cluster.newDatabase(b)
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
