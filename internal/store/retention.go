package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

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
	err = s.withTx(ctx, "pruning rollups", func(tx *sql.Tx) error {
		cutoff := micros(now.Add(-s.opts.RollupRetention))
		res, err := tx.ExecContext(ctx, s.dialect.rebind(`DELETE FROM rollups WHERE hour_us < ?`), cutoff)
		if err != nil {
			return err
		}
		if p.Rollups, err = res.RowsAffected(); err != nil {
			return err
		}
		// A day goes with the last of its hours.
		_, err = tx.ExecContext(ctx, s.dialect.rebind(`DELETE FROM rollup_days WHERE day_us <= ?`), cutoff-dayMicros)
		return err
	})
	return p, err
}
