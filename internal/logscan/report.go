package logscan

import (
	"slices"
	"sort"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// SchemaVersion is the version of the JSON document of a Report.
const SchemaVersion = 1

// Report is what a scan found: failures by cause, upstream, path and minute.
type Report struct {
	// SchemaVersion is SchemaVersion.
	SchemaVersion int `json:"schema_version"`
	// Files lists each input with its detected format and counts.
	Files []FileSummary `json:"files"`
	// Lines counts every line read; Skipped the lines longer than the
	// maximum; Malformed those that were not lines of their file's format;
	// Filtered those outside --since/--until.
	Lines     int64 `json:"lines"`
	Skipped   int64 `json:"skipped"`
	Malformed int64 `json:"malformed"`
	Filtered  int64 `json:"filtered"`
	// Bytes counts the bytes read, after decompression.
	Bytes int64 `json:"bytes"`
	// Failures counts failed requests: an access line joined to its error
	// lines counts once.
	Failures int64 `json:"failures"`
	// Joined counts access lines whose cause came from an error line.
	Joined int64 `json:"joined"`
	// Causes lists the causes found, most frequent first.
	Causes []CauseSummary `json:"causes"`
	// Upstreams lists the upstreams with most failures (at most TopN; the
	// rest are summed in a last row with an empty name).
	Upstreams []KeyCount `json:"upstreams"`
	// Paths lists the request paths with most failures, as Upstreams.
	Paths []KeyCount `json:"paths"`
	// Timeline has a row for each minute with failures, in time order.
	Timeline []Minute `json:"timeline"`
}

// TopN is how many upstreams and paths a Report lists by name.
const TopN = 10

// FileSummary describes one input.
type FileSummary struct {
	// Name is the file's path, or "-" for standard input.
	Name string `json:"name"`
	// Format is the detected or forced format; "" for an empty file.
	Format string `json:"format"`
	// Also is a second format, for a file that mixes two logs (a
	// container's access and error lines); "" for most files.
	Also string `json:"also,omitempty"`
	// Wrapper names the prefixes stripped from each line before reading
	// it: "docker", "compose", "cri", "syslog", "s6", or several joined
	// with "+", outermost first; "" for a plain file.
	Wrapper string `json:"wrapper,omitempty"`
	// Lines, Skipped, Malformed, Filtered, Bytes and Failures count as in
	// Report: Malformed are the lines that could not be read as Format.
	Lines     int64 `json:"lines"`
	Skipped   int64 `json:"skipped"`
	Malformed int64 `json:"malformed"`
	Filtered  int64 `json:"filtered"`
	Bytes     int64 `json:"bytes"`
	Failures  int64 `json:"failures"`
}

// CauseSummary is what the report says of one cause.
type CauseSummary struct {
	// Cause is a cause ID of the catalog.
	Cause catalog.Cause `json:"cause"`
	// Count is how many failures had this cause.
	Count int64 `json:"count"`
	// First and Last are the times of the first and last of them.
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	// Statuses counts the HTTP statuses the clients got, most frequent first.
	Statuses []StatusCount `json:"statuses"`
	// Products are the products that logged them, most frequent first.
	Products []catalog.Product `json:"products"`
	// Examples are the first few failures, with their lines.
	Examples []Entry `json:"examples"`
	// Fixes are what to change, in the config language of those products.
	Fixes []Fix `json:"fixes"`
}

// StatusCount counts one HTTP status.
type StatusCount struct {
	// Status is the HTTP status.
	Status int `json:"status"`
	// Count is how many failures had it.
	Count int64 `json:"count"`
}

// KeyCount counts the failures of one upstream or path.
type KeyCount struct {
	// Key is the upstream or path; "" for the sum of all others.
	Key string `json:"key"`
	// Count is how many failures it had.
	Count int64 `json:"count"`
	// Causes counts them by cause.
	Causes map[catalog.Cause]int64 `json:"causes"`
}

// Minute counts the failures of one minute.
type Minute struct {
	// Start is the minute's start.
	Start time.Time `json:"start"`
	// Total is how many failures it had.
	Total int64 `json:"total"`
	// Causes counts them by cause.
	Causes map[catalog.Cause]int64 `json:"causes"`
	// Burst marks a minute with at least BurstMin failures and at least
	// three times the median of the minutes from the first failure to the last.
	Burst bool `json:"burst,omitempty"`
}

// BurstMin is the fewest failures a burst minute has.
const BurstMin = 10

// reportBuilder gathers the counts of batches as they are merged.
type reportBuilder struct {
	rep   Report
	files map[string]*FileSummary
	order []string
}

func newReportBuilder() *reportBuilder {
	return &reportBuilder{rep: Report{SchemaVersion: SchemaVersion}, files: map[string]*FileSummary{}}
}

func (rb *reportBuilder) file(name string) *FileSummary {
	f := rb.files[name]
	if f == nil {
		f = &FileSummary{Name: name}
		rb.files[name] = f
		rb.order = append(rb.order, name)
	}
	return f
}

// account adds a batch's counts and returns the number of its file's
// lines before it, which its entries' Line counts from.
func (rb *reportBuilder) account(b *batch) (base int64) {
	fs := b.file
	f := rb.file(fs.name)
	if fs.format != nil {
		f.Format = fs.format.name
	}
	if fs.other != nil {
		f.Also = fs.other.name
	}
	if fs.wrap != nil {
		f.Wrapper = fs.wrap.name()
	}
	base = fs.lines
	fs.lines += b.lines
	f.Lines += b.lines
	f.Skipped += b.skipped
	f.Malformed += b.malformed
	f.Filtered += b.filtered
	f.Bytes += b.bytes
	r := &rb.rep
	r.Lines += b.lines
	r.Skipped += b.skipped
	r.Malformed += b.malformed
	r.Filtered += b.filtered
	r.Bytes += b.bytes
	return base
}

// build turns the aggregates into the report.
func (rb *reportBuilder) build(a *aggregator) *Report {
	r := rb.rep
	for _, n := range rb.order {
		r.Files = append(r.Files, *rb.files[n])
	}
	r.Failures, r.Joined = a.failures, a.joined
	for i, c := range allCauses {
		if ca := a.causes[i]; ca != nil {
			r.Causes = append(r.Causes, causeSummary(c, ca))
		}
	}
	sort.SliceStable(r.Causes, func(i, j int) bool { return r.Causes[i].Count > r.Causes[j].Count })
	r.Upstreams = topKeys(&a.upstreams)
	r.Paths = topKeys(&a.paths)
	r.Timeline = timeline(a.timeline)
	return &r
}

func causeSummary(c catalog.Cause, ca *causeAgg) CauseSummary {
	s := CauseSummary{Cause: c, Count: ca.count, First: ca.first, Last: ca.last, Examples: ca.examples}
	for _, st := range ca.statuses {
		s.Statuses = append(s.Statuses, StatusCount{st.value, st.count})
	}
	sort.Slice(s.Statuses, func(i, j int) bool {
		a, b := s.Statuses[i], s.Statuses[j]
		return a.Count > b.Count || a.Count == b.Count && a.Status < b.Status
	})
	products := slices.Clone(ca.products)
	sort.Slice(products, func(i, j int) bool {
		a, b := products[i], products[j]
		return a.count > b.count || a.count == b.count && a.value < b.value
	})
	for _, p := range products {
		s.Products = append(s.Products, p.value)
	}
	s.Fixes = fixesFor(c, s.Products, ca.fastcgi, ca.count)
	return s
}

// topKeys lists the TopN keys with most failures, and the others summed
// in a last row without a key.
func topKeys(c *capped) []KeyCount {
	keys := make([]countedKey, 0, len(c.m))
	for k, v := range c.m {
		keys = append(keys, countedKey{k, v})
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		return a.k.total > b.k.total || a.k.total == b.k.total && a.key < b.key
	})
	other := c.other
	if len(keys) > TopN {
		for _, kv := range keys[TopN:] {
			other.total += kv.k.total
			for ci, n := range kv.k.byCause {
				other.byCause[ci] += n
			}
		}
		keys = keys[:TopN]
	}
	var out []KeyCount
	for _, kv := range keys {
		out = append(out, toKeyCount(kv.key, kv.k))
	}
	if other.total > 0 {
		out = append(out, toKeyCount("", &other))
	}
	return out
}

