package diagnose

import (
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// TestLadderFastCGI covers what the direct FastCGI requests to PHP-FPM show.
func TestLadderFastCGI(t *testing.T) {
	nginx502 := resp("try", 502, 1200*time.Millisecond, nginx, noRead)
	quick502 := resp("try", 502, time.Millisecond, nginx, noRead)
	killed := func(after time.Duration) Attempt {
		a := fail("upstream try", probe.ClassReset, probe.PhaseHeaders, after)
		return a
	}
	for _, tc := range []struct {
		name     string
		tries    []Attempt
		upstream []Attempt
		want     Cause
	}{
		{"workers killed at a limit", three(nginx502), []Attempt{killed(1010 * time.Millisecond), killed(1210 * time.Millisecond), killed(2140 * time.Millisecond)}, UpstreamTimeout},
		{"a crash closes at once", three(quick502), []Attempt{killed(2 * time.Millisecond), killed(3 * time.Millisecond), killed(2 * time.Millisecond)}, UpstreamClosed},
		{"a listen queue that is full", three(quick502), []Attempt{
			fail("upstream try", probe.ClassOverloaded, probe.PhaseConnect, 0),
			fail("upstream try", probe.ClassOverloaded, probe.PhaseConnect, 0),
			fail("upstream try", probe.ClassOverloaded, probe.PhaseConnect, 0)}, UpstreamOverloaded},
		{"queued behind busy workers", three(quick502), []Attempt{
			fail("upstream try", probe.ClassHeaderTimeout, probe.PhaseHeaders, 800*time.Millisecond),
			fail("upstream try", probe.ClassHeaderTimeout, probe.PhaseHeaders, 600*time.Millisecond)}, UpstreamOverloaded},
		{"the socket is missing", three(quick502), []Attempt{fail("upstream try", probe.ClassNoSocket, probe.PhaseConnect, 0)}, UpstreamRefused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(Evidence{Tries: tc.tries, Upstream: tc.upstream, UpstreamAddr: "fcgi:unix:/run/php/php8.2-fpm.sock"})
			if v.Cause != tc.want {
				t.Errorf("cause %s, want %s; evidence %+v", v.Cause, tc.want, v.Evidence)
			}
		})
	}
}
