package logscan

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// Options tune a scan. The zero value detects formats and reads whole files.
type Options struct {
	// Format forces one of Formats() for every input; "" detects each file's.
	Format string
	// NginxLogFormat is an nginx log_format definition for access logs
	// (e.g. `$remote_addr [$time_local] "$request" $status $upstream_status`);
	// "" tries combined and the ingress-nginx default.
	NginxLogFormat string
	// Since and Until keep only lines logged in [Since, Until); zero means open.
	Since, Until time.Time
	// Location is the zone of log times that carry none; default time.Local.
	Location *time.Location
	// Examples is how many example lines a cause keeps; default 3, and
	// none when negative.
	Examples int
	// Workers is how many goroutines parse; default runtime.GOMAXPROCS(0).
	Workers int
	// ChunkSize is the size of the pieces files are cut into; default 1 MiB.
	ChunkSize int
	// MaxLineLen is the longest line read; longer ones are counted as
	// skipped. Default 64 KiB.
	MaxLineLen int
	// Progress, when set, is called now and then with the totals so far.
	Progress func(Progress)
	// Follow keeps reading the files as they grow, until ctx is done.
	Follow bool
	// Poll is how often Follow looks for new lines; default 250ms.
	Poll time.Duration
	// OnEntry, when set, is called with each failure as it is counted,
	// its Raw line included.
	OnEntry func(Entry)
}

// Progress is a snapshot of a running scan.
type Progress struct {
	// Bytes is how many bytes were read, after decompression.
	Bytes int64
	// Lines is how many lines were read.
	Lines int64
	// Elapsed is the time since the scan started.
	Elapsed time.Duration
}

func (o *Options) defaults() error {
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Examples == 0 {
		o.Examples = 3
	}
	o.Examples = max(o.Examples, 0)
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize = 1 << 20
	}
	if o.MaxLineLen <= 0 {
		o.MaxLineLen = 64 << 10
	}
	if o.ChunkSize < 2*o.MaxLineLen {
		o.ChunkSize = 2 * o.MaxLineLen
	}
	if o.Poll <= 0 {
		o.Poll = 250 * time.Millisecond
	}
	if o.Format != "" {
		if _, err := lookupFormat(o.Format); err != nil {
			return err
		}
	}
	return nil
}

func (o *Options) parseOptions() (parseOptions, error) {
	po := parseOptions{loc: o.Location, needTime: !o.Since.IsZero() || !o.Until.IsZero()}
	if o.NginxLogFormat != "" {
		f, err := compileLogFormat(o.NginxLogFormat)
		if err != nil {
			return po, fmt.Errorf("%w: %w", ErrBadLogFormat, err)
		}
		po.custom = f
	}
	return po, nil
}

// Scan reads the sources and returns the report of their failures. Files of
// one log (error.log, error.log.1, error.log.2.gz) are read oldest first as
// one stream; streams are read side by side and merged in time order, so
// access and error lines of the same request meet.
func Scan(ctx context.Context, srcs []Source, opt Options) (*Report, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	po, err := opt.parseOptions()
	if err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return nil, errors.New("no input")
	}
	if opt.Follow {
		return follow(ctx, srcs, opt, po)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sc := newScanner(opt, po)
	groups := groupSources(srcs)
	if len(groups) == 1 && opt.OnEntry == nil {
		sc.tally = &[2]*keyTable{{}, {}}
	}
	jobs := make(chan *job)
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Add(1)
		go func() { defer wg.Done(); sc.worker(jobs) }()
	}
	streams := make([]*stream, len(groups))
	inflight := max(2, 2*opt.Workers/len(groups)+1)
	for i, g := range groups {
		streams[i] = &stream{queue: make(chan *job, inflight)}
		go sc.readStream(ctx, g, streams[i], jobs)
	}
	rep, err := sc.merge(ctx, streams)
	cancel()
	for _, s := range streams {
		for j := range s.queue { // let readers finish
			<-j.res
		}
	}
	close(jobs)
	wg.Wait()
	return rep, err
}

