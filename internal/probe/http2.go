package probe

//lint:file-ignore SA1019 the probe dials and handshakes each connection itself to time every phase, and speaks HTTP/2 on it for one request with x/net/http2, whose ClientConn takes such a connection.

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/net/http2"
)

// maxGoAwayDebug caps the GOAWAY debug data kept in a result.
const maxGoAwayDebug = 1024

// exchangeH2 sends the request over HTTP/2 on conn, whose handshake chose
// h2, and reads the response head and a capped body. The connection is
// the probe's own, dialled and handshaken with its timings; x/net/http2
// only speaks the protocol on it, one stream, then the connection closes.
func (p *httpProbe) exchangeH2(ctx context.Context, conn *tls.Conn, u *url.URL) {
	// The client's reads run in its own goroutine: a deadline on the
	// connection ends them when the probe's does.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	tap := &frameTap{Conn: conn, max: p.opts.MaxHeaderBytes + int(p.opts.MaxBodyBytes) + 64<<10}
	// The client's own limit is set well above the cap, which h2Capped
	// applies: x/net/http2 closes the connection with PROTOCOL_ERROR or
	// COMPRESSION_ERROR, as if the server had broken the protocol, on a head
	// far over its limit or a field longer than it.
	tr := &http2.Transport{
		DisableCompression: true,
		MaxHeaderListSize:  uint32(min(max(4*p.opts.MaxHeaderBytes, 1<<20), 1<<31)),
	}
	cc, err := tr.NewClientConn(tap)
	if err != nil {
		p.fail(PhaseRequest, fmt.Errorf("starting HTTP/2: %w", err))
		return
	}
	defer cc.Close()
	rt := h2Capped{cc: cc, max: p.opts.MaxHeaderBytes}
	p.roundTrip(ctx, rt, u, func(err error) error { return h2Failure(err, tap.goAway()) })
}

// h2Capped refuses a response whose header list is larger than max, as the
// HTTP/1.1 probe refuses a head larger than its cap.
type h2Capped struct {
	cc  *http2.ClientConn
	max int
}

func (c h2Capped) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.cc.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if n := headerListSize(resp); n > c.max {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %d bytes of header fields, more than %d", errHeaderTooBig, n, c.max)
	}
	return resp, nil
}

// headerListSize is the size of a response's header list as HTTP/2
// counts it against SETTINGS_MAX_HEADER_LIST_SIZE: each field's name and
// value plus 32 octets, :status included (RFC 9113 section 6.5.2).
func headerListSize(resp *http.Response) int {
	n := len(":status") + 3 + 32
	for k, vs := range resp.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 32
		}
	}
	return n
}

// frameTap keeps a copy of what the server sent on an HTTP/2 connection,
// up to max bytes, so that a GOAWAY frame can be read after the fact:
// x/net/http2 reports a GOAWAY that arrives before the response only as
// text, without its debug data.
type frameTap struct {
	net.Conn
	max int
	mu  sync.Mutex
	buf []byte
}

func (t *frameTap) Read(b []byte) (int, error) {
	n, err := t.Conn.Read(b)
	t.mu.Lock()
	if keep := min(n, t.max-len(t.buf)); keep > 0 {
		t.buf = append(t.buf, b[:keep]...)
	}
	t.mu.Unlock()
	return n, err
}

// goAway returns the first GOAWAY frame among what the server sent, as
// x/net/http2's own error type; nil when there was none.
func (t *frameTap) goAway() *http2.GoAwayError {
	t.mu.Lock()
	data := bytes.Clone(t.buf)
	t.mu.Unlock()
	fr := http2.NewFramer(io.Discard, bytes.NewReader(data))
	fr.SetMaxReadFrameSize(1<<24 - 1) // the largest a frame can be (RFC 9113 section 4.2)
	for {
		f, err := fr.ReadFrame()
		var se http2.StreamError
		switch {
		case errors.As(err, &se):
			continue // a frame the client refused; the framing goes on
		case err != nil:
			return nil
		}
		if g, ok := f.(*http2.GoAwayFrame); ok {
			debug := g.DebugData()
			return &http2.GoAwayError{LastStreamID: g.LastStreamID, ErrCode: g.ErrCode,
				DebugData: string(debug[:min(len(debug), maxGoAwayDebug)])}
		}
	}
}
