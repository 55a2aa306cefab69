package diagnose

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// Hop is one step of the path a request takes, as the diagnosis saw it
// when it asked that step directly.
type Hop struct {
	// Role is "site" (what the URL reaches), "origin" (--origin) or
	// "upstream" (--upstream or the configuration's route).
	Role string `json:"role"`
	// Addr is the address that was dialled.
	Addr string `json:"addr"`
	// Product is who wrote the answer there, when one was recognised.
	Product string `json:"product,omitempty"`
	// Result is the status, or the class of the failure when no response
	// came ("connect.refused").
	Result string `json:"result"`
	// TTFB is the time to the first byte of the answer, or to the failure.
	TTFB time.Duration `json:"-"`
	// Failing is set when the answer there is a failure.
	Failing bool `json:"failing"`
}

// MarshalJSON adds ttfb_ms.
func (h Hop) MarshalJSON() ([]byte, error) {
	type plain Hop
	return json.Marshal(struct {
		plain
		TTFB float64 `json:"ttfb_ms"`
	}{plain(h), math.Round(float64(h.TTFB)/1e3) / 1e3})
}

// path lists the hops that were asked: the site, then the origin and the
// upstream when the diagnosis asked them directly.
func (j *judgement) path() []Hop {
	var hops []Hop
	if h, ok := hopOf("site", j.e.Tries); ok {
		hops = append(hops, h)
	}
	if h, ok := hopOf("origin", j.e.Origin); ok {
		h.Addr = j.e.OriginAddr
		hops = append(hops, h)
	}
	if h, ok := hopOf("upstream", j.e.Upstream); ok {
		h.Addr = j.e.UpstreamAddr
		hops = append(hops, h)
	}
	return hops
}

// hopOf summarises a series of attempts at one hop by its first failure,
// or its first attempt when none failed.
func hopOf(role string, as []Attempt) (Hop, bool) {
	if len(as) == 0 {
		return Hop{}, false
	}
	a, failed := firstFailure(as)
	if !failed {
		a = as[0]
	}
	if a.Probe == nil {
		return Hop{}, false
	}
	h := Hop{Role: role, Addr: a.Probe.Addr, Failing: a.Failed(), TTFB: failAt(a)}
	if a.Probe.Response != nil {
		h.Result = fmt.Sprint(a.Probe.Response.Status)
		if c := a.Probe.Class; c == probe.ClassBodyTruncated || c == probe.ClassBodyTimeout {
			h.Result += " " + string(c) // "200 body.truncated"
		}
		if a.Print != nil && a.Print.Generator.Product != "" && a.Print.Generator.Product != "unknown" {
			h.Product = a.Print.Generator.Product
		}
	} else {
		h.Result = string(a.Probe.Class)
	}
	return h, true
}

// pathFindings says which hop breaks, in words, and where the time goes:
// "haproxy reaches the origin; nginx reaches nothing at 127.0.0.1:9000".
func (j *judgement) pathFindings() {
	hops := j.v.Path
	if len(hops) < 2 || j.v.Cause == OK {
		return
	}
	var parts, times []string
	for i := 1; i < len(hops); i++ {
		prev, h := hops[i-1], hops[i]
		// The site's page may come from deeper than the site (a chain), so
		// the product names it only when nothing was asked in between.
		who := prev.Product
		if who == "" || who == "application" || (prev.Role == "site" && hops[len(hops)-1].Role != h.Role) {
			who = fmt.Sprintf(phraseThe, prev.Role)
		}
		switch {
		case h.Result != "" && h.Result[0] >= '0' && h.Result[0] <= '9' && !h.Failing:
			parts = append(parts, fmt.Sprintf(phraseHopAnswers, h.Role, h.Addr, h.Result))
		case h.Failing && strings.Contains(h.Result, " body."):
			parts = append(parts, fmt.Sprintf(phraseHopBreaksOff, who, h.Role, h.Addr, h.Result))
		case h.Failing && strings.Contains(h.Result, "."):
			parts = append(parts, fmt.Sprintf(phraseHopNothingUsable, who, h.Role, h.Addr, h.Result))
		case h.Failing:
			parts = append(parts, fmt.Sprintf(phraseHopItselfFails, who, h.Role, h.Addr, h.Result))
		}
	}
	for _, h := range hops {
		times = append(times, fmt.Sprintf("%s %s", h.Role, ms(h.TTFB)))
	}
	if len(parts) > 0 {
		j.note("path", "%s: %s", strings.Join(parts, "; "), j.v.Cause)
	}
	j.note("path", noteHopTimes, strings.Join(times, ", "))
}

// origin reads the requests sent straight to the origin, past the CDN or
// load balancer: an origin that answers well while the site fails puts the
// fault between the two, by rule of thumb; one that fails alike shows that
// the edge only reports the origin's failure.
func (j *judgement) origin(siteFailed bool) []claim {
	if len(j.e.Origin) == 0 {
		return nil
	}
	h, _ := hopOf("origin", j.e.Origin)
	switch {
	case !siteFailed && h.Failing:
		j.note("origin", noteOriginFailsSiteOK, j.e.OriginAddr, h.Result)
	case siteFailed && !h.Failing:
		return []claim{j.claim(CDNOriginUnreachable, kindFallback, "origin", factOriginAnswers, j.e.OriginAddr, h.Result)}
	case siteFailed:
		j.note("origin", noteOriginFailsToo, j.e.OriginAddr, h.Result)
	}
	return nil
}

// keepAlive reports how long the upstream keeps an idle connection, which
// matters when a gateway keeps its idle upstream connections longer: it may
// send a request just as the upstream closes one.
func (j *judgement) keepAlive() {
	k := j.e.UpstreamKeepAlive
	if k == nil || k.Error != "" {
		return
	}
	switch {
	case !k.Reusable:
		j.note("upstream", noteNoKeepAlive)
	case k.Closed:
		j.note("upstream", noteKeepAliveClosed, ms(k.Idle))
		if j.v.Cause == UpstreamClosed && j.v.Persistence == "intermittent" {
			j.note("upstream", noteKeepAliveRace, ms(k.Idle))
		}
	default:
		j.note("upstream", noteKeepAliveOpen, ms(k.Idle))
	}
}
