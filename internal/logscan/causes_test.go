package logscan

import (
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// TestCauseIndex checks causeIndex against a search of allCauses, for the
// causes and for strings that look like them.
func TestCauseIndex(t *testing.T) {
	search := func(c catalog.Cause) int {
		for i, x := range allCauses {
			if x == c {
				return i
			}
		}
		return -1
	}
	tests := []catalog.Cause{"", "ok", "upstream", "upstreams", "upstream.", "upstream.x", "upstream.refusex", "upstreaM.refused", "upstream.tlx", catalog.OK}
	for _, c := range allCauses {
		tests = append(tests, c, c+"x", c[:len(c)-1])
	}
	for _, c := range tests {
		if got, want := causeIndex(c), search(c); got != want {
			t.Errorf("causeIndex(%q) = %d, want %d", c, got, want)
		}
	}
}
