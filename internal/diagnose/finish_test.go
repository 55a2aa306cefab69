package diagnose

import (
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// TestPhaseTimes checks that a try lists the phases it ran, and only those.
func TestPhaseTimes(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name string
		p    probe.Result
		want string
	}{
		{"refused at an address", probe.Result{FailedIn: probe.PhaseConnect, Timings: probe.Timings{Connect: ms}},
			"connect 1.0 ms"},
		{"name not found", probe.Result{FailedIn: probe.PhaseDNS, Timings: probe.Timings{DNS: 2 * ms}},
			"dns 2.0 ms"},
		{"name found, refused", probe.Result{Reached: probe.PhaseDNS, FailedIn: probe.PhaseConnect, Timings: probe.Timings{DNS: 2 * ms, Connect: ms}},
			"dns 2.0 ms, connect 1.0 ms"},
		{"handshake failed", probe.Result{Reached: probe.PhaseConnect, FailedIn: probe.PhaseTLS, Timings: probe.Timings{Connect: ms, TLS: 3 * ms}},
			"connect 1.0 ms, tls 3.0 ms"},
		{"closed before the head", probe.Result{Reached: probe.PhaseRequest, FailedIn: probe.PhaseHeaders, Timings: probe.Timings{Connect: ms, TTFB: 5 * ms}},
			"connect 1.0 ms, ttfb 5.0 ms"},
		{"a whole response over TLS", probe.Result{Reached: probe.PhaseComplete, TLS: &probe.TLSInfo{}, Timings: probe.Timings{DNS: ms, Connect: ms, TLS: ms, TTFB: ms, Transfer: ms}},
			"dns 1.0 ms, connect 1.0 ms, tls 1.0 ms, ttfb 1.0 ms, transfer 1.0 ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := phaseTimes(&tc.p); got != tc.want {
				t.Errorf("phaseTimes = %q, want %q", got, tc.want)
			}
		})
	}
}
