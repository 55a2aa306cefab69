package logscan

import (
	"bytes"
	"time"
)

// memo remembers values by the bytes they were read from, up to maxMemo
// of them in a map, which starts afresh when full. A key found there again
// gets a slot of its own, picked from its length and two of its bytes,
// where it is looked for before the map is asked: that costs one
// comparison, and hashing a key costs more. An outage's error log repeats
// a few messages line after line, and has messages that it writes once
// (limit_req's excess): those never take a slot. A parser owns one; the
// zero value is ready.
type memo[V any] struct {
	slots [nSlots]memoized[V]
	m     map[string]memoized[V]
}

type memoized[V any] struct {
	key string
	val V
	set bool
}

// The sizes of a memo: nSlots is a power of two.
const (
	nSlots  = 64
	maxMemo = 256
)

// slot picks the slot of a key.
func slot(b []byte) int {
	n := len(b)
	if n == 0 {
		return 0
	}
	return (n*7 + int(b[n/2])*3 + int(b[n-1])) & (nSlots - 1)
}

// get returns the value remembered for b.
func (c *memo[V]) get(b []byte) (V, bool) {
	s := &c.slots[slot(b)]
	if s.set && s.key == string(b) {
		return s.val, true
	}
	mv, ok := c.m[string(b)]
	if ok {
		*s = mv
	}
	return mv.val, ok
}

// put remembers v for key.
func (c *memo[V]) put(key string, v V) {
	if c.m == nil || len(c.m) >= maxMemo {
		c.m = make(map[string]memoized[V])
	}
	c.m[key] = memoized[V]{key, v, true}
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
