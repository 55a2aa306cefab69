package logscan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// ngxFields are the parts of an nginx error line after its connection
// number: the message is rest[:tail], and the tail, from the last
// ", client: " on (ngx_http_log_error_handler), names the client, the
// request line and the upstream, each nil when it does not.
type ngxFields struct {
	tail             int
	client, req, ups []byte
}

// ngxFieldsAnywhere reads the fields as the first line of its kind is
// read: the tail starts at the last ", client: ", the client runs to the
// comma after it, and the request line and upstream are the quoted values
// of the first fields of their names, wherever they are in the tail.
func ngxFieldsAnywhere(rest []byte) ngxFields {
	k := bytes.LastIndex(rest, []byte(", client: "))
	if k < 0 {
		return ngxFields{tail: len(rest)}
	}
	tail := rest[k:]
	client := between(tail, ", client: ", ",")
	if client == nil {
		client = capLen(tail[10:], 64)
	}
	return ngxFields{k, client, between(tail, `, request: "`, `"`), between(tail, `, upstream: "`, `"`)}
}

// ngxFieldsByCommas finds what ngxFieldsAnywhere finds, from comma to
// comma backwards from the line's end: each field of the tail starts with
// a comma, the first ", client: " met is the last one, where the tail
// starts and the walk stops, and the request line and upstream are the
// last of their names met before it. The message before the tail is not
// walked.
func ngxFieldsByCommas(rest []byte) ngxFields {
	next, reqAt, upsAt := -1, -1, -1 // the comma after i; the fields after i
	for i := len(rest); ; {
		i = lastComma(rest[:i])
		if i < 0 {
			return ngxFields{tail: len(rest)}
		}
		if f := rest[i:]; len(f) >= 10 {
			// The third byte tells the names apart; each is then compared
			// with a constant, which takes a few loads.
			switch f[2] {
			case 'c':
				if string(f[:10]) == ", client: " {
					fs := ngxFields{tail: i, client: capLen(rest[i+10:], 64)}
					if next >= 0 {
						fs.client = rest[i+10 : next]
					}
					fs.req = quotedAt(rest, reqAt, len(`, request: "`))
					fs.ups = quotedAt(rest, upsAt, len(`, upstream: "`))
					return fs
				}
			case 'r':
				if len(f) >= 12 && string(f[:12]) == `, request: "` {
					reqAt = i
				}
			case 'u':
				if len(f) >= 13 && string(f[:13]) == `, upstream: "` {
					upsAt = i
				}
			}
		}
		next = i
	}
}

// lastComma returns the index of the last ',' in b, or -1. It compares
// eight bytes at a time from the end, two words a step: x has a zero byte
// where b has a comma, and the mask has the high bit of exactly those
// bytes set.
func lastComma(b []byte) int {
	const lo7, commas = 0x7f7f7f7f7f7f7f7f, 0x2c2c2c2c2c2c2c2c
	i := len(b)
	for ; i >= 16; i -= 16 {
		x := binary.LittleEndian.Uint64(b[i-8:i]) ^ commas
		y := binary.LittleEndian.Uint64(b[i-16:i-8]) ^ commas
		mx, my := ^((x&lo7 + lo7) | x | lo7), ^((y&lo7 + lo7) | y | lo7)
		if mx|my != 0 {
			if mx != 0 {
				return i - 8 + (63-bits.LeadingZeros64(mx))/8
			}
			return i - 16 + (63-bits.LeadingZeros64(my))/8
		}
	}
	if i >= 8 {
		x := binary.LittleEndian.Uint64(b[i-8:i]) ^ commas
		if m := ^((x&lo7 + lo7) | x | lo7); m != 0 {
			return i - 8 + (63-bits.LeadingZeros64(m))/8
		}
		i -= 8
	}
	for i--; i >= 0; i-- {
		if b[i] == ',' {
			return i
		}
	}
	return -1
}

// quotedAt returns the value of the field whose name, n bytes with its
// opening quote, starts at b[at]: up to the next quote; nil when at < 0 or
// the quote does not close.
func quotedAt(b []byte, at, n int) []byte {
	if at < 0 {
		return nil
	}
	v := b[at+n:]
	q := bytes.IndexByte(v, '"')
	if q < 0 {
		return nil
	}
	return v[:q]
}

// setFields sets the entry's client, path, method, upstream and scheme.
func (p *nginxError) setFields(f ngxFields, e *Entry) {
	// The client is an address, one word: a copy that lost the comma
	// after it ("client: XXX server: XXX", a redacted paste) ends it at
	// the space.
	if i := bytes.IndexByte(f.client, ' '); i >= 0 {
		f.client = f.client[:i]
	}
	var method, path, scheme, addr []byte
	if f.req != nil {
		method, path = splitRequest(f.req)
	}
	if f.ups != nil {
		scheme, addr = splitUpstream(capLen(f.ups, 256))
	}
	if p.text != nil && p.text.add(e, f.client, path, addr, method, scheme) {
		return
	}
	// One string holds the five fields: they are read and kept together,
	// and a line then allocates once.
	p.buf = append(append(append(append(append(p.buf[:0], f.client...), path...), addr...), method...), scheme...)
	s := string(p.buf)
	e.Client, s = s[:len(f.client)], s[len(f.client):]
	e.Path, s = s[:len(path)], s[len(path):]
	e.Upstream, s = s[:len(addr)], s[len(addr):]
	e.Method, e.Scheme = s[:len(method)], s[len(method):]
}
