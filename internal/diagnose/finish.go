package diagnose

import (
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/fingerprint"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

func triesFindings(tries []Attempt) []Finding {
	out := make([]Finding, 0, len(tries))
	for _, t := range tries {
		p := t.Probe
		var b strings.Builder
		if p.Response != nil {
			fmt.Fprintf(&b, "status %d", p.Response.Status)
		} else {
			fmt.Fprintf(&b, "no response (%s)", p.Class)
		}
		fmt.Fprintf(&b, " in %s", ms(p.Timings.Total))
		if phases := phaseTimes(p); phases != "" {
			fmt.Fprintf(&b, " (%s)", phases)
		}
		if len(p.Addrs) > 1 && p.Addr != "" {
			// The name gave several addresses: which one this try used.
			fmt.Fprintf(&b, " at %s", p.Addr)
		}
		if p.Protocol == probe.ALPNH2 {
			b.WriteString(" over h2")
		}
		out = append(out, Finding{Source: t.Label, Text: b.String()})
	}
	return out
}

// connectRuledOut reports a known connect timeout that would have fired
// well before the failure came: the gateway did get its connection.
func (j *judgement) connectRuledOut() bool {
	d := failAt(j.rep)
	for _, l := range j.e.Limits {
		if l.Connect && l.Timeout > 0 && l.Timeout+time.Second < d {
			return true
		}
	}
	return false
}

// phaseOrder is the order in which the phases of a probe run.
var phaseOrder = map[probe.Phase]int{
	probe.PhaseNone: 0, probe.PhaseDNS: 1, probe.PhaseConnect: 2, probe.PhaseTLS: 3,
	probe.PhaseRequest: 4, probe.PhaseHeaders: 5, probe.PhaseBody: 6, probe.PhaseComplete: 7,
}

// phaseTimes lists the time of each phase the probe ran, and only those: an
// address literal is not resolved, and a refused connection has no time to
// first byte.
func phaseTimes(p *probe.Result) string {
	last := p.Reached
	if p.FailedIn != probe.PhaseNone {
		last = p.FailedIn
	}
	upTo := phaseOrder[last]
	tm := p.Timings
	var parts []string
	if tm.DNS > 0 || p.FailedIn == probe.PhaseDNS {
		parts = append(parts, "dns "+ms(tm.DNS))
	}
	if upTo >= phaseOrder[probe.PhaseConnect] {
		parts = append(parts, "connect "+ms(tm.Connect))
	}
	if p.TLS != nil || p.FailedIn == probe.PhaseTLS {
		parts = append(parts, "tls "+ms(tm.TLS))
	}
	if upTo >= phaseOrder[probe.PhaseHeaders] {
		parts = append(parts, "ttfb "+ms(tm.TTFB))
	}
	if upTo >= phaseOrder[probe.PhaseBody] {
		parts = append(parts, "transfer "+ms(tm.Transfer))
	}
	return strings.Join(parts, ", ")
}

func hopList(fp *fingerprint.Result) string {
	names := make([]string, 0, len(fp.Hops))
	for _, h := range fp.Hops {
		names = append(names, h.Product)
	}
	return strings.Join(names, " → ")
}

// finish fills in the title, confidence, the causes ruled out, the summary
// and the steps once the cause is settled.
func (j *judgement) finish() {
	if len(j.e.Origin) > 0 || len(j.e.Upstream) > 0 {
		j.v.Path = j.path()
		j.pathFindings()
	}
	j.keepAlive()
	if j.v.Cause == UpstreamTimeout && len(j.e.Upstream) == 0 && len(j.e.Logs) == 0 && j.rep.Probe != nil && !j.connectRuledOut() {
		j.note(j.rep.Label, "a gateway whose connection to the upstream goes unanswered gives up the same way (upstream.unreachable); asking the upstream directly (--upstream) or the gateway's log (--log) tells the two apart")
	}
	c, ok := catalog.Lookup(j.v.Cause)
	if !ok {
		c = catalog.Entry{ID: j.v.Cause, Title: string(j.v.Cause), Layer: catalog.LayerUnknown}
	}
	j.v.Title = c.Title
	j.v.Layer = c.Layer
	if j.v.Cause == ClientRequestState && j.bareSucceeded() {
		j.v.Culprits = j.e.Culprits
	}
	j.v.Summary = j.summary()
	j.v.Steps = steps(j.v, j.gatewayProduct(), strings.HasPrefix(j.e.UpstreamAddr, "fcgi"), placeholders(&j.e))
	j.retryAfter()
	if j.nginxLimited() {
		// The upstream's capacity is not in question: its steps go.
		j.v.Steps = slices.DeleteFunc(j.v.Steps, func(s Step) bool { return s.Who == "operator" })
		j.v.Steps = append(j.v.Steps, Step{Who: "operator",
			Text:  "If nginx's limits turn the requests away, find the limit_req or limit_conn on this location and raise its rate or burst for real traffic; answer 429 instead of 503 so that clients and monitors can tell a rate limit from an outage. If it is a maintenance switch, send Retry-After with the 503.",
			Lines: []string{"grep -rn 'limit_req\\|limit_conn\\|return 503' /etc/nginx/", "limit_req zone=perip burst=20 nodelay;", "limit_req_status 429;", "limit_conn_status 429;"}})
	}
}

// ruleOut reads what the tries, the failing response and the direct
// requests rule out.
func (j *judgement) ruleOut() []claim {
	var cs []claim
	var resolved, connected, tlsOK bool
	for _, t := range j.e.Tries {
		p := t.Probe
		if !resolved && len(p.Addrs) > 0 && p.FailedIn != "dns" {
			resolved = true
			host := hostOf(j.e.URL)
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
			if net.ParseIP(strings.Trim(host, "[]")) != nil {
				cs = append(cs, against(DNSFailure, kindDirect, t.Label, "the URL names an address (%s): no name to resolve", host))
			} else {
				cs = append(cs, against(DNSFailure, kindDirect, t.Label, "%s resolved to %s", host, strings.Join(p.Addrs, ", ")))
			}
		}
		if !connected && p.FailedIn != "dns" && p.FailedIn != "connect" && p.Addr != "" {
			connected = true
			cs = append(cs, against(EdgeUnreachable, kindDirect, t.Label, "%s accepted the connection in %s (%s)", p.Addr, ms(p.Timings.Connect), t.Label))
		}
		if !tlsOK && p.TLS != nil && p.TLS.Verified && p.TLS.Version != "" {
			tlsOK = true
			cs = append(cs, against(EdgeTLS, kindDirect, t.Label, "%s with %s, certificate verified", p.TLS.Version, p.TLS.ServerName))
		}
	}
	if j.rep.Print != nil {
		fp := j.rep.Print
		if fp.ErrorPage && !fp.PassedThrough && gatewayRole(fp.Generator.Role) {
			what := "error page"
			if j.rep.Probe.Response != nil && j.rep.Probe.Response.BodyBytes == 0 {
				what = "empty error response"
			}
			cs = append(cs, against(UpstreamAppError, kindOwnWords, j.rep.Label, "the response is %s's own %s, not one the application sent", fp.Generator.Product, what))
		}
		cdn := false
		for _, h := range fp.Hops {
			cdn = cdn || catalog.Product(h.Product).Role() == catalog.RoleCDN
		}
		if !cdn {
			cs = append(cs, against(CDNOriginUnreachable, kindOwnWords, j.rep.Label, "no CDN is in the path: the response carries no CDN headers or page"))
		}
	}
	for _, a := range j.e.Upstream {
		if connected := a.Probe.Response != nil || (a.Probe.FailedIn != "" && a.Probe.FailedIn != "dns" && a.Probe.FailedIn != "connect"); connected {
			// A rule of thumb: the upstream asked may be a gateway in front
			// of the server that refuses.
			cs = append(cs, against(UpstreamRefused, kindFallback, a.Label, "the upstream %s accepted a direct connection in %s", j.e.UpstreamAddr, ms(a.Probe.Timings.Connect)),
				against(UpstreamUnreachable, kindFallback, a.Label, "the upstream %s is reachable from here", j.e.UpstreamAddr))
			break
		}
	}
	return cs
}

// bareSucceeded reports a replay without the client's headers and cookies
// that succeeded.
func (j *judgement) bareSucceeded() bool {
	for _, v := range j.e.Variants {
		if v.Name == VariantBare && !v.Attempt.Failed() {
			return true
		}
	}
	return false
}

// gatewayProduct is the product whose configuration the fixes concern: the
// generator for a gateway page, the outermost gateway for a passed-on one.
func (j *judgement) gatewayProduct() string {
	if j.rep.Print == nil {
		return ""
	}
	fp := j.rep.Print
	if gatewayRole(fp.Generator.Role) {
		return fp.Generator.Product
	}
	for i := len(fp.Hops) - 1; i >= 0; i-- {
		if gatewayRole(fp.Hops[i].Role) && fp.Hops[i].Product != string(catalog.UnknownProduct) {
			return fp.Hops[i].Product
		}
	}
	return ""
}

func (j *judgement) summary() string {
	v := j.v
	if v.Cause == OK {
		return fmt.Sprintf("%s answered %d to every try; no gateway error seen.", hostOf(j.e.URL), v.Status)
	}
	if j.e.Saved {
		status := ""
		if v.Status != 0 {
			status = fmt.Sprintf(" with status %d", v.Status)
		}
		return fmt.Sprintf("%s (%s) wrote this page%s: %s.", productName(v.GeneratedBy.Product), v.GeneratedBy.Role, status, lowerFirst(v.Title))
	}
	who := "No server"
	if v.Status != 0 {
		who = fmt.Sprintf("%s (%s) answered %d", productName(v.GeneratedBy.Product), v.GeneratedBy.Role, v.Status)
	}
	var pers string
	switch v.Persistence {
	case Persistent:
		pers = fmt.Sprintf("on every one of %d tries", len(j.e.Tries))
	case Intermittent:
		pers = "on some tries but not others"
	case Recovered:
		pers = "at first, then recovered"
	case "":
		pers = "on this page"
	}
	if v.Status == 0 {
		return fmt.Sprintf("No HTTP response %s: %s.", pers, lowerFirst(v.Title))
	}
	return fmt.Sprintf("%s %s: %s.", who, pers, lowerFirst(v.Title))
}

// lowerFirst lowers the first letter of a title to go inside a sentence,
// unless it starts an acronym ("TLS with the site fails").
func lowerFirst(s string) string {
	if len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z' {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// productName is the name a product gives itself, for a sentence.
func productName(slug string) string {
	return catalog.Product(slug).Name()
}

// gatewayRole reports whether a hop in role produces gateway errors.
func gatewayRole(role string) bool {
	return catalog.Role(role).Gateway()
}

func hostOf(raw string) string {
	s := raw
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	return s
}

// maxRetryAfter bounds a Retry-After worth repeating: beyond a day it is
// more likely a misconfiguration than a plan.
const maxRetryAfter = 24 * time.Hour

// retryAfter reads the Retry-After header of the failing response (RFC
// 9110, 10.2.3): a server that sends it with a 503 says when it expects to
// be back, as a planned maintenance should. The visitor is told when to
// come back; search engines read it the same way.
func (j *judgement) retryAfter() {
	p := j.rep.Probe
	if p == nil || p.Response == nil || j.v.Cause == OK {
		return
	}
	v := strings.TrimSpace(p.Response.Header.Get("Retry-After"))
	if v == "" {
		return
	}
	var wait time.Duration
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		wait = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		wait = t.Sub(p.Started.Add(p.Timings.Total))
	} else {
		j.note(j.rep.Label, "the response has a Retry-After header that is neither seconds nor an HTTP date: %q", v)
		return
	}
	if wait < 0 || wait > maxRetryAfter {
		j.note(j.rep.Label, "the response says Retry-After: %s, %s from now", v, roundWait(wait))
		return
	}
	j.note(j.rep.Label, "the response says Retry-After: %s: the site expects to answer again in %s (planned maintenance or a rate limit)", v, roundWait(wait))
	visitor := Step{Who: "visitor", Text: fmt.Sprintf("The site says it expects to be back in %s (Retry-After): try again then.", roundWait(wait))}
	j.v.Steps = append([]Step{visitor}, j.v.Steps...)
	if j.rep.Status() != 503 {
		j.v.Steps = append(j.v.Steps, Step{Who: "operator", Text: fmt.Sprintf("Retry-After comes with a %d here; for planned downtime answer 503 with it, which browsers, crawlers and monitors read as temporary.", j.rep.Status())})
	}
}

// roundWait writes a wait as people say it: "45 s", "2 min", "3 h".
func roundWait(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + roundWait(-d)
	case d < 2*time.Minute:
		return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
	case d < 2*time.Hour:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	}
	return fmt.Sprintf("%d h", int(d.Round(time.Hour)/time.Hour))
}
