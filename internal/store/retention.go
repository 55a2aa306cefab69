package store

import (
	"context"
	"database/sql"
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
// when it had no checks: the bars of a status page. It reads the hourly
// rollups and, for the hours not rolled up yet, the raw checks.
func (s *Store) UptimeByDay(ctx context.Context, targetID int64, days int, now time.Time) ([]DayUptime, error) {
	if days <= 0 {
		return nil, fmt.Errorf("reading uptime: %w: %d days", ErrInvalid, days)
	}
	end := micros(now.Truncate(24*time.Hour)) + dayMicros
	start := end - int64(days)*dayMicros
	out := make([]DayUptime, days)
	for i := range out {
		out[i].Day = fromMicros(start + int64(i)*dayMicros)
	}
	add := func(day int64, checks, failures int) {
		if day >= 0 && day < int64(days) {
			out[day].Checks += checks
			out[day].Failures += failures
		}
	}
	rawFrom, err := s.addRolledUpDays(ctx, targetID, start, end, add)
	if err != nil {
		return nil, s.wrap("reading uptime", err)
	}
	rows, err := s.rdb.QueryContext(ctx, s.dialect.rebind(
		`SELECT (at_us - ?) / `+fmt.Sprint(dayMicros)+`, COUNT(*), SUM(CASE WHEN ok THEN 0 ELSE 1 END)
FROM checks WHERE target_id = ? AND at_us >= ? AND at_us < ? GROUP BY 1`),
		start, targetID, max(start, rawFrom), end)
	if err != nil {
		return nil, s.wrap("reading uptime", err)
	}
	defer rows.Close()
	for rows.Next() {
		var day int64
		var checks, failures int
		if err := rows.Scan(&day, &checks, &failures); err != nil {
			return nil, s.wrap("reading uptime", err)
		}
		add(day, checks, failures)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("reading uptime", err)
	}
	for i, d := range out {
		if d.Checks > 0 {
			out[i].Uptime = float64(d.Checks-d.Failures) / float64(d.Checks)
		}
	}
	return out, nil
}

// addRolledUpDays adds the rollups of [start, end) to their days, and
// returns where the raw checks not rolled up begin.
func (s *Store) addRolledUpDays(ctx context.Context, targetID, start, end int64, add func(day int64, checks, failures int)) (int64, error) {
	var last sql.NullInt64
	err := s.rdb.QueryRowContext(ctx, s.dialect.rebind(`SELECT MAX(hour_us) FROM rollups WHERE target_id = ?`), targetID).Scan(&last)
	if err != nil || !last.Valid {
		return start, err
	}
	rows, err := s.rdb.QueryContext(ctx, s.dialect.rebind(
		`SELECT hour_us, checks, failures FROM rollups WHERE target_id = ? AND hour_us >= ? AND hour_us < ?`),
		targetID, start, end)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var hour int64
		var checks, failures int
		if err := rows.Scan(&hour, &checks, &failures); err != nil {
			return 0, err
		}
		add((hour-start)/dayMicros, checks, failures)
	}
	return last.Int64 + hourMicros, rows.Err()
}

// Prune rolls up the hours due (as RollUp does, so that nothing is pruned
// before it is summed up), then deletes the raw checks older than
// Options.CheckRetention and the rollups older than
// Options.RollupRetention, counted back from now.
func (s *Store) Prune(ctx context.Context, now time.Time) (Pruned, error) {
	var p Pruned
	var err error
	if p.RolledUp, err = s.RollUp(ctx, now); err != nil {
		return p, fmt.Errorf("pruning: %w", err)
	}
	targets, err := s.Targets(ctx)
	if err != nil {
		return p, fmt.Errorf("pruning: %w", err)
	}
	// One target at a time, each its own short transaction, so that the
	// checks being recorded meanwhile wait little for SQLite's one writer.
	checksBefore := micros(now.Add(-s.opts.CheckRetention))
	for _, t := range targets {
		res, err := s.wdb.ExecContext(ctx, s.dialect.rebind(`DELETE FROM checks WHERE target_id = ? AND at_us < ?`), t.ID, checksBefore)
		if err != nil {
			return p, s.wrap("pruning checks", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return p, s.wrap("pruning checks", err)
		}
		p.Checks += n
	}
	res, err := s.wdb.ExecContext(ctx, s.dialect.rebind(`DELETE FROM rollups WHERE hour_us < ?`), micros(now.Add(-s.opts.RollupRetention)))
	if err != nil {
		return p, s.wrap("pruning rollups", err)
	}
	if p.Rollups, err = res.RowsAffected(); err != nil {
		return p, s.wrap("pruning rollups", err)
	}
	return p, nil
}
