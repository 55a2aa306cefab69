package logscan

import (
	"context"
	"errors"
	"time"
)

// limbo keeps the batches that the merge is done with until no line of
// theirs waits in the joiner, which holds its lines where they are.
type limbo struct {
	seq     uint64 // lines merged so far
	batches []retired
}

// retired is a batch the merge is done with after its seq-th line.
type retired struct {
	b   *batch
	seq uint64
}

// release recycles the batches merged before the oldest line that waits.
func (l *limbo) release(sc *scanner, j *joiner) {
	oldest, waiting := j.oldest()
	for len(l.batches) > 0 && (!waiting || l.batches[0].seq < oldest) {
		sc.recycle(l.batches[0].b)
		l.batches[0] = retired{}
		l.batches = l.batches[1:]
	}
}

// cursor walks the entries of one stream's batches.
type cursor struct {
	s    *stream
	b    *batch
	sum  *FileSummary // of the batch's file
	base int64        // the file's lines before the batch
	i    int
	done bool
	held []heldPart // parts not yet counted, in the order of their chunks
	next []placed   // batches to walk before the next one in the queue
}

// placed is a batch with where it is: its file's lines before it, and
// its file's summary.
type placed struct {
	b    *batch
	base int64
	sum  *FileSummary
}

// merge takes the streams' batches in order and their entries in time order
// across streams, and counts them.
func (sc *scanner) merge(ctx context.Context, streams []*stream) (*Report, error) {
	agg := newAggregator(sc.opt.Examples, sc.opt.OnEntry)
	agg.full = sc.full
	agg.joins = false // until a log of access lines is read
	agg.errs = false  // until a log of error lines is read
	if sc.tally != nil {
		agg.upstreams.tab, agg.paths.tab = sc.tally[0], sc.tally[1]
	}
	rb := newReportBuilder()
	cursors := make([]*cursor, len(streams))
	for i, s := range streams {
		cursors[i] = &cursor{s: s}
	}
	last := time.Now()
	var lb limbo
	for {
		var best *Entry
		var bc *cursor
		for _, c := range cursors {
			e, err := sc.head(c, rb, &lb, agg)
			if err != nil {
				return nil, err
			}
			if e != nil && (best == nil || earlier(e, best)) {
				best, bc = e, c
			}
		}
		if best == nil {
			break
		}
		best.Line += bc.base
		bc.i++
		bc.sum.Failures++
		lb.seq++
		agg.add(best, lb.seq)
		lb.release(sc, &agg.join)
		if sc.opt.Progress != nil && time.Since(last) > 200*time.Millisecond {
			last = time.Now()
			sc.opt.Progress(Progress{Bytes: rb.rep.Bytes, Lines: rb.rep.Lines, Elapsed: time.Since(sc.start)})
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	agg.flush()
	return rb.build(agg), nil
}

// earlier orders entries by time; on a tie error-log lines come first,
// since nginx logs the error before the access line of the same request.
func earlier(a, b *Entry) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	return a.explains && !b.explains
}

// head returns the stream's next entry, fetching batches as needed and
// retiring those it is done with; nil when the stream is done.
func (sc *scanner) head(c *cursor, rb *reportBuilder, lb *limbo, agg *aggregator) (*Entry, error) {
	for !c.done && (c.b == nil || c.i >= len(c.b.entries)) {
		if c.b != nil {
			lb.batches = append(lb.batches, retired{c.b, lb.seq})
		}
		c.b = nil
		p, ok, err := sc.fetch(c, rb, agg)
		if err != nil {
			return nil, err
		}
		if !ok {
			c.done = true
			break
		}
		c.b, c.i, c.base, c.sum = p.b, 0, p.base, p.sum
	}
	if c.done {
		return nil, nil
	}
	return &c.b.entries[c.i], nil
}

// fetch returns the stream's next batch of entries; false when the
// stream is done. A batch whose worker counted its entries (a part) is
// added to agg once it is known to count as its lines would, or read
// again for its entries (see takePart).
func (sc *scanner) fetch(c *cursor, rb *reportBuilder, agg *aggregator) (placed, bool, error) {
	for len(c.next) == 0 {
		j, ok := <-c.s.queue
		if !ok {
			sc.settle(c, agg, len(c.held))
			return placed{}, false, nil
		}
		b := <-j.res
		if b.err != nil {
			if errors.Is(b.err, errStop) {
				continue
			}
			return placed{}, false, b.err
		}
		p := placed{b, rb.account(b), rb.file(b.file.name)}
		if b.file != nil && b.file.format != nil && b.file.kind() != kindError {
			agg.joins = true
		}
		if b.file != nil && b.file.format != nil && b.file.kind() != kindAccess {
			agg.errs = true
		}
		if b.part != nil {
			sc.takePart(c, p, agg)
			continue
		}
		if len(b.entries) > 0 {
			sc.beforeEntries(c, b.entries, agg)
		}
		c.next = append(c.next, p)
	}
	p := c.next[0]
	c.next[0] = placed{}
	c.next = c.next[1:]
	return p, true, nil
}
