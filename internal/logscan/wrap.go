package logscan

import (
	"bytes"
	"strconv"
	"time"
)

// wrapKind is a prefix that a log's collector writes before each line,
// whatever the format of the line inside.
type wrapKind uint8

const (
	wrapCRI     wrapKind = iota + 1 // Kubernetes CRI: "2024-01-01T00:00:00.000000000Z stderr F "
	wrapSyslog                      // "<PRI>", RFC 3164 "Mon DD HH:MM:SS host prog[pid]: ", RFC 5424
	wrapDocker                      // docker logs --timestamps: an RFC 3339 time and a space
	wrapCompose                     // docker compose and swarm services: "web-1  | "
	wrapTAI64N                      // s6-log's "t" directive: "@4000000060a1b2c3d4e5f607 "
	wrapStamp                       // s6-log's "T" directive and other collectors: "2015-11-28 09:46:25.676384500 "
	wrapQuote                       // a quoted post's marker: "> "
	wrapLogplex                     // heroku logs: "2016-08-26T16:44:51.092317+00:00 app[web.1]: "
	wrapMarkup                      // a post's code markup: a code block's indent, inline code's backticks, quotes
)

// wrapKinds are tried in this order: CRI and RFC 5424 lines begin with the
// time docker's own prefix is made of, and so do Logplex's, whose prefix
// is the longer.
var wrapKinds = []wrapKind{wrapCRI, wrapSyslog, wrapLogplex, wrapDocker, wrapCompose, wrapTAI64N, wrapStamp, wrapQuote, wrapMarkup}

var wrapNames = map[wrapKind]string{
	wrapCRI: "cri", wrapSyslog: "syslog", wrapDocker: "docker", wrapCompose: "compose", wrapTAI64N: "s6",
	wrapStamp: "stamp", wrapQuote: "quote", wrapLogplex: "logplex", wrapMarkup: "markup",
}

// strip removes one wrapper of kind k from line. It returns the line
// inside, the wrapper's time as written (nil if it has none), whether this
// line is the partial start of a longer one (CRI "P"), and whether the
// wrapper was there at all.
func (k wrapKind) strip(line []byte) (inner, ts []byte, partial, ok bool) {
	switch k {
	case wrapCRI:
		return stripCRI(line)
	case wrapSyslog:
		inner, ts, ok = stripSyslog(line)
	case wrapDocker:
		inner, ts, ok = stripDocker(line)
	case wrapCompose:
		inner, ok = stripCompose(line)
	case wrapTAI64N:
		inner, ts, ok = stripTAI64N(line)
	case wrapStamp:
		inner, ts, ok = stripStamp(line)
	case wrapQuote:
		inner, ok = stripQuote(line)
	case wrapLogplex:
		inner, ts, ok = stripLogplex(line)
	case wrapMarkup:
		inner, ok = stripMarkup(line)
	}
	return inner, ts, false, ok
}

// rfc3339Len returns the length of the RFC 3339 time at the start of b
// ("2024-01-01T00:00:00.123456789Z", "+01:00" or "+0100" zones), or 0.
func rfc3339Len(b []byte) int {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || num4(b, 0) < 0 {
		return 0
	}
	i := 19
	if b[i] == '.' {
		i++
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	switch {
	case i < len(b) && b[i] == 'Z':
		return i + 1
	case i+5 < len(b) && (b[i] == '+' || b[i] == '-') && b[i+3] == ':':
		return i + 6
	case i+4 < len(b) && (b[i] == '+' || b[i] == '-') && num2(b, i+3) >= 0:
		return i + 5
	}
	return 0
}

// stripDocker removes the time docker logs --timestamps writes.
func stripDocker(line []byte) (inner, ts []byte, ok bool) {
	n := rfc3339Len(line)
	if n == 0 || n >= len(line) || line[n] != ' ' {
		return line, nil, false
	}
	return line[n+1:], line[:n], true
}

// stripCRI removes the kubelet's CRI prefix (time, stream, tag): tag P marks
// a line the runtime split, continued on the next line.
func stripCRI(line []byte) (inner, ts []byte, partial, ok bool) {
	n := rfc3339Len(line)
	if n == 0 || n+10 > len(line) || line[n] != ' ' {
		return line, nil, false, false
	}
	rest := line[n+1:]
	if !bytes.HasPrefix(rest, []byte("stdout ")) && !bytes.HasPrefix(rest, []byte("stderr ")) {
		return line, nil, false, false
	}
	rest = rest[7:]
	if len(rest) < 1 || (rest[0] != 'F' && rest[0] != 'P') || len(rest) > 1 && rest[1] != ' ' {
		return line, nil, false, false
	}
	partial = rest[0] == 'P'
	if len(rest) > 1 {
		rest = rest[2:]
	} else {
		rest = nil
	}
	return rest, line[:n], partial, true
}

// stripCompose removes the service column of docker compose ("web-1  | ",
// "nginx_1       | ") and docker service logs ("name.1.id@node    | ").
func stripCompose(line []byte) (inner []byte, ok bool) {
	i := 0
	for i < len(line) && i < 128 && composeNameByte(line[i]) {
		i++
	}
	if i == 0 || i >= len(line) || line[i] != ' ' {
		return line, false
	}
	for i < len(line) && line[i] == ' ' {
		i++
	}
	if i >= len(line) || line[i] != '|' {
		return line, false
	}
	if i+1 == len(line) {
		return nil, true
	}
	if line[i+1] != ' ' {
		return line, false
	}
	return line[i+2:], true
}

func composeNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '@'
}

