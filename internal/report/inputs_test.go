package report

import (
	"slices"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

func TestInputLines(t *testing.T) {
	t.Parallel()
	got := inputLines([]diagnose.Input{
		{Kind: "log", Name: "error.log", Status: diagnose.InputUsed, Format: "nginx-error", Lines: 3},
		{Kind: "config", Name: "nginx.conf", Status: diagnose.InputUsed, Format: "nginx"},
		{Kind: "config", Name: "site.conf", Status: diagnose.InputUsed, Format: "nginx", NotRead: []string{"site.conf:2: include gone.conf: no such file"}},
		{Kind: "log", Name: "access.log", Status: diagnose.InputNothingFound, Hint: "the site may log elsewhere"},
		{Kind: "log", Name: "x.log", Status: diagnose.InputUnusable, Reason: "missing", Hint: "check the path"},
	})
	want := []string{
		"log error.log: 3 lines of this diagnosis's requests",
		"config nginx.conf: read (nginx)",
		"config site.conf: read (nginx), but for parts it skipped: site.conf:2: include gone.conf: no such file",
		"log access.log: read, nothing found; the site may log elsewhere",
		"log x.log: not used: missing; check the path",
	}
	if !slices.Equal(got, want) {
		t.Errorf("inputLines:\n got %q\nwant %q", got, want)
	}
}
