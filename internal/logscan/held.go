package logscan

import "time"

// A part is counted at once only where counting line by line would count
// its lines at once too. Where access lines may come (a container's
// output, whose error lines an access line may explain), the merge
// counts an access line when it takes it, and an error line once it can
// no longer be joined: it waits in the joiner, in the order merged, until
// the latest time merged is more than joinHold past its own or more than
// joinCap lines wait behind it. A part's lines are counted at once, after
// the lines that wait before them, when every one of them would have
// stopped waiting before the next access line comes: when, before that
// line, an error line comes more than joinHold past the latest time up to
// the part's end, or joinCap error lines come after it. The merge holds
// a part until it knows one or the other; a part whose next access line
// comes first is read again, line by line, from the chunk it keeps.
// Where no access line may come, error lines do not wait, and a part is
// counted at once. While an access line waits for an error line logged
// after it, a part is read again at once.

// maxHeld is how many parts a stream holds, each with its chunk, before
// the oldest is read again: a log whose error lines are all within
// joinHold and few holds parts for long.
const maxHeld = 8

// heldPart is a part the merge holds, with the latest time of the lines
// up to its chunk's end and how many error lines came after it.
type heldPart struct {
	placed
	clock time.Time
	after int64
}

// takePart counts a part, or holds it until it is known whether it may
// be counted at once.
func (sc *scanner) takePart(c *cursor, p placed, agg *aggregator) {
	pt := p.b.part
	switch {
	case pt.failures == 0: // nothing to count, nothing that waits
		sc.recycle(p.b)
		return
	case !agg.joins && len(c.held) == 0:
		sc.addPart(p, agg)
		return
	case agg.join.accWaiting > 0:
		// An access line waits for an error line after it, which may be
		// in this part: its lines are merged one by one.
		c.held = append(c.held, heldPart{placed: p})
		sc.reread(c, len(c.held))
		return
	}
	t := pt.clock()
	sc.came(c, agg, pt.failures, t)
	clock := agg.join.clock
	if n := len(c.held); n > 0 {
		clock = c.held[n-1].clock
	}
	if t.After(clock) {
		clock = t
	}
	c.held = append(c.held, heldPart{placed: p, clock: clock})
	if len(c.held) > maxHeld {
		sc.reread(c, 1)
	}
}

// came notes that n error lines came after the held parts, the latest
// at t, and counts the parts whose lines all stopped waiting then.
func (sc *scanner) came(c *cursor, agg *aggregator, n int64, t time.Time) {
	k := 0
	for i := range c.held {
		h := &c.held[i]
		h.after += n
		if h.after >= joinCap || t.After(h.clock.Add(joinHold)) {
			k = i + 1
		}
	}
	sc.settle(c, agg, k)
}

// beforeEntries is called with a batch of entries before they are
// merged: the error lines before its first access line may let held
// parts be counted, and the parts still held are read again, their
// entries to be merged before the batch's.
func (sc *scanner) beforeEntries(c *cursor, entries []Entry, agg *aggregator) {
	if len(c.held) == 0 {
		return
	}
	var n int64
	var t time.Time
	for i := range entries {
		e := &entries[i]
		if !e.explains {
			break
		}
		n++
		if e.Time.After(t) {
			t = e.Time
		}
	}
	sc.came(c, agg, n, t)
	sc.reread(c, len(c.held))
}

// settle counts the first k held parts.
func (sc *scanner) settle(c *cursor, agg *aggregator, k int) {
	for i := range k {
		sc.addPart(c.held[i].placed, agg)
		c.held[i] = heldPart{}
	}
	c.held = append(c.held[:0], c.held[k:]...)
}

// addPart counts a part after the error lines that wait, which come
// before its lines, and recycles its batch.
func (sc *scanner) addPart(p placed, agg *aggregator) {
	agg.flush()
	agg.addPart(p.b.part, p.base)
	agg.join.advance(p.b.part.clock())
	p.sum.Failures += p.b.part.failures
	sc.recycle(p.b)
}

// reread reads the first k held parts' chunks again for their entries,
// to be merged next.
func (sc *scanner) reread(c *cursor, k int) {
	for i := range k {
		h := c.held[i]
		fs := h.b.file
		b := sc.parse(fs, h.b.chunk, fs.newParser(sc.po), false)
		c.next = append(c.next, placed{b, h.base, h.sum})
		sc.recycle(h.b)
		c.held[i] = heldPart{}
	}
	c.held = append(c.held[:0], c.held[k:]...)
}
