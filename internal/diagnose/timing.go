package diagnose

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// failAt is when the gateway gave up: the wait for the response head.
func failAt(a Attempt) time.Duration {
	if a.Probe == nil {
		return 0
	}
	if d := a.Probe.Timings.TTFB; d > 0 {
		return d
	}
	return a.Probe.Timings.Total
}

// matchLimit finds the limit a failure after d most plausibly hit: d lies
// between the limit and one second past it (the gateway's own scheduling
// and the network add a little, never subtract). A limit on the wait for
// the answer wins over a connect limit that matches as well: the two
// cannot be told apart then, and the wait is the common case.
func matchLimit(d time.Duration, limits []Limit) (Limit, bool) {
	var conn Limit
	found := false
	for _, l := range limits {
		if l.Timeout > 0 && d >= l.Timeout-100*time.Millisecond && d <= l.Timeout+time.Second {
			if !l.Connect {
				return l, true
			}
			if !found {
				conn, found = l, true
			}
		}
	}
	return conn, found
}

// roundSeconds reports whether d is a whole number of seconds plus a little:
// what a configured timeout looks like from outside.
func roundSeconds(d time.Duration) bool {
	return d >= time.Second && d%time.Second < 200*time.Millisecond
}

// timing compares when the failure happened with the timeouts along the
// chain.
func (j *judgement) timing() []claim {
	if j.e.Saved {
		return nil // a saved page has no timing
	}
	first := j.earliestFailure()
	d := failAt(first)
	src := first.Label
	if d < 500*time.Millisecond {
		j.note(src, noteFailedAtOnce, ms(d))
		return []claim{against(UpstreamTimeout, kindTiming, src, whyFailedAtOnce, ms(d))}
	}
	if j.retryDelay() {
		j.note(src, noteHAProxyRetries, ms(d))
		return []claim{against(UpstreamTimeout, kindTiming, src, whyHAProxyRetries)}
	}
	limits := append(append([]Limit(nil), j.e.Limits...), j.productDefaults()...)
	l, hit := matchLimit(d, limits)
	var c claim
	switch {
	case hit:
		c = j.claim(UpstreamTimeout, kindTiming, src, factAtLimit, ms(d), l.Product, l.Name, ms(l.Timeout))
	case roundSeconds(d):
		c = j.claim(UpstreamTimeout, kindTiming, src, factRoundSeconds, ms(d))
	default:
		return nil
	}
	if j.steadyFailures() {
		j.note(src, noteSteadyFailures)
	}
	if hit && l.Connect && len(j.e.Upstream) == 0 {
		// Only the connect timeout fits: the gateway never got a
		// connection, so nothing answered its SYN in time.
		if fp := j.rep.Print; fp != nil && fp.Reading.Cause == catalog.UpstreamTimeout {
			j.note(src, noteConnectTimeout)
		}
		c.cause = UpstreamUnreachable
	}
	return []claim{c}
}

// retryDelay reports a failure whose delay comes from the gateway retrying
// its connection, not from a timeout: HAProxy's 503, which it answers after
// "retries" attempts to connect (src/backend.c; the lab's haproxy took
// 3.0 s against a refused port), while its timeouts answer 504.
func (j *judgement) retryDelay() bool {
	fp := j.rep.Print
	return fp != nil && fp.Generator.Product == "haproxy" && j.rep.Status() == 503
}

// noServer reads HAProxy's 503 that comes at once: HAProxy retries a
// server that refuses or times out before it answers 503 ("retries 3" by
// default, about a second apart), so an instant 503 means its backend had
// no server to try: every one marked DOWN by its health checks, in
// maintenance, or none at all.
func (j *judgement) noServer() claim {
	return j.claim(UpstreamNoneHealthy, kindTiming, j.rep.Label, factHAProxyNoServer, ms(failAt(j.rep)))
}

