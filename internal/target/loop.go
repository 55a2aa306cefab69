package target

import (
	"context"
	"fmt"
	"slices"
	"strconv"
)

// LoopKind is the shape of a redirect loop, which points at its usual
// cause.
type LoopKind int

// The shapes of redirect loops.
const (
	// LoopOther is a cycle of none of the shapes below.
	LoopOther LoopKind = iota
	// LoopScheme: the cycle stays on one host and alternates between http
	// and https, or is an https URL that redirects to itself. A hop behind
	// the edge sees plain HTTP and sends the visitor to HTTPS: a CDN that
	// reaches the origin over HTTP ("Flexible SSL") while the origin
	// redirects to HTTPS, or a TLS-terminating proxy that does not tell the
	// application (X-Forwarded-Proto).
	LoopScheme
	// LoopWWW: the cycle alternates between a host and its www. name; two
	// layers disagree on the canonical name.
	LoopWWW
	// LoopCookie: the cycle repeats only while a cookie the site set in the
	// chain is sent; asked without it, a hop of the cycle answers
	// differently.
	LoopCookie
	// LoopEndless: no request repeated, but the redirects did not end
	// within the limit (a URL that grows with each hop, a counter).
	LoopEndless
)

var loopKindNames = [...]string{"other", "scheme", "www", "cookie", "endless"}

// String returns the kind's name: "other", "scheme", "www", "cookie" or
// "endless".
func (k LoopKind) String() string {
	if k < 0 || int(k) >= len(loopKindNames) {
		return "LoopKind(" + strconv.Itoa(int(k)) + ")"
	}
	return loopKindNames[k]
}

// MarshalText writes the kind's name, for JSON.
func (k LoopKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind's name as MarshalText writes it.
func (k *LoopKind) UnmarshalText(b []byte) error {
	for i, name := range loopKindNames {
		if string(b) == name {
			*k = LoopKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown loop kind %q", b)
}

// Loop describes a redirect chain that does not end.
type Loop struct {
	// Kind is the loop's shape.
	Kind LoopKind `json:"kind"`
	// Start is the index in Chain.Hops of the cycle's first hop.
	Start int `json:"start"`
	// Cycle are the URLs that repeat, in order, from Start to the last hop;
	// nil for LoopEndless.
	Cycle []string `json:"cycle,omitempty"`
	// Cookies are, for LoopCookie, the names of the cookies the cycle's
	// requests carried.
	Cookies []string `json:"cookies,omitempty"`
	// Without are the cycle's requests asked again without the chain's
	// cookies, up to the first that answered differently; set when the
	// cycle's requests carried cookies.
	Without []Hop `json:"without,omitempty"`
}

// loop describes the cycle cycle, which starts at hop start of the chain.
func (f *follower) loop(ctx context.Context, cycle []Hop, start int) *Loop {
	l := &Loop{Start: start}
	for _, h := range cycle {
		l.Cycle = append(l.Cycle, h.URL)
	}
	if f.cookieDependent(ctx, cycle, l) {
		l.Kind = LoopCookie
		return l
	}
	l.Kind = loopShape(cycle)
	return l
}

// cookieDependent asks the cycle's requests that carried cookies again
// without them, and reports whether one of them then answers other than
// with the redirect it gave in the cycle.
func (f *follower) cookieDependent(ctx context.Context, cycle []Hop, l *Loop) bool {
	for _, h := range cycle {
		for _, name := range h.Cookies {
			if !slices.Contains(l.Cookies, name) {
				l.Cookies = append(l.Cookies, name)
			}
		}
	}
	if len(l.Cookies) == 0 {
		return false
	}
	// A follower of its own, so that what these requests set stays out of
	// the chain's cookies.
	g := &follower{opts: f.opts, jar: jar{}}
	for _, h := range cycle {
		if h.cookie == "" || ctx.Err() != nil {
			continue
		}
		u, err := absolute(h.URL)
		if err != nil {
			continue
		}
		again := g.send(ctx, h.Method, u, "", nil)
		g.step(&again)
		l.Without = append(l.Without, again)
		if again.Result.Response != nil && again.Next != h.Next {
			return true
		}
	}
	l.Cookies = nil
	return false
}

// loopShape names the shape of a cycle from its URLs alone.
func loopShape(cycle []Hop) LoopKind {
	var hosts, schemes []string
	for _, h := range cycle {
		if !slices.Contains(hosts, h.Host) {
			hosts = append(hosts, h.Host)
		}
		if !slices.Contains(schemes, h.Scheme) {
			schemes = append(schemes, h.Scheme)
		}
	}
	switch {
	case len(hosts) == 2 && isWWW(hosts[0], hosts[1]):
		return LoopWWW
	case len(hosts) == 1 && len(schemes) == 2:
		return LoopScheme
	case len(cycle) == 1 && cycle[0].Scheme == "https":
		// An https URL that redirects to itself: the hop that answers
		// believes it was asked over http.
		return LoopScheme
	}
	return LoopOther
}

// isWWW reports whether a is www.b or b is www.a.
func isWWW(a, b string) bool {
	return a == "www."+b || b == "www."+a
}
