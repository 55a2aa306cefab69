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
			fmt.Fprintf(&b, phraseStatus, p.Response.Status)
		} else {
			fmt.Fprintf(&b, phraseNoResponseClass, p.Class)
		}
		fmt.Fprintf(&b, phraseTryTook, ms(p.Timings.Total))
		if phases := phaseTimes(p); phases != "" {
			fmt.Fprintf(&b, " (%s)", phases)
		}
		if len(p.Addrs) > 1 && p.Addr != "" {
			// The name gave several addresses: which one this try used.
			fmt.Fprintf(&b, phraseTryAddr, p.Addr)
		}
		if p.Protocol == probe.ALPNH2 {
			b.WriteString(phraseTryH2)
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
		parts = append(parts, fmt.Sprintf(phraseTimeDNS, ms(tm.DNS)))
	}
	if upTo >= phaseOrder[probe.PhaseConnect] {
		parts = append(parts, fmt.Sprintf(phraseTimeConnect, ms(tm.Connect)))
	}
	if p.TLS != nil || p.FailedIn == probe.PhaseTLS {
		parts = append(parts, fmt.Sprintf(phraseTimeTLS, ms(tm.TLS)))
	}
	if upTo >= phaseOrder[probe.PhaseHeaders] {
		parts = append(parts, fmt.Sprintf(phraseTimeTTFB, ms(tm.TTFB)))
	}
	if upTo >= phaseOrder[probe.PhaseBody] {
		parts = append(parts, fmt.Sprintf(phraseTimeTransfer, ms(tm.Transfer)))
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
		j.note(j.rep.Label, noteTimeoutOrUnreachable)
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
			Text:  stepNginxLimits,
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
				cs = append(cs, against(DNSFailure, kindDirect, t.Label, whyAddressLiteral, host))
			} else {
				cs = append(cs, against(DNSFailure, kindDirect, t.Label, whyResolved, host, strings.Join(p.Addrs, ", ")))
			}
		}
		if !connected && p.FailedIn != "dns" && p.FailedIn != "connect" && p.Addr != "" {
			connected = true
			cs = append(cs, against(EdgeUnreachable, kindDirect, t.Label, whyConnected, p.Addr, ms(p.Timings.Connect), t.Label))
		}
		if !tlsOK && p.TLS != nil && p.TLS.Verified && p.TLS.Version != "" {
			tlsOK = true
			cs = append(cs, against(EdgeTLS, kindDirect, t.Label, whyTLSVerified, p.TLS.Version, p.TLS.ServerName))
		}
	}
	if j.rep.Print != nil {
		fp := j.rep.Print
		if fp.ErrorPage && !fp.PassedThrough && gatewayRole(fp.Generator.Role) {
			what := phraseErrorPage
			if j.rep.Probe.Response != nil && j.rep.Probe.Response.BodyBytes == 0 {
				what = phraseEmptyError
			}
			cs = append(cs, against(UpstreamAppError, kindOwnWords, j.rep.Label, whyGatewayOwnPage, fp.Generator.Product, what))
		}
		cdn := false
		for _, h := range fp.Hops {
			cdn = cdn || catalog.Product(h.Product).Role() == catalog.RoleCDN
		}
		if !cdn {
			cs = append(cs, against(CDNOriginUnreachable, kindOwnWords, j.rep.Label, whyNoCDN))
		}
	}
	for _, a := range j.e.Upstream {
		if connected := a.Probe.Response != nil || (a.Probe.FailedIn != "" && a.Probe.FailedIn != "dns" && a.Probe.FailedIn != "connect"); connected {
			// A rule of thumb: the upstream asked may be a gateway in front
			// of the server that refuses.
			cs = append(cs, against(UpstreamRefused, kindFallback, a.Label, whyUpstreamConnected, j.e.UpstreamAddr, ms(a.Probe.Timings.Connect)),
				against(UpstreamUnreachable, kindFallback, a.Label, whyUpstreamReachable, j.e.UpstreamAddr))
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
	if undeterminedPage(v) {
		return summarySavedUndetermined
	}
	if v.Cause == OK && !j.e.Saved {
		return fmt.Sprintf(summaryHealthy, hostOf(j.e.URL), v.Status)
	}
	if j.e.Saved {
		status := ""
		if v.Status != 0 {
			status = fmt.Sprintf(phraseSavedStatus, v.Status)
		}
		return fmt.Sprintf(summarySaved, productName(v.GeneratedBy.Product), v.GeneratedBy.Role, status, lowerFirst(v.Title))
	}
	var pers string
	switch v.Persistence {
	case Persistent:
		pers = fmt.Sprintf(phrasePersistent, len(j.e.Tries))
	case Intermittent:
		pers = phraseIntermittent
	case Recovered:
		pers = phraseRecovered
	case "":
		pers = phrasePersistenceSaved
	}
	if v.Status == 0 {
		return fmt.Sprintf(summaryNoResponse, pers, lowerFirst(v.Title))
	}
	return fmt.Sprintf(summaryFailed, productName(v.GeneratedBy.Product), v.GeneratedBy.Role, v.Status, pers, lowerFirst(v.Title))
}

// undeterminedPage reports the verdict on a saved page that shows neither
// a status nor an error page a product writes: nothing says it failed.
func undeterminedPage(v Verdict) bool {
	return v.Persistence == "" && v.Status == 0 && v.Cause == Unknown && v.GeneratedBy.Product == "unknown"
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
		j.note(j.rep.Label, noteRetryAfterInvalid, v)
		return
	}
	if wait < 0 || wait > maxRetryAfter {
		j.note(j.rep.Label, noteRetryAfterOdd, v, roundWait(wait))
		return
	}
	j.note(j.rep.Label, noteRetryAfter, v, roundWait(wait))
	visitor := Step{Who: "visitor", Text: fmt.Sprintf(stepRetryAfter, roundWait(wait))}
	j.v.Steps = append([]Step{visitor}, j.v.Steps...)
	if j.rep.Status() != 503 {
		j.v.Steps = append(j.v.Steps, Step{Who: "operator", Text: fmt.Sprintf(stepRetryAfterNot503, j.rep.Status())})
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
