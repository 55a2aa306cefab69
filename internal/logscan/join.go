package logscan

import (
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// How the joiner matches lines: an access line and an error line of the
// same request are logged within joinWindow of each other (nginx logs both
// with one-second resolution); an error line waits joinHold of log time,
// or until joinCap lines wait, before it is counted alone.
const (
	joinWindow = time.Second
	joinHold   = 2 * time.Second
	joinCap    = 8192
)

// joinKey is one way to find a request: kind 'i' by its request ID (in
// id), 'c' by nginx's connection number, 'r' by its client and request
// line, 'u' (Squid) by its URL (in path).
type joinKey struct {
	kind                     byte
	product                  catalog.Product
	conn                     int64
	id, client, method, path string
}

// joinKeys appends the ways to find the request of e to keys: its request
// ID, nginx's connection number, its client and request line, or (Squid)
// its URL.
func joinKeys(e *Entry, keys []joinKey) []joinKey {
	if e.RequestID != "" {
		keys = append(keys, joinKey{kind: 'i', id: e.RequestID})
	}
	if e.Conn != 0 {
		keys = append(keys, joinKey{kind: 'c', product: e.Product, conn: e.Conn})
	}
	if e.Client != "" && e.Path != "" {
		keys = append(keys, joinKey{kind: 'r', product: e.Product, client: clientKey(e.Client), method: e.Method, path: e.Path})
	}
	if e.Product == catalog.Squid && e.Path != "" {
		// Squid's cache.log names the URL but not the client.
		keys = append(keys, joinKey{kind: 'u', path: e.Path})
	}
	return keys
}

// clientKey is the client as the joiner keys it: "" for a client with no
// digit, which is no address but a redaction ("XXX", "x.x.x.x",
// "<redacted>") that any client's line may match.
func clientKey(c string) string {
	for i := 0; i < len(c); i++ {
		if c[i] >= '0' && c[i] <= '9' {
			return c
		}
	}
	return ""
}

// pending is an error line waiting for its access line. Its entry stays
// where the merge has it, which keeps it until no line before seq waits.
type pending struct {
	e       *Entry
	seq     uint64    // the line's place in the merge
	keys    []joinKey // set when indexed
	indexed bool
	done    bool
	access  bool // an access line that waits for an error line after it
}

// joiner holds recent error lines by the keys an access line can find them
// by. It indexes them only when an access line looks for its error lines,
// which a scan of error logs alone never does: there, an error line only
// waits its turn to be counted.
type joiner struct {
	queue []*pending // queue[head:] wait, queue[next:] are not indexed yet
	head  int
	next  int
	index map[joinKey][]*pending
	// accIndex holds the access lines that wait for an error line logged
	// after them (two streams of a container merged out of order), by
	// their keys, each also under its request line without the client,
	// for an error line whose client was redacted.
	accIndex   map[joinKey][]*pending
	accWaiting int        // access lines in accIndex
	free       []*pending // lines that waited, to hold the next ones in
	clock      time.Time  // the latest time seen
	due        time.Time  // clock less joinHold: lines logged before it waited enough
}

func newJoiner() joiner {
	return joiner{index: map[joinKey][]*pending{}, accIndex: map[joinKey][]*pending{}}
}

// holdAccess keeps e, an access line of a failure that found no error
// line, the seq-th line merged, until an error line of its request comes
// or it has waited long enough; it is then counted in its place.
func (j *joiner) holdAccess(e *Entry, seq uint64) {
	p := j.newPending(e, seq)
	p.access, p.indexed = true, true
	p.keys = joinKeys(e, p.keys)
	for _, k := range p.keys {
		if k.kind == 'r' && k.client != "" {
			k.client = ""
			p.keys = append(p.keys, k)
			break
		}
	}
	for _, k := range p.keys {
		j.accIndex[k] = append(j.accIndex[k], p)
	}
	j.accWaiting++
	j.queue = append(j.queue, p)
}

// giveTo finds the access line that waits for e, an error line logged
// after it, and gives it e's cause; false when none waits.
func (j *joiner) giveTo(e *Entry) bool {
	if j.accWaiting == 0 {
		return false
	}
	var buf [4]joinKey
	for _, k := range joinKeys(e, buf[:0]) {
		for _, p := range j.accIndex[k] {
			if !j.matches(p, e) {
				continue
			}
			m := *e
			p.e.Cause, p.e.Joined = m.Cause, &m
			if p.e.Upstream == "" {
				p.e.Upstream, p.e.Scheme = m.Upstream, m.Scheme
			}
			j.unindexFrom(j.accIndex, p)
			p.indexed = false
			j.accWaiting--
			return true
		}
	}
	return false
}

// hold keeps e, the seq-th line merged, until an access line takes it or
// it has waited long enough.
func (j *joiner) hold(e *Entry, seq uint64) {
	j.queue = append(j.queue, j.newPending(e, seq))
}

// newPending returns a pending line for e, from the free list if it can.
func (j *joiner) newPending(e *Entry, seq uint64) *pending {
	if n := len(j.free); n > 0 {
		p := j.free[n-1]
		j.free = j.free[:n-1]
		*p = pending{e: e, seq: seq, keys: p.keys[:0]}
		return p
	}
	return &pending{e: e, seq: seq}
}

// oldest returns the place in the merge of the oldest line that waits;
// ok is false when none does.
func (j *joiner) oldest() (seq uint64, ok bool) {
	if j.head == len(j.queue) {
		return 0, false
	}
	return j.queue[j.head].seq, true
}

// indexWaiting indexes the lines held since the last time.
func (j *joiner) indexWaiting() {
	for ; j.next < len(j.queue); j.next++ {
		p := j.queue[j.next]
		if p.access {
			continue // in accIndex from the start
		}
		p.keys, p.indexed = joinKeys(p.e, p.keys[:0]), true
		for _, k := range p.keys {
			j.index[k] = append(j.index[k], p)
		}
	}
}

// take finds the error lines of e's request and returns the last of them.
// A request ID or a connection number names one request, so every line
// under it is taken: a request that nginx retried has one error line per
// try. Client and request line may be shared by several requests in one
// second, and so may a URL, so they take only the oldest line, and the
// lines of its retries (same connection).
func (j *joiner) take(e *Entry) *Entry {
	j.indexWaiting()
	var found *pending
	keep := func(p *pending) {
		p.done = true
		if found == nil || !p.e.Time.Before(found.e.Time) {
			found = p
		}
	}
	var buf [4]joinKey
	for _, k := range joinKeys(e, buf[:0]) {
		var oldest *pending
		for _, p := range j.index[k] {
			if !j.matches(p, e) {
				continue
			}
			if k.kind == 'i' || k.kind == 'c' {
				keep(p)
			} else if oldest == nil {
				oldest = p
			}
		}
		if oldest != nil {
			for _, p := range j.index[k] {
				if p == oldest || p.e.Conn != 0 && p.e.Conn == oldest.e.Conn && j.matches(p, e) {
					keep(p)
				}
			}
		}
		if found != nil {
			break
		}
	}
	if found == nil && e.Path != "" && clientKey(e.Client) != "" {
		// An error line whose client was redacted is found by its
		// request line alone, the oldest in the window.
		k := joinKey{kind: 'r', product: e.Product, method: e.Method, path: e.Path}
		for _, p := range j.index[k] {
			if j.matches(p, e) {
				if found == nil {
					found = p
				}
				if p == found || p.e.Conn != 0 && p.e.Conn == found.e.Conn {
					keep(p)
				}
			}
		}
	}
	if found == nil {
		return nil
	}
	m := *found.e
	return &m
}

// matches reports whether the waiting line p may belong to e's request.
func (j *joiner) matches(p *pending, e *Entry) bool {
	d := e.Time.Sub(p.e.Time)
	return !p.done && p.e.Product == e.Product && d <= joinWindow && d >= -joinWindow
}

// advance moves the clock to now, if later: to the latest time merged,
// or counted in a part (see takePart).
func (j *joiner) advance(now time.Time) {
	if now.After(j.clock) {
		j.clock, j.due = now, now.Add(-joinHold)
	}
}

// expire counts the error lines that waited long enough; with all, every one.
func (j *joiner) expire(now time.Time, all bool, count func(*Entry)) {
	j.advance(now)
	for j.head < len(j.queue) {
		p := j.queue[j.head]
		if !all && !p.done && len(j.queue)-j.head <= joinCap && !p.e.Time.Before(j.due) {
			break
		}
		j.queue[j.head] = nil
		j.head++
		if p.indexed && p.access {
			j.unindexFrom(j.accIndex, p)
			j.accWaiting--
		} else if p.indexed {
			j.unindexFrom(j.index, p)
		}
		if !p.done {
			count(p.e)
		}
		p.e = nil
		j.free = append(j.free, p)
	}
	j.next = max(j.next, j.head)
	if j.head > 1024 && j.head*2 > len(j.queue) {
		j.queue = append(j.queue[:0], j.queue[j.head:]...)
		j.next -= j.head
		j.head = 0
	}
}

func (j *joiner) unindexFrom(index map[joinKey][]*pending, p *pending) {
	for _, k := range p.keys {
		list := index[k]
		for i, q := range list {
			if q == p {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(index, k)
		} else {
			index[k] = list
		}
	}
}
