package logscan

import (
	"sync/atomic"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// A scan that reads one log counts its error lines in the order the merge
// takes them, which is the order of the file. Its workers then count each
// chunk's failures themselves (a part), and the merge adds the parts in
// the order of the chunks: what depends on that order (which lines become
// examples, which upstreams and paths are named past maxKeys, which
// minutes past maxMinutes) comes out as if the merge had counted every
// line. A chunk of a container's output that holds an access line's
// failure is not counted so, and where access lines may come, a part is
// held until it is known that no access line would have found its lines
// (see takePart).

// part is what a worker counted of one chunk's failures. The upstreams
// and paths that the key tables already name are counted as hits; the
// others are kept in the order met.
type part struct {
	failures int64
	causes   [nCauses]partCause
	minutes  []partMinute
	at       map[int64]int // minutes' places in minutes
	last     int           // the place of the minute counted last
	keys     [2][]newKey   // upstreams, paths
	hits     []uint32
	other    [2][nCauses]int64 // lines of keys that can no longer be named
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
	p.hits, p.other = p.hits[:0], [2][nCauses]int64{}
}

// clock returns the latest time of the part's failures, zero if none has
// a time.
func (p *part) clock() time.Time {
	var t time.Time
	for i := range p.causes {
		if c := &p.causes[i]; c.count > 0 && c.last.After(t) {
			t = c.last
		}
	}
	return t
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

// A part counts the lines of upstreams and paths that the key tables name
// in hits, each a key's id, its table and its cause packed as hitCause
// and hitTable say, and the merge adds them to the named keys' counts: a part can be
// dropped, and its chunk read again line by line, without leaving counts
// behind. Lines of keys that can no longer be named are counted in other.
const (
	hitCause = 5 // the cause's bits; nCauses fits in them
	hitTable = 1 // the table's bit, above the cause's
)

// countKey counts a line of cause ci under key in table t (0 upstreams,
// 1 paths): as a hit when the table names the key, in other when it can
// name no more, else among the part's new keys, for the merge to name it.
func countKey[S string | []byte](tabs *[2]*keyTable, p *part, t int, key S, ci int) {
	if len(key) == 0 {
		return
	}
	tab := tabs[t]
	full := tab.n.Load() >= maxKeys
	if id, ok := lookup(tab, key, keyHash(key)); ok {
		p.hits = append(p.hits, uint32(id)<<(hitCause+hitTable)|uint32(t)<<hitCause|uint32(ci))
	} else if full {
		p.other[t][ci]++
	} else {
		p.keys[t] = append(p.keys[t], newKey{string(key), ci})
	}
}

// count adds a failure to the part, as aggregator.count adds it to the
// totals; path, ups and scheme are e's, which may still be in a textBuf.
func count[S string | []byte](tabs *[2]*keyTable, p *part, e *Entry, path, ups, scheme S) {
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
	countKey(tabs, p, 0, ups, ci)
	for i := range len(path) {
		if path[i] == '?' {
			path = path[:i]
			break
		}
	}
	countKey(tabs, p, 1, path, ci)
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
	keys := [2]*capped{&a.upstreams, &a.paths}
	for _, h := range p.hits {
		k := keys[h>>hitCause&(1<<hitTable-1)].ids[h>>(hitCause+hitTable)]
		k.byCause[h&(1<<hitCause-1)]++
		k.total++
	}
	for t, c := range keys {
		for _, k := range p.keys[t] {
			c.add(k.key, k.ci)
		}
		c.other.addCounts(&p.other[t])
	}
	for i := range p.minutes {
		a.minuteRow(p.minutes[i].m, &p.minutes[i].row)
	}
}

// addCounts adds counts by cause to k.
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
