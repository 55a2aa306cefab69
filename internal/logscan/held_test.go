package logscan

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// containerLog writes a container's nginx output as `docker logs
// --timestamps` prints it (wrap "docker") or as the kubelet keeps it
// ("cri"): stretches of an outage's error lines, dense (many lines a
// second, so that thousands of lines wait at once) and sparse (seconds
// apart), and, with access set, stretches of requests whose access lines
// (stdout) follow the error lines (stderr) of their failures, or come
// before them, some of which no access line names, and stretches of
// access lines without a failure. Paths are more than maxKeys; some CRI lines are split in two.
type containerLog struct {
	wrap   string
	access bool
	r      *rand.Rand
	t      time.Time
	conn   int
	b      strings.Builder
}

func (c *containerLog) line(stream, l string) {
	switch c.wrap {
	case "docker":
		c.b.WriteString(c.t.Format("2006-01-02T15:04:05.000000000Z07:00 ") + l + "\n")
	case "cri":
		ts := c.t.Format(time.RFC3339Nano)
		if c.r.IntN(50) == 0 && len(l) > 40 {
			fmt.Fprintf(&c.b, "%s %s P %s\n", ts, stream, l[:30])
			l = l[30:]
		}
		fmt.Fprintf(&c.b, "%s %s F %s\n", ts, stream, l)
	default:
		c.b.WriteString(l + "\n")
	}
}

var containerErrors = []string{
	"connect() failed (111: Connection refused) while connecting to upstream",
	"upstream timed out (110: Connection timed out) while reading response header from upstream",
	"no live upstreams while connecting to upstream",
	"upstream prematurely closed connection while reading response header from upstream",
	`limiting requests, excess: 0.%d by zone "perip"`,
}

// errorLine writes an error line about a request, or with joinable false
// one that names no request.
func (c *containerLog) errorLine(client, path string, joinable bool) {
	c.conn++
	msg := containerErrors[c.r.IntN(len(containerErrors))]
	if strings.Contains(msg, "%d") {
		msg = fmt.Sprintf(msg, c.r.IntN(1000))
	}
	ts := c.t.Format("2006/01/02 15:04:05")
	if !joinable {
		c.line("stderr", fmt.Sprintf("%s [error] 7#7: %s, client: %s, server: shop.example", ts, msg, client))
		return
	}
	c.line("stderr", fmt.Sprintf("%s [error] 7#7: *%d %s, client: %s, server: shop.example, request: \"GET %s HTTP/1.1\", upstream: \"http://10.0.0.%d:8080%s\", host: \"shop.example\"",
		ts, c.conn, msg, client, path, c.r.IntN(4), path))
}

func (c *containerLog) accessLine(client, path string, status int) {
	c.line("stdout", fmt.Sprintf("%s - - [%s] \"GET %s HTTP/1.1\" %d 157 \"-\" \"curl/8.5.0\"", client, c.t.Format("02/Jan/2006:15:04:05 -0700"), path, status))
}

// stretch writes n lines or requests of one kind.
func (c *containerLog) stretch(kind, n int) {
	for range n {
		client := fmt.Sprintf("203.0.113.%d", c.r.IntN(200))
		path := fmt.Sprintf("/p/%d?x=%d", c.r.IntN(30000), c.r.IntN(9))
		switch kind {
		case 0: // dense outage
			c.t = c.t.Add(time.Duration(c.r.IntN(200)) * time.Microsecond)
			c.errorLine(client, path, c.r.IntN(7) != 0)
		case 1: // sparse outage
			c.t = c.t.Add(time.Duration(c.r.IntN(3000)) * time.Millisecond)
			c.errorLine(client, path, c.r.IntN(7) != 0)
		case 2: // requests, some failing
			c.t = c.t.Add(time.Duration(c.r.IntN(40)) * time.Millisecond)
			switch p := c.r.IntN(10); {
			case p < 3:
				c.errorLine(client, path, p != 0)
				c.accessLine(client, path, 502)
			case p < 4 && c.r.IntN(2) == 0:
				// stdout before stderr: the access line comes first
				c.accessLine(client, path, 502)
				c.errorLine(client, path, true)
			case p < 4:
				c.errorLine(client, path, true)
			case p < 5:
				c.accessLine(client, path, 504)
			default:
				c.accessLine(client, path, 200)
			}
		case 3: // requests, none failing
			c.t = c.t.Add(time.Duration(c.r.IntN(10)) * time.Millisecond)
			c.accessLine(client, path, 200)
		case 4: // a burst of failing requests: their error lines, then their access lines
			c.burst(1 + c.r.IntN(60))
		}
	}
}

