package logscan

import "bytes"

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

// ngxFieldsByCommas finds what ngxFieldsAnywhere finds in one pass, from
// comma to comma with IndexByte, which is vectorised: each field of the
// tail starts with a comma, and a later ", client: " starts the tail
// afresh.
func ngxFieldsByCommas(rest []byte) ngxFields {
	k, clientEnd, reqAt, upsAt := -1, -1, -1, -1
	for i := 0; ; i++ {
		j := bytes.IndexByte(rest[i:], ',')
		if j < 0 {
			break
		}
		i += j
		if k >= 0 && clientEnd < 0 {
			clientEnd = i
		}
		f := rest[i:]
		if len(f) < 10 {
			continue
		}
		// The third byte tells the names apart; each is then compared
		// with a constant, which takes a few loads.
		switch f[2] {
		case 'c':
			if string(f[:10]) == ", client: " {
				k, clientEnd, reqAt, upsAt = i, -1, -1, -1
			}
		case 'r':
			if k >= 0 && reqAt < 0 && len(f) >= 12 && string(f[:12]) == `, request: "` {
				reqAt = i
			}
		case 'u':
			if k >= 0 && upsAt < 0 && len(f) >= 13 && string(f[:13]) == `, upstream: "` {
				upsAt = i
			}
		}
	}
	if k < 0 {
		return ngxFields{tail: len(rest)}
	}
	f := ngxFields{tail: k, client: capLen(rest[k+10:], 64)}
	if clientEnd >= 0 {
		f.client = rest[k+10 : clientEnd]
	}
	f.req = quotedAt(rest, reqAt, len(`, request: "`))
	f.ups = quotedAt(rest, upsAt, len(`, upstream: "`))
	return f
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
	var method, path, scheme, addr []byte
	if f.req != nil {
		method, path = splitRequest(f.req)
	}
	if f.ups != nil {
		scheme, addr = splitUpstream(capLen(f.ups, 256))
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
