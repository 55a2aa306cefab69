package diagnose

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/fingerprint"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// Judge turns evidence into a verdict. It is deterministic: the same
// evidence always gives the same verdict.
func Judge(e Evidence) Verdict {
	j := &judgement{e: e}
	if !e.Saved {
		j.v.Persistence = persistence(e.Tries)
		j.v.Evidence = append(j.v.Evidence, triesFindings(e.Tries)...)
	}
	rep, ok := firstFailure(e.Tries)
	switch {
	case j.visit():
	case !ok:
		j.healthy()
	default:
		j.rep = rep
		j.failure()
		j.logs()
		j.directPersistence()
	}
	j.families()
	j.reported()
	j.finish()
	return j.v
}

// reported compares what the user's client saw, when that is known, with
// what the tries see now.
func (j *judgement) reported() {
	r := j.e.Reported
	if r == nil {
		return
	}
	saw := "no response"
	if r.Status != 0 {
		saw = fmt.Sprintf("%d", r.Status)
	}
	when := ""
	if !r.At.IsZero() {
		when = " at " + r.At.UTC().Format("2006-01-02 15:04:05 MST")
	}
	after := ""
	if r.Took > 0 {
		after = " after " + ms(r.Took)
	}
	failed := r.Status == 0 || IsGatewayStatus(r.Status)
	switch {
	case failed && j.v.Cause == OK:
		j.note(r.Source, "your browser got %s%s%s; every try now succeeds: the failure has passed, and the tries cannot say what it was", saw, after, when)
	case failed:
		j.note(r.Source, "your browser got %s%s%s; the tries still fail", saw, after, when)
	default:
		j.note(r.Source, "your browser got %s%s%s", saw, after, when)
	}
}

type judgement struct {
	e   Evidence
	rep Attempt
	v   Verdict
	// confidence of the cause chosen so far.
	conf string
}

func (j *judgement) set(cause, conf string) {
	j.v.Cause = cause
	j.conf = conf
}

func (j *judgement) note(source, format string, args ...any) {
	j.v.Evidence = append(j.v.Evidence, Finding{Source: source, Text: fmt.Sprintf(format, args...)})
}

func (j *judgement) exclude(cause, format string, args ...any) {
	if cause == j.v.Cause {
		return
	}
	for _, x := range j.v.RuledOut {
		if x.Cause == cause {
			return
		}
	}
	j.v.RuledOut = append(j.v.RuledOut, Excluded{Cause: cause, Title: mustLookup(cause).Title, Why: fmt.Sprintf(format, args...)})
}

func firstFailure(tries []Attempt) (Attempt, bool) {
	for _, t := range tries {
		if t.Failed() {
			return t, true
		}
	}
	return Attempt{}, false
}

// persistence classifies the pattern of failures over the tries, in the
// order they started.
func persistence(tries []Attempt) string {
	failed, lastFailed := 0, -1
	firstOK := -1
	for i, t := range tries {
		if t.Failed() {
			failed++
			lastFailed = i
		} else if firstOK < 0 {
			firstOK = i
		}
	}
	switch {
	case failed == 0:
		return NoFailure
	case failed == len(tries):
		return Persistent
	case firstOK > lastFailed:
		return Recovered
	}
	return Intermittent
}

func (j *judgement) healthy() {
	j.set(OK, "high")
	if n := len(j.e.Tries); n > 0 {
		last := j.e.Tries[n-1]
		j.v.Status = last.Status()
		j.v.GeneratedBy = generatedBy(last)
	}
}

// failure decides the cause of a failed attempt. The order of the rules is
// the order of trust: a replay that isolates the client's state beats
// everything; then what the failing hop says about itself; then what a
// direct request to the upstream shows; then timing; then the status alone.
func (j *judgement) failure() {
	j.v.Status = j.rep.Status()
	j.v.GeneratedBy = generatedBy(j.rep)
	if j.protocol() {
		return
	}
	if j.rep.Probe.Response == nil {
		j.noResponse()
	} else {
		j.gatewayResponse()
	}
	j.clientState()
}

// noResponse handles a try that got no HTTP response: the site itself is
// the hop that failed.
func (j *judgement) noResponse() {
	p := j.rep.Probe
	src := j.rep.Label
	j.note(src, "no HTTP response: %s in the %s phase (%s)", p.Class, p.FailedIn, p.Error)
	switch p.Class {
	case probe.ClassDNSNotFound, probe.ClassDNSError, probe.ClassDNSTimeout:
		j.set(DNSFailure, "high")
	case probe.ClassRefused, probe.ClassConnectTimeout, probe.ClassUnreachable, probe.ClassConnectError,
		probe.ClassNoSocket, probe.ClassPermission:
		j.set(EdgeUnreachable, "high")
	case probe.ClassTLSCert, probe.ClassTLSHandshake, probe.ClassNotTLS:
		j.set(EdgeTLS, "high")
		if p.TLS != nil && p.TLS.VerifyError != "" {
			j.note(src, "certificate verification failed: %s", p.TLS.VerifyError)
		}
		if p.TLS != nil && len(p.TLS.Chain) > 0 {
			j.note(src, "the site's certificate: %s", certSummary(p.TLS.Chain[0], p.Started))
		}
	default:
		// The address answered but the server there broke the exchange: with
		// no gateway in between, it is the last hop, so the failure is named
		// as an upstream one.
		if cause, ok := directCause(p.Class); ok {
			j.set(cause, "medium")
			if len(j.e.Upstream) == 0 {
				j.note(src, "the server at %s accepted the connection but %s; no gateway answered in its place", p.Addr, describeClass(p.Class))
			} else {
				j.note(src, "the server at %s accepted the connection but %s", p.Addr, describeClass(p.Class))
			}
			// A gateway that has nothing to answer with closes too: when
			// its upstream broke off a response it had started to pass on.
			j.ladder(true)
		} else {
			j.set(Unknown, "low")
		}
	}
	j.v.GeneratedBy = GeneratedBy{Role: "unknown", Product: "unknown"}
	j.dnsCheck()
}

