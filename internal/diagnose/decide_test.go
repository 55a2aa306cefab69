package diagnose

import (
	"slices"
	"testing"
)

// TestDecide checks the precedence table, the refinements and the
// confidence rule on claims alone.
func TestDecide(t *testing.T) {
	pro := func(cause Cause, k kind, source string) claim {
		return claim{cause: cause, kind: k, source: source}
	}
	con := func(cause Cause, k kind) claim { return claim{cause: cause, kind: k, against: true} }
	for _, tc := range []struct {
		name     string
		claims   []claim
		cause    Cause
		conf     Confidence
		ruledOut []Cause
	}{
		{"nothing claimed", nil, Unknown, Low, []Cause{}},
		{"the parent alone", []claim{pro(Upstream, kindStatus, "try 1")}, Upstream, Low, []Cause{}},
		{"a parent that a direct request supports", []claim{pro(Upstream, kindDirect, "upstream try 1")}, Upstream, Medium, []Cause{}},
		{"a cause that says why beats the parent", []claim{pro(Upstream, kindDirect, "try 1"), pro(UpstreamTimeout, kindTiming, "try 1")}, UpstreamTimeout, Medium, []Cause{}},
		{"own words alone", []claim{pro(UpstreamTimeout, kindOwnWords, "try 1")}, UpstreamTimeout, High, []Cause{}},
		{"direct beats own words, which it outranks", []claim{pro(UpstreamTimeout, kindOwnWords, "try 1"), pro(UpstreamRefused, kindDirect, "upstream try 1")}, UpstreamRefused, High, []Cause{}},
		{"replay beats direct", []claim{pro(EdgeUnreachable, kindDirect, "try 1"), pro(ClientDNS, kindReplay, "at 198.51.100.7")}, ClientDNS, High, []Cause{}},
		{"own words beat timing", []claim{pro(UpstreamAppError, kindOwnWords, "try 1"), pro(UpstreamTimeout, kindTiming, "try 1")}, UpstreamAppError, High, []Cause{}},
		{"timing beats status", []claim{pro(UpstreamTimeout, kindStatus, "try 1"), pro(UpstreamUnreachable, kindTiming, "try 1")}, UpstreamUnreachable, Medium, []Cause{}},
		{"equal kinds: the first read wins, and is medium", []claim{pro(UpstreamTimeout, kindOwnWords, "try 1"), pro(UpstreamRefused, kindOwnWords, "log")}, UpstreamTimeout, Medium, []Cause{}},
		{"ruled out by a higher kind", []claim{pro(Upstream, kindStatus, "try 1"), pro(UpstreamTimeout, kindStatus, "try 1"), con(UpstreamTimeout, kindTiming)}, Upstream, Low, []Cause{UpstreamTimeout}},
		{"ruled out by a lower kind: stands, not listed", []claim{pro(UpstreamTimeout, kindOwnWords, "try 1"), con(UpstreamTimeout, kindTiming)}, UpstreamTimeout, High, []Cause{}},
		{"ruled out by an equal kind: stands at medium", []claim{pro(EdgeUnreachable, kindDirect, "try 1"), con(EdgeUnreachable, kindDirect)}, EdgeUnreachable, Medium, []Cause{}},
		{"a limit that kills every direct request turns closed into timeout", []claim{pro(UpstreamClosed, kindDirect, "upstream try 1"), pro(UpstreamTimeout, kindDirect, "upstream try 1")}, UpstreamTimeout, High, []Cause{}},
		{"and a gateway that fails at once, into overloaded", []claim{pro(UpstreamClosed, kindDirect, "upstream try 1"), pro(UpstreamTimeout, kindDirect, "upstream try 1"), pro(UpstreamOverloaded, kindDirect, "upstream try 1")}, UpstreamOverloaded, High, []Cause{}},
		{"a log refines closed", []claim{pro(UpstreamClosed, kindDirect, "upstream try 1"), pro(UpstreamTruncated, kindOwnWords, "log")}, UpstreamTruncated, High, []Cause{}},
		{"a page's own words do not refine closed", []claim{pro(UpstreamClosed, kindDirect, "upstream try 1"), pro(UpstreamTimeout, kindOwnWords, "try 1")}, UpstreamClosed, High, []Cause{}},
		{"a log that does not refine loses to a direct request", []claim{pro(UpstreamRefused, kindDirect, "upstream try 1"), pro(UpstreamNoneHealthy, kindOwnWords, "log")}, UpstreamRefused, High, []Cause{}},
		{"the servers' failures explain none healthy", []claim{pro(UpstreamNoneHealthy, kindDirect, "health check"), pro(UpstreamRefused, kindOwnWords, "log")}, UpstreamRefused, High, []Cause{}},
		{"only the connect limit fits", []claim{pro(UpstreamTimeout, kindOwnWords, "try 1"), pro(UpstreamUnreachable, kindTiming, "try 1")}, UpstreamUnreachable, Medium, []Cause{}},
		{"ruled-out causes listed once, in order, but the verdict's", []claim{pro(UpstreamRefused, kindDirect, "upstream try 1"), con(DNSFailure, kindDirect), con(UpstreamRefused, kindFallback), con(DNSFailure, kindDirect), con(EdgeTLS, kindDirect)}, UpstreamRefused, High, []Cause{DNSFailure, EdgeTLS}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := decide(tc.claims)
			var out []Cause
			for _, x := range d.ruledOut {
				out = append(out, x.Cause)
			}
			if out == nil {
				out = []Cause{}
			}
			if d.cause != tc.cause || d.confidence != tc.conf || !slices.Equal(out, tc.ruledOut) {
				t.Errorf("decide = %s (%s), ruling out %v; want %s (%s), ruling out %v", d.cause, d.confidence, out, tc.cause, tc.conf, tc.ruledOut)
			}
		})
	}
}
