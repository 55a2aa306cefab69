package diagnose

import "fmt"

// kind is the kind of evidence a claim rests on. The kinds are ranked:
// a later constant outranks an earlier one when two claims name
// different causes (see decide).
type kind int

const (
	// kindFallback is a rule of thumb: a JSON body with a gateway status
	// reads as the application's; a server that closes with no gateway in
	// front is the last hop; an origin that answers while the edge fails.
	kindFallback kind = iota
	// kindStatus is the status or the shape of the failing response alone:
	// a 504, a body that broke off.
	kindStatus
	// kindTiming is a coincidence in time: a failure at a configured or
	// default limit, at a round number of seconds, or at once.
	kindTiming
	// kindOwnWords is what a product says of itself: its own error page or
	// reason line, or the gateway's log line of this diagnosis's request.
	kindOwnWords
	// kindDirect is a request straight to a hop: the site itself, the
	// upstream, its TLS or FastCGI side, the gateway's health check.
	kindDirect
	// kindReplay is a replay that changes one thing of the client's:
	// without its headers and cookies, past the caches, at the addresses
	// other DNS servers give, over HTTP/1.1.
	kindReplay
)

func (k kind) String() string {
	switch k {
	case kindFallback:
		return "fallback"
	case kindStatus:
		return "status"
	case kindTiming:
		return "timing"
	case kindOwnWords:
		return "own words"
	case kindDirect:
		return "direct"
	case kindReplay:
		return "replay"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// strong reports a kind that can make a verdict high on its own.
func (k kind) strong() bool { return k >= kindOwnWords }

// claim is what one reader concludes from one piece of evidence: a cause
// (or, against set, a cause the evidence rules out), the kind of evidence
// it rests on, where that evidence comes from, and the fact in words.
type claim struct {
	cause Cause
	kind  kind
	// source is the attempt's label, or "log", "dns", "upstream", ...
	source string
	fact   string
	// against marks a claim that rules cause out rather than names it.
	against bool
}

func (c claim) String() string {
	verb := "for"
	if c.against {
		verb = "against"
	}
	return fmt.Sprintf("%s %s (%s, %s)", verb, c.cause, c.kind, c.source)
}

// claim notes a fact and returns the claim for cause that rests on it.
func (j *judgement) claim(cause Cause, k kind, source, format string, args ...any) claim {
	c := claim{cause: cause, kind: k, source: source, fact: fmt.Sprintf(format, args...)}
	j.v.Evidence = append(j.v.Evidence, Finding{Source: source, Text: c.fact})
	return c
}

// against returns a claim that rules cause out; its fact is the reason
// given in the verdict's ruled-out list, not a finding.
func against(cause Cause, k kind, source, format string, args ...any) claim {
	return claim{cause: cause, kind: k, source: source, fact: fmt.Sprintf(format, args...), against: true}
}
