package logscan

import (
	"bytes"
	"io"
)

// sampleLines returns up to n non-empty lines from the start of b.
func sampleLines(b []byte, n, maxLen int) [][]byte {
	var out [][]byte
	for len(b) > 0 && len(out) < n {
		l := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			l, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		l = bytes.TrimSuffix(l, []byte("\r"))
		if len(l) > 0 && len(l) <= maxLen {
			out = append(out, l)
		}
	}
	return out
}

// chunkReader cuts a stream into chunks that end at a line's end. A line
// longer than max is not kept: it is dropped up to its newline and counted.
type chunkReader struct {
	r        io.Reader
	max      int
	size     int
	buf      func() *[]byte // a buffer of size bytes
	carry    []byte
	skipping bool
	eof      bool
}

// next returns a buffer whose first n bytes are whole lines (at EOF, the
// last may lack its newline), and how many too-long lines ended before them.
func (c *chunkReader) next() (buf *[]byte, n int, skipped int64, err error) {
	if c.eof {
		return nil, 0, 0, io.EOF
	}
	buf = c.buf()
	b := *buf
	n = copy(b, c.carry)
	c.carry = c.carry[:0]
	for {
		m, rerr := io.ReadFull(c.r, b[n:])
		n += m
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			c.eof = true
		} else if rerr != nil {
			return buf, 0, skipped, rerr
		}
		if !c.skipping {
			break
		}
		i := bytes.IndexByte(b[:n], '\n')
		switch {
		case i >= 0:
			n = copy(b, b[i+1:n])
			c.skipping = false
			skipped++
		case c.eof:
			n = 0
			c.skipping = false
			skipped++
		default:
			n = 0
		}
		if c.eof || !c.skipping && n == len(b) {
			break
		}
	}
	if c.eof {
		return buf, n, skipped, io.EOF
	}
	cut := bytes.LastIndexByte(b[:n], '\n')
	if cut < 0 {
		c.skipping = true
		return buf, 0, skipped, nil
	}
	if tail := b[cut+1 : n]; len(tail) > c.max {
		c.skipping = true
	} else {
		c.carry = append(c.carry, tail...)
	}
	return buf, cut + 1, skipped, nil
}
