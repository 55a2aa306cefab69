package experiment

import (
	"context"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// families asks the site once over each address family when its name has
// both IPv6 and IPv4 addresses: a browser connects with whichever answers
// first, so a family that fails alone would stay unseen.
func (r *runner) families(ctx context.Context, tries []diagnose.Attempt) []diagnose.Attempt {
	var fams []string
	for _, t := range tries {
		if t.Probe != nil {
			if f := t.Probe.Families(); len(f) > len(fams) {
				fams = f
			}
		}
	}
	if len(fams) < 2 {
		return nil
	}
	r.progress("asking over IPv6 and IPv4 alone")
	var out []diagnose.Attempt
	for _, f := range []string{probe.Family6, probe.Family4} {
		req := r.userRequest(0)
		req.family = f
		out = append(out, r.attempt(ctx, "ipv"+f, req))
	}
	return out
}