// stripTAI64N removes s6-log's TAI64N label.
func stripTAI64N(line []byte) (inner, ts []byte, ok bool) {
	if len(line) < 26 || line[0] != '@' || line[25] != ' ' {
		return line, nil, false
	}
	for _, c := range line[1:25] {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return line, nil, false
		}
	}
	return line[26:], line[:25], true
}

// stripStamp removes a local time written "2006-01-02 15:04:05", with or
// without a fraction, and the spaces after it: s6-log's "T" directive
// (skarnet.org/software/s6/s6-log.html) and collectors that write the time
// they read a line. A time followed by anything but a space (lighttpd's
// "2025-07-13 19:22:02: ") is a format's own.
func stripStamp(line []byte) (inner, ts []byte, ok bool) {
	n := stampLen(line)
	if n == 0 || n >= len(line) || line[n] != ' ' {
		return line, nil, false
	}
	return bytes.TrimLeft(line[n:], " "), line[:n], true
}

// stripLogplex removes the prefix of a line as heroku logs shows it
// (Heroku Dev Center, "Logging": "timestamp source[dyno]: message"), where
// the source is app, for the app's own processes, or heroku, for the
// platform's, its router among them: "2016-08-26T16:44:51.092317+00:00
// heroku[router]: ".
func stripLogplex(line []byte) (inner, ts []byte, ok bool) {
	n := rfc3339Len(line)
	if n == 0 || n+1 >= len(line) || line[n] != ' ' {
		return line, nil, false
	}
	rest := line[n+1:]
	src := 0
	switch {
	case bytes.HasPrefix(rest, []byte("app[")):
		src = 4
	case bytes.HasPrefix(rest, []byte("heroku[")):
		src = 7
	default:
		return line, nil, false
	}
	end := bytes.Index(rest[:min(len(rest), src+68)], []byte("]: "))
	if end <= src {
		return line, nil, false
	}
	for _, c := range rest[src:end] {
		if !composeNameByte(c) {
			return line, nil, false
		}
	}
	return rest[end+3:], line[:n], true
}

// stripQuote removes the marker of a quoted line, "> " or a lone ">", as
// Markdown and e-mail quote what they cite (CommonMark §5.1): a log quoted
// in a post or a reply, often only some of its lines.
func stripQuote(line []byte) (inner []byte, ok bool) {
	switch {
	case len(line) == 1 && line[0] == '>':
		return nil, true
	case len(line) > 1 && line[0] == '>' && line[1] == ' ':
		return line[2:], true
	}
	return line, false
}

// stripMarkup removes how a post sets a log line apart as code: the
// indentation of a code block (CommonMark §4.4, or a pager's), the
// backticks of inline code (§6.1), or single quotes around it. Lines of
// a log that carry indentation of their own (continuations) are read
// better without this wrapper, and detection then leaves it out.
func stripMarkup(line []byte) (inner []byte, ok bool) {
	inner = bytes.TrimLeft(line, " \t")
	ok = len(inner) < len(line)
	if len(inner) > 1 && (inner[0] == '`' || inner[0] == '\'') {
		q := inner[0]
		inner = inner[1:]
		if t := bytes.TrimRight(inner, " \t"); len(t) > 0 && t[len(t)-1] == q {
			inner = t[:len(t)-1]
		}
		ok = true
	}
	return inner, ok && len(inner) > 0
}

