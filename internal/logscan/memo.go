package logscan

import (
	"bytes"
	"time"
)

// memo remembers values by the bytes they were read from, up to maxMemo
// of them in a map, which starts afresh when full; the last nRecent keys
// found there again are compared one by one first, which costs less than
// hashing them. An outage's error log repeats a few messages line after
// line, and has messages that it writes once (limit_req's excess): they do
// not crowd the recent ones out. A parser owns one; the zero value is
// ready.
type memo[V any] struct {
	keys [nRecent]string
	vals [nRecent]V
	n    int // recent keys held
	next int // where the next recent one goes
	m    map[string]memoized[V]
}

type memoized[V any] struct {
	key string
	val V
}

// The sizes of a memo: nRecent is a power of two.
const (
	nRecent = 16
	maxMemo = 256
)

// get returns the value remembered for b.
func (c *memo[V]) get(b []byte) (V, bool) {
	for k := 1; k <= c.n; k++ {
		i := (c.next - k) & (nRecent - 1)
		if c.keys[i] == string(b) {
			return c.vals[i], true
		}
	}
	if mv, ok := c.m[string(b)]; ok {
		c.remember(mv.key, mv.val)
		return mv.val, true
	}
	var zero V
	return zero, false
}

// put remembers v for key.
func (c *memo[V]) put(key string, v V) {
	if c.m == nil || len(c.m) >= maxMemo {
		c.m = make(map[string]memoized[V])
	}
	c.m[key] = memoized[V]{key, v}
}

// remember puts key among the recent ones.
func (c *memo[V]) remember(key string, v V) {
	c.keys[c.next], c.vals[c.next] = key, v
	c.next = (c.next + 1) & (nRecent - 1)
	c.n = min(c.n+1, nRecent)
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
