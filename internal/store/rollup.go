package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

const hourMicros = int64(time.Hour / time.Microsecond)

// Rollup sums up one target's checks of one hour.
type Rollup struct {
	TargetID int64
	// Hour is the start of the hour, in UTC.
	Hour time.Time
	// Checks and Failures count the hour's checks and failed checks.
	Checks, Failures int
	// Uptime is the fraction of checks that passed.
	Uptime float64
	// TTFBP50 and TTFBP95 are percentiles of the time to first byte, over
	// the checks that got a first byte.
	TTFBP50, TTFBP95 time.Duration
	// TotalP50 and TotalP95 are percentiles of the checks' durations.
	TotalP50, TotalP95 time.Duration
	// Causes counts the failed checks per cause ID ("unknown" for a
	// failure recorded without a cause).
	Causes map[string]int
}

// Pruned tells what Prune did.
type Pruned struct {
	// RolledUp counts the hourly rollups written first.
	RolledUp int
	// Checks and Rollups count the rows deleted.
	Checks, Rollups int64
}

// RollUp sums up the checks of every complete hour before now that has
// not been rolled up yet, one row per target and hour, and returns how
// many rows it wrote. An hour is rolled up once: a check recorded later
// for an hour already rolled up stays out of its rollup.
func (s *Store) RollUp(ctx context.Context, now time.Time) (int, error) {
	until := micros(now.Truncate(time.Hour))
	marks, err := s.rollupMarks(ctx)
	if err != nil {
		return 0, s.wrap("rolling up checks", err)
	}
	written := 0
	for _, m := range marks {
		if m.from >= until {
			continue
		}
		rollups, err := s.computeRollups(ctx, m.target, m.from, until)
		if err != nil {
			return written, s.wrap("rolling up checks", err)
		}
		if err := s.writeRollups(ctx, rollups); err != nil {
			return written, err
		}
		written += len(rollups)
	}
	return written, nil
}

// rollupMark is where the next rollup of a target starts.
type rollupMark struct {
	target int64
	from   int64
}

