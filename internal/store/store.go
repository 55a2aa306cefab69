// Package store keeps what the watcher sees: its targets, every check with
// its phase timings, incidents with the diagnosis captured at their onset
// and their timelines, hourly rollups, and the leases that let several
// replicas share one database without checking a target twice.
//
// One API serves two engines. A file path (or a file: URL) opens SQLite, in
// WAL mode, through the pure-Go modernc.org/sqlite; a postgres:// or
// postgresql:// URL opens PostgreSQL through jackc/pgx. Both schemas are
// embedded, numbered migrations, applied when the store opens.
//
// The store keeps what it is given and nothing else. Callers redact secrets
// (header values, cookies, credentials in URLs, and anything of the kind
// inside a diagnosis document) before they hand a record over; the schema
// has no field for request headers or cookies on purpose.
//
// SQLite runs with synchronous=NORMAL: a committed write survives the
// process being killed; a crash of the machine may lose the last commits
// before a checkpoint, never the file's consistency.
//
// Times are stored as microseconds since the Unix epoch and come back in
// UTC with microsecond precision; durations are stored in microseconds.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Defaults of Options.
const (
	DefaultBusyTimeout     = 5 * time.Second
	DefaultCheckRetention  = 14 * 24 * time.Hour
	DefaultRollupRetention = 400 * 24 * time.Hour
	DefaultMaxConns        = 8
)

// Sentinel errors that callers test with errors.Is.
var (
	// ErrNotFound reports that the record asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrLocked reports that another connection held the lock a write
	// needed for longer than Options.BusyTimeout.
	ErrLocked = errors.New("database is locked by another connection")
	// ErrSchemaTooNew reports a database migrated by a newer gwdoctor.
	ErrSchemaTooNew = errors.New("database schema is newer than this gwdoctor")
	// ErrInvalid reports a record, query or DSN that the store refuses.
	ErrInvalid = errors.New("invalid")
)

// Options tune a Store. The zero value is ready to use.
type Options struct {
	// BusyTimeout is how long a write waits for a lock that another
	// connection holds before it fails with ErrLocked: SQLite's
	// busy_timeout, PostgreSQL's lock_timeout. Default 5s.
	BusyTimeout time.Duration
	// CheckRetention is how long raw checks are kept by Prune.
	// Default 14 days.
	CheckRetention time.Duration
	// RollupRetention is how long hourly rollups are kept by Prune.
	// Default 400 days.
	RollupRetention time.Duration
	// MaxConns bounds the connections to PostgreSQL, and SQLite's readers
	// (SQLite has one writer). Default 8.
	MaxConns int
}

func (o Options) withDefaults() Options {
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = DefaultBusyTimeout
	}
	if o.CheckRetention <= 0 {
		o.CheckRetention = DefaultCheckRetention
	}
	if o.RollupRetention <= 0 {
		o.RollupRetention = DefaultRollupRetention
	}
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	return o
}

// Store is the watcher's storage. Its methods are safe for concurrent use.
type Store struct {
	dialect dialect
	opts    Options
	// where names the database in errors: the SQLite file, or PostgreSQL.
	where string
	// wdb takes the writes and rdb the reads. They are one pool for
	// PostgreSQL; for SQLite, wdb has a single connection whose
	// transactions begin IMMEDIATE (SQLite has one writer at a time, and a
	// deferred transaction that upgrades to a write can fail at once
	// instead of waiting), while rdb has several readers, which WAL lets
	// run beside the writer.
	wdb, rdb *sql.DB
	// insertCheck is the prepared single-row insert of RecordCheck.
	insertCheck *sql.Stmt
	// insertChecks is the multi-row insert of a full batch of RecordChecks.
	insertChecks string
}

// Open opens the store named by dsn and brings its schema up to date.
// dsn is a SQLite file path or file: URL, or a postgres:// or
// postgresql:// URL.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	s := &Store{opts: opts}
	var err error
	switch kind := dsnKind(dsn); kind {
	case "postgres":
		s.dialect, s.where = postgres, "PostgreSQL"
		s.wdb, err = openPostgres(dsn, opts)
		s.rdb = s.wdb
	case "sqlite":
		base, _, _ := strings.Cut(dsn, "?")
		s.dialect, s.where = sqlite, "SQLite file "+strings.TrimPrefix(base, "file:")
		s.wdb, s.rdb, err = openSQLite(dsn, opts)
	default:
		return nil, fmt.Errorf("opening database: %w: %q is neither a file path nor a postgres:// URL", ErrInvalid, kind)
	}
	if err != nil {
		return nil, err
	}
	if err := s.init(ctx); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	if err := s.wdb.PingContext(ctx); err != nil {
		return s.wrap("opening "+s.where, err)
	}
	fsys, err := migrationFS(s.dialect)
	if err != nil {
		return err
	}
	if err := migrate(ctx, s.wdb, s.dialect, fsys); err != nil {
		return s.wrap("migrating the schema of "+s.where, err)
	}
	s.insertCheck, err = s.wdb.PrepareContext(ctx, s.dialect.rebind(insertChecksSQL(1)))
	if err != nil {
		return s.wrap("preparing check insert", err)
	}
	s.insertChecks = s.dialect.rebind(insertChecksSQL(checkBatch))
	return nil
}

// Close closes the store's connections.
func (s *Store) Close() error {
	var errs []error
	if s.insertCheck != nil {
		errs = append(errs, s.insertCheck.Close())
	}
	errs = append(errs, s.wdb.Close())
	if s.rdb != s.wdb {
		errs = append(errs, s.rdb.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("closing database: %w", err)
	}
	return nil
}

// Engine names the engine behind the store: "sqlite" or "postgres".
func (s *Store) Engine() string { return s.dialect.String() }

// dsnKind tells which engine a DSN names: "postgres", "sqlite", or the
// unknown scheme of a URL.
func dsnKind(dsn string) string {
	scheme, _, found := strings.Cut(dsn, "://")
	switch {
	case !found:
		return "sqlite"
	case scheme == "postgres" || scheme == "postgresql":
		return "postgres"
	case strings.HasPrefix(dsn, "file:"):
		return "sqlite"
	case strings.ContainsAny(scheme, `/\.`):
		// A path that contains "://" further on, such as ./a://b.
		return "sqlite"
	}
	return scheme + "://"
}

// micros converts a time to the stored microseconds since the epoch.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts stored microseconds back to a UTC time.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullMicros stores the zero time as NULL.
func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(t), Valid: true}
}

func fromNullMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicros(v.Int64)
}

// withTx runs fn in a write transaction and commits it.
func (s *Store) withTx(ctx context.Context, doing string, fn func(*sql.Tx) error) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(doing, err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(s.wrap(doing, err), rollback(tx))
	}
	if err := tx.Commit(); err != nil {
		return s.wrap(doing, err)
	}
	return nil
}

func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("rolling back: %w", err)
	}
	return nil
}

// wrap prefixes err with what was being done, and marks the engine's lock
// errors as ErrLocked.
func (s *Store) wrap(doing string, err error) error {
	if !errors.Is(err, ErrLocked) && s.dialect.locked(err) {
		return fmt.Errorf("%s: %w (waited %s): %w", doing, ErrLocked, s.opts.BusyTimeout, err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}
