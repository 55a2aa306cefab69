package logscan

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"time"
)

// follow reads the sources to their end and then keeps reading what is
// appended, until ctx is done. A file that is rotated away (renamed and
// recreated: a new inode) or truncated (smaller than what was read) is
// reopened from its start. Failures are counted as they come; the report
// covers everything read.
func follow(ctx context.Context, srcs []Source, opt Options, po parseOptions) (*Report, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sc := newScanner(opt, po)
	agg := newAggregator(opt.Examples, opt.OnEntry)
	agg.full = sc.full
	rb := newReportBuilder()
	results := make(chan *batch)
	var wg sync.WaitGroup
	for _, src := range srcs {
		wg.Add(1)
		t := &tailer{sc: sc, src: src, out: results}
		go func() { defer wg.Done(); t.run(ctx) }()
	}
	go func() { wg.Wait(); close(results) }()
	tick := time.NewTicker(opt.Poll)
	defer tick.Stop()
	quiet := time.Now()
	for {
		select {
		case b, ok := <-results:
			if !ok {
				agg.flush()
				return rb.build(agg), nil
			}
			if b.err != nil {
				return nil, b.err // the deferred cancel stops the tailers
			}
			base := rb.account(b)
			for i := range b.entries {
				b.entries[i].Line += base
				rb.file(b.entries[i].File).Failures++
				agg.add(&b.entries[i], 0) // the batch is not reused
			}
			if len(b.entries) > 0 {
				quiet = time.Now()
			}
		case <-ctx.Done():
			// A tailer blocked reading a pipe stops when the process does.
			agg.flush()
			return rb.build(agg), nil
		case <-tick.C:
			// Lines that waited for a join are counted once the logs are
			// quiet: an access line follows its error line within
			// milliseconds when both are written live.
			if time.Since(quiet) > followQuiet {
				agg.flush()
			}
		}
	}
}

// followQuiet is how long follow waits for more lines before it counts the
// error lines still waiting for their access lines.
const followQuiet = 500 * time.Millisecond

// tailer follows one source.
type tailer struct {
	sc      *scanner
	src     Source
	out     chan<- *batch
	fs      *fileState
	p       parser
	partial []byte
	skip    bool
	dead    bool // the format is unknown: the error is sent, the file is left
}

func (t *tailer) run(ctx context.Context) {
	t.fs = &fileState{name: t.src.Name, sum: &FileSummary{Name: t.src.Name}}
	if t.src.Reader != nil {
		t.readAll(ctx, t.src.Reader)
		return
	}
	for ctx.Err() == nil && !t.dead {
		err := t.followFile(ctx)
		if err == nil || errors.Is(err, context.Canceled) {
			return
		}
		if !errors.Is(err, os.ErrNotExist) {
			t.send(ctx, &batch{err: err})
			return
		}
		if !t.sleep(ctx) { // not there yet, or between rename and create
			return
		}
	}
}

// readAll reads a stream that cannot be reopened to its end.
func (t *tailer) readAll(ctx context.Context, r io.Reader) {
	rd, c, err := openSource(Source{Name: t.src.Name, Reader: r})
	if err != nil {
		t.send(ctx, &batch{err: err})
		return
	}
	defer c.Close()
	buf := make([]byte, 256<<10)
	for ctx.Err() == nil {
		n, err := rd.Read(buf)
		t.feed(ctx, buf[:n])
		if err != nil {
			t.feed(ctx, []byte{'\n'})
			return
		}
	}
}

// followFile reads the file at the source's path until it is replaced or
// ctx is done; it returns nil when ctx is done.
func (t *tailer) followFile(ctx context.Context) error {
	f, err := os.Open(t.src.Name)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	var head [2]byte
	if n, _ := f.ReadAt(head[:], 0); n == 2 && head[0] == 0x1f && head[1] == 0x8b {
		t.readAll(ctx, f) // a compressed file does not grow
		<-ctx.Done()
		return nil
	}
	buf := make([]byte, 256<<10)
	var off int64
	for {
		n, err := f.Read(buf)
		off += int64(n)
		t.feed(ctx, buf[:n])
		if err != nil && err != io.EOF {
			return err
		}
		if t.dead {
			return nil
		}
		if n > 0 {
			continue
		}
		if now, err := os.Stat(t.src.Name); err == nil && (!os.SameFile(st, now) || now.Size() < off) {
			t.partial, t.skip = t.partial[:0], false
			return os.ErrNotExist // reopen the new file
		}
		if !t.sleep(ctx) {
			return nil
		}
	}
}

func (t *tailer) sleep(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(t.sc.opt.Poll):
		return true
	}
}

// feed parses the complete lines in partial+b and keeps the rest.
func (t *tailer) feed(ctx context.Context, b []byte) {
	max := t.sc.opt.MaxLineLen
	var skipped int64
	if t.dead {
		return
	}
	if t.skip {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return
		}
		b, t.skip, skipped = b[i+1:], false, 1
	}
	t.partial = append(t.partial, b...)
	cut := bytes.LastIndexByte(t.partial, '\n')
	if cut < 0 {
		if len(t.partial) > max {
			t.partial, t.skip = t.partial[:0], true
		}
		t.emit(ctx, nil, skipped)
		return
	}
	lines := t.partial[:cut+1]
	if t.p == nil && t.fs.format == nil {
		if err := t.sc.setFormat(t.fs, lines); err != nil {
			t.send(ctx, &batch{err: err})
			t.dead = true
			return
		}
		t.p = t.fs.newParser(t.sc.po)
	}
	t.emit(ctx, lines, skipped)
	t.partial = append(t.partial[:0], t.partial[cut+1:]...)
}

func (t *tailer) emit(ctx context.Context, lines []byte, skipped int64) {
	if len(lines) == 0 && skipped == 0 {
		return
	}
	b := &batch{file: t.fs}
	if len(lines) > 0 && t.p != nil {
		b = t.sc.parseChunk(t.fs, lines, t.p)
	}
	b.lines += skipped
	b.skipped += skipped
	t.send(ctx, b)
}

func (t *tailer) send(ctx context.Context, b *batch) {
	select {
	case t.out <- b:
	case <-ctx.Done():
	}
}