// scanner holds what one scan shares between its goroutines.
type scanner struct {
	opt     Options
	po      parseOptions
	bufs    freeList[*[]byte]
	texts   freeList[*textBuf]
	entries freeList[[]Entry] // of merged batches, for the next chunks
	parts   freeList[*part]
	// tally, when set, has the workers count the failures of error lines
	// (see part), with the upstreams and paths the merge names in these
	// tables: set when one log is read, and no OnEntry sees each line.
	tally *[2]*keyTable
	start time.Time
	full  *[nCauses]atomic.Bool // the causes that have all their examples
}

func newScanner(opt Options, po parseOptions) *scanner {
	// Chunks in flight: a few per worker, waiting in a stream's queue,
	// being parsed, or waiting for the merge.
	n := 4*opt.Workers + 8
	return &scanner{opt: opt, po: po, start: time.Now(), full: &[nCauses]atomic.Bool{},
		bufs: newFreeList[*[]byte](n), entries: newFreeList[[]Entry](n), texts: newFreeList[*textBuf](n),
		parts: newFreeList[*part](n)}
}

// buf returns a buffer of ChunkSize bytes.
func (sc *scanner) buf() *[]byte {
	if b, ok := sc.bufs.get(); ok {
		return b
	}
	b := make([]byte, sc.opt.ChunkSize)
	return &b
}

// fileState is one input file as it is read.
type fileState struct {
	name   string
	named  string // the format the source names, "" to use Options.Format
	format *format
	other  *format    // a second format, in a file that mixes two logs
	wrap   *unwrapper // the wrappers around each line, if any
	proto  parser     // built from the file's first lines; cloned per chunk
	lines  int64      // lines merged so far, for numbering entries
	sum    *FileSummary
}

// cloner is a parser that was built for a file's first lines and must be
// copied, not rebuilt, for each chunk.
type cloner interface {
	clone() parser
}

// kind is the file's kind: kindBoth when it mixes two logs, whose
// parser then marks the error lines itself.
func (fs *fileState) kind() kind {
	if fs.other != nil {
		return kindBoth
	}
	return fs.format.kind
}

// newParser returns a parser for one chunk of the file.
func (fs *fileState) newParser(po parseOptions) parser {
	if c, ok := fs.proto.(cloner); ok {
		return c.clone()
	}
	return fs.format.build(po, nil)
}

// job is one chunk of a file to parse; res receives its batch.
type job struct {
	file   *fileState
	data   *[]byte
	n      int
	parser func() parser
	res    chan *batch
}

// batch is what parsing one chunk found.
type batch struct {
	file                                       *fileState
	lines, skipped, malformed, filtered, bytes int64
	entries                                    []Entry // Line counts from the chunk's start
	part                                       *part   // the entries counted, when the worker counts them
	// chunk is the chunk a part was counted from, in data, kept while the
	// merge may need to read it again line by line.
	chunk []byte
	data  *[]byte
	mixed bool // a part's chunk has a line no error line explains; the part is not counted
	err   error
}

// stream is one log's ordered queue of jobs.
type stream struct {
	queue chan *job
}

// worker parses chunks. When the scan has its workers count, it counts
// the failures of a chunk of error lines in a part, and keeps the chunk
// for the merge; a chunk that turns out to have a line no error line
// explains (an access line's, in a container's output) is read again
// for its entries.
func (sc *scanner) worker(jobs <-chan *job) {
	for j := range jobs {
		data := (*j.data)[:j.n]
		b := sc.parse(j.file, data, j.parser(), sc.tally != nil)
		if b.mixed {
			sc.recycle(b)
			b = sc.parse(j.file, data, j.parser(), false)
		}
		if b.part != nil && b.part.failures > 0 {
			b.chunk, b.data = data, j.data
		} else {
			sc.bufs.put(j.data)
		}
		j.res <- b
	}
}

// parseChunk parses complete lines.
func (sc *scanner) parseChunk(fs *fileState, data []byte, p parser) *batch {
	return sc.parse(fs, data, p, false)
}