func (c *containerLog) burst(n int) {
	clients, paths := make([]string, n), make([]string, n)
	for i := range n {
		clients[i], paths[i] = fmt.Sprintf("203.0.113.%d", c.r.IntN(200)), fmt.Sprintf("/b/%d", c.r.IntN(30000))
		c.t = c.t.Add(time.Duration(c.r.IntN(30)) * time.Millisecond)
		c.errorLine(clients[i], paths[i], true)
	}
	for i := range n {
		c.t = c.t.Add(time.Duration(c.r.IntN(30)) * time.Millisecond)
		c.accessLine(clients[i], paths[i], 502)
	}
}

func writeContainerLog(t *testing.T, dir, name, wrap string, access bool, seed uint64) string {
	c := &containerLog{wrap: wrap, access: access, r: rand.New(rand.NewPCG(seed, 7)),
		t: time.Date(2026, 8, 21, 10, 0, 0, 0, time.UTC)}
	kinds := 2
	if access {
		kinds = 5
		c.stretch(2, 40) // access lines among the first, for detection
	}
	for range 24 {
		k := c.r.IntN(kinds)
		n := []int{3000, 60, 400, 300, 8}[k]
		c.stretch(k, n/2+c.r.IntN(n))
	}
	return writeFile(t, dir, name, c.b.String())
}

// TestWorkersCountContainer checks that a container's output, which may
// mix access and error lines, is counted by the workers as the merge
// counts it line by line (as it does when OnEntry sees each line): on
// error lines alone, on error and access lines, in chunks of many sizes,
// with a time window, and with files read as one log.
func TestWorkersCountContainer(t *testing.T) {
	dir := t.TempDir()
	docker := writeContainerLog(t, dir, "outage-docker.log", "docker", false, 1)
	cri := writeContainerLog(t, dir, "outage-cri.log", "cri", false, 2)
	mixed := writeContainerLog(t, dir, "nginx-docker.log", "docker", true, 3)
	mixedCRI := writeContainerLog(t, dir, "nginx-cri.log", "cri", true, 4)
	older := writeContainerLog(t, dir, "nginx.log.1", "docker", true, 5)
	newer := writeContainerLog(t, dir, "nginx.log", "", false, 6)
	// every line an example: the examples are the order counted
	all := Options{Examples: 1 << 20, Workers: 3, MaxLineLen: 1 << 10, ChunkSize: 3 << 10}
	small := Options{Examples: 50, Workers: 3, MaxLineLen: 1 << 10, ChunkSize: 2 << 10}
	odd := Options{Workers: 2, MaxLineLen: 1 << 10, ChunkSize: 5<<10 + 37}
	mid := Options{Workers: 1, ChunkSize: 64 << 10}
	since := Options{Examples: -1, ChunkSize: 16 << 10,
		Since: time.Date(2026, 8, 21, 10, 1, 0, 0, time.UTC), Until: time.Date(2026, 8, 21, 10, 20, 0, 0, time.UTC)}
	cases := []struct {
		files []string
		opts  []Options
	}{
		{[]string{docker}, []Options{{}, small, since, all}},
		{[]string{cri}, []Options{{}, odd, all}},
		{[]string{mixed}, []Options{{}, {Examples: -1}, small, odd, mid, since, all}},
		{[]string{mixedCRI}, []Options{{}, small, since, all}},
		{[]string{newer, older}, []Options{{}, odd, mid, all}},
		{[]string{mixed, docker}, []Options{{}}},
	}
	for _, c := range cases {
		for _, opt := range c.opts {
			workers := scanFiles(t, opt, c.files...)
			opt.OnEntry = func(Entry) {}
			merge := scanFiles(t, opt, c.files...)
			if workers.Failures == 0 {
				t.Fatalf("%v: no failures", c.files)
			}
			got, _ := json.Marshal(workers)
			want, _ := json.Marshal(merge)
			if string(got) != string(want) {
				t.Errorf("%v, options %+v: workers' report\n%s\nwant the merge's\n%s", c.files, opt, got, want)
			}
		}
	}
	r := scanFiles(t, Options{}, mixed)
	if r.Joined == 0 || len(r.Files) != 1 || r.Files[0].Wrapper != "docker" || r.Files[0].Also == "" {
		t.Errorf("mixed docker log: %d joined, files %+v; want joins, read as docker's, with two formats", r.Joined, r.Files)
	}
	if n := len(r.Paths); n == 0 || r.Paths[n-1].Key != "" {
		t.Errorf("mixed docker log: paths %v, want paths past maxKeys", r.Paths)
	}
}

