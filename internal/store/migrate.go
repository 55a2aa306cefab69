package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"
)

// migrations holds one directory per dialect, each with the numbered steps
// NNNN_name.sql. Both directories have the same steps: a step changes the
// schema of both engines the same way.
//
//go:embed migrations
var migrations embed.FS

// migration is one numbered step of the schema.
type migration struct {
	version int
	name    string
	sql     string
}

// createSchemaMigrations records the steps applied; it is the one table
// that no step creates, since the steps are counted in it.
const createSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_us BIGINT  NOT NULL
)`

// migrationFS returns the steps of dialect d.
func migrationFS(d dialect) (fs.FS, error) {
	sub, err := fs.Sub(migrations, "migrations/"+d.String())
	if err != nil {
		return nil, fmt.Errorf("finding the %s migrations: %w", d, err)
	}
	return sub, nil
}

// loadMigrations reads the steps in fsys, in order, and checks that they
// are numbered 1, 2, 3, ... without a gap.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var steps []migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		num, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: the name does not start with a number: %w", e.Name(), err)
		}
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", e.Name(), err)
		}
		steps = append(steps, migration{version: v, name: e.Name(), sql: string(body)})
	}
	// fs.ReadDir sorts by name, and the numbers are zero-padded.
	for i, m := range steps {
		if m.version != i+1 {
			return nil, fmt.Errorf("reading migrations: %s should be step %d", m.name, i+1)
		}
	}
	if len(steps) == 0 {
		return nil, errors.New("reading migrations: none found")
	}
	return steps, nil
}

// migrate applies the steps of fsys that the database lacks, each in a
// transaction of its own that also records it in schema_migrations.
func migrate(ctx context.Context, db *sql.DB, d dialect, fsys fs.FS) error {
	steps, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	latest := steps[len(steps)-1].version
	// The usual case, an up-to-date schema, needs no write lock. An error
	// here (no such table yet) is answered by the locked path below.
	var current int
	err = db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current)
	if err == nil && current >= latest {
		return checkNotNewer(current, latest)
	}
	for _, m := range steps {
		if err := applyMigration(ctx, db, d, m, latest); err != nil {
			return err
		}
	}
	return nil
}

func checkNotNewer(current, latest int) error {
	if current > latest {
		return fmt.Errorf("%w: the database is at version %d, this gwdoctor knows versions up to %d; open it with a newer gwdoctor", ErrSchemaTooNew, current, latest)
	}
	return nil
}

// applyMigration applies step m unless the database has it already,
// which another replica may have just done.
func applyMigration(ctx context.Context, db *sql.DB, d dialect, m migration, latest int) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning migration %s: %w", m.name, err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, rollback(tx))
		}
	}()
	if lock := d.migrationLock(); lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return fmt.Errorf("locking migrations: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, createSchemaMigrations); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if err := checkNotNewer(current, latest); err != nil {
		return err
	}
	if current >= m.version {
		return rollback(tx)
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("applying migration %s: %w", m.name, err)
	}
	_, err = tx.ExecContext(ctx, d.rebind("INSERT INTO schema_migrations (version, name, applied_us) VALUES (?, ?, ?)"),
		m.version, m.name, time.Now().UnixMicro())
	if err != nil {
		return fmt.Errorf("recording migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing migration %s: %w", m.name, err)
	}
	return nil
}
