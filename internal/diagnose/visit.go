package diagnose

import (
	"fmt"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/target"
)

// Visit is how the visitor's address was reached before the experiments:
// the scheme chosen for a bare name, and the redirects followed, as a
// browser follows them, to the page the diagnosis looks at.
type Visit struct {
	// Input is the address as the user typed it.
	Input string `json:"input,omitempty"`
	// SchemeNote says why plain http was taken for a bare name.
	SchemeNote string `json:"scheme_note,omitempty"`
	// Hops are the requests of the redirect chain, each recognised; the
	// last is the page the chain ended on.
	Hops []Attempt `json:"hops"`
	// End says why the chain ended: "final", "failed", "no_location",
	// "loop", "too_many_redirects".
	End target.End `json:"end"`
	// Final is the URL the chain ended on.
	Final string `json:"final"`
	// Loop is the cycle of a chain that never ends.
	Loop *target.Loop `json:"loop,omitempty"`
	// Note explains an end in one line.
	Note string `json:"note,omitempty"`
}

// visit notes how the address was reached, and reports whether the
// redirects themselves are the failure.
func (j *judgement) visit() bool {
	v := j.e.Visit
	if v == nil {
		return false
	}
	if v.SchemeNote != "" {
		j.note("scheme", "%s", v.SchemeNote)
	}
	if len(v.Hops) > 1 && v.Loop == nil {
		j.note("redirects", noteRedirectsFollowed, len(v.Hops)-1, hopTrail(v.Hops))
	}
	if v.Note != "" {
		j.note("redirects", "%s", v.Note)
	}
	return v.Loop != nil && len(v.Hops) > 0
}

// redirectLoop judges a chain of redirects that never ends: the browser
// shows "too many redirects", whatever each page would say.
func (j *judgement) redirectLoop(v *Visit) []claim {
	last := v.Hops[len(v.Hops)-1]
	j.v.Status = last.Status()
	j.v.GeneratedBy = generatedBy(last)
	l := v.Loop
	var c claim
	if l.Kind == target.LoopEndless {
		c = j.claim(EdgeRedirectLoop, kindDirect, "redirects", factRedirectsEndless, len(v.Hops)-1, hopTrail(v.Hops))
	} else {
		c = j.claim(EdgeRedirectLoop, kindDirect, "redirects", factRedirectCircle, strings.Join(l.Cycle, " → "))
	}
	for _, h := range v.Hops[l.Start:] {
		if h.Print != nil && h.Probe.Response != nil {
			j.note(h.Label, noteRedirectHop, productName(h.Print.Generator.Product), h.Status(), h.Probe.Response.Header.Get("Location"))
		}
	}
	switch l.Kind {
	case target.LoopScheme:
		j.note("redirects", noteLoopScheme)
	case target.LoopWWW:
		j.note("redirects", noteLoopWWW)
	case target.LoopCookie:
		j.note("redirects", noteLoopCookie, strings.Join(l.Cookies, ", "))
	}
	return []claim{c}
}

// hopTrail writes a chain as "301 http://a/ → 200 https://a/".
func hopTrail(hops []Attempt) string {
	parts := make([]string, len(hops))
	for i, h := range hops {
		status := phraseNoResponse
		if s := h.Status(); s != 0 {
			status = fmt.Sprint(s)
		}
		parts[i] = status + " " + h.Probe.URL
	}
	return strings.Join(parts, " → ")
}
