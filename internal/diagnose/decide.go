package diagnose

// Confidence says how far a verdict's cause can be trusted; decide
// computes it from the claims (see the package documentation).
type Confidence string

// The confidence levels.
const (
	High   Confidence = "high"
	Medium Confidence = "medium"
	Low    Confidence = "low"
)

// refinement is a cause that a claim of the right kind makes exact: the
// verdict general becomes exact when a claim for exact passes by.
type refinement struct {
	general, exact Cause
	by             func(claim) bool
}

func fromLog(c claim) bool { return c.source == "log" && c.kind == kindOwnWords }
func ofKind(k kind) func(claim) bool {
	return func(c claim) bool { return c.kind == k }
}
func either(a, b func(claim) bool) func(claim) bool {
	return func(c claim) bool { return a(c) || b(c) }
}

// anyUpstream stands for every specific upstream cause in a refinement.
const anyUpstream Cause = "upstream.*"

// refinements are the causes that are exact forms of another. They apply
// to the cause that won on rank, and again to the cause they give.
var refinements = []refinement{
	// A worker that a time limit kills (PHP-FPM's request_terminate_timeout)
	// shows as a closed connection: direct requests all cut off after the
	// same time, or the application server's log, tell that it timed out.
	{UpstreamClosed, UpstreamTimeout, either(fromLog, ofKind(kindDirect))},
	// A gateway that aborts a connection its upstream overloads, or whose
	// body broke off, reports it as closed; its log says which.
	{UpstreamClosed, UpstreamOverloaded, fromLog},
	{UpstreamClosed, UpstreamTruncated, fromLog},
	// A gateway gives up on a connect that goes unanswered with the same
	// page as on a read: its log, or a failure at the connect limit and at
	// no other, tells which.
	{UpstreamTimeout, UpstreamUnreachable, either(fromLog, ofKind(kindTiming))},
	// A gateway that fails at once while direct requests are let in and
	// then wait: the workers are all busy and the listen queue overflows.
	{UpstreamTimeout, UpstreamOverloaded, ofKind(kindDirect)},
	// The servers' own failures are why none of them is healthy.
	{UpstreamNoneHealthy, anyUpstream, either(fromLog, ofKind(kindDirect))},
}

func (r refinement) matches(general Cause, c claim) bool {
	if r.general != general || c.cause == general || !r.by(c) {
		return false
	}
	return r.exact == c.cause || r.exact == anyUpstream && c.cause.Refines(Upstream)
}

// decision is what decide makes of the claims.
type decision struct {
	cause      Cause
	confidence Confidence
	ruledOut   []Excluded
	// chain is the claim that won on rank, then each claim that refined
	// the cause; the last one names the verdict.
	chain []claim
}

// decide makes the verdict from the claims of every reader. It is the one
// place that weighs evidence against evidence:
//
//  1. A cause is out of the running when a claim of a higher kind than
//     its best support rules it out (a failure at once rules out the
//     timeout a bare 504 suggests).
//
//  2. A claim that names why (any cause but the parents "upstream" and
//     "unknown", which say only where) outranks one that does not.
//
//  3. Then the kinds rank, highest first:
//
//     replay     the failure goes when one thing of the client's changes
//     direct     a request straight to a hop shows the failure
//     own words  a product's own page or log line says what failed
//     timing     the failure came at a limit, or at once
//     status     the status or the shape of the response alone
//     fallback   a rule of thumb
//
//     A replay beats everything: a site that answers without the
//     client's cookies is not failing at its upstream. A direct request
//     beats a page's own words, which describe the gateway's view of a
//     hop that the direct request sees for itself. Among claims of one
//     kind, the first one read wins: the failing response before the
//     direct requests, the direct requests before the logs.
//
//  4. The winner is refined by the refinements table, as often as one
//     applies.
//
// The confidence follows from the claims that agree and disagree; see
// confidence.
func decide(cs []claim) decision {
	best, ok := pick(cs)
	if !ok {
		return decision{cause: Unknown, confidence: Low, ruledOut: exclusions(cs, Unknown)}
	}
	chain := refine(best, cs)
	final := chain[len(chain)-1].cause
	return decision{cause: final, confidence: confidence(final, chain, cs), ruledOut: exclusions(cs, final), chain: chain}
}

