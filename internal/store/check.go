package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Check is one routine check of a target.
type Check struct {
	TargetID int64
	// Time is when the check started.
	Time time.Time
	// Duration is how long the whole check took.
	Duration time.Duration
	// Phases are the check's phase timings.
	Phases Phases
	// Status is the HTTP status seen, 0 when no response came back.
	Status int
	// Product and Role name who answered, in the cause catalog's words
	// (for example nginx and reverse_proxy); empty when unknown.
	Product, Role string
	// OK is the check's result: true when it passed.
	OK bool
	// Cause is the cause ID of a failure (ok when it passed).
	Cause string
	// ErrorClass is the class of the network error, if any.
	ErrorClass string
	// Protocol is the HTTP version of the answer, such as HTTP/1.1 or h2.
	Protocol string
}

// Phases are a check's phase timings, each zero when the phase did not
// happen (no DNS for an address, no TLS for http) or was not reached.
type Phases struct {
	DNS, Connect, TLS, TTFB, Transfer time.Duration
}

// checkColumns are the columns of a check, in the order of checkArgs and
// scanCheck.
const checkColumns = `target_id, at_us, duration_us, dns_us, connect_us, tls_us, ttfb_us,
    transfer_us, status, product, role, ok, cause, error_class, protocol`

const checkColumnCount = 15

// checkBatch is how many checks one INSERT of RecordChecks carries: 1,500
// parameters, far below either engine's limit (SQLite's 32,766,
// PostgreSQL's 65,535).
const checkBatch = 100

// insertChecksSQL is an INSERT of n checks, with ? placeholders.
func insertChecksSQL(n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", checkColumnCount), ", ") + ")"
	var b strings.Builder
	b.WriteString("INSERT INTO checks (" + checkColumns + ") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

func checkArgs(args []any, c Check) []any {
	return append(args, c.TargetID, micros(c.Time), c.Duration.Microseconds(),
		c.Phases.DNS.Microseconds(), c.Phases.Connect.Microseconds(), c.Phases.TLS.Microseconds(),
		c.Phases.TTFB.Microseconds(), c.Phases.Transfer.Microseconds(),
		c.Status, c.Product, c.Role, c.OK, c.Cause, c.ErrorClass, c.Protocol)
}

func validCheck(c Check) error {
	if c.TargetID <= 0 || c.Time.IsZero() {
		return fmt.Errorf("%w: a check needs its target and time", ErrInvalid)
	}
	return nil
}

// RecordCheck stores one check with a prepared statement. A caller with
// many checks at once uses RecordChecks, which is several times faster per
// check.
func (s *Store) RecordCheck(ctx context.Context, c Check) error {
	if err := validCheck(c); err != nil {
		return fmt.Errorf("recording check: %w", err)
	}
	if _, err := s.insertCheck.ExecContext(ctx, checkArgs(make([]any, 0, checkColumnCount), c)...); err != nil {
		return s.wrap("recording check", err)
	}
	return nil
}

// RecordChecks stores checks in one transaction, with multi-row inserts:
// all of them or, on error, none.
func (s *Store) RecordChecks(ctx context.Context, checks []Check) error {
	if len(checks) == 0 {
		return nil
	}
	for _, c := range checks {
		if err := validCheck(c); err != nil {
			return fmt.Errorf("recording checks: %w", err)
		}
	}
	return s.withTx(ctx, "recording checks", func(tx *sql.Tx) error {
		args := make([]any, 0, checkColumnCount*checkBatch)
		for len(checks) > 0 {
			n := min(len(checks), checkBatch)
			q := s.insertChecks
			if n < checkBatch {
				q = s.dialect.rebind(insertChecksSQL(n))
			}
			args = args[:0]
			for _, c := range checks[:n] {
				args = checkArgs(args, c)
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
			checks = checks[n:]
		}
		return nil
	})
}

// scanCheck reads the columns of checkColumns.
func scanCheck(rows *sql.Rows) (Check, error) {
	var c Check
	var at, dur, dns, conn, tls, ttfb, transfer int64
	err := rows.Scan(&c.TargetID, &at, &dur, &dns, &conn, &tls, &ttfb, &transfer,
		&c.Status, &c.Product, &c.Role, &c.OK, &c.Cause, &c.ErrorClass, &c.Protocol)
	if err != nil {
		return Check{}, err
	}
	c.Time = fromMicros(at)
	c.Duration = time.Duration(dur) * time.Microsecond
	c.Phases = Phases{
		DNS:      time.Duration(dns) * time.Microsecond,
		Connect:  time.Duration(conn) * time.Microsecond,
		TLS:      time.Duration(tls) * time.Microsecond,
		TTFB:     time.Duration(ttfb) * time.Microsecond,
		Transfer: time.Duration(transfer) * time.Microsecond,
	}
	return c, nil
}

// RecentChecks returns the last limit checks of a target, newest first.
func (s *Store) RecentChecks(ctx context.Context, targetID int64, limit int) ([]Check, error) {
	const q = `SELECT ` + checkColumns + ` FROM checks WHERE target_id = ?
ORDER BY at_us DESC, id DESC LIMIT ?`
	var out []Check
	err := s.eachCheck(ctx, s.dialect.rebind(q), []any{targetID, limit}, func(c Check) error {
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, s.wrap("reading recent checks", err)
	}
	return out, nil
}

// ExportChecks calls fn with each stored check of a target since a time,
// oldest first, and stops at fn's first error. Checks older than
// Options.CheckRetention are only in the rollups.
func (s *Store) ExportChecks(ctx context.Context, targetID int64, since time.Time, fn func(Check) error) error {
	const q = `SELECT ` + checkColumns + ` FROM checks WHERE target_id = ? AND at_us >= ?
ORDER BY at_us, id`
	if err := s.eachCheck(ctx, s.dialect.rebind(q), []any{targetID, micros(since)}, fn); err != nil {
		return s.wrap("exporting checks", err)
	}
	return nil
}

func (s *Store) eachCheck(ctx context.Context, q string, args []any, fn func(Check) error) error {
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCheck(rows)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LastFailure returns the time of a target's newest failed check, and
// false when none is stored.
func (s *Store) LastFailure(ctx context.Context, targetID int64) (time.Time, bool, error) {
	const q = `SELECT at_us FROM checks WHERE target_id = ? AND ok = ? ORDER BY at_us DESC LIMIT 1`
	var at int64
	err := s.rdb.QueryRowContext(ctx, s.dialect.rebind(q), targetID, false).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, s.wrap("reading the last failure of a target", err)
	}
	return fromMicros(at), true, nil
}
