package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCut(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"abcdef", 3, "abc…"},
		{"abé", 3, "ab…"}, // é is two bytes: the cut does not split it
		{strings.Repeat("é", 100), 121, strings.Repeat("é", 60) + "…"},
	} {
		got := cut(tc.in, tc.n)
		if got != tc.want {
			t.Errorf("cut(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("cut(%q, %d) = %q, not valid UTF-8", tc.in, tc.n, got)
		}
	}
}