// dnsCheck weighs the other DNS servers' answers for the site's name: an
// address only they give, where the site answers, means this machine's
// answer is stale or wrong (client.dns).
func (j *judgement) dnsCheck() {
	c := j.e.DNS
	if c == nil {
		return
	}
	local := "nothing"
	if len(c.Local) > 0 {
		local = strings.Join(c.Local, ", ")
	}
	agree := 0
	for _, o := range c.Others {
		switch {
		case o.Error != "":
			j.note("dns", "%s could not be asked: %s", o.Server, o.Error)
		case len(o.Addrs) == 0:
			j.note("dns", "%s answers %s for %s too", o.Server, o.Rcode, c.Host)
			if len(c.Local) == 0 {
				agree++
			}
		case sameSet(o.Addrs, c.Local):
			agree++
		default:
			j.note("dns", "this machine resolves %s to %s; %s answers %s", c.Host, local, o.Server, strings.Join(o.Addrs, ", "))
		}
	}
	for _, a := range c.Elsewhere {
		if a.Probe != nil && a.Probe.Response != nil && !a.Failed() {
			j.note(a.Label, "asked at %s, with the same Host and TLS name, the site answers %d: the address this machine uses is stale or wrong", a.Probe.Addr, a.Status())
			j.set(ClientDNS, "high")
			j.exclude(EdgeUnreachable, "the site answers %d at %s, an address other DNS servers give", a.Status(), a.Probe.Addr)
			return
		}
		if a.Probe != nil {
			j.note(a.Label, "asked at %s, the site fails too (%s)", a.Probe.Addr, failureWord(a))
		}
	}
	if agree == len(c.Others) && agree > 0 {
		j.exclude(ClientDNS, "%d other DNS server(s) give the same answer for %s as this machine", agree, c.Host)
	}
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[string]bool{}
	for _, x := range a {
		in[x] = true
	}
	for _, y := range b {
		if !in[y] {
			return false
		}
	}
	return true
}

// failureWord says how an attempt failed: its status or its error class.
func failureWord(a Attempt) string {
	if a.Probe.Response != nil {
		return fmt.Sprint(a.Probe.Response.Status)
	}
	return string(a.Probe.Class)
}

// gatewayResponse handles a try that got a gateway status.
func (j *judgement) gatewayResponse() {
	src := j.rep.Label
	p := j.rep.Probe
	if j.rep.http09Body() {
		first, _, _ := bytes.Cut(p.Response.Body, []byte("\n"))
		j.note(src, "status %d, but the body starts with a status line, %q: the gateway could not parse the upstream's answer and passed it on as an HTTP/0.9 body", p.Response.Status, bytes.TrimSpace(first))
		j.set(UpstreamInvalid, "high")
		j.ladder(true)
		return
	}
	if j.rep.Print != nil {
		fp := j.rep.Print
		g := fp.Generator
		j.note(src, "response %d was produced by %s (%s), recognised by %s", p.Response.Status, g.Product, g.Role, strings.Join(g.Markers, "; "))
		if fp.Reading.Detail != "" {
			j.note(src, "%s says: %s", g.Product, fp.Reading.Detail)
		}
		if fp.PassedThrough && len(fp.Hops) > 1 {
			j.note(src, "outer hops only passed the error on: %s", hopList(fp))
		}
		if c := string(fp.Reading.Cause); c != "" {
			if _, known := Lookup(c); known {
				// A product's own marker is its own words; a rule of thumb
				// (a JSON body with a gateway status reads as the
				// application's) is not.
				conf := "high"
				if fp.Evidence == fingerprint.EvidenceFallback {
					conf = "medium"
				}
				j.set(c, conf)
				if j.ladder(true) && j.v.Cause != c {
					j.note("upstream", "the direct requests show %s, which is more exact than %s's own words (%s)", j.v.Cause, g.Product, c)
				}
				j.timing()
				return
			}
		}
	}
	if p.Class == probe.ClassBodyTruncated {
		j.note(src, "the response broke off after %d bytes of body", p.Response.BodyBytes)
		j.set(UpstreamTruncated, "medium")
		return
	}
	if j.noServer() || j.nginxOwn503() {
		return
	}
	j.set(Upstream, "low")
	if j.ladder(true) {
		j.timing()
		return
	}
	if j.timing() {
		return
	}
	if p.Response.Status == 504 {
		j.set(UpstreamTimeout, "medium")
		j.note(src, "status 504 (Gateway Timeout): the gateway waited for its upstream and gave up")
	}
}