// stampLen returns the length of the "2006-01-02 15:04:05[.999999999]"
// time at the start of b, or 0.
func stampLen(b []byte) int {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != ' ' || b[13] != ':' || b[16] != ':' || num4(b, 0) < 0 {
		return 0
	}
	if _, _, _, ok := clock(b, 11); !ok {
		return 0
	}
	i := 19
	if b[i] == '.' {
		i++
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	return i
}

// wrapTime reads the time of a wrapper as strip returned it.
func wrapTime(ts []byte, loc *time.Location) time.Time {
	switch {
	case len(ts) == 0:
		return time.Time{}
	case ts[0] == '@':
		return taiTime(ts[1:])
	case stampLen(ts) == len(ts):
		t, _ := time.ParseInLocation("2006-01-02 15:04:05.999999999", string(ts), loc)
		return t
	case rfc3339Len(ts) == len(ts):
		if t, ok := timeRFC3339(ts); ok {
			return t
		}
		t, _ := time.Parse("2006-01-02T15:04:05.999999999-0700", string(ts))
		return t
	}
	return syslogTime(ts, loc)
}

// taiTime reads the 24 hex digits of a TAI64N label: 2^62 plus TAI seconds,
// then nanoseconds. TAI runs 37 s ahead of UTC since 2017 (IERS Bulletin C);
// older labels come out up to that many seconds late.
func taiTime(h []byte) time.Time {
	var sec, ns uint64
	for i, c := range h {
		d := uint64(c - '0')
		if c >= 'a' {
			d = uint64(c-'a') + 10
		}
		if i < 16 {
			sec = sec<<4 | d
		} else {
			ns = ns<<4 | d
		}
	}
	return time.Unix(int64(sec-1<<62)-37, int64(ns)).UTC()
}

// unwrapper strips a file's wrappers, outermost first, then the first
// skip words of what is left: a prefix of no known kind that every line of
// the file has (a log viewer's pod and container names, a collector's
// level and labels), found because the lines read after it.
type unwrapper struct {
	kinds []wrapKind
	skip  int
	loc   *time.Location
}

// name names the wrappers for the report: "syslog+compose".
func (u *unwrapper) name() string {
	var b []byte
	for i, k := range u.kinds {
		if i > 0 {
			b = append(b, '+')
		}
		b = append(b, wrapNames[k]...)
	}
	if u.skip > 0 {
		if len(b) > 0 {
			b = append(b, '+')
		}
		b = append(b, "prefix("...)
		b = strconv.AppendInt(b, int64(u.skip), 10)
		b = append(b, " words)"...)
	}
	return string(b)
}

// skipWords returns line without its first n words and the spaces after
// them; ok is false when it has no more than n words.
func skipWords(line []byte, n int) (rest []byte, ok bool) {
	line = bytes.TrimLeft(line, " \t")
	for range n {
		i := bytes.IndexAny(line, " \t")
		if i < 0 {
			return line, false
		}
		line = bytes.TrimLeft(line[i:], " \t")
	}
	return line, len(line) > 0
}

// unwrap returns the line inside the wrappers, the outermost wrapper's time
// as written, and whether the line is the partial start of a longer one. A
// line without one of the wrappers is read on with the others.
func (u *unwrapper) unwrap(line []byte) (inner, ts []byte, partial bool) {
	for _, k := range u.kinds {
		in, t, p, ok := k.strip(line)
		if !ok {
			continue
		}
		if ts == nil {
			ts = t
		}
		line, partial = in, partial || p
	}
	if u.skip > 0 {
		if in, ok := skipWords(line, u.skip); ok {
			line = in
		}
	}
	return line, ts, partial
}

// detectWraps finds the wrappers around most of the sample's lines,
// outermost first (a journal of docker compose output has two); nil when
// there are none.
func detectWraps(sample [][]byte, loc *time.Location) *unwrapper {
	lines := append([][]byte(nil), sample...)
	var kinds []wrapKind
	for len(kinds) < 3 {
		best, bestN := wrapKind(0), 0
		for _, k := range wrapKinds {
			n := 0
			for _, l := range lines {
				if _, _, _, ok := k.strip(l); ok {
					n++
				}
			}
			if n > bestN {
				best, bestN = k, n
			}
		}
		if best == 0 || bestN*2 < len(lines) {
			break
		}
		kinds = append(kinds, best)
		for i, l := range lines {
			lines[i], _, _, _ = best.strip(l)
		}
	}
	if kinds == nil {
		return nil
	}
	return &unwrapper{kinds: kinds, loc: loc}
}

// join unwraps a line of a chunk: it returns the line inside and the
// wrapper's time, or nil for a line with nothing inside or a CRI partial
// line, which is kept in pending until the line that ends it.
func (u *unwrapper) join(line []byte, pending *[]byte) (inner, ts []byte) {
	inner, ts, partial := u.unwrap(line)
	if partial {
		*pending = append(*pending, inner...)
		return nil, nil
	}
	if len(*pending) > 0 {
		inner = append(*pending, inner...)
		*pending = inner[:0]
	}
	if len(inner) == 0 {
		return nil, nil
	}
	return inner, ts
}