func (s *Store) rollupMarks(ctx context.Context) ([]rollupMark, error) {
	rows, err := s.rdb.QueryContext(ctx,
		`SELECT t.id, (SELECT MAX(r.hour_us) FROM rollups r WHERE r.target_id = t.id) FROM targets t ORDER BY t.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var marks []rollupMark
	for rows.Next() {
		var m rollupMark
		var last sql.NullInt64
		if err := rows.Scan(&m.target, &last); err != nil {
			return nil, err
		}
		if last.Valid {
			m.from = last.Int64 + hourMicros
		} else {
			m.from = -1 << 62
		}
		marks = append(marks, m)
	}
	return marks, rows.Err()
}

// computeRollups sums up a target's checks in [from, until), by hour.
func (s *Store) computeRollups(ctx context.Context, target, from, until int64) ([]Rollup, error) {
	rows, err := s.rdb.QueryContext(ctx, s.dialect.rebind(
		`SELECT at_us, duration_us, ttfb_us, ok, cause FROM checks
WHERE target_id = ? AND at_us >= ? AND at_us < ? ORDER BY at_us`), target, from, until)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Rollup
	var acc hourAcc
	for rows.Next() {
		var at, dur, ttfb int64
		var ok bool
		var cause string
		if err := rows.Scan(&at, &dur, &ttfb, &ok, &cause); err != nil {
			return nil, err
		}
		hour := at - ((at%hourMicros)+hourMicros)%hourMicros
		if acc.checks > 0 && hour != acc.hour {
			out = append(out, acc.rollup(target))
			acc = hourAcc{}
		}
		acc.hour = hour
		acc.add(dur, ttfb, ok, cause)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if acc.checks > 0 {
		out = append(out, acc.rollup(target))
	}
	return out, nil
}

// hourAcc gathers one hour's checks.
type hourAcc struct {
	hour             int64
	checks, failures int
	ttfb, total      []int64
	causes           map[string]int
}

func (a *hourAcc) add(dur, ttfb int64, ok bool, cause string) {
	a.checks++
	a.total = append(a.total, dur)
	if ttfb > 0 {
		a.ttfb = append(a.ttfb, ttfb)
	}
	if ok {
		return
	}
	a.failures++
	if cause == "" {
		cause = "unknown"
	}
	if a.causes == nil {
		a.causes = map[string]int{}
	}
	a.causes[cause]++
}

func (a *hourAcc) rollup(target int64) Rollup {
	slices.Sort(a.ttfb)
	slices.Sort(a.total)
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	return Rollup{
		TargetID: target,
		Hour:     fromMicros(a.hour),
		Checks:   a.checks,
		Failures: a.failures,
		Uptime:   float64(a.checks-a.failures) / float64(a.checks),
		TTFBP50:  us(percentile(a.ttfb, 50)),
		TTFBP95:  us(percentile(a.ttfb, 95)),
		TotalP50: us(percentile(a.total, 50)),
		TotalP95: us(percentile(a.total, 95)),
		Causes:   a.causes,
	}
}

// percentile is the nearest-rank percentile p of sorted values: the
// smallest value that at least p percent of the values do not exceed;
// 0 for no values.
func percentile(sorted []int64, p int) int64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n), in integers
	return sorted[max(rank, 1)-1]
}

func (s *Store) writeRollups(ctx context.Context, rollups []Rollup) error {
	if len(rollups) == 0 {
		return nil
	}
	const q = `INSERT INTO rollups (target_id, hour_us, checks, failures, uptime,
    ttfb_p50_us, ttfb_p95_us, total_p50_us, total_p95_us, causes)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (target_id, hour_us) DO UPDATE SET checks = excluded.checks,
    failures = excluded.failures, uptime = excluded.uptime,
    ttfb_p50_us = excluded.ttfb_p50_us, ttfb_p95_us = excluded.ttfb_p95_us,
    total_p50_us = excluded.total_p50_us, total_p95_us = excluded.total_p95_us,
    causes = excluded.causes`
	return s.withTx(ctx, "writing rollups", func(tx *sql.Tx) error {
		type targetDay struct{ target, day int64 }
		days := map[targetDay]bool{}
		for _, r := range rollups {
			h := micros(r.Hour)
			days[targetDay{r.TargetID, h - ((h%dayMicros)+dayMicros)%dayMicros}] = true
			causes, err := json.Marshal(r.Causes)
			if err != nil {
				return fmt.Errorf("encoding causes: %w", err)
			}
			if r.Causes == nil {
				causes = []byte("{}")
			}
			_, err = tx.ExecContext(ctx, s.dialect.rebind(q), r.TargetID, micros(r.Hour), r.Checks, r.Failures,
				r.Uptime, r.TTFBP50.Microseconds(), r.TTFBP95.Microseconds(),
				r.TotalP50.Microseconds(), r.TotalP95.Microseconds(), string(causes))
			if err != nil {
				return err
			}
		}
		for d := range days {
			if err := s.sumDay(ctx, tx, d.target, d.day); err != nil {
				return err
			}
		}
		return nil
	})
}

// sumDay sums up a target's hourly rollups of the day that starts at day.
func (s *Store) sumDay(ctx context.Context, tx *sql.Tx, target, day int64) error {
	const q = `INSERT INTO rollup_days (target_id, day_us, checks, failures)
SELECT target_id, ?, SUM(checks), SUM(failures) FROM rollups
WHERE target_id = ? AND hour_us >= ? AND hour_us < ? GROUP BY target_id
ON CONFLICT (target_id, day_us) DO UPDATE SET checks = excluded.checks, failures = excluded.failures`
	if _, err := tx.ExecContext(ctx, s.dialect.rebind(q), day, target, day, day+dayMicros); err != nil {
		return fmt.Errorf("summing up day %v: %w", fromMicros(day), err)
	}
	return nil
}

// Rollups returns a target's hourly rollups in [since, until), oldest
// first.
func (s *Store) Rollups(ctx context.Context, targetID int64, since, until time.Time) ([]Rollup, error) {
	rows, err := s.rdb.QueryContext(ctx, s.dialect.rebind(
		`SELECT hour_us, checks, failures, uptime, ttfb_p50_us, ttfb_p95_us, total_p50_us, total_p95_us, causes
FROM rollups WHERE target_id = ? AND hour_us >= ? AND hour_us < ? ORDER BY hour_us`),
		targetID, micros(since), micros(until))
	if err != nil {
		return nil, s.wrap("reading rollups", err)
	}
	defer rows.Close()
	var out []Rollup
	for rows.Next() {
		r := Rollup{TargetID: targetID}
		var hour, t50, t95, d50, d95 int64
		var causes []byte
		if err := rows.Scan(&hour, &r.Checks, &r.Failures, &r.Uptime, &t50, &t95, &d50, &d95, &causes); err != nil {
			return nil, s.wrap("reading rollups", err)
		}
		if err := json.Unmarshal(causes, &r.Causes); err != nil {
			return nil, s.wrap("reading rollups", fmt.Errorf("decoding causes: %w", err))
		}
		if len(r.Causes) == 0 {
			r.Causes = nil
		}
		r.Hour = fromMicros(hour)
		us := time.Microsecond
		r.TTFBP50, r.TTFBP95 = time.Duration(t50)*us, time.Duration(t95)*us
		r.TotalP50, r.TotalP95 = time.Duration(d50)*us, time.Duration(d95)*us
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("reading rollups", err)
	}
	return out, nil
}