// clientState applies the replays without the user's headers and cookies,
// and with caches bypassed.
func (j *judgement) clientState() {
	if j.e.Saved {
		return // no request was made: the client's state was not tried
	}
	var bare, noCache *Variant
	for i := range j.e.Variants {
		switch j.e.Variants[i].Name {
		case VariantBare:
			bare = &j.e.Variants[i]
		case VariantNoCache:
			noCache = &j.e.Variants[i]
		}
	}
	if bare != nil {
		if !bare.Attempt.Failed() && j.v.Persistence == Persistent {
			j.set(ClientRequestState, "high")
			j.v.Culprits = j.e.Culprits
			j.note(bare.Attempt.Label, "the same request without your headers and cookies succeeded (%d)", bare.Attempt.Status())
			if len(j.e.Culprits) > 0 {
				j.note("shrink", "the failure needs only: %s", strings.Join(j.e.Culprits, ", "))
			}
			return
		}
		if bare.Attempt.Failed() {
			j.exclude(ClientRequestState, "the request without your headers and cookies failed too (%s)", statusText(bare.Attempt))
		}
	} else if len(j.e.StateItems) == 0 {
		j.exclude(ClientRequestState, "no cookies or extra headers were sent, so the client's state plays no part")
	}
	if noCache != nil {
		if !noCache.Attempt.Failed() && j.v.Persistence == Persistent && len(j.e.StateItems) == 0 {
			j.set(ClientRequestState, "medium")
			j.note(noCache.Attempt.Label, "the request with caches bypassed succeeded (%d): a cached error is served", noCache.Attempt.Status())
			return
		}
		if noCache.Attempt.Failed() {
			j.note(noCache.Attempt.Label, "bypassing caches (Cache-Control: no-cache and a fresh query) changed nothing: %s", statusText(noCache.Attempt))
		}
	}
}

func generatedBy(a Attempt) GeneratedBy {
	if a.Print == nil {
		return GeneratedBy{Role: "unknown", Product: "unknown"}
	}
	g := a.Print.Generator
	if g.Product == "" {
		return GeneratedBy{Role: "unknown", Product: "unknown"}
	}
	return GeneratedBy{Role: g.Role, Product: g.Product}
}

func statusText(a Attempt) string {
	if s := a.Status(); s != 0 {
		return fmt.Sprintf("status %d", s)
	}
	if a.Probe != nil {
		return string(a.Probe.Class)
	}
	return "no result"
}

// certSummary describes a certificate in the words that matter when it is
// refused: whose it is, who signed it, for which names, and when it is
// valid, measured against when the probe ran.
func certSummary(c probe.Cert, at time.Time) string {
	issuer := "issued by " + c.Issuer
	if c.SelfSigned {
		issuer = "self-signed"
	}
	names := append(append([]string{}, c.DNSNames...), c.IPs...)
	out := fmt.Sprintf("%s, %s", c.Subject, issuer)
	if len(names) > 0 {
		out += ", for " + strings.Join(names, ", ")
	}
	out += fmt.Sprintf(", valid %s to %s", c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"))
	switch {
	case at.IsZero():
	case at.After(c.NotAfter):
		out += fmt.Sprintf(" (expired %s ago)", roundWait(at.Sub(c.NotAfter)))
	case at.Before(c.NotBefore):
		out += " (not valid yet)"
	}
	return out
}

// directPersistence counts the direct requests to the upstream too: a
// fault behind the gateway whose direct requests both failed and
// succeeded comes and goes, even when the tries through the gateway
// happened to land on failures only.
func (j *judgement) directPersistence() {
	if j.v.Persistence != Persistent || !strings.HasPrefix(j.v.Cause, Upstream) || j.v.Cause == UpstreamAppError {
		return
	}
	failed, ok := 0, 0
	for _, a := range j.e.Upstream {
		switch {
		case a.Probe == nil:
			continue
		case a.Probe.Class == probe.ClassDeadline || a.Probe.Class == probe.ClassHeaderTimeout || a.Probe.Class == probe.ClassBodyTimeout:
			// Waiting longer than the diagnosis would: neither an answer
			// nor a failure of the upstream's own.
			continue
		}
		if a.Probe.Response == nil || a.Probe.Class == probe.ClassBodyTruncated || IsGatewayStatus(a.Status()) {
			failed++
		} else {
			ok++
		}
	}
	if failed == 0 || ok == 0 {
		return
	}
	j.v.Persistence = Intermittent
	j.note("upstream", "straight to the upstream, %d of %d requests failed and the others succeeded: the fault comes and goes, though every try through the gateway failed", failed, failed+ok)
}
