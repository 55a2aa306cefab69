package logscan

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// writeMixedErrorLog writes n nginx error lines over many minutes, with
// more paths than maxKeys, some lines without a connection number or
// request (which no access line could find), and a few lines that show
// no failure.
func writeMixedErrorLog(t *testing.T, n int) string {
	var b strings.Builder
	t0 := time.Date(2026, 8, 21, 10, 0, 0, 0, time.UTC)
	msgs := []string{
		"connect() failed (111: Connection refused) while connecting to upstream",
		"upstream timed out (110: Connection timed out) while reading response header from upstream",
		"no live upstreams while connecting to upstream",
		`limiting requests, excess: 0.%d by zone "perip"`,
		"open() \"/srv/x\" failed (2: No such file or directory)",
	}
	for i := range n {
		ts := t0.Add(time.Duration(i) * 700 * time.Millisecond).Format("2006/01/02 15:04:05")
		msg := msgs[i%len(msgs)]
		if strings.Contains(msg, "%d") {
			msg = fmt.Sprintf(msg, i%1000)
		}
		switch {
		case i%7 == 3: // no connection number, no request: not joinable
			fmt.Fprintf(&b, "%s [error] 7#7: %s, client: 203.0.113.%d, server: shop.example\n", ts, msg, i%50)
		default:
			fmt.Fprintf(&b, "%s [error] 7#7: *%d %s, client: 203.0.113.%d, server: shop.example, request: \"GET /p/%d?x=%d HTTP/1.1\", upstream: \"http://10.0.0.%d:8080/p/%d\", host: \"shop.example\"\n",
				ts, i+1, msg, i%50, i%12000, i, i%4, i%12000)
		}
	}
	return writeFile(t, t.TempDir(), "error.log", b.String())
}

// TestWorkersCount checks that the workers' counts of an error log read
// alone, added chunk by chunk, make the report the merge makes when it
// counts each line itself (as it does when OnEntry sees each line): the
// same examples, upstreams and paths named past maxKeys, and timeline.
func TestWorkersCount(t *testing.T) {
	p := writeMixedErrorLog(t, 40000)
	for _, opt := range []Options{
		{},
		{Examples: 50, Workers: 3, MaxLineLen: 1 << 10, ChunkSize: 4 << 10},
		{Examples: -1, Workers: 1, MaxLineLen: 1 << 10, ChunkSize: 2 << 10},
	} {
		workers := scanFiles(t, opt, p)
		opt.OnEntry = func(Entry) {}
		merge := scanFiles(t, opt, p)
		if workers.Failures == 0 || len(merge.Paths) == 0 || merge.Paths[len(merge.Paths)-1].Key != "" {
			t.Fatalf("%d failures, paths %v: want failures and paths past maxKeys", workers.Failures, merge.Paths)
		}
		got, _ := json.Marshal(workers)
		want, _ := json.Marshal(merge)
		if string(got) != string(want) {
			t.Errorf("options %+v: workers' report\n%s\nwant the merge's\n%s", opt, got, want)
		}
	}
}

// TestReadOrderWithoutAccessLog checks that an error log read without an
// access log has its failures counted in the order read: the first line
// of a cause is its first example, even when a later one could not have
// been joined (and so was not held back).
func TestReadOrderWithoutAccessLog(t *testing.T) {
	lines := "2026/08/21 10:00:00 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.1, server: s, request: \"GET /first HTTP/1.1\", upstream: \"http://10.0.0.1:80/first\", host: \"s\"\n" +
		"2026/08/21 10:00:00 [error] 7#7: connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.2, server: s\n"
	p := writeFile(t, t.TempDir(), "error.log", lines)
	for _, opt := range []Options{{Examples: 1}, {Examples: 1, OnEntry: func(Entry) {}}} {
		r := scanFiles(t, opt, p)
		if len(r.Causes) != 1 || len(r.Causes[0].Examples) != 1 {
			t.Fatalf("causes %+v, want one with one example", r.Causes)
		}
		if got := r.Causes[0].Examples[0].Line; got != 1 {
			t.Errorf("OnEntry set %v: example is line %d, want 1", opt.OnEntry != nil, got)
		}
	}
}
