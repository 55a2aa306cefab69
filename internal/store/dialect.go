package store

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is one of the two engines. The queries are written once, with ?
// placeholders, and rebound for PostgreSQL; what differs beyond that is
// here, and in the migrations.
type dialect int

const (
	sqlite dialect = iota + 1
	postgres
)

// migrationLockKey is the PostgreSQL advisory lock that serializes the
// migrations of replicas opening one database at once.
const migrationLockKey = 0x67776463 // "gwdc"

func (d dialect) String() string {
	if d == postgres {
		return "postgres"
	}
	return "sqlite"
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, ... The queries
// of this package have no ? inside string literals.
func (d dialect) rebind(query string) string {
	if d != postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// nowQuery reads the database's clock in microseconds. Leases use it so
// that replicas on machines whose clocks disagree still agree on expiry.
func (d dialect) nowQuery() string {
	if d == postgres {
		// clock_timestamp, not now(): now() is the transaction's start.
		return "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
	}
	return "SELECT CAST(unixepoch('subsec') * 1000000 AS INTEGER)"
}

// migrationLock is run first in a migration's transaction. SQLite needs
// none: its write transactions begin IMMEDIATE, one at a time.
func (d dialect) migrationLock() string {
	if d == postgres {
		return fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLockKey)
	}
	return ""
}

// locked reports whether err is the engine's "a lock was not granted in
// time": SQLite's BUSY or LOCKED after busy_timeout, PostgreSQL's
// lock_not_available (55P03) after lock_timeout.
func (d dialect) locked(err error) bool {
	if d == postgres {
		var pgErr *pgconn.PgError
		return errors.As(err, &pgErr) && pgErr.Code == "55P03"
	}
	var sqErr *msqlite.Error
	if !errors.As(err, &sqErr) {
		return false
	}
	// Extended result codes keep the primary code in the low byte.
	code := sqErr.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}

// retryable reports whether err is PostgreSQL's deadlock_detected
// (40P01) or serialization_failure (40001): the transaction was given up
// to let another proceed, and may be tried again.
func (d dialect) retryable(err error) bool {
	var pgErr *pgconn.PgError
	return d == postgres && errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001")
}

// openSQLite opens a writer pool of one connection and a reader pool on
// the SQLite file named by dsn.
func openSQLite(dsn string, opts Options) (w, r *sql.DB, err error) {
	base, query, err := sqliteBase(dsn)
	if err != nil {
		return nil, nil, err
	}
	common := func() url.Values {
		v := url.Values{}
		for k, vs := range query {
			v[k] = append([]string(nil), vs...)
		}
		v.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
		v.Add("_pragma", "foreign_keys(1)")
		v.Add("_pragma", "synchronous(NORMAL)")
		return v
	}
	wq := common()
	wq.Add("_pragma", "journal_mode(WAL)")
	wq.Set("_txlock", "immediate")
	rq := common()
	rq.Add("_pragma", "query_only(1)")

	w, err = sql.Open("sqlite", base+"?"+wq.Encode())
	if err != nil {
		return nil, nil, fmt.Errorf("opening SQLite database: %w", err)
	}
	r, err = sql.Open("sqlite", base+"?"+rq.Encode())
	if err != nil {
		return nil, nil, errors.Join(fmt.Errorf("opening SQLite database: %w", err), w.Close())
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	r.SetMaxOpenConns(opts.MaxConns)
	r.SetMaxIdleConns(opts.MaxConns)
	return w, r, nil
}

// sqliteBase splits a SQLite DSN into the file (a path or a file: URL
// without its query) and the query parameters it came with.
func sqliteBase(dsn string) (string, url.Values, error) {
	base, rawQuery, _ := strings.Cut(dsn, "?")
	if !strings.HasPrefix(dsn, "file:") && rawQuery != "" {
		return "", nil, fmt.Errorf("opening SQLite database: %w: a path with '?' (write it as a file: URL)", ErrInvalid)
	}
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", nil, fmt.Errorf("opening SQLite database: parsing the file: URL's query: %w", err)
	}
	name := strings.TrimPrefix(base, "file:")
	if name == "" || name == ":memory:" || query.Get("mode") == "memory" {
		// The writer and readers would each get a database of their own.
		return "", nil, fmt.Errorf("opening SQLite database: %w: an in-memory database cannot be shared; give a file", ErrInvalid)
	}
	return base, query, nil
}

// openPostgres opens a pool on the PostgreSQL database named by dsn.
func openPostgres(dsn string, opts Options) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message hides a password that the URL holds.
		return nil, fmt.Errorf("opening PostgreSQL database: %w", err)
	}
	if _, set := cfg.RuntimeParams["lock_timeout"]; !set {
		cfg.RuntimeParams["lock_timeout"] = strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10)
	}
	if _, set := cfg.RuntimeParams["application_name"]; !set {
		cfg.RuntimeParams["application_name"] = "gwdoctor"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(opts.MaxConns)
	db.SetMaxIdleConns(opts.MaxConns)
	return db, nil
}