func toKeyCount(k string, v *keyCount) KeyCount {
	kc := KeyCount{Key: k, Count: v.total, Causes: map[catalog.Cause]int64{}}
	for ci, n := range v.byCause {
		if n > 0 {
			kc.Causes[allCauses[ci]] = n
		}
	}
	return kc
}

// timeline lists the minutes with failures and marks the bursts.
func timeline(m map[int64]*[nCauses]int32) []Minute {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]Minute, 0, len(keys))
	totals := make([]int64, 0, len(keys))
	for _, k := range keys {
		mi := Minute{Start: time.Unix(k*60, 0).UTC(), Causes: map[catalog.Cause]int64{}}
		for ci, n := range m[k] {
			if n > 0 {
				mi.Causes[allCauses[ci]] = int64(n)
				mi.Total += int64(n)
			}
		}
		out = append(out, mi)
		totals = append(totals, mi.Total)
	}
	if len(keys) == 0 {
		return out
	}
	med := median(totals, keys[len(keys)-1]-keys[0]+1)
	for i := range out {
		out[i].Burst = out[i].Total >= BurstMin && float64(out[i].Total) >= 3*med
	}
	return out
}

// median of the per-minute totals over span minutes, the minutes without
// failures (not in totals) counting as zeros.
func median(totals []int64, span int64) float64 {
	zeros := span - int64(len(totals))
	s := slices.Clone(totals)
	slices.Sort(s)
	at := func(i int64) float64 {
		if i < zeros {
			return 0
		}
		return float64(s[i-zeros])
	}
	if span%2 == 1 {
		return at(span / 2)
	}
	return (at(span/2-1) + at(span/2)) / 2
}
