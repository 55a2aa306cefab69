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
			return []claim{
				j.claim(ClientDNS, kindReplay, a.Label, "asked at %s, with the same Host and TLS name, the site answers %d: the address this machine uses is stale or wrong", a.Probe.Addr, a.Status()),
				against(EdgeUnreachable, kindReplay, a.Label, "the site answers %d at %s, an address other DNS servers give", a.Status(), a.Probe.Addr),
			}
		}
		if a.Probe != nil {
			j.note(a.Label, "asked at %s, the site fails too (%s)", a.Probe.Addr, failureWord(a))
		}
	}
	if agree == len(c.Others) && agree > 0 {
		return []claim{against(ClientDNS, kindDirect, "dns", "%d other DNS server(s) give the same answer for %s as this machine", agree, c.Host)}
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
			c := j.claim(ClientRequestState, kindReplay, bare.Attempt.Label, "the same request without your headers and cookies succeeded (%d)", bare.Attempt.Status())
			if len(j.e.Culprits) > 0 {
				j.note("shrink", "the failure needs only: %s", strings.Join(j.e.Culprits, ", "))
			}
			return []claim{c}
		}
		if bare.Attempt.Failed() {
			cs = append(cs, against(ClientRequestState, kindReplay, bare.Attempt.Label, "the request without your headers and cookies failed too (%s)", statusText(bare.Attempt)))
		}
	} else if len(j.e.StateItems) == 0 {
		// A rule of thumb: a cached error is the caches' state, not the
		// request's, and the replay past the caches may still name it.
		cs = append(cs, against(ClientRequestState, kindFallback, "request", "no cookies or extra headers were sent, so the client's state plays no part"))
	}
	if noCache != nil {
		if !noCache.Attempt.Failed() && j.v.Persistence == Persistent && len(j.e.StateItems) == 0 {
			return append(cs, j.claim(ClientRequestState, kindReplay, noCache.Attempt.Label, "the request with caches bypassed succeeded (%d): a cached error is served", noCache.Attempt.Status()))
		}
		if noCache.Attempt.Failed() {
			j.note(noCache.Attempt.Label, "bypassing caches (Cache-Control: no-cache and a fresh query) changed nothing: %s", statusText(noCache.Attempt))
		}
	}
	return cs
}
