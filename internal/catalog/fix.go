package catalog

import "slices"

// Protocol is the protocol a gateway speaks to its upstream, where the fixes
// differ by it: nginx's fastcgi_* directives against its proxy_* ones.
type Protocol string

// The protocols that fixes tell apart; HTTP is the zero value.
const (
	HTTP    Protocol = ""
	FastCGI Protocol = "fastcgi"
)

// Target is what a fix is written for: a product and the protocol of its
// upstream. The zero Target stands for any product.
type Target struct {
	Product  Product
	Protocol Protocol
}

// Step is one thing to do about a cause: a sentence for any product, and
// the lines to type (commands, configuration) for each target.
type Step struct {
	Text  string
	lines map[Target][]string
	// gatewayHost marks a step taken on the gateway's own host.
	gatewayHost bool
}

// Lines returns the step's lines for t: those of its product and protocol,
// else those of its product, else those for any product. The slice is the
// caller's own.
func (s Step) Lines(t Target) []string {
	for _, k := range []Target{t, {Product: t.Product}, {}} {
		if l, ok := s.lines[k]; ok {
			return slices.Clone(l)
		}
	}
	return nil
}

// Steps returns the steps against c, in the order worth doing; none for OK
// or an ID the catalog lacks.
func Steps(c Cause) []Step {
	return slices.Clone(remedies[c].steps)
}

// Advice returns the changes that t's own configuration can make against
// c, one sentence each in the product's own directives, for a summary of
// many failures. It has no fallback: a target without advice of its own
// gets none rather than another product's syntax.
func Advice(c Cause, t Target) []string {
	return slices.Clone(remedies[c].advice[t])
}

// remedy is what to do about one cause: the steps in order, and the
// advice per target.
type remedy struct {
	steps  []Step
	advice map[Target][]string
}
