package logscan

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestJoinAcrossChunks reads an access and an error log in chunks of a
// few lines, so that the error lines that wait for their access lines
// come from batches the merge is done with, and checks that the joins and
// counts are those of a reading in one chunk each.
func TestJoinAcrossChunks(t *testing.T) {
	var access, errs strings.Builder
	t0 := time.Date(2026, 8, 21, 10, 0, 0, 0, time.UTC)
	for i := range 5000 {
		ts := t0.Add(time.Duration(i) * 200 * time.Millisecond)
		status, path := 200, fmt.Sprintf("/p/%d", i)
		if i%5 == 0 {
			status = 502
			fmt.Fprintf(&errs, "%s [error] 7#7: *%d connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.%d, server: shop.example, request: \"GET %s HTTP/1.1\", upstream: \"http://10.0.0.%d:8080%s\", host: \"shop.example\"\n",
				ts.Format("2006/01/02 15:04:05"), i+1, i%200, path, i%3, path)
		}
		fmt.Fprintf(&access, "203.0.113.%d - - [%s] \"GET %s HTTP/1.1\" %d 157 \"-\" \"curl/8.5.0\"\n", i%200, ts.Format("02/Jan/2006:15:04:05 -0700"), path, status)
	}
	dir := t.TempDir()
	a, e := writeFile(t, dir, "access.log", access.String()), writeFile(t, dir, "error.log", errs.String())
	whole := scanFiles(t, Options{}, a, e)
	small := scanFiles(t, Options{MaxLineLen: 1 << 10, ChunkSize: 2 << 10}, a, e)
	if whole.Joined != 1000 || small.Joined != whole.Joined || small.Failures != whole.Failures {
		t.Errorf("joined %d of %d failures in small chunks, %d of %d in one; want 1000 of 1000", small.Joined, small.Failures, whole.Joined, whole.Failures)
	}
	equalCounts(t, causeCounts(small), causeCounts(whole))
	if fmt.Sprint(small.Upstreams) != fmt.Sprint(whole.Upstreams) {
		t.Errorf("upstreams %v, want %v", small.Upstreams, whole.Upstreams)
	}
}

// TestLimbo checks that a batch the merge is done with is kept while one
// of its lines waits in the joiner, and recycled once none does.
func TestLimbo(t *testing.T) {
	sc, j, lb := &scanner{}, newJoiner(), limbo{}
	b := &batch{entries: make([]Entry, 2)}
	b.entries[0] = Entry{Time: time.Date(2026, 8, 21, 10, 0, 0, 0, time.UTC), Conn: 7, explains: true}
	lb.seq++
	j.hold(&b.entries[0], lb.seq) // the first line waits
	lb.seq++                      // the second is counted at once
	lb.batches = append(lb.batches, retired{b, lb.seq})
	lb.release(sc, &j)
	if len(lb.batches) != 1 {
		t.Fatalf("a batch whose line waits was released")
	}
	counted := 0
	j.expire(time.Time{}, true, func(e *Entry) {
		if e.Conn == 7 {
			counted++
		}
	})
	lb.release(sc, &j)
	if len(lb.batches) != 0 || counted != 1 {
		t.Errorf("%d batches kept, %d lines counted; want 0 and 1", len(lb.batches), counted)
	}
}

// TestJoinRedactedClient joins an error line whose client was redacted,
// or lost its comma in a paste, to its access line by the request line;
// a client that is an address must still match.
func TestJoinRedactedClient(t *testing.T) {
	const access = `3.18.201.127 - - [17/Apr/2023:20:24:55 +0000] "POST /api/token HTTP/1.1" 502 150 "-" "axios/0.23.0"` + "\n"
	errLine := func(client string) string {
		return `2023/04/17 20:24:55 [error] 397#397: *56 upstream prematurely closed connection while reading response header from upstream, ` +
			client + `, request: "POST /api/token HTTP/1.1", upstream: "http://10.0.0.9/api/token", host: "api.example"` + "\n"
	}
	for _, tc := range []struct {
		name, client string
		joined       int64
	}{
		{"redacted", "client: XXX, server: XXX", 1},
		{"redacted without its comma", "client: XXX server: XXX", 1},
		{"address without its comma", "client: 3.18.201.127 server: XXX", 1},
		{"dotted redaction", "client: x.x.x.x, server: api.example", 1},
		{"another client", "client: 198.51.100.4, server: api.example", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			a, e := writeFile(t, dir, "access.log", access), writeFile(t, dir, "error.log", errLine(tc.client))
			r := scanFiles(t, Options{Location: time.UTC}, a, e)
			if r.Joined != tc.joined {
				t.Errorf("joined %d, want %d (failures %d)", r.Joined, tc.joined, r.Failures)
			}
		})
	}
}

// TestJoinErrorAfterAccess reads a container's output whose access line
// comes before the error line of its request (its two streams merged out
// of order): the access line waits and takes the error line's cause,
// whether the workers or the merge count; an access line of another
// request, or one that an error line follows too late, does not.
func TestJoinErrorAfterAccess(t *testing.T) {
	t0 := time.Date(2026, 8, 21, 10, 0, 0, 0, time.UTC)
	access := func(at time.Duration, path string) string {
		return fmt.Sprintf(`203.0.113.7 - - [%s] "GET %s HTTP/1.1" 502 157 "-" "curl/8.5.0"`+"\n", t0.Add(at).Format("02/Jan/2006:15:04:05 -0700"), path)
	}
	errLine := func(at time.Duration, path string) string {
		return fmt.Sprintf(`%s [error] 7#7: *9 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.7, server: shop.example, request: "GET %s HTTP/1.1", upstream: "http://10.0.0.1:8080%s", host: "shop.example"`+"\n",
			t0.Add(at).Format("2006/01/02 15:04:05"), path, path)
	}
	for _, tc := range []struct {
		name   string
		text   string
		joined int64
	}{
		{"error line right after", access(0, "/a") + errLine(0, "/a"), 1},
		{"another request", access(0, "/a") + errLine(0, "/b"), 0},
		{"too late", access(0, "/a") + errLine(5*time.Second, "/a"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// access lines first, for the file to be read as both logs
			var head strings.Builder
			for i := range 4 {
				fmt.Fprintf(&head, `203.0.113.8 - - [%s] "GET /ok%d HTTP/1.1" 200 157 "-" "curl/8.5.0"`+"\n", t0.Add(-time.Minute).Format("02/Jan/2006:15:04:05 -0700"), i)
			}
			p := writeFile(t, t.TempDir(), "nginx.log", head.String()+tc.text)
			for _, opt := range []Options{{}, {OnEntry: func(Entry) {}}} {
				r := scanFiles(t, opt, p)
				want := 2 - tc.joined
				if r.Joined != tc.joined || r.Failures != want {
					t.Errorf("OnEntry %v: joined %d of %d failures, want %d of %d", opt.OnEntry != nil, r.Joined, r.Failures, tc.joined, want)
				}
				if tc.joined == 1 && (len(r.Causes) != 1 || r.Causes[0].Cause != "upstream.refused") {
					t.Errorf("causes %+v, want the error line's", r.Causes)
				}
			}
		})
	}
}