// healthCheck reads the gateway's own health check, replayed against the
// upstream: a check that fails there is why the gateway holds the server
// down.
func (j *judgement) healthCheck() []claim {
	hc := j.e.HealthCheck
	if hc == nil || hc.Attempt.Probe == nil {
		return nil
	}
	a := hc.Attempt
	check := hc.Method + " " + hc.Path
	if hc.Where != "" {
		check += " (" + hc.Where + ")"
	}
	expect := phraseAnyPass
	if hc.Expect != "" {
		expect = hc.Expect
	}
	if hc.Passed {
		j.note(a.Label, noteHealthPasses, check, a.Status())
		return nil
	}
	if a.Probe.Response == nil {
		return []claim{j.claim(UpstreamNoneHealthy, kindDirect, a.Label, factHealthFails, check, describeClass(a.Probe.Class), a.Probe.Error)}
	}
	return []claim{j.claim(UpstreamNoneHealthy, kindDirect, a.Label, factHealthGetsOther, check, a.Status(), expect, bodyQuote(a))}
}

// bodyQuote returns ", which says: FIRST LINE" of a short text answer.
func bodyQuote(a Attempt) string {
	r := a.Probe.Response
	if r == nil || len(r.Body) == 0 {
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(r.Body)), "\n")
	if len(line) > 160 {
		line = line[:160] + "…"
	}
	if !utf8.ValidString(line) || line == "" {
		return ""
	}
	return fmt.Sprintf(phraseItSays, line)
}

// nginxOwn503 reads a 503 that nginx wrote itself: nginx reports an
// upstream that fails with 502 or 504, never 503, so its own 503 comes from
// its limits (limit_req and limit_conn answer 503 by default,
// limit_req_status and limit_conn_status change it) or from a "return 503"
// in the configuration, such as a maintenance switch. The upstream is not
// even asked.
func (j *judgement) nginxOwn503() claim {
	return j.claim(UpstreamOverloaded, kindTiming, j.rep.Label, factNginxOwn503, ms(failAt(j.rep)))
}

// nginxLimited reports a verdict that nginx's own limits explain: its
// instant 503, read as upstream.overloaded.
func (j *judgement) nginxLimited() bool {
	product, own := j.own503()
	return own && product == "nginx" && j.v.Cause == UpstreamOverloaded
}

// steadyFailures reports whether at least two tries failed after a second
// or more and within 100 ms of each other.
func (j *judgement) steadyFailures() bool {
	var ds []time.Duration
	for _, t := range j.e.Tries {
		if t.Failed() {
			ds = append(ds, failAt(t))
		}
	}
	lo, hi := spread(ds)
	return len(ds) >= 2 && lo >= time.Second && hi-lo <= 100*time.Millisecond
}

// spread returns the shortest and the longest of ds.
func spread(ds []time.Duration) (lo, hi time.Duration) {
	for i, d := range ds {
		if i == 0 || d < lo {
			lo = d
		}
		hi = max(hi, d)
	}
	return lo, hi
}

// productDefaults returns the default limits of the products seen in the
// failing response.
func (j *judgement) productDefaults() []Limit {
	if j.rep.Print == nil {
		return nil
	}
	var out []Limit
	for _, t := range catalog.DefaultTimeouts() {
		for _, h := range j.rep.Print.Hops {
			if h.Product == string(t.Product) {
				out = append(out, Limit{Name: t.Name, Product: h.Product, Timeout: t.Timeout, Connect: t.Connect})
				break
			}
		}
	}
	return out
}

// earliestFailure is the failed try, of the same status as the one the
// verdict is about, that answered first: a limit fires at its time, and
// load on either machine only ever delays the answer, so the earliest
// failure is the closest to the limit that fired.
func (j *judgement) earliestFailure() Attempt {
	best := j.rep
	for _, t := range j.e.Tries {
		if t.Failed() && t.Status() == j.rep.Status() && failAt(t) > 0 && failAt(t) < failAt(best) {
			best = t
		}
	}
	return best
}
