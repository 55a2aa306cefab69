package store

import (
	"context"
	"fmt"
	"time"
)

const dayMicros = 24 * hourMicros

// DayUptime counts one day's checks of a target.
type DayUptime struct {
	// Day is the start of the day, midnight UTC.
	Day time.Time
	// Checks and Failures count the day's checks and failed checks.
	Checks, Failures int
	// Uptime is the fraction of checks that passed; 0 when Checks is 0.
	Uptime float64
}

// UptimeByDay returns a target's uptime on each of the days days up to
// and including now's (UTC days), oldest first, one entry per day even
// when it had no checks: the bars of a status page. It reads the day sums
// of the hourly rollups and, for the hours not rolled up yet, the raw
// checks.
func (s *Store) UptimeByDay(ctx context.Context, targetID int64, days int, now time.Time) ([]DayUptime, error) {
	if targetID <= 0 {
		return nil, fmt.Errorf("reading uptime: %w: target %d", ErrInvalid, targetID)
	}
	all, err := s.uptimeByDay(ctx, targetID, days, now)
	if err != nil {
		return nil, err
	}
	if out, ok := all[targetID]; ok {
		return out, nil
	}
	return newDaySpan(days, now).empty(), nil
}

// UptimeByDayAll returns UptimeByDay for every target that has checks in
// those days, by target ID, in two queries whatever the number of targets:
// the day sums of the rollups, and the checks not rolled up yet.
func (s *Store) UptimeByDayAll(ctx context.Context, days int, now time.Time) (map[int64][]DayUptime, error) {
	return s.uptimeByDay(ctx, 0, days, now)
}

// daySpan is the days of an uptime query, in microseconds: [start, end).
type daySpan struct {
	days       int
	start, end int64
}

func newDaySpan(days int, now time.Time) daySpan {
	end := micros(now.Truncate(24*time.Hour)) + dayMicros
	return daySpan{days: days, start: end - int64(days)*dayMicros, end: end}
}

func (d daySpan) empty() []DayUptime {
	out := make([]DayUptime, d.days)
	for i := range out {
		out[i].Day = fromMicros(d.start + int64(i)*dayMicros)
	}
	return out
}

// Both queries count by target and day, the day as an index into the span.
// The raw checks are counted from the first hour that is not rolled up,
// which w finds per target; w is materialized so that the index on
// (target_id, at_us) then reads only those checks (SQLite, left to inline
// it, ran the subquery per check: 20 times slower).
const (
	rolledUpDaysSQL = `SELECT target_id, (day_us - ?) / ?, checks, failures
FROM rollup_days WHERE day_us >= ? AND day_us < ? %s`
	rawDaysSQL = `WITH w AS MATERIALIZED (
    SELECT t.id, COALESCE((SELECT MAX(r.hour_us) FROM rollups r WHERE r.target_id = t.id) + ?, ?) AS since
    FROM targets t %s)
SELECT w.id, (c.at_us - ?) / ?, COUNT(*), SUM(CASE WHEN c.ok THEN 0 ELSE 1 END)
FROM w JOIN checks c ON c.target_id = w.id AND c.at_us >= w.since
WHERE c.at_us >= ? AND c.at_us < ? GROUP BY 1, 2`
)

// uptimeByDay counts the days of one target, or of all when target is 0.
func (s *Store) uptimeByDay(ctx context.Context, target int64, days int, now time.Time) (map[int64][]DayUptime, error) {
	if days <= 0 {
		return nil, fmt.Errorf("reading uptime: %w: %d days", ErrInvalid, days)
	}
	span := newDaySpan(days, now)
	out := map[int64][]DayUptime{}
	add := func(target, day int64, checks, failures int) {
		if day < 0 || day >= int64(days) {
			return
		}
		if out[target] == nil {
			out[target] = span.empty()
		}
		out[target][day].Checks += checks
		out[target][day].Failures += failures
	}
	rolled, rolledArgs := fmt.Sprintf(rolledUpDaysSQL, ""), []any{span.start, dayMicros, span.start, span.end}
	raw := fmt.Sprintf(rawDaysSQL, "")
	rawArgs := []any{hourMicros, span.start, span.start, dayMicros, span.start, span.end}
	if target != 0 {
		rolled, rolledArgs = fmt.Sprintf(rolledUpDaysSQL, "AND target_id = ?"), append(rolledArgs, target)
		raw = fmt.Sprintf(rawDaysSQL, "WHERE t.id = ?")
		rawArgs = []any{hourMicros, span.start, target, span.start, dayMicros, span.start, span.end}
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{{rolled, rolledArgs}, {raw, rawArgs}} {
		if err := s.addDays(ctx, q.sql, q.args, add); err != nil {
			return nil, s.wrap("reading uptime", err)
		}
	}
	for _, ds := range out {
		for i, d := range ds {
			if d.Checks > 0 {
				ds[i].Uptime = float64(d.Checks-d.Failures) / float64(d.Checks)
			}
		}
	}
	return out, nil
}

func (s *Store) addDays(ctx context.Context, q string, args []any, add func(target, day int64, checks, failures int)) error {
	rows, err := s.rdb.QueryContext(ctx, s.dialect.rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var target, day int64
		var checks, failures int
		if err := rows.Scan(&target, &day, &checks, &failures); err != nil {
			return err
		}
		add(target, day, checks, failures)
	}
	return rows.Err()
}
