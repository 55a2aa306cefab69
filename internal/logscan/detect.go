package logscan

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// Detection reads a file's first quickSample lines, and when some of them
// are not read, its first sampleSize lines: enough to look past a
// container's start-up chatter to the log lines after it.
const (
	quickSample = 32
	sampleSize  = 256
)

// companions are the formats that share a container's output: when a file
// is wrapped or has lines its format does not read, lines of the companion
// are read too, though none was among the first lines.
var companions = map[string]string{
	"nginx-access": "nginx-error", "nginx-error": "nginx-access",
	"apache-access": "apache-error", "apache-error": "apache-access",
}

// choice is what detection settled on for a file: its wrappers, its format
// and, when the file mixes two logs (a container's access and error lines),
// a second format for the lines the first does not read.
type choice struct {
	wrap         *unwrapper
	first, other *format
	score, read  int
}

// readScore tells how well p reads lines: each line read counts 1, and 1
// more when it has a time or is a failure, so that a format reading only
// continuation lines does not win. skip marks lines already read by
// another format; read marks those p reads.
func readScore(p parser, lines [][]byte, skip, read []bool) (score, n int) {
	for i, l := range lines {
		if skip != nil && skip[i] {
			continue
		}
		var e Entry
		v := p.parse(l, &e)
		if v == lineMalformed {
			continue
		}
		n++
		score++
		if v == lineFailure || !e.Time.IsZero() {
			score++
		}
		if read != nil {
			read[i] = true
		}
	}
	return score, n
}

// pickFormat finds the format that reads lines best, and a second one for
// lines it leaves unread, if one reads some of them with a time.
func pickFormat(name string, lines [][]byte, o parseOptions, forced *format) choice {
	o.needTime = true
	var c choice
	for i := range formats {
		f := &formats[i]
		if forced != nil && f != forced {
			continue
		}
		s, n := readScore(f.build(o, lines), lines, nil, nil)
		if s > c.score || (s == c.score && s > 0 && preferOnTie(name, lines, f, c.first)) {
			c.first, c.score, c.read = f, s, n
		}
	}
	if c.first == nil || forced != nil {
		return c
	}
	done := make([]bool, len(lines))
	readScore(c.first.build(o, lines), lines, nil, done)
	best := 0
	for i := range formats {
		f := &formats[i]
		if f == c.first {
			continue
		}
		s, n := readScore(f.build(o, lines), lines, done, nil)
		if s > n && s > best { // reads some line with a time
			c.other, best = f, s
			c.read = countTrue(done) + n
		}
	}
	c.score += best
	return c
}

func countTrue(b []bool) int {
	n := 0
	for _, x := range b {
		if x {
			n++
		}
	}
	return n
}

// preferOnTie breaks a tie between formats that read the same lines: a
// file named for Apache is Apache's, a Traefik CLF line, which ends with
// the router, the server URL and the duration, is Traefik's though
// combined-format readers take it too, and lines that syslog says
// HAProxy wrote are HAProxy's.
func preferOnTie(name string, lines [][]byte, f, best *format) bool {
	if best == nil {
		return false
	}
	switch {
	case f.name == "haproxy":
		// HAProxy's CLF httplog reads as an access line too; syslog
		// names the program.
		return slices.ContainsFunc(lines, func(l []byte) bool { return bytes.Contains(l, []byte("haproxy[")) })
	case f.name == "apache-access":
		return apacheName(name)
	case f.name == "traefik":
		return best.name == "nginx-access" || best.name == "apache-access"
	}
	return false
}

// choose detects a file's wrappers and format from its first lines; forced,
// when set, is the format to read it with. The lines are read as they are
// and without the wrappers detectWraps finds, and the better reading wins.
func choose(name string, sample [][]byte, o parseOptions, forced *format) (choice, error) {
	c := pickFormat(name, sample, o, forced)
	if w := detectWraps(sample, o.loc); w != nil {
		// The outer wrappers alone, then with each inner one: a wrapper
		// found inside another may be the format's own start (an IIS or
		// lighttpd line's date and time read as a collector's stamp).
		inner := make([][]byte, len(sample))
		for k := 1; k <= len(w.kinds); k++ {
			wk := &unwrapper{kinds: w.kinds[:k], loc: w.loc}
			for i, l := range sample {
				inner[i], _, _ = wk.unwrap(l)
			}
			// On a tie, the deeper unwrapping wins over a shallower one
			// (not over the lines as they are).
			if cw := pickFormat(name, inner, o, forced); cw.score > c.score || cw.score == c.score && c.wrap != nil {
				c, c.wrap = cw, wk
			}
		}
	}
	if forced != nil {
		c.first = forced
		return c, nil
	}
	if c.first != nil && c.other == nil && (c.wrap != nil || c.read < len(sample)) {
		if name, ok := companions[c.first.name]; ok {
			c.other, _ = lookupFormat(name)
		}
	}
	if c.first == nil || c.read*4 < len(sample) && !readsFailure(c, sample, o) {
		if cs, ok := choosePrefixed(name, sample, o, c.wrap); ok {
			return cs, nil
		}
		return c, fmt.Errorf("%s: %w: none of the supported formats reads its first lines; name one with --format (%s)",
			name, ErrUnknownFormat, strings.Join(Formats(), ", "))
	}
	return c, nil
}

// maxPrefixWords is how many leading words of a prefix no wrapper names
// detection looks past.
const maxPrefixWords = 8

// choosePrefixed looks for a prefix of a few words that every line has,
// when no format reads the lines as they are: the fewest words after
// which a format reads a quarter of the sample, or a gateway's failure
// with its time (as choose wants), the lines then read past that prefix.
func choosePrefixed(name string, sample [][]byte, o parseOptions, wrap *unwrapper) (choice, bool) {
	inner := make([][]byte, len(sample))
	for k := 1; k <= maxPrefixWords; k++ {
		u := &unwrapper{skip: k, loc: o.loc}
		if wrap != nil {
			u.kinds = wrap.kinds
		}
		for i, l := range sample {
			inner[i], _, _ = u.unwrap(l)
		}
		c := pickFormat(name, inner, o, nil)
		if c.first == nil {
			continue
		}
		c.wrap = u
		if c.read*4 < len(sample) && !readsFailure(c, sample, o) {
			continue
		}
		if c.other == nil {
			if other, ok := companions[c.first.name]; ok {
				c.other, _ = lookupFormat(other)
			}
		}
		return c, true
	}
	return choice{}, false
}

// readsFailure tells whether c's format reads a gateway failure with its
// time among lines: one such line names the format, however few of the
// lines around it are read (a gateway's line among a supervisor's).
func readsFailure(c choice, lines [][]byte, o parseOptions) bool {
	o.needTime = true
	p := c.first.build(o, lines)
	for _, l := range lines {
		if c.wrap != nil {
			l, _, _ = c.wrap.unwrap(l)
		}
		var e Entry
		if p.parse(l, &e) == lineFailure && !e.Time.IsZero() {
			return true
		}
	}
	return false
}

// detect chooses the format of a file from its first lines; nil when there
// are none.
func detect(name string, sample [][]byte, o parseOptions) (*format, error) {
	if len(sample) == 0 {
		return nil, nil
	}
	c, err := choose(name, sample, o, nil)
	return c.first, err
}

func apacheName(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "apache") || strings.Contains(n, "httpd")
}
