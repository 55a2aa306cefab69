package logscan

import "math"

// textBuf gathers the strings of a chunk's failures, which finish then
// makes in one allocation: a busy error log has a failure on nearly every
// line, and one string each would be a small allocation per line. The
// entries share that string, so an entry kept longer than its batch (an
// example, the key of a count, one given to OnEntry) is detached first.
type textBuf struct {
	b     []byte
	spans []textSpan
}

// textSpan is where one entry's strings are in textBuf.b: at start, one
// after the other, with these lengths.
type textSpan struct {
	start                              int32
	client, path, addr, method, scheme int32
}

// textParser is a parser that can leave the strings of its failures in a
// textBuf: with t set, a failure it reads has its strings set by
// t.finish; with t nil, at once.
type textParser interface {
	setText(t *textBuf)
}

// add keeps the strings of e, which finish sets; false when they do not
// fit, and e is to have its own.
func (t *textBuf) add(e *Entry, client, path, addr, method, scheme []byte) bool {
	n := len(t.b)
	if n+len(client)+len(path)+len(addr)+len(method)+len(scheme) > math.MaxInt32 || len(t.spans) >= math.MaxInt32 {
		return false
	}
	t.b = append(append(append(append(append(t.b, client...), path...), addr...), method...), scheme...)
	t.spans = append(t.spans, textSpan{int32(n), int32(len(client)), int32(len(path)), int32(len(addr)), int32(len(method)), int32(len(scheme))})
	e.text = int32(len(t.spans))
	return true
}

// finish sets the strings of the entries that add kept, and empties t.
func (t *textBuf) finish(entries []Entry) {
	if len(t.spans) > 0 {
		s := string(t.b)
		for i := range entries {
			e := &entries[i]
			if e.text == 0 {
				continue
			}
			sp := t.spans[e.text-1]
			p := int(sp.start)
			e.Client, p = s[p:p+int(sp.client)], p+int(sp.client)
			e.Path, p = s[p:p+int(sp.path)], p+int(sp.path)
			e.Upstream, p = s[p:p+int(sp.addr)], p+int(sp.addr)
			e.Method, p = s[p:p+int(sp.method)], p+int(sp.method)
			e.Scheme = s[p : p+int(sp.scheme)]
			e.text = 0
		}
	}
	t.b, t.spans = t.b[:0], t.spans[:0]
}

// detached returns a copy of e whose strings that a chunk's failures may
// share (see textBuf) are its own, in one allocation; the entry it
// explains, if any, is detached too.
func (e Entry) detached() Entry {
	b := make([]byte, 0, len(e.Client)+len(e.Path)+len(e.Upstream)+len(e.Method)+len(e.Scheme))
	b = append(append(append(append(append(b, e.Client...), e.Path...), e.Upstream...), e.Method...), e.Scheme...)
	s := string(b)
	e.Client, s = s[:len(e.Client)], s[len(e.Client):]
	e.Path, s = s[:len(e.Path)], s[len(e.Path):]
	e.Upstream, s = s[:len(e.Upstream)], s[len(e.Upstream):]
	e.Method, e.Scheme = s[:len(e.Method)], s[len(e.Method):]
	if e.Joined != nil {
		j := e.Joined.detached()
		e.Joined = &j
	}
	return e
}
