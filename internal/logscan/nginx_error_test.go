package logscan

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNginxErrorQuickAgrees reads every line of the recorded and published
// nginx logs twice: thoroughly, as the first line of its kind is read, and
// with a parser that has met every line of every file before, and so looks
// their times and messages up and reads their tails in nginx's order. Both
// must make the same of each line. Wrapped lines are read without their
// wrappers.
func TestNginxErrorQuickAgrees(t *testing.T) {
	files := []string{
		"testdata/nginx-real-error.log",
		"testdata/site-error.log",
		"testdata/world/compose-nginx-https-portal.log",
		"testdata/world/compose-nginx-linkedpipes.log",
		"testdata/world/compose-nginx-sylius.log",
		"testdata/world/compose-nginx-vvveb.log",
		"testdata/world/compose-phpfpm-nginx-mixed.log",
		"testdata/world/docker-nginx-entrypoint-noise.log",
		"testdata/world/docker-nginx-startup-noise.log",
		"testdata/world/docker-timestamps-nginx-emerg.log",
		"testdata/world/nginx-closed-refused-npm.log",
		"testdata/world/nginx-php-fatal-ninjawars.log",
		"testdata/world/nginx-timeout-musl-lancache.log",
		"testdata/world/nginx-too-big-header-sulu.log",
		"testdata/world/rsyslog-nginx-php-fatal-ninjawars.log",
	}
	warm := &nginxError{loc: time.UTC}
	for _, name := range files {
		for _, l := range fixtureLines(t, name) {
			warm.parse(l, &Entry{})
		}
	}
	failures := 0
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			for i, l := range fixtureLines(t, name) {
				var want, got Entry
				wv := (&nginxError{loc: time.UTC, thorough: true}).parse(l, &want)
				gv := warm.parse(l, &got)
				if gv != wv || got != want {
					t.Errorf("line %d: quick %d %+v\nthorough %d %+v", i+1, gv, got, wv, want)
				}
				if wv == lineFailure {
					failures++
				}
			}
		})
	}
	if failures < 100 || len(warm.msgs.m) < 10 {
		t.Errorf("%d failures read and %d messages kept to look up; want at least 100 and 10", failures, len(warm.msgs.m))
	}
}

// fixtureLines returns the lines of a fixture, without the wrappers that
// most of them have.
func fixtureLines(t *testing.T, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if w := detectWraps(lines, time.UTC); w != nil {
		for i, l := range lines {
			lines[i], _, _ = w.unwrap(l)
		}
	}
	return lines
}

// TestNgxFieldsByCommas checks tails that the fixtures lack against the
// thorough reading. A request line is written as the client sent it,
// quotes, commas and all; a message may quote an upstream's words.
func TestNgxFieldsByCommas(t *testing.T) {
	for _, rest := range ngxTails {
		checkNgxFields(t, []byte(rest))
	}
}

// FuzzNgxFieldsByCommas checks ngxFieldsByCommas against the thorough
// reading on any bytes.
func FuzzNgxFieldsByCommas(f *testing.F) {
	for _, rest := range ngxTails {
		f.Add([]byte(rest))
	}
	f.Fuzz(func(t *testing.T, rest []byte) { checkNgxFields(t, rest) })
}

var ngxTails = []string{
	`connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: a, request: "GET / HTTP/1.1", upstream: "http://10.0.0.5:80/", host: "a"`,
	`limiting requests, excess: 0.953 by zone "perip", client: 10.0.0.1, server: a, request: "GET / HTTP/1.1", host: "a"`,
	`m, client: 10.0.0.1, server: a, request: "GET / HTTP/1.1", subrequest: "/auth", upstream: "http://10.0.0.5:80/auth", host: "a", referrer: "https://a/"`,
	`m, client: 10.0.0.1, server: a, request: "GET /x", upstream: " HTTP/1.1", upstream: "http://10.0.0.5:80/", host: "a"`,
	`m, client: 10.0.0.1, server: a, request: "GET /x, upstream: " HTTP/1.1", upstream: "http://10.0.0.5:80/", host: "a"`,
	`m, client: 10.0.0.1, server: a, request: "GET /x, client: 1.2.3.4 HTTP/1.1", upstream: "http://10.0.0.5:80/", host: "a"`,
	`upstream sent invalid header: "X: a, client: b" while reading response header from upstream, client: 10.0.0.1, server: a, request: "GET / HTTP/1.1"`,
	`m, client: 10.0.0.1, server: a, request: "GET / HTTP/1.1", upstream: "http://10.0.0.5:80/`,
	`m, client: 10.0.0.1, server: a, request: "GET / HTTP/1.1`,
	`m, client: 10.0.0.1`,
	`m, client: `,
	`m, client: , client: , request: ""`,
	`no tail at all`,
	``,
}

