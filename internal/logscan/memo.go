package logscan

import (
	"bytes"
	"time"
)

// maxInterned bounds an interner: a field with more distinct values than
// that (paths, clients) is not worth interning.
const maxInterned = 256

// interner hands out one string for each distinct value of a field that
// repeats line after line (methods, schemes, upstreams), so that reading it
// allocates only the first time. A parser owns one; the zero value is ready.
type interner struct {
	m map[string]string
}

// get returns b as a string.
func (in *interner) get(b []byte) string {
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if in.m == nil {
		in.m = map[string]string{}
	}
	if len(in.m) < maxInterned {
		in.m[s] = s
	}
	return s
}

// stampCache keeps the last "2006/01/02 15:04:05" time read: a busy log
// writes many lines in each second, and time.Date is dear.
type stampCache struct {
	stamp [19]byte
	t     time.Time
	ok    bool
}

// ymd reads the time at the start of line as timeYMD does.
func (c *stampCache) ymd(line []byte, loc *time.Location) (time.Time, bool) {
	if c.ok && len(line) >= 19 && bytes.Equal(line[:19], c.stamp[:]) {
		return c.t, true
	}
	t, ok := timeYMD(line, loc)
	if ok {
		copy(c.stamp[:], line)
		c.t, c.ok = t, true
	}
	return t, ok
}
