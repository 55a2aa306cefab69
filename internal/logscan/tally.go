package logscan

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// A scan that reads one error log, and no access log, has no line to join
// and counts each failure in the order the merge takes it, which is the
// order of the file. Its workers then count each chunk's failures
// themselves (a part), and the merge adds the parts in the order of the
// chunks: what depends on that order (which lines become examples, which
// upstreams and paths are named past maxKeys, which minutes past
// maxMinutes) comes out as if the merge had counted every line.

// part is what a worker counted of one chunk's failures. The counts of
// upstreams and paths that the key tables already name are the worker's
// own (see tallier); the others are kept in the order met.
type part struct {
	failures int64
	causes   [nCauses]partCause
	minutes  []partMinute
	at       map[int64]int // minutes' places in minutes
	last     int           // the place of the minute counted last
	keys     [2][]newKey   // upstreams, paths
}

// partCause is what a chunk says of one cause: as causeAgg, with the
// chunk's first lines of it as its examples.
type partCause struct {
	count, fastcgi int64
	first, last    time.Time
	statuses       tally[int]
	products       tally[catalog.Product]
	examples       []Entry
}

type partMinute struct {
	m   int64
	row [nCauses]int32
}

// newKey is a key that a key table did not name when its line was read.
type newKey struct {
	key string
	ci  int
}

func (p *part) reset() {
	for i := range p.causes {
		c := &p.causes[i]
		*c = partCause{statuses: c.statuses[:0], products: c.products[:0], examples: c.examples[:0]}
	}
	p.failures, p.minutes, p.last = 0, p.minutes[:0], 0
	clear(p.at)
	p.keys[0], p.keys[1] = p.keys[0][:0], p.keys[1][:0]
}

// keyTable names the keys of a capped count to the workers, by the index
// of their count in capped.ids. The merge alone adds keys, and never more
// than maxKeys; a worker reads n before it looks a key up, so that a key
// it does not find while n is maxKeys is not named and never will be.
type keyTable struct {
	slots [keyTableSize]atomic.Pointer[tableKey]
	n     atomic.Int32
}

// keyTableSize is a power of two more than three times maxKeys, which
// keeps the runs of slots to probe short.
const keyTableSize = 1 << 15

type tableKey struct {
	key string
	id  int32
}

// lookup returns the id of key, whose keyHash is h.
func lookup[S string | []byte](t *keyTable, key S, h uint64) (int32, bool) {
	for i := h; ; i++ {
		k := t.slots[i&(keyTableSize-1)].Load()
		if k == nil {
			return 0, false
		}
		if k.key == string(key) {
			return k.id, true
		}
	}
}

// insert names key, whose keyHash is h, by id.
func (t *keyTable) insert(key string, h uint64, id int32) {
	for i := h; ; i++ {
		s := &t.slots[i&(keyTableSize-1)]
		if s.Load() == nil {
			s.Store(&tableKey{key, id})
			t.n.Add(1)
			return
		}
	}
}

// tallier is one worker's counts of the upstreams and paths that the key
// tables name, by id, and of those that can no longer be named.
type tallier struct {
	keys  [2][][nCauses]int64
	other [2][nCauses]int64
}

// talliers are the scan's workers' counts, which the merge adds to the
// named keys' once every chunk is counted.
type talliers struct {
	mu   sync.Mutex
	all  []*tallier
	tabs [2]*keyTable // upstreams, paths
}

func newTalliers() *talliers {
	return &talliers{tabs: [2]*keyTable{{}, {}}}
}

func (ts *talliers) add() *tallier {
	w := &tallier{}
	ts.mu.Lock()
	ts.all = append(ts.all, w)
	ts.mu.Unlock()
	return w
}

// countKey counts a line of cause ci under key in table t (0 upstreams,
// 1 paths): in the worker's counts when the table names the key or can
// name no more, else in the part, for the merge to name it.
func countKey[S string | []byte](w *tallier, ts *talliers, p *part, t int, key S, ci int) {
	if len(key) == 0 {
		return
	}
	tab := ts.tabs[t]
	full := tab.n.Load() >= maxKeys
	if id, ok := lookup(tab, key, keyHash(key)); ok {
		if int(id) >= len(w.keys[t]) {
			w.keys[t] = append(w.keys[t], make([][nCauses]int64, int(id)+1-len(w.keys[t]))...)
		}
		w.keys[t][id][ci]++
	} else if full {
		w.other[t][ci]++
	} else {
		p.keys[t] = append(p.keys[t], newKey{string(key), ci})
	}
}