// parse parses complete lines. With tally set, in a file of error lines,
// it counts their failures in the batch's part, until it meets a failure
// no error line explains: it then stops, and marks the batch mixed.
func (sc *scanner) parse(fs *fileState, data []byte, p parser, tally bool) *batch {
	b := &batch{file: fs, bytes: int64(len(data))}
	if tally && fs.kind() != kindAccess {
		b.part = sc.part()
	} else if s, ok := sc.entries.get(); ok {
		b.entries = s[:0]
	}
	tp, _ := p.(textParser)
	var text *textBuf
	if tp != nil {
		if text, _ = sc.texts.get(); text == nil {
			text = &textBuf{}
		}
		tp.setText(text)
	}
	explains := fs.kind() == kindError
	var e Entry
	var pending, wt []byte // a CRI line's partial start; a wrapper's time
	for len(data) > 0 {
		var l []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			l, data = data, nil
		}
		b.lines++
		if n := len(l); n > 0 && l[n-1] == '\r' {
			l = l[:n-1]
		}
		if len(l) == 0 {
			continue
		}
		if len(l) > sc.opt.MaxLineLen {
			b.skipped++
			continue
		}
		raw := l
		if fs.wrap != nil {
			if l, wt = fs.wrap.join(l, &pending); l == nil {
				continue
			}
		}
		e = Entry{}
		v := p.parse(l, &e)
		if e.Time.IsZero() && wt != nil && v != lineMalformed {
			e.Time = wrapTime(wt, fs.wrap.loc)
		}
		switch {
		case v == lineMalformed:
			b.malformed++
		case !e.Time.IsZero() && !sc.inRange(e.Time):
			b.filtered++
		case v == lineFailure:
			e.Line, e.File = b.lines, fs.name
			e.explains = e.explains || explains
			if b.part != nil && e.explains {
				sc.count(b.part, &e, raw, text)
				continue
			}
			if b.part != nil {
				b.mixed, data = true, nil
				continue
			}
			if sc.wantRaw(&e, fs) {
				e.Raw = rawString(raw)
			}
			b.entries = append(b.entries, e)
		}
	}
	if text != nil {
		text.finish(b.entries)
		tp.setText(nil)
		sc.texts.put(text)
	}
	return b
}

// recycle keeps the entries of a merged batch for a later chunk: they
// were copied where they are counted.
func (sc *scanner) recycle(b *batch) {
	if b != nil && cap(b.entries) > 0 {
		sc.entries.put(b.entries[:0])
	}
	if b != nil && b.part != nil {
		sc.parts.put(b.part)
		b.part = nil
	}
	if b != nil && b.data != nil {
		sc.bufs.put(b.data)
		b.chunk, b.data = nil, nil
	}
}

// part returns an empty part.
func (sc *scanner) part() *part {
	if p, ok := sc.parts.get(); ok {
		p.reset()
		return p
	}
	return &part{}
}

// count counts a failure in the part, and keeps it as an example while
// its cause may need one; its strings may still be in t, which it empties.
func (sc *scanner) count(p *part, e *Entry, raw []byte, t *textBuf) {
	if t != nil && e.text != 0 {
		path, ups, scheme := t.fields(e)
		count(sc.tally, p, e, path, ups, scheme)
	} else {
		count(sc.tally, p, e, e.Path, e.Upstream, e.Scheme)
	}
	if sc.opt.Examples > 0 && !sc.full[causeIndex(e.Cause)].Load() {
		p.example(e, sc.opt.Examples, raw, t)
	}
	if t != nil {
		t.b, t.spans = t.b[:0], t.spans[:0]
	}
}

// wantRaw reports whether a failure's line may still be shown: every line
// is when OnEntry sees each failure; otherwise, once a cause has its
// examples, the lines of its failures are not kept. An access line without
// an exact cause may take one from its error line, so it is always kept.
func (sc *scanner) wantRaw(e *Entry, fs *fileState) bool {
	ci := causeIndex(e.Cause)
	return sc.opt.OnEntry != nil || ci < 0 || e.Cause == catalog.Upstream && fs.kind() != kindError || !sc.full[ci].Load()
}

