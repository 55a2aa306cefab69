package diagnose

import (
	"fmt"
	"strings"
)

// dnsCheck weighs the other DNS servers' answers for the site's name: an
// address only they give, where the site answers, means this machine's
// answer is stale or wrong (client.dns).
func (j *judgement) dnsCheck() []claim {
	c := j.e.DNS
	if c == nil {
		return nil
	}
	local := phraseNothing
	if len(c.Local) > 0 {
		local = strings.Join(c.Local, ", ")
	}
	agree := 0
	for _, o := range c.Others {
		switch {
		case o.Error != "":
			j.note("dns", noteDNSNotAsked, o.Server, o.Error)
		case len(o.Addrs) == 0:
			j.note("dns", noteDNSNoAnswerToo, o.Server, o.Rcode, c.Host)
			if len(c.Local) == 0 {
				agree++
			}
		case sameSet(o.Addrs, c.Local):
			agree++
		default:
			j.note("dns", noteDNSDiffers, c.Host, local, o.Server, strings.Join(o.Addrs, ", "))
		}
	}
	for _, a := range c.Elsewhere {
		if a.Probe != nil && a.Probe.Response != nil && !a.Failed() {
			return []claim{
				j.claim(ClientDNS, kindReplay, a.Label, factElsewhereAnswers, a.Probe.Addr, a.Status()),
				against(EdgeUnreachable, kindReplay, a.Label, whyElsewhereAnswers, a.Status(), a.Probe.Addr),
			}
		}
		if a.Probe != nil {
			j.note(a.Label, noteElsewhereFails, a.Probe.Addr, failureWord(a))
		}
	}
	if agree == len(c.Others) && agree > 0 {
		return []claim{against(ClientDNS, kindDirect, "dns", whyDNSAgrees, agree, c.Host)}
	}
	return nil
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

// clientState applies the replays without the user's headers and cookies,
// and with caches bypassed.
func (j *judgement) clientState() []claim {
	if j.e.Saved {
		return nil // no request was made: the client's state was not tried
	}
	var cs []claim
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
			c := j.claim(ClientRequestState, kindReplay, bare.Attempt.Label, factBareSucceeded, bare.Attempt.Status())
			if len(j.e.Culprits) > 0 {
				j.note("shrink", noteCulprits, strings.Join(j.e.Culprits, ", "))
			}
			return []claim{c}
		}
		if bare.Attempt.Failed() {
			cs = append(cs, against(ClientRequestState, kindReplay, bare.Attempt.Label, whyBareFailed, statusText(bare.Attempt)))
		}
	} else if len(j.e.StateItems) == 0 {
		// A rule of thumb: a cached error is the caches' state, not the
		// request's, and the replay past the caches may still name it.
		cs = append(cs, against(ClientRequestState, kindFallback, "request", whyNoClientState))
	}
	if noCache != nil {
		if !noCache.Attempt.Failed() && j.v.Persistence == Persistent && len(j.e.StateItems) == 0 {
			return append(cs, j.claim(ClientRequestState, kindReplay, noCache.Attempt.Label, factNoCacheSucceeded, noCache.Attempt.Status()))
		}
		if noCache.Attempt.Failed() {
			j.note(noCache.Attempt.Label, noteNoCacheChangedNone, statusText(noCache.Attempt))
		}
	}
	return cs
}
