package diagnose

import "fmt"

// protocol compares the tries over HTTP/2 with the request over HTTP/1.1,
// side by side, and claims a failure of HTTP/2's alone: every failed try
// broke at the HTTP/2 layer (a stream reset, a GOAWAY, a protocol error)
// while HTTP/1.1 got an answer that is not a failure.
func (j *judgement) protocol() []claim {
	h1 := j.e.HTTP1
	if h1 == nil || h1.Probe == nil {
		return nil
	}
	h2 := j.rep
	j.note(h1.Label, noteHTTP2AndHTTP1, protoAnswer(h2), protoAnswer(*h1))
	if h1.Failed() || !h2Broken(j.e.Tries) {
		return nil
	}
	code := h2.Probe.H2Code
	if code == "" {
		code = string(h2.Probe.Class)
	}
	return []claim{j.claim(EdgeProtocol, kindReplay, h2.Label, factHTTP2Breaks, code, h1.Status())}
}

// h2Broken reports whether every failed try broke at the HTTP/2 layer.
func h2Broken(tries []Attempt) bool {
	n := 0
	for _, t := range tries {
		if !t.Failed() {
			continue
		}
		if t.Probe == nil || !t.Probe.Class.IsHTTP2() {
			return false
		}
		n++
	}
	return n > 0
}

// protoAnswer says in a few words what one request got, and who answered.
func protoAnswer(a Attempt) string {
	p := a.Probe
	switch {
	case p == nil:
		return phraseNothing
	case p.Response == nil && p.H2Code != "":
		return string(p.Class) + " " + p.H2Code
	case p.Response == nil:
		return string(p.Class)
	}
	who := ""
	if a.Print != nil {
		who = fmt.Sprintf(phraseFrom, a.Print.Generator.Product)
	}
	return statusText(a) + who
}
