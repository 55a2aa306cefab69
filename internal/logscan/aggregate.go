package logscan

import (
	"strings"
	"sync/atomic"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// Limits that keep a report's memory bounded whatever the input.
const (
	maxKeys    = 10000  // distinct upstreams or paths counted by name
	maxMinutes = 200000 // distinct minutes in the timeline (about 139 days)
)

// causeAgg is what is known of one cause.
type causeAgg struct {
	count       int64
	first, last time.Time
	statuses    tally[int]
	products    tally[catalog.Product]
	fastcgi     int64 // failures whose upstream is FastCGI or a unix socket
	examples    []Entry
	full        bool // has all its examples
}

// tally counts the few values a cause's failures have (statuses,
// products), in the order met: a search of a short list costs less than
// hashing the value.
type tally[K comparable] []tallied[K]

type tallied[K comparable] struct {
	value K
	count int64
}

func (t *tally[K]) add(v K) {
	for i := range *t {
		if (*t)[i].value == v {
			(*t)[i].count++
			return
		}
	}
	*t = append(*t, tallied[K]{v, 1})
}

// addN adds n to the count of v.
func (t *tally[K]) addN(v K, n int64) {
	for i := range *t {
		if (*t)[i].value == v {
			(*t)[i].count += n
			return
		}
	}
	*t = append(*t, tallied[K]{v, n})
}

// keyCount counts failures of one upstream or path, by cause.
type keyCount struct {
	key     string // a copy of its own: the key counted may share a chunk's string (see textBuf)
	total   int64
	byCause [nCauses]int64
}

// capped counts by key, with at most maxKeys keys; later keys go to other.
// A slot per key, picked by keyHash, holds the count last found for a key
// that maps to it, and is compared before the map is asked: a log's few
// upstreams and its busiest paths repeat line after line. Once the map is
// full, a key that the filter of the map's keys has not seen is counted
// with the others without asking the map: a log with many paths has a
// new one on many lines.
type capped struct {
	m      map[string]*keyCount
	other  keyCount
	slots  [nKeySlots]*keyCount
	filter [filterWords]uint64 // two bits of keyHash for each key of m
	// tab, when the workers count (see part), names each key of m to
	// them by its index in ids.
	tab *keyTable
	ids []*keyCount
}

// The sizes of a capped: its slots, and its filter, with 16 bits a key.
const (
	keySlotBits = 6
	nKeySlots   = 1 << keySlotBits
	filterBits  = 18
	filterWords = 1 << filterBits / 64
)

// filtered returns the two bits of the filter for a key's hash.
func filtered(h uint64) (i1, i2 uint64) {
	return h & (1<<filterBits - 1), h >> 20 & (1<<filterBits - 1)
}

// countedKey is a key and its count.
type countedKey struct {
	key string
	k   *keyCount
}

func (c *capped) add(key string, ci int) {
	if key == "" {
		return
	}
	k := c.find(key)
	k.total++
	k.byCause[ci]++
}

// find returns the count of key, made if need be. The map and the slots
// hold the copy of the key that its count keeps; a key counted with the
// others is not kept.
func (c *capped) find(key string) *keyCount {
	h := keyHash(key)
	s := &c.slots[h>>(64-keySlotBits)]
	if *s != nil && (*s).key == key {
		return *s
	}
	i1, i2 := filtered(h)
	full := len(c.m) >= maxKeys
	if full && (c.filter[i1/64]>>(i1%64)&1 == 0 || c.filter[i2/64]>>(i2%64)&1 == 0) {
		return &c.other
	}
	k := c.m[key]
	if k == nil {
		if full {
			return &c.other
		}
		k = &keyCount{key: strings.Clone(key)}
		c.m[k.key] = k
		c.filter[i1/64] |= 1 << (i1 % 64)
		c.filter[i2/64] |= 1 << (i2 % 64)
		if c.tab != nil {
			c.tab.insert(k.key, h, int32(len(c.ids)))
			c.ids = append(c.ids, k)
		}
	}
	*s = k
	return k
}

// keyHash hashes a key from its length and its first and last eight
// bytes, where addresses and paths differ; its top bits pick its slot.
func keyHash[S string | []byte](key S) uint64 {
	n := len(key)
	var h uint64
	if n >= 8 {
		h = load64(key[:8])*0x9e3779b97f4a7c15 ^ load64(key[n-8:])*0xc2b2ae3d27d4eb4f
	} else {
		for i := range n {
			h = h<<8 | uint64(key[i])
		}
		h *= 0x9e3779b97f4a7c15
	}
	h ^= uint64(n) * 0x165667b19e3779f9
	h = (h ^ h>>31) * 0xbf58476d1ce4e5b9 // splitmix64's finish: each bit from all
	return h ^ h>>29
}

// load64 reads the first eight bytes of s as a little-endian number.
func load64[S string | []byte](s S) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// aggregator counts failures as they come, in time order, and joins
// error-log lines to the access-log lines of the same request.
type aggregator struct {
	examples  int
	causes    [nCauses]*causeAgg // by causeIndex
	upstreams capped
	paths     capped
	timeline  map[int64]*[nCauses]int32
	last      int64           // the minute counted last,
	lastRow   *[nCauses]int32 // and its row
	dropped   int64           // failures outside the timeline's capacity
	failures  int64
	joined    int64
	join      joiner
	joins     bool // whether an access line may come, for error lines to wait for
	errs      bool // whether an error line may come, for access lines to wait for
	onEntry   func(Entry)
	full      *[nCauses]atomic.Bool // set when a cause has all its examples
}

func newAggregator(examples int, onEntry func(Entry)) *aggregator {
	return &aggregator{
		examples:  examples,
		upstreams: capped{m: map[string]*keyCount{}}, paths: capped{m: map[string]*keyCount{}},
		timeline: map[int64]*[nCauses]int32{}, join: newJoiner(), onEntry: onEntry, joins: true, errs: true,
	}
}

// add takes one failure. An error-log line waits in the joiner, if an
// access line may come; an access line takes the cause of the error lines
// of its request, which are then not counted on their own. A line that no
// access line could find waits too, so that error lines are counted in
// the order merged. An access line that finds no error line waits, if an
// error line may come, for one logged after it: a container's two
// streams, merged, do not always keep nginx's order.
func (a *aggregator) add(e *Entry, seq uint64) {
	switch {
	case e.explains && a.joins:
		if a.join.giveTo(e) {
			a.joined++
		} else {
			a.join.hold(e, seq)
		}
	case !e.explains:
		if m := a.join.take(e); m != nil {
			e.Cause, e.Joined = m.Cause, m
			if e.Upstream == "" {
				e.Upstream, e.Scheme = m.Upstream, m.Scheme
			}
			a.joined++
		} else if a.errs && e.Cause == catalog.Upstream {
			a.join.holdAccess(e, seq)
			break
		}
		a.count(e)
	default:
		a.count(e)
	}
	a.join.expire(e.Time, false, a.count)
}

// flush counts every error line still waiting for a join.
func (a *aggregator) flush() {
	a.join.expire(time.Time{}, true, a.count)
}

// count adds one failure to the totals.
func (a *aggregator) count(e *Entry) {
	ci := causeIndex(e.Cause)
	if ci < 0 {
		e.Cause, ci = catalog.Upstream, causeIndex(catalog.Upstream)
	}
	a.failures++
	c := a.causes[ci]
	if c == nil {
		c = &causeAgg{first: e.Time}
		a.causes[ci] = c
	}
	c.count++
	if e.Time.Before(c.first) {
		c.first = e.Time
	}
	if e.Time.After(c.last) {
		c.last = e.Time
	}
	c.statuses.add(e.Status)
	c.products.add(e.Product)
	if e.Scheme == "fastcgi" || strings.HasPrefix(e.Upstream, "unix:") || e.Product == catalog.PHPFPM {
		c.fastcgi++
	}
	if len(c.examples) < a.examples {
		c.examples = append(c.examples, e.detached())
	} else if a.full != nil && !c.full {
		a.full[ci].Store(true)
		c.full = true
	}
	a.upstreams.add(e.Upstream, ci)
	path := e.Path
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	a.paths.add(path, ci)
	if !e.Time.IsZero() {
		a.minute(e.Time, ci)
	}
	if a.onEntry != nil {
		a.onEntry(e.detached())
	}
}

func (a *aggregator) minute(t time.Time, ci int) {
	m := t.Unix() / 60
	if a.lastRow != nil && m == a.last {
		a.lastRow[ci]++
		return
	}
	row := a.timeline[m]
	if row == nil {
		if len(a.timeline) >= maxMinutes {
			a.dropped++
			return
		}
		row = &[nCauses]int32{}
		a.timeline[m] = row
	}
	a.last, a.lastRow = m, row
	row[ci]++
}
