package gwconfig

import (
	"regexp"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// pcreMatchTimeout bounds one match of an expression that only the
// backtracking engine reads, so that a pathological one cannot hang a
// diagnosis.
const pcreMatchTimeout = 100 * time.Millisecond

// pcre is a regular expression as nginx, Apache and HAProxy write them:
// PCRE. Go's RE2 reads most of them; lookaround and backreferences
// ("location ~ /\.(?!well-known)") only a backtracking engine does, so
// those are compiled by regexp2, whose syntax is of PCRE's family.
type pcre struct {
	re2 *regexp.Regexp
	bt  *regexp2.Regexp
}

// compilePCRE compiles expr with RE2, else with the backtracking engine;
// the error is RE2's when neither reads it.
func compilePCRE(expr string) (*pcre, error) {
	re, err := regexp.Compile(expr)
	if err == nil {
		return &pcre{re2: re}, nil
	}
	bt, err2 := regexp2.Compile(expr)
	if err2 != nil {
		return nil, err
	}
	bt.MatchTimeout = pcreMatchTimeout
	return &pcre{bt: bt}, nil
}

// MatchString reports whether s matches; a match that runs out of time
// does not.
func (p *pcre) MatchString(s string) bool {
	if p.re2 != nil {
		return p.re2.MatchString(s)
	}
	m, err := p.bt.MatchString(s)
	return err == nil && m
}

// FindStringSubmatchIndex is regexp's, for the expressions RE2 reads;
// nil for the others, whose captures are not read.
func (p *pcre) FindStringSubmatchIndex(s string) []int {
	if p.re2 != nil {
		return p.re2.FindStringSubmatchIndex(s)
	}
	return nil
}
