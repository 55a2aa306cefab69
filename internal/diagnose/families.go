package diagnose

import "fmt"

// families sets the answers over IPv6 alone and IPv4 alone side by side:
// a site that fails over one family and works over the other is a finding
// of its own, whatever the verdict (a browser here lands on the family
// that connects first); a family this machine has no route for at all is
// said so, and not held against the site.
func (j *judgement) families() {
	if len(j.e.Families) < 2 {
		return
	}
	var failed, worked []Attempt
	for _, a := range j.e.Families {
		if a.Probe != nil && a.Probe.NoRouteFamily() != "" {
			j.note(a.Label, noteNoRouteFamily, a.Probe.NoRouteFamily(), a.Probe.Error)
			return
		}
		if a.Failed() {
			failed = append(failed, a)
		} else {
			worked = append(worked, a)
		}
	}
	if len(failed) != 1 || len(worked) != 1 {
		return
	}
	f, w := failed[0], worked[0]
	j.note(f.Label, noteOneFamilyFails,
		familyName(f), f.Probe.Addr, familyFailure(f), familyName(w), w.Probe.Addr, statusText(w), familyName(f))
}

func familyName(a Attempt) string {
	if a.Label == "ipv6" {
		return "IPv6"
	}
	return "IPv4"
}

func familyFailure(a Attempt) string {
	if a.Probe.Response != nil {
		return statusText(a)
	}
	return fmt.Sprintf(phraseClassIn, a.Probe.Class, a.Probe.FailedIn)
}
