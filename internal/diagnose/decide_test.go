package diagnose

import (
	"slices"
	"testing"
)

// TestDecide checks the precedence table, the refinements and the
// confidence rule on claims alone.
func TestDecide(t *testing.T) {
	pro := func(cause string, k kind, source string) claim {
		return claim{cause: cause, kind: k, source: source}
	}
	con := func(cause string, k kind) claim { return claim{cause: cause, kind: k, against: true} }
	for _, tc := range []struct {
		name     string
		claims   []claim
		cause    string
		conf     Confidence
		ruledOut []string
	}{
		{"nothing claimed", nil, Unknown, Low, []string{}},
		{"the parent alone", []claim{pro(Upstream, kindStatus, "try 1")}, Upstream, Low, []string{}},
		{"a parent that a direct request supports", []claim{pro(Upstream, kindDirect, "upstream try 1")}, Upstream, Medium, []string{}},
		{"a cause that says why beats the parent", []claim{pro(Upstream, kindDirect, "try 1"), pro(UpstreamTimeout, kindTiming, "try 1")}, UpstreamTimeout, Medium, []string{}},
		{"own words alone", []claim{pro(UpstreamTimeout, kindOwnWords, "try 1")}, UpstreamTimeout, High, []string{}},
		{"direct beats own words, which it outranks", []claim{pro(UpstreamTimeout, kindOwnWords, "try 1"), pro(UpstreamRefused, kindDirect, "upstream try 1")}, UpstreamRefused, High, []string{}},
		{"replay beats direct", []claim{pro(EdgeUnreachable, kindDirect, "try 1"), pro(ClientDNS, kindReplay, "at 198.51.100.7")}, ClientDNS, High, []string{}},
		{"own words beat timing", []claim{pro(UpstreamAppError, kindOwnWords, "try 1"), pro(UpstreamTimeout, kindTiming, "try 1")}, UpstreamAppError, High, []string{}},
		{"timing beats status", []claim{pro(UpstreamTimeout, kindStatus, "try 1"), pro(UpstreamUnreachable, kindTiming, "try 1")}, UpstreamUnreachable, Medium, []string{}},
		{"equal kinds: the first read wins, and is medium", []claim{pro(UpstreamTimeout, kindOwnWords, "try 1"), pro(UpstreamRefused, kindOwnWords, "log")}, UpstreamTimeout, Medium, []string{}},
		{"ruled out by a higher kind", []claim{pro(Upstream, kindStatus, "try 1"), pro(UpstreamTimeout, kindStatus, "try 1"), con(UpstreamTimeout, kindTiming)}, Upstream, Low, []string{UpstreamTimeout}},
		{"ruled out by a lower kind: stands, not listed", []claim{pro(UpstreamTimeout, kindOwnWords, "try 1"), con(UpstreamTimeout, kindTiming)}, UpstreamTimeout, High, []string{}},
		{"ruled out by an equal kind: stands at medium", []claim{pro(EdgeUnreachable, kindDirect, "try 1"), con(EdgeUnreachable, kindDirect)}, EdgeUnreachable, Medium, []string{}},
		{"a limit that kills every direct request turns closed into timeout", []claim{pro(UpstreamClosed, kindDirect, "upstream try 1"), pro(UpstreamTimeout, kindDirect, "upstream try 1")}, UpstreamTimeout, High, []string{}},
		{"and a gateway that fails at once, into overloaded", []claim{pro(UpstreamClosed, kindDirect, "upstream try 1"), pro(UpstreamTimeout, kindDirect, "upstream try 1"), pro(UpstreamOverloaded, kindDirect, "upstream try 1")}, UpstreamOverloaded, High, []string{}},
		{"a log refines closed", []claim{pro(UpstreamClosed, kindDirect, "upstream try 1"), pro(UpstreamTruncated, kindOwnWords, "log")}, UpstreamTruncated, High, []string{}},
		{"a page's own words do not refine closed", []claim{pro(UpstreamClosed, kindDirect, "upstream try 1"), pro(UpstreamTimeout, kindOwnWords, "try 1")}, UpstreamClosed, High, []string{}},
		{"a log that does not refine loses to a direct request", []claim{pro(UpstreamRefused, kindDirect, "upstream try 1"), pro(UpstreamNoneHealthy, kindOwnWords, "log")}, UpstreamRefused, High, []string{}},
		{"the servers' failures explain none healthy", []claim{pro(UpstreamNoneHealthy, kindDirect, "health check"), pro(UpstreamRefused, kindOwnWords, "log")}, UpstreamRefused, High, []string{}},
		{"only the connect limit fits", []claim{pro(UpstreamTimeout, kindOwnWords, "try 1"), pro(UpstreamUnreachable, kindTiming, "try 1")}, UpstreamUnreachable, Medium, []string{}},
		{"ruled-out causes listed once, in order, but the verdict's", []claim{pro(UpstreamRefused, kindDirect, "upstream try 1"), con(DNSFailure, kindDirect), con(UpstreamRefused, kindFallback), con(DNSFailure, kindDirect), con(EdgeTLS, kindDirect)}, UpstreamRefused, High, []string{DNSFailure, EdgeTLS}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := decide(tc.claims)
			var out []string
			for _, x := range d.ruledOut {
				out = append(out, x.Cause)
			}
			if out == nil {
				out = []string{}
			}
			if d.cause != tc.cause || d.confidence != tc.conf || !slices.Equal(out, tc.ruledOut) {
				t.Errorf("decide = %s (%s), ruling out %v; want %s (%s), ruling out %v", d.cause, d.confidence, out, tc.cause, tc.conf, tc.ruledOut)
			}
		})
	}
}
