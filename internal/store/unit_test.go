package store

import (
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
	"time"
)

func TestDSNKind(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"gwdoctor.db", "sqlite"},
		{"/var/lib/gwdoctor/gwdoctor.db", "sqlite"},
		{"file:/var/lib/gwdoctor/gwdoctor.db?cache=private", "sqlite"},
		{"./odd://name.db", "sqlite"},
		{"postgres://gw@db.example/gwdoctor", "postgres"},
		{"postgresql://gw@db.example/gwdoctor?sslmode=require", "postgres"},
		{"mysql://db.example/gwdoctor", "mysql://"},
	}
	for _, tc := range tests {
		if got := dsnKind(tc.dsn); got != tc.want {
			t.Errorf("dsnKind(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
	}
}

func TestRebind(t *testing.T) {
	tests := []struct {
		d        dialect
		in, want string
	}{
		{sqlite, "SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = ? AND c = ?"},
		{postgres, "SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		{postgres, "SELECT 1", "SELECT 1"},
	}
	for _, tc := range tests {
		if got := tc.d.rebind(tc.in); got != tc.want {
			t.Errorf("%v.rebind(%q) = %q, want %q", tc.d, tc.in, got, tc.want)
		}
	}
}

// TestMigrationsInStep checks that both dialects have the same steps.
func TestMigrationsInStep(t *testing.T) {
	names := map[dialect][]int{}
	for _, d := range []dialect{sqlite, postgres} {
		fsys, err := migrationFS(d)
		if err != nil {
			t.Fatal(err)
		}
		steps, err := loadMigrations(fsys)
		if err != nil {
			t.Fatalf("%v: %v", d, err)
		}
		for _, m := range steps {
			names[d] = append(names[d], m.version)
		}
	}
	if !reflect.DeepEqual(names[sqlite], names[postgres]) {
		t.Errorf("steps: sqlite %v, postgres %v", names[sqlite], names[postgres])
	}
}

func TestLoadMigrations(t *testing.T) {
	step := &fstest.MapFile{Data: []byte("SELECT 1;")}
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		want    []int
		wantErr bool
	}{
		{"in order", fstest.MapFS{"0001_a.sql": step, "0002_b.sql": step, "README": step}, []int{1, 2}, false},
		{"gap", fstest.MapFS{"0001_a.sql": step, "0003_c.sql": step}, nil, true},
		{"not from 1", fstest.MapFS{"0002_b.sql": step}, nil, true},
		{"no number", fstest.MapFS{"init.sql": step}, nil, true},
		{"none", fstest.MapFS{}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			steps, err := loadMigrations(tc.fsys)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tc.wantErr)
			}
			var got []int
			for _, m := range steps {
				got = append(got, m.version)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("versions = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSQLiteSettings reads back the pragmas that Open sets on SQLite's
// writer and readers.
func TestSQLiteSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gwdoctor.db")
	s := openStore(t, path, Options{BusyTimeout: 1234 * time.Millisecond})
	tests := []struct {
		pool   string
		pragma string
		want   string
	}{
		{"writer", "journal_mode", "wal"},
		{"writer", "busy_timeout", "1234"},
		{"writer", "foreign_keys", "1"},
		{"writer", "synchronous", "1"}, // NORMAL
		{"reader", "busy_timeout", "1234"},
		{"reader", "foreign_keys", "1"},
		{"reader", "query_only", "1"},
	}
	for _, tc := range tests {
		db := s.wdb
		if tc.pool == "reader" {
			db = s.rdb
		}
		var got string
		if err := db.QueryRowContext(t.Context(), "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tc.pragma, err)
		}
		if got != tc.want {
			t.Errorf("%s: PRAGMA %s = %s, want %s", tc.pool, tc.pragma, got, tc.want)
		}
	}
}