func checkNgxFields(t *testing.T, rest []byte) {
	t.Helper()
	got, want := ngxFieldsByCommas(rest), ngxFieldsAnywhere(rest)
	if got.tail != want.tail || string(got.client) != string(want.client) || string(got.req) != string(want.req) || string(got.ups) != string(want.ups) {
		t.Errorf("%q:\nby commas %d %q %q %q\nanywhere  %d %q %q %q", rest, got.tail, got.client, got.req, got.ups, want.tail, want.client, want.req, want.ups)
	}
}

// ngxHeadBySearch reads the head of an error line with searches of the
// whole rest, as ngxHead's byte loops must: the first ']' within 7 bytes,
// then the first ": " within the next 26 bytes, after a '#'.
func ngxHeadBySearch(rest []byte) (level, after []byte, ok bool) {
	i := bytes.IndexByte(rest, ']')
	if i < 0 || i > 6 {
		return nil, nil, false
	}
	level, rest = rest[:i], rest[i+1:]
	j := bytes.Index(rest[:min(len(rest), 26)], []byte(": "))
	if j < 0 || bytes.IndexByte(rest[:j], '#') < 0 {
		return nil, nil, false
	}
	return level, rest[j+2:], true
}

var ngxHeads = []string{
	"error] 2187#2187: *4711 connect() failed",
	"crit] 1#1: x",
	"emerg] 1#0: ",
	"error] 1#1:x: y",
	"error] 11: #1: y",
	"error]  #: ",
	"warn] 123456789012345678901#: late",
	"warn] 12345678901234567890123#: at the edge",
	"warn] 123456789012345678901234#: past it",
	"error]",
	"error] ",
	"toolong] 1#1: x",
	"]#: ",
	"] : #",
	"",
}

func checkNgxHead(t *testing.T, rest []byte) {
	t.Helper()
	l, a, ok := ngxHead(rest)
	wl, wa, wok := ngxHeadBySearch(rest)
	if ok != wok || string(l) != string(wl) || string(a) != string(wa) {
		t.Errorf("%q: ngxHead %q %q %v, by search %q %q %v", rest, l, a, ok, wl, wa, wok)
	}
}

func TestNgxHead(t *testing.T) {
	for _, h := range ngxHeads {
		checkNgxHead(t, []byte(h))
	}
}

// FuzzNgxHead checks ngxHead against the reading by search on any bytes.
func FuzzNgxHead(f *testing.F) {
	for _, h := range ngxHeads {
		f.Add([]byte(h))
	}
	f.Fuzz(func(t *testing.T, rest []byte) { checkNgxHead(t, rest) })
}

// plainParser hides a parser's other methods, textParser's among them.
type plainParser struct{ p parser }

func (pp plainParser) parse(line []byte, e *Entry) verdict { return pp.p.parse(line, e) }

