package report

import (
	"fmt"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// inputLines describes each log and configuration file of the diagnosis in
// one line: what it was read as and what it gave, or why it could not be
// used and what would let it be.
func inputLines(inputs []diagnose.Input) []string {
	out := make([]string, 0, len(inputs))
	for _, in := range inputs {
		what := in.Kind + " " + in.Name
		switch in.Status {
		case diagnose.InputUsed:
			if in.Kind == "log" {
				out = append(out, fmt.Sprintf("%s: %d lines of this diagnosis's requests", what, in.Lines))
			} else if len(in.NotRead) > 0 {
				out = append(out, fmt.Sprintf("%s: read (%s), but for parts it skipped: %s", what, in.Format, strings.Join(in.NotRead, "; ")))
			} else {
				out = append(out, fmt.Sprintf("%s: read (%s)", what, in.Format))
			}
		case diagnose.InputNothingFound:
			out = append(out, fmt.Sprintf("%s: read, nothing found; %s", what, in.Hint))
		default:
			out = append(out, fmt.Sprintf("%s: not used: %s; %s", what, in.Reason, in.Hint))
		}
	}
	return out
}