func (sc *scanner) inRange(t time.Time) bool {
	return (sc.opt.Since.IsZero() || !t.Before(sc.opt.Since)) && (sc.opt.Until.IsZero() || t.Before(sc.opt.Until))
}

// readStream reads a stream's files in order and queues their chunks.
func (sc *scanner) readStream(ctx context.Context, files []Source, s *stream, jobs chan<- *job) {
	defer close(s.queue)
	for _, src := range files {
		if err := sc.readFile(ctx, src, s, jobs); err != nil {
			s.queue <- failedJob(err)
			return
		}
	}
}

func failedJob(err error) *job {
	j := &job{res: make(chan *batch, 1)}
	j.res <- &batch{err: err}
	return j
}

// errStop ends reading quietly when the scan is cancelled.
var errStop = errors.New("stopped")

func (sc *scanner) readFile(ctx context.Context, src Source, s *stream, jobs chan<- *job) error {
	r, c, err := openSource(src)
	if err != nil {
		return err
	}
	defer c.Close()
	fs := &fileState{name: src.Name, named: src.Format, sum: &FileSummary{Name: src.Name}}
	cr := &chunkReader{r: r, max: sc.opt.MaxLineLen, size: sc.opt.ChunkSize, buf: sc.buf}
	first := true
	for {
		buf, n, skipped, err := cr.next()
		if err != nil && err != io.EOF {
			return fmt.Errorf("reading %s: %w", src.Name, err)
		}
		if first && (n > 0 || err == io.EOF) {
			first = false
			if err := sc.setFormat(fs, (*buf)[:n]); err != nil {
				return err
			}
			s.queue <- &job{file: fs, res: readyBatch(&batch{file: fs})} // announces the file
		}
		if skipped > 0 {
			s.queue <- &job{file: fs, res: readyBatch(&batch{file: fs, lines: skipped, skipped: skipped})}
		}
		if n > 0 && fs.format != nil {
			po := sc.po
			j := &job{file: fs, data: buf, n: n, res: make(chan *batch, 1),
				parser: func() parser { return fs.newParser(po) }}
			select {
			case s.queue <- j:
			case <-ctx.Done():
				return errStop
			}
			jobs <- j
		} else if buf != nil {
			sc.bufs.put(buf)
		}
		if err == io.EOF {
			return nil
		}
	}
}

func readyBatch(b *batch) chan *batch {
	c := make(chan *batch, 1)
	c <- b
	return c
}

// setFormat finds the file's wrappers and format from its first lines, or
// takes the format the source names or Options.Format forces.
func (sc *scanner) setFormat(fs *fileState, head []byte) error {
	sample := sampleLines(head, quickSample, sc.opt.MaxLineLen)
	var forced *format
	if name := cmp.Or(fs.named, sc.opt.Format); name != "" {
		f, err := lookupFormat(name)
		if err != nil {
			return err
		}
		forced = f
	} else if len(sample) == 0 {
		return nil
	}
	c, err := choose(fs.name, sample, sc.po, forced)
	if err != nil || c.read < len(sample) {
		sample = sampleLines(head, sampleSize, sc.opt.MaxLineLen)
		if c, err = choose(fs.name, sample, sc.po, forced); err != nil {
			return err
		}
	}
	fs.format, fs.other, fs.wrap = c.first, c.other, c.wrap
	if c.wrap != nil {
		for i, l := range sample {
			sample[i], _, _ = c.wrap.unwrap(l)
		}
		fs.sum.Wrapper = c.wrap.name()
	}
	fs.proto = fs.format.build(sc.po, sample)
	if c.other != nil {
		fs.proto = newMultiParser(c, sc.po, sample)
		fs.sum.Also = c.other.name
	}
	fs.sum.Format = fs.format.name
	return nil
}