// TestNginxErrorTextAgrees reads the fixtures' chunks with the failures'
// strings left in a textBuf until the chunk is read, and with each line's
// own strings: the entries must be the same.
func TestNginxErrorTextAgrees(t *testing.T) {
	opt := Options{Location: time.UTC}
	if err := opt.defaults(); err != nil {
		t.Fatal(err)
	}
	sc := newScanner(opt, parseOptions{loc: time.UTC})
	n := 0
	for _, name := range []string{"testdata/nginx-real-error.log", "testdata/site-error.log", "testdata/world/nginx-closed-refused-npm.log", "testdata/world/nginx-php-fatal-ninjawars.log", "testdata/world/nginx-too-big-header-sulu.log", "testdata/world/nginx-timeout-musl-lancache.log"} {
		data := bytes.Join(fixtureLines(t, name), []byte("\n"))
		fs := &fileState{name: name, format: &formats[0], sum: &FileSummary{}}
		if fs.format.name != "nginx-error" {
			t.Fatalf("formats[0] is %s", fs.format.name)
		}
		for _, tb := range []*textBuf{nil, {b: []byte("left over"), spans: make([]textSpan, 3)}} {
			if tb != nil {
				sc.texts.put(tb) // a used one, as the next chunk gets it
			}
			got := sc.parseChunk(fs, data, &nginxError{loc: time.UTC})
			want := sc.parseChunk(fs, data, plainParser{&nginxError{loc: time.UTC}})
			if len(got.entries) != len(want.entries) {
				t.Fatalf("%s: %d entries, want %d", name, len(got.entries), len(want.entries))
			}
			for i := range got.entries {
				if got.entries[i] != want.entries[i] {
					t.Errorf("%s: entry %d:\n%+v\nwant\n%+v", name, i, got.entries[i], want.entries[i])
				}
			}
			n += len(got.entries)
		}
	}
	if n < 100 {
		t.Errorf("%d failures read; want at least 100", n)
	}
}

// limitMessages are limit_req messages, and messages that look like them,
// with zone names that hold what readNgxMessage looks for.
var limitMessages = []string{
	`limiting requests, excess: 0.953 by zone "perip"`,
	`limiting requests, excess: 12.000 by zone "no live upstreams"`,
	`limiting requests, excess: 1.5 by zone "x" while reading upstream`,
	`limiting requests, excess: 7 no valid HTTP/1.0 header`,
	`limiting requests, excess: 1.0 header`,
	`limiting requests, excess: ..5 (111: Connection refused) while connecting to upstream`,
	`limiting requests, excess: 3while proxying upgraded upstream`,
	`limiting requests, excess: 0`,
	`limiting requests, excess: `,
	`limiting requests, excess: x by zone "perip"`,
	`limiting requests, dry run, excess: 0.953 by zone "perip"`,
	`limiting connections by zone "addr"`,
}

func checkLimitMessage(t *testing.T, warm *nginxError, msg []byte) {
	t.Helper()
	got, want := warm.message(msg), readNgxMessage(msg)
	if got != want {
		t.Errorf("%q: looked up %+v, read %+v", msg, got, want)
	}
}

// TestNgxLimitMessage reads limit_req messages with a parser that has met
// them with other excesses, and checks what it looks up against what
// reading each anew says.
func TestNgxLimitMessage(t *testing.T) {
	warm := &nginxError{loc: time.UTC}
	for _, m := range limitMessages {
		warm.message([]byte(strings.Replace(m, "excess: ", "excess: 99.9", 1)))
	}
	for _, m := range limitMessages {
		checkLimitMessage(t, warm, []byte(m))
		checkLimitMessage(t, warm, []byte(m)) // looked up the second time
	}
}

// FuzzNgxLimitMessage checks the look-up of limit_req messages on any
// excess and any rest, after messages with another excess and with an
// excess of 0.
func FuzzNgxLimitMessage(f *testing.F) {
	for _, m := range limitMessages {
		if rest, ok := strings.CutPrefix(m, ngxLimitPrefix); ok {
			f.Add("0.953", rest)
		}
	}
	f.Fuzz(func(t *testing.T, excess, rest string) {
		warm := &nginxError{loc: time.UTC}
		warm.message([]byte(ngxLimitPrefix + "1.000" + rest))
		warm.message([]byte(ngxLimitPrefix + "0" + rest))
		checkLimitMessage(t, warm, []byte(ngxLimitPrefix+excess+rest))
		checkLimitMessage(t, warm, []byte(rest))
	})
}
