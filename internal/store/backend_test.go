package store

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/store/storetest"
)

// backend is one engine the suite runs against.
type backend struct {
	name string
	// dsn returns the DSN of a new, empty database.
	dsn func(t *testing.T) string
}

// backends yields SQLite and PostgreSQL. PostgreSQL is a real server from
// Debian's postgresql package, started once for parent, on the first call,
// as a throwaway cluster; each dsn call creates a database of its own.
func backends(parent *testing.T) []backend {
	var once sync.Once
	var cluster *storetest.Cluster
	var startErr error
	return []backend{
		{name: "sqlite", dsn: func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "gwdoctor.db")
		}},
		{name: "postgres", dsn: func(t *testing.T) string {
			once.Do(func() { cluster, startErr = storetest.StartPostgres(parent, false) })
			if startErr != nil {
				t.Fatal(startErr)
			}
			return cluster.NewDatabase(t)
		}},
	}
}
