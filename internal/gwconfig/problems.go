package gwconfig

import (
	"bytes"
	"errors"
)

// maxProblems caps the problems kept for one configuration: a file that is
// not a configuration at all would otherwise give one per line.
const maxProblems = 100

// problems collects the parts of a configuration a parser had to leave out
// (a missing include, a block cut short, a directive it cannot read), so
// that one unusable part degrades the result instead of sinking it.
type problems []*ParseError

// add records err, a *ParseError or any error about file:line.
func (p *problems) add(file string, line int, err error) {
	if len(*p) >= maxProblems {
		return
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		pe = &ParseError{File: file, Line: line, Msg: err.Error(), Err: err}
	}
	*p = append(*p, pe)
}

// addf records a problem described by format.
func (p *problems) addf(file string, line int, format string, args ...any) {
	p.add(file, line, parseErrorf(file, line, format, args...))
}

// utf8BOM is the byte order mark some Windows editors write first.
var utf8BOM = []byte("\xef\xbb\xbf")

// stripBOM drops a leading UTF-8 byte order mark, which none of the products
// expects in front of the first directive.
func stripBOM(data []byte) []byte { return bytes.TrimPrefix(data, utf8BOM) }

// checkProblems turns the parts a parser left out into findings
// ("nginx.not_read"): the route and findings may miss what they held. They
// are warnings: the product's own test refuses such a file, or it names
// files this machine does not have.
func checkProblems(product string, ps []*ParseError) []Finding {
	var out []Finding
	for _, p := range ps {
		out = append(out, Finding{Severity: Warning, Code: product + ".not_read", File: p.File, Line: p.Line,
			Message: p.Msg + ": left out, the rest of the configuration is read without it",
			Fix:     "check the file with the product's own test of its configuration"})
	}
	return out
}
