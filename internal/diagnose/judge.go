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
// evidence always gives the same verdict. The readers each turn their part
// of the evidence into findings and claims; decide alone weighs the claims
// and names the cause; what follows only explains it.
func Judge(e Evidence) Verdict {
	v, _ := judge(e)
	return v
}

// judge is Judge, with the claims the verdict was decided from.
func judge(e Evidence) (Verdict, []claim) {
	j := &judgement{e: e}
	if !e.Saved {
		j.v.Persistence = persistence(e.Tries)
		j.v.Evidence = append(j.v.Evidence, triesFindings(e.Tries)...)
	}
	cs := j.read()
	d := decide(cs)
	j.v.Cause, j.v.Confidence, j.v.RuledOut = d.cause, d.confidence, d.ruledOut
	j.explain(d, cs)
	j.directPersistence()
	j.families()
	j.reported()
	j.finish()
	return j.v, cs
}

// read chooses the failing response and runs the readers that apply to
// it, in the order their findings are told: the redirects, or the tries
// and what was asked to explain them, then the origin and the logs.
func (j *judgement) read() []claim {
	loop := j.visit()
	rep, failed := firstFailure(j.e.Tries)
	switch {
	case loop:
		v := j.e.Visit
		j.rep = v.Hops[len(v.Hops)-1]
		j.v.Persistence = Persistent
		cs := j.redirectLoop(v)
		cs = append(cs, j.origin(true)...)
		return append(cs, j.ruleOut()...)
	case !failed:
		j.origin(false)
		return j.healthy()
	}
	j.rep = rep
	j.v.Status = rep.Status()
	j.v.GeneratedBy = generatedBy(rep)
	cs := j.failure()
	cs = append(cs, j.origin(true)...)
	cs = append(cs, j.logs()...)
	return append(cs, j.ruleOut()...)
}

// reported compares what the user's client saw, when that is known, with
// what the tries see now.
func (j *judgement) reported() {
	r := j.e.Reported
	if r == nil {
		return
	}
	saw := phraseNoResponse
	if r.Status != 0 {
		saw = fmt.Sprintf("%d", r.Status)
	}
	when := ""
	if !r.At.IsZero() {
		when = fmt.Sprintf(phraseReportedAt, r.At.UTC().Format("2006-01-02 15:04:05 MST"))
	}
	after := ""
	if r.Took > 0 {
		after = fmt.Sprintf(phraseReportedTook, ms(r.Took))
	}
	failed := r.Status == 0 || IsGatewayStatus(r.Status)
	switch {
	case failed && j.v.Cause == OK:
		j.note(r.Source, noteReportedPassed, saw, after, when)
	case failed:
		j.note(r.Source, noteReportedFails, saw, after, when)
	default:
		j.note(r.Source, noteReported, saw, after, when)
	}
}

// judgement holds one diagnosis while it is made: the evidence, the
// failing response the readers look at, and the verdict, whose findings
// the readers add to.
type judgement struct {
	e   Evidence
	rep Attempt
	v   Verdict
}