// boundaryLog writes a docker log of error and access lines as events
// say: "e R S" an error line about request R at second S (from 10:00:00),
// "a R S" R's access line, a 502, and "f N S" N error lines about other
// requests. It begins with access lines of requests that did not fail,
// as a container's output that its access lines are detected in. "|"
// marks a place; cut is its offset, a chunk size that ends the first
// chunk there.
func boundaryLog(t *testing.T, dir, name string, events ...string) (path string, cut int) {
	var b strings.Builder
	t0 := time.Date(2026, 8, 21, 10, 0, 0, 0, time.UTC)
	conn := 0
	for range 3 {
		fmt.Fprintf(&b, "%s 203.0.113.8 - - [%s] \"GET / HTTP/1.1\" 200 157 \"-\" \"curl/8.5.0\"\n",
			t0.Format("2006-01-02T15:04:05.000000000Z07:00"), t0.Format("02/Jan/2006:15:04:05 -0700"))
	}
	for _, ev := range events {
		if ev == "|" {
			cut = b.Len()
			continue
		}
		var kind string
		var n, sec int
		if _, err := fmt.Sscan(ev, &kind, &n, &sec); err != nil {
			t.Fatalf("event %q: %v", ev, err)
		}
		ts := t0.Add(time.Duration(sec) * time.Second)
		wrap := ts.Format("2006-01-02T15:04:05.000000000Z07:00 ")
		errorLine := func(path string) {
			conn++
			fmt.Fprintf(&b, "%s%s [error] 7#7: *%d connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.9, server: s, request: \"GET %s HTTP/1.1\", upstream: \"http://10.0.0.1:80%s\", host: \"s\"\n",
				wrap, ts.Format("2006/01/02 15:04:05"), conn, path, path)
		}
		switch kind {
		case "e":
			errorLine(fmt.Sprintf("/r/%d", n))
		case "a":
			fmt.Fprintf(&b, "%s203.0.113.9 - - [%s] \"GET /r/%d HTTP/1.1\" 502 157 \"-\" \"curl/8.5.0\"\n", wrap, ts.Format("02/Jan/2006:15:04:05 -0700"), n)
		case "f":
			for range n {
				errorLine(fmt.Sprintf("/f/%d", conn))
			}
		}
	}
	return writeFile(t, dir, name, b.String()), cut
}

// TestWorkersCountBoundaries checks the workers' counts against the
// merge's where an error line stops waiting for its access line just
// before the access line comes, or just after: joinCap lines after it,
// a line joinHold past it, and times out of order.
func TestWorkersCountBoundaries(t *testing.T) {
	dir := t.TempDir()
	logs := []struct {
		name   string
		events []string
		joined int64 // whether request 1's lines are joined
	}{
		{"cap-1", []string{"f 2000 0", "e 1 0", "|", fmt.Sprintf("f %d 0", joinCap-1), "a 1 0"}, 1},
		{"cap", []string{"f 2000 0", "e 1 0", "|", fmt.Sprintf("f %d 0", joinCap), "a 1 0"}, 0},
		{"hold", []string{"e 1 0", "f 30 0", "f 1 2", "f 30 1", "a 1 1"}, 1},
		{"hold+1", []string{"e 1 0", "f 30 0", "f 1 3", "f 30 1", "a 1 1"}, 0},
		{"later", []string{"f 40 0", "e 1 5", "f 40 0", "f 1 3", "f 30 1", "a 1 5"}, 1},
		{"two", []string{"f 2000 0", "|", "f 1000 2", "e 1 2", "f 1500 2", "f 300 3", "a 1 2"}, 1},
		{"clock", []string{"f 2000 10", "|", fmt.Sprintf("f %d 0", joinCap), "e 1 7", "a 1 7"}, 0},
		{"clock+1", []string{"f 2000 9", "|", fmt.Sprintf("f %d 0", joinCap), "e 1 7", "a 1 7"}, 1},
	}
	for _, l := range logs {
		p, cut := boundaryLog(t, dir, l.name+".log", l.events...)
		sizes := []int{1 << 10, 1<<10 + 333, 3<<10 + 77, 64 << 10, 1 << 20}
		if cut > 0 {
			sizes = append(sizes, cut)
		}
		for _, size := range sizes {
			opt := Options{Examples: 1 << 20, Workers: 2, MaxLineLen: 512, ChunkSize: size}
			workers := scanFiles(t, opt, p)
			opt.OnEntry = func(Entry) {}
			merge := scanFiles(t, opt, p)
			got, _ := json.Marshal(workers)
			want, _ := json.Marshal(merge)
			if merge.Joined != l.joined {
				t.Errorf("%s, chunks of %d bytes: the merge joined %d, want %d", l.name, size, merge.Joined, l.joined)
			}
			if string(got) != string(want) {
				t.Errorf("%s, chunks of %d bytes: workers' report (%d joined)\n%.2000s\nwant the merge's (%d joined)\n%.2000s",
					l.name, size, workers.Joined, got, merge.Joined, want)
			}
		}
	}
}
