package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Leases share the targets between replicas that use one database: a
// replica checks only the targets it holds a lease on. A lease row names
// its holder and when it expires, by the database's clock, so that
// replicas whose clocks disagree still agree. A target is never given to
// a second holder while its lease is live; once it has expired, any
// holder may take it over. The row is updated under the engine's row
// lock (PostgreSQL's INSERT ... ON CONFLICT DO UPDATE ... WHERE re-checks
// the newest row version; SQLite has one writer at a time), so two
// replicas racing for one target cannot both win.
//
// A holder acts on a target only until the expiry it was granted, counted
// from before its call: a replica that could not renew in time stops
// checking what it may have lost.

// Lease gives holder, for ttl, each of targets that nobody else holds
// live, and returns those it now holds: the ones it held already, whose
// leases it extends, and the ones it took.
func (s *Store) Lease(ctx context.Context, holder string, targets []int64, ttl time.Duration) ([]int64, error) {
	if holder == "" || ttl <= 0 {
		return nil, fmt.Errorf("leasing targets: %w: a lease needs a holder and a positive ttl", ErrInvalid)
	}
	// In ascending order, two replicas leasing at once lock rows in the
	// same order and cannot deadlock each other; a deadlock with a Renew
	// that a takeover raced is still possible on PostgreSQL, which breaks
	// it by failing one side: that side tries again.
	sorted := slices.Clone(targets)
	slices.Sort(sorted)
	var held []int64
	var err error
	for try := 1; try <= leaseTries; try++ {
		held, err = s.lease(ctx, holder, sorted, ttl)
		if err == nil || !s.dialect.retryable(err) {
			break
		}
	}
	return held, err
}

// leaseTries bounds the tries of Lease after deadlocks.
const leaseTries = 3

func (s *Store) lease(ctx context.Context, holder string, targets []int64, ttl time.Duration) ([]int64, error) {
	const q = `INSERT INTO leases (target_id, holder, expires_us) VALUES (?, ?, ?)
ON CONFLICT (target_id) DO UPDATE SET holder = excluded.holder, expires_us = excluded.expires_us
WHERE leases.expires_us <= ? OR leases.holder = excluded.holder
RETURNING target_id`
	var held []int64
	err := s.withTx(ctx, "leasing targets", func(tx *sql.Tx) error {
		now, err := s.dbNow(ctx, tx)
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, s.dialect.rebind(q))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, t := range targets {
			var id int64
			err := stmt.QueryRowContext(ctx, t, holder, now+ttl.Microseconds(), now).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				continue // someone else holds it
			}
			if err != nil {
				return fmt.Errorf("leasing target %d: %w", t, err)
			}
			held = append(held, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return held, nil
}

// Renew extends, for ttl, every lease that holder still has, and returns
// their targets. A lease that expired is renewed too, unless another
// holder took it over meanwhile: then it is missing from the result.
func (s *Store) Renew(ctx context.Context, holder string, ttl time.Duration) ([]int64, error) {
	if holder == "" || ttl <= 0 {
		return nil, fmt.Errorf("renewing leases: %w: a lease needs a holder and a positive ttl", ErrInvalid)
	}
	var held []int64
	err := s.withTx(ctx, "renewing leases", func(tx *sql.Tx) error {
		now, err := s.dbNow(ctx, tx)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, s.dialect.rebind(
			`UPDATE leases SET expires_us = ? WHERE holder = ? RETURNING target_id`), now+ttl.Microseconds(), holder)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			held = append(held, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return held, nil
}

// Release gives up holder's leases on targets, so that another replica
// may take them at once. With no targets, holder leaves: all its leases
// and its presence (see Present) go.
func (s *Store) Release(ctx context.Context, holder string, targets ...int64) error {
	q := `DELETE FROM leases WHERE holder = ?`
	args := []any{holder}
	if len(targets) > 0 {
		q += ` AND target_id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(targets)), ", ") + `)`
		for _, t := range targets {
			args = append(args, t)
		}
	}
	err := s.withTx(ctx, "releasing leases", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.dialect.rebind(q), args...); err != nil {
			return err
		}
		if len(targets) > 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, s.dialect.rebind(`DELETE FROM replicas WHERE holder = ?`), holder)
		return err
	})
	return err
}

// Present notes holder as a live replica for ttl, by the database's
// clock, and returns how many replicas are live, holder included: each
// replica takes about its share of the targets by this count.
func (s *Store) Present(ctx context.Context, holder string, ttl time.Duration) (int, error) {
	if holder == "" || ttl <= 0 {
		return 0, fmt.Errorf("noting a replica: %w: it needs a holder and a positive ttl", ErrInvalid)
	}
	var live int
	err := s.withTx(ctx, "noting a replica", func(tx *sql.Tx) error {
		now, err := s.dbNow(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.dialect.rebind(`INSERT INTO replicas (holder, expires_us) VALUES (?, ?)
ON CONFLICT (holder) DO UPDATE SET expires_us = excluded.expires_us`), holder, now+ttl.Microseconds())
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.dialect.rebind(`DELETE FROM replicas WHERE expires_us <= ?`), now); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM replicas`).Scan(&live)
	})
	return live, err
}

// dbNow reads the database's clock, in microseconds since the epoch.
func (s *Store) dbNow(ctx context.Context, tx *sql.Tx) (int64, error) {
	var now int64
	if err := tx.QueryRowContext(ctx, s.dialect.nowQuery()).Scan(&now); err != nil {
		return 0, fmt.Errorf("reading the database's clock: %w", err)
	}
	return now, nil
}