// count adds a failure to the part, as aggregator.count adds it to the
// totals; path, ups and scheme are e's, which may still be in a textBuf.
func count[S string | []byte](w *tallier, ts *talliers, p *part, e *Entry, path, ups, scheme S) {
	ci := causeIndex(e.Cause)
	if ci < 0 {
		e.Cause, ci = catalog.Upstream, causeIndex(catalog.Upstream)
	}
	p.failures++
	c := &p.causes[ci]
	if c.count == 0 || e.Time.Before(c.first) {
		c.first = e.Time
	}
	c.count++
	if e.Time.After(c.last) {
		c.last = e.Time
	}
	c.statuses.add(e.Status)
	c.products.add(e.Product)
	if string(scheme) == "fastcgi" || len(ups) >= 5 && string(ups[:5]) == "unix:" || e.Product == catalog.PHPFPM {
		c.fastcgi++
	}
	countKey(w, ts, p, 0, ups, ci)
	for i := range len(path) {
		if path[i] == '?' {
			path = path[:i]
			break
		}
	}
	countKey(w, ts, p, 1, path, ci)
	if !e.Time.IsZero() {
		p.minute(e.Time.Unix()/60, ci)
	}
}

func (p *part) minute(m int64, ci int) {
	if p.last < len(p.minutes) && p.minutes[p.last].m == m {
		p.minutes[p.last].row[ci]++
		return
	}
	i, ok := p.at[m]
	if !ok {
		if p.at == nil {
			p.at = map[int64]int{}
		}
		i = len(p.minutes)
		p.at[m] = i
		p.minutes = append(p.minutes, partMinute{m: m})
	}
	p.last = i
	p.minutes[i].row[ci]++
}

// addPart adds a chunk's part to the totals; base is its file's lines
// before the chunk, which its examples' Line counts from.
func (a *aggregator) addPart(p *part, base int64) {
	a.failures += p.failures
	for ci := range p.causes {
		pc := &p.causes[ci]
		if pc.count == 0 {
			continue
		}
		c := a.causes[ci]
		if c == nil {
			c = &causeAgg{first: pc.first}
			a.causes[ci] = c
		}
		c.count += pc.count
		if pc.first.Before(c.first) {
			c.first = pc.first
		}
		if pc.last.After(c.last) {
			c.last = pc.last
		}
		for _, s := range pc.statuses {
			c.statuses.addN(s.value, s.count)
		}
		for _, s := range pc.products {
			c.products.addN(s.value, s.count)
		}
		c.fastcgi += pc.fastcgi
		for _, e := range pc.examples {
			if len(c.examples) < a.examples {
				e.Line += base
				c.examples = append(c.examples, e)
			}
		}
		if len(c.examples) >= a.examples && a.full != nil && !c.full {
			a.full[ci].Store(true)
			c.full = true
		}
	}
	for t, c := range [2]*capped{&a.upstreams, &a.paths} {
		for _, k := range p.keys[t] {
			c.add(k.key, k.ci)
		}
	}
	for i := range p.minutes {
		a.minuteRow(p.minutes[i].m, &p.minutes[i].row)
	}
}

// addTalliers adds the workers' counts of named keys, and of those that
// could no longer be named, once every part is added.
func (a *aggregator) addTalliers(ts *talliers) {
	ts.mu.Lock() // a worker that took no chunk may register still
	defer ts.mu.Unlock()
	for _, w := range ts.all {
		for t, c := range [2]*capped{&a.upstreams, &a.paths} {
			for id, byCause := range w.keys[t] {
				c.ids[id].addCounts(&byCause)
			}
			c.other.addCounts(&w.other[t])
		}
	}
}

func (k *keyCount) addCounts(byCause *[nCauses]int64) {
	for ci, n := range byCause {
		k.byCause[ci] += n
		k.total += n
	}
}

// minuteRow adds a chunk's counts of one minute to the timeline.
func (a *aggregator) minuteRow(m int64, add *[nCauses]int32) {
	row := a.timeline[m]
	if row == nil {
		if len(a.timeline) >= maxMinutes {
			for _, n := range add {
				a.dropped += int64(n)
			}
			return
		}
		row = &[nCauses]int32{}
		a.timeline[m] = row
	}
	for ci, n := range add {
		row[ci] += n
	}
}

// example keeps e as one of its cause's examples in the part, if the
// part has fewer than n of them; raw is its line, and path, ups and so on
// its strings, which may still be in a textBuf.
func (p *part) example(e *Entry, n int, raw []byte, t *textBuf) {
	c := &p.causes[causeIndex(e.Cause)]
	if len(c.examples) >= n {
		return
	}
	x := *e
	if t != nil && e.text != 0 {
		sp := t.spans[e.text-1]
		s := string(t.b[sp.start:])
		x.Client, s = s[:sp.client], s[sp.client:]
		x.Path, s = s[:sp.path], s[sp.path:]
		x.Upstream, s = s[:sp.addr], s[sp.addr:]
		x.Method, x.Scheme = s[:sp.method], s[sp.method:sp.method+sp.scheme]
		x.text = 0
	} else {
		x = x.detached()
	}
	x.Raw = rawString(raw)
	c.examples = append(c.examples, x)
}

// textFields returns e's path, upstream and scheme from t, where a
// textParser left them.
func (t *textBuf) fields(e *Entry) (path, ups, scheme []byte) {
	sp := t.spans[e.text-1]
	b := t.b[int(sp.start)+int(sp.client):]
	path, b = b[:sp.path], b[sp.path:]
	ups, b = b[:sp.addr], b[sp.addr+sp.method:]
	return path, ups, b[:sp.scheme]
}
