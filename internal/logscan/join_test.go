package logscan

import (
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// TestJoinable checks joinable against joinKeys.
func TestJoinable(t *testing.T) {
	entries := []Entry{
		{}, {RequestID: "r"}, {Conn: 1}, {Client: "c"}, {Path: "/"}, {Client: "c", Path: "/"},
		{Product: catalog.Squid}, {Product: catalog.Squid, Path: "/"},
	}
	for _, e := range entries {
		if got, want := joinable(&e), len(joinKeys(&e, nil)) > 0; got != want {
			t.Errorf("joinable(%+v) = %v, want %v", e, got, want)
		}
	}
}