func (j *judgement) note(source, format string, args ...any) {
	j.v.Evidence = append(j.v.Evidence, Finding{Source: source, Text: fmt.Sprintf(format, args...)})
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
func persistence(tries []Attempt) Persistence {
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

// healthy reads tries that all succeeded.
func (j *judgement) healthy() []claim {
	if n := len(j.e.Tries); n > 0 {
		last := j.e.Tries[n-1]
		j.v.Status = last.Status()
		j.v.GeneratedBy = generatedBy(last)
		if j.e.Saved {
			return j.savedPage(last)
		}
	}
	return []claim{{cause: OK, kind: kindDirect, source: "tries", fact: factEveryTrySucceeded}}
}

// savedPage reads a saved or pasted page that shows no failure: its status
// says whether it is one; without a status (text copied from a browser's
// screen) and without an error page that a product writes, nothing does,
// and a rule of thumb does not name its producer either.
func (j *judgement) savedPage(a Attempt) []claim {
	if s := a.Status(); s != 0 {
		return []claim{{cause: OK, kind: kindStatus, source: a.Label, fact: fmt.Sprintf(factSavedStatus, s)}}
	}
	if a.Print == nil || a.Print.Evidence == fingerprint.EvidenceFallback {
		j.v.GeneratedBy = GeneratedBy{Role: "unknown", Product: "unknown"}
	}
	j.note(a.Label, noteSavedNoStatus)
	return []claim{{cause: Unknown, kind: kindFallback, source: a.Label, fact: noteSavedNoStatus}}
}

// failure reads a failed attempt: the HTTP/2 comparison first, since a
// failure of HTTP/2 alone says nothing of the hops behind the site; then
// the response, or its absence; then the replays of the client's state.
func (j *judgement) failure() []claim {
	if cs := j.protocol(); len(cs) > 0 {
		return cs
	}
	var cs []claim
	if j.rep.Probe.Response == nil {
		j.v.GeneratedBy = GeneratedBy{Role: "unknown", Product: "unknown"}
		cs = j.noResponse()
	} else {
		cs = j.gatewayResponse()
	}
	return append(cs, j.clientState()...)
}

// noResponse reads a try that got no HTTP response: the site itself is
// the hop that failed.
func (j *judgement) noResponse() []claim {
	p := j.rep.Probe
	src := j.rep.Label
	j.note(src, noteNoResponse, p.Class, p.FailedIn, p.Error)
	fact := fmt.Sprintf(factNoResponse, p.Class, p.FailedIn)
	var cs []claim
	switch p.Class {
	case probe.ClassDNSNotFound, probe.ClassDNSError, probe.ClassDNSTimeout:
		cs = append(cs, claim{cause: DNSFailure, kind: kindDirect, source: src, fact: fact})
	case probe.ClassRefused, probe.ClassConnectTimeout, probe.ClassUnreachable, probe.ClassConnectError,
		probe.ClassNoSocket, probe.ClassPermission:
		cs = append(cs, claim{cause: EdgeUnreachable, kind: kindDirect, source: src, fact: fact})
	case probe.ClassTLSCert, probe.ClassTLSHandshake, probe.ClassNotTLS:
		cs = append(cs, claim{cause: EdgeTLS, kind: kindDirect, source: src, fact: fact})
		if p.TLS != nil && p.TLS.VerifyError != "" {
			j.note(src, noteCertNotVerified, p.TLS.VerifyError)
		}
		if p.TLS != nil && len(p.TLS.Chain) > 0 {
			j.note(src, noteSiteCert, certSummary(p.TLS.Chain[0], p.Started))
		}
	default:
		cs = append(cs, j.lastHop()...)
	}
	return append(cs, j.dnsCheck()...)
}

// lastHop reads an address that answered but whose server broke the
// exchange: with no gateway in between, it is the last hop, so the failure
// is named as an upstream one, by rule of thumb. A gateway that has nothing
// to answer with closes too (when its upstream broke off a response it had
// started to pass on), so the direct requests are read as well.
func (j *judgement) lastHop() []claim {
	p := j.rep.Probe
	cause, ok := directCause(p.Class)
	if !ok {
		return []claim{{cause: Unknown, kind: kindFallback, source: j.rep.Label, fact: fmt.Sprintf(factNoResponseClass, p.Class)}}
	}
	var c claim
	if len(j.e.Upstream) == 0 {
		c = j.claim(cause, kindFallback, j.rep.Label, factLastHopNoGateway, p.Addr, describeClass(p.Class))
	} else {
		c = j.claim(cause, kindFallback, j.rep.Label, factLastHop, p.Addr, describeClass(p.Class))
	}
	return append([]claim{c}, j.ladder()...)
}

// gatewayResponse reads a try that got a gateway status, then the direct
// requests, the timing and the health check that may explain it.
func (j *judgement) gatewayResponse() []claim {
	src := j.rep.Label
	p := j.rep.Probe
	if j.rep.http09Body() {
		first, _, _ := bytes.Cut(p.Response.Body, []byte("\n"))
		c := j.claim(UpstreamInvalid, kindOwnWords, src, factHTTP09Body, p.Response.Status, bytes.TrimSpace(first))
		return append([]claim{c}, j.ladder()...)
	}
	cs := j.ownWords()
	product, own := j.own503()
	if len(cs) == 0 {
		switch {
		case p.Class == probe.ClassBodyTruncated:
			// A body that broke off is read from the tries alone.
			return []claim{j.claim(UpstreamTruncated, kindStatus, src, factBodyBrokeOff, p.Response.BodyBytes)}
		case own && product == "haproxy":
			cs = append(cs, j.noServer())
		case own && product == "nginx":
			cs = append(cs, j.nginxOwn503())
		default:
			cs = append(cs, claim{cause: Upstream, kind: kindStatus, source: src, fact: fmt.Sprintf(factGatewayNoAnswer, p.Response.Status)})
		}
	}
	cs = append(cs, j.ladder()...)
	cs = append(cs, j.timing()...)
	if own && heldDownProducts[product] == UpstreamNoneHealthy {
		cs = append(cs, j.healthCheck()...)
	}
	// A 504 reads as a timeout when only its status speaks: a page whose
	// own words name another failure (API Gateway's network error) is not
	// overruled by the status's name.
	if p.Response.Status == 504 && len(cs) > 0 && cs[0].cause == Upstream && cs[0].kind == kindStatus {
		cs = append(cs, j.claim(UpstreamTimeout, kindStatus, src, factGatewayTimeout))
	}
	return cs
}

// ownWords reads what the failing response says about itself: who wrote
// it, and the cause its own page or reason line names.
func (j *judgement) ownWords() []claim {
	fp := j.rep.Print
	if fp == nil {
		return nil
	}
	src, p, g := j.rep.Label, j.rep.Probe, fp.Generator
	j.note(src, noteProducedBy, p.Response.Status, g.Product, g.Role, strings.Join(g.Markers, "; "))
	if fp.Reading.Detail != "" {
		j.note(src, noteProductSays, g.Product, fp.Reading.Detail)
	}
	if fp.PassedThrough && len(fp.Hops) > 1 {
		j.note(src, notePassedOn, hopList(fp))
	}
	c := fp.Reading.Cause
	if !c.Known() {
		return nil
	}
	// A product's own marker is its own words; a rule of thumb (a JSON
	// body with a gateway status reads as the application's) is not.
	k := kindOwnWords
	if fp.Evidence == fingerprint.EvidenceFallback {
		k = kindFallback
	}
	return []claim{{cause: c, kind: k, source: src, fact: fmt.Sprintf(factResponseReadsAs, g.Product, c)}}
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
		return fmt.Sprintf(phraseStatus, s)
	}
	if a.Probe != nil {
		return string(a.Probe.Class)
	}
	return phraseNoResult
}

// certSummary describes a certificate in the words that matter when it is
// refused: whose it is, who signed it, for which names, and when it is
// valid, measured against when the probe ran.
func certSummary(c probe.Cert, at time.Time) string {
	issuer := fmt.Sprintf(phraseCertIssuedBy, c.Issuer)
	if c.SelfSigned {
		issuer = phraseCertSelfSigned
	}
	names := append(append([]string{}, c.DNSNames...), c.IPs...)
	out := fmt.Sprintf(phraseCertIssuer, c.Subject, issuer)
	if len(names) > 0 {
		out += fmt.Sprintf(phraseCertNames, strings.Join(names, ", "))
	}
	out += fmt.Sprintf(phraseCertValid, c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"))
	switch {
	case at.IsZero():
	case at.After(c.NotAfter):
		out += fmt.Sprintf(phraseCertExpired, roundWait(at.Sub(c.NotAfter)))
	case at.Before(c.NotBefore):
		out += phraseCertNotYet
	}
	return out
}

// directPersistence counts the direct requests to the upstream too: a
// fault behind the gateway whose direct requests both failed and
// succeeded comes and goes, even when the tries through the gateway
// happened to land on failures only.
func (j *judgement) directPersistence() {
	if j.v.Persistence != Persistent && j.v.Persistence != Recovered || j.v.Cause != Upstream && !j.v.Cause.Refines(Upstream) || j.v.Cause == UpstreamAppError {
		return
	}
	if j.v.Persistence == Recovered {
		j.failsAfterRecovery()
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
	j.note("upstream", noteDirectComesGoes, failed, failed+ok)
}

// failsAfterRecovery reads tries through the gateway that failed and then
// succeeded: when a direct request to the upstream failed after the site
// had recovered, the fault did not go, it comes and goes.
func (j *judgement) failsAfterRecovery() {
	var recovered time.Time
	for _, t := range j.e.Tries {
		if !t.Failed() && t.Probe != nil {
			recovered = t.Probe.Started
			break
		}
	}
	if recovered.IsZero() {
		return
	}
	for _, a := range j.e.Upstream {
		if a.Probe == nil || a.Probe.Started.Before(recovered) {
			continue
		}
		if a.Probe.Response == nil && a.Probe.Class != probe.ClassDeadline && a.Probe.Class != probe.ClassHeaderTimeout && a.Probe.Class != probe.ClassBodyTimeout ||
			a.Probe.Class == probe.ClassBodyTruncated || IsGatewayStatus(a.Status()) {
			j.v.Persistence = Intermittent
			j.note(a.Label, noteDirectFailsAfterRecovery)
			return
		}
	}
}
