package doctor

import (
	"time"

	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
	"github.com/gwdoctor/gwdoctor/internal/report"
)

// explain ties the diagnosis to the settings of its route that fired.
func explain(d *report.Diagnosis, route *gwconfig.Route) {
	if route == nil {
		return
	}
	d.Route = route
	d.Findings = gwconfig.Explain(route, measured(d))
}

// measured is what the diagnosis learned about the upstream: how long it
// took (asked directly, or as long as the gateway waited) and how large
// its response head was.
func measured(d *report.Diagnosis) gwconfig.Measured {
	m := gwconfig.Measured{Cause: d.Verdict.Cause}
	for _, a := range d.Evidence.Upstream {
		if a.Probe == nil || a.Probe.Response == nil {
			continue
		}
		m.UpstreamTime = max(m.UpstreamTime, a.Probe.Timings.TTFB)
		m.HeaderBytes = max(m.HeaderBytes, a.Probe.Response.HeaderBytes)
	}
	if k := d.Evidence.UpstreamKeepAlive; k != nil && k.Closed {
		m.UpstreamKeepAlive = k.Idle
	}
	if m.UpstreamTime == 0 {
		for _, a := range d.Evidence.Tries {
			if a.Failed() && a.Probe != nil {
				m.UpstreamTime = max(m.UpstreamTime, a.Probe.Timings.TTFB.Round(10*time.Millisecond))
			}
		}
	}
	return m
}