// pick returns the claim that wins on rank (rules 1 to 3 of decide).
func pick(cs []claim) (claim, bool) {
	var best claim
	found := false
	for _, c := range cs {
		if c.against || vetoed(c.cause, cs) {
			continue
		}
		if !found || outranks(c, best) {
			best, found = c, true
		}
	}
	return best, found
}

// outranks reports whether c beats best: a cause that says why beats a
// parent, then the higher kind wins; an equal one keeps best.
func outranks(c, best claim) bool {
	if parent(c.cause) != parent(best.cause) {
		return parent(best.cause)
	}
	return c.kind > best.kind
}

// parent reports the causes that say where a failure lies, not why.
func parent(cause Cause) bool { return cause == Upstream || cause == Unknown }

// support is the highest kind of the claims for cause, and whether any.
func support(cause Cause, cs []claim) (kind, bool) {
	var k kind
	found := false
	for _, c := range cs {
		if !c.against && c.cause == cause && (!found || c.kind > k) {
			k, found = c.kind, true
		}
	}
	return k, found
}

// vetoed reports a cause that a claim of a higher kind than its best
// support rules out.
func vetoed(cause Cause, cs []claim) bool {
	k, _ := support(cause, cs)
	for _, c := range cs {
		if c.against && c.cause == cause && c.kind > k {
			return true
		}
	}
	return false
}

// refine applies the refinements table to the winning claim (rule 4).
func refine(best claim, cs []claim) []claim {
	chain := []claim{best}
	for range refinements {
		next, ok := refinedBy(chain[len(chain)-1].cause, cs)
		if !ok {
			break
		}
		chain = append(chain, next)
	}
	return chain
}

func refinedBy(general Cause, cs []claim) (claim, bool) {
	for _, r := range refinements {
		for _, c := range cs {
			if !c.against && r.matches(general, c) && !vetoed(c.cause, cs) {
				return c, true
			}
		}
	}
	return claim{}, false
}

// confidence is the one definition of a verdict's confidence:
//
//   - high when a claim of a strong kind (own words, direct, replay)
//     supports the cause and no claim of an equal or higher kind
//     contradicts it;
//   - medium when only timing, status or fallback claims support it, or
//     when a contradiction of an equal or higher kind was outranked;
//   - low when no claim supports it.
//
// A claim contradicts the cause when it names another cause that is
// neither a parent nor one the cause refines, or when it rules the cause
// out. A parent cause ("upstream", "unknown") says where, not why: it is
// medium at best, when a strong claim supports it, and low otherwise.
func confidence(cause Cause, chain []claim, cs []claim) Confidence {
	k, supported := support(cause, cs)
	if parent(cause) {
		if supported && k.strong() {
			return Medium
		}
		return Low
	}
	if !supported {
		return Low
	}
	refined := map[Cause]bool{}
	for _, c := range chain {
		refined[c.cause] = true
	}
	contradicted := false
	for _, c := range cs {
		other := !c.against && !refined[c.cause] && !parent(c.cause)
		if (other || c.against && c.cause == cause) && c.kind >= k {
			contradicted = true
		}
	}
	if k.strong() && !contradicted {
		return High
	}
	return Medium
}

// exclusions lists the causes that claims rule out, but for the verdict's
// own, each once, in the order they were read.
func exclusions(cs []claim, cause Cause) []Excluded {
	out := []Excluded{}
	seen := map[Cause]bool{cause: true}
	for _, c := range cs {
		if !c.against || seen[c.cause] {
			continue
		}
		seen[c.cause] = true
		out = append(out, Excluded{Cause: c.cause, Title: title(c.cause), Why: c.fact})
	}
	return out
}
