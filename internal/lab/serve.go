package lab

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// Limits of the hand-written HTTP/1.1 server.
const (
	maxHead     = 64 << 10         // bytes of one request head
	maxBody     = 1 << 20          // bytes of one request body that are read and discarded
	headTimeout = 30 * time.Second // to read one request head, idle wait included
)

// conn is one client connection and its buffers.
type conn struct {
	raw net.Conn // the TCP connection, for SetLinger
	c   net.Conn // raw, or a TLS server on top of it
	lr  *io.LimitedReader
	br  *bufio.Reader
	bw  *bufio.Writer
}

// serveConn reads requests on raw and answers each according to the fault,
// until the fault or the client ends the connection.
func (u *Upstream) serveConn(raw net.Conn) {
	cn := &conn{raw: raw, c: raw}
	if u.tlsConfig != nil {
		cn.c = tls.Server(raw, u.tlsConfig)
	}
	cn.lr = &io.LimitedReader{R: cn.c}
	cn.br = bufio.NewReader(cn.lr)
	cn.bw = bufio.NewWriter(cn.c)
	wait := headTimeout
	for {
		req, err := cn.readRequest(wait)
		if err != nil {
			if malformedRequest(err) {
				// As net/http and nginx do: a client that does not speak
				// HTTP (a gateway speaking FastCGI to this port) gets a 400.
				io.WriteString(cn.c, badRequest)
			}
			return
		}
		if u.opts.IdleTimeout > 0 {
			// Later requests on this connection may come only this long
			// after the previous answer, as a server's keep-alive timeout.
			wait = u.opts.IdleTimeout
		}
		n := u.requests.Add(1)
		if !u.answer(cn, req, int(n)) {
			return
		}
	}
}

// badRequest is the answer to bytes that are not an HTTP request, as Go's
// net/http server writes it.
const badRequest = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"

// malformedRequest reports a request head that could not be parsed, as
// opposed to a connection that ended or went quiet.
func malformedRequest(err error) bool {
	var ne net.Error
	return !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, net.ErrClosed) &&
		!(errors.As(err, &ne) && ne.Timeout()) && !errors.Is(err, syscall.ECONNRESET)
}

// readRequest reads one request head under the size cap and within wait, then reads and discards its body so that closing the
// connection afterwards sends a FIN: closing a socket with unread input
// sends an RST instead (RFC 1122, 4.2.2.13), which would turn Closed into
// Reset.
func (cn *conn) readRequest(wait time.Duration) (*http.Request, error) {
	if err := cn.c.SetReadDeadline(time.Now().Add(wait)); err != nil {
		return nil, err
	}
	cn.lr.N = maxHead
	req, err := http.ReadRequest(cn.br)
	if err != nil {
		return nil, err
	}
	cn.lr.N = maxBody
	if _, err := io.Copy(io.Discard, req.Body); err != nil {
		return nil, err
	}
	return req, req.Body.Close()
}

// answer carries out the fault for the n-th request read by the upstream
// and reports whether the connection may serve another request.
func (u *Upstream) answer(cn *conn, req *http.Request, n int) bool {
	if p := u.opts.UnhealthyPath; p != "" && req.URL.Path == p {
		return cn.write(req, response{
			status: http.StatusServiceUnavailable,
			header: []string{"Content-Type: text/plain; charset=utf-8"},
			body:   "unhealthy: the database is unreachable\n",
		})
	}
	if u.down() {
		return false // as Closed
	}
	switch u.Fault {
	case Closed:
		return false
	case Reset:
		if tc, ok := cn.raw.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		return false
	case Invalid:
		cn.bw.WriteString("HTTP/1.1 OOPS Bad\r\nContent-Type: text/plain\r\n\r\nnot http\n")
		cn.bw.Flush()
		return false
	case Timeout:
		// Wait for the client to give up or for Close, whichever is first.
		cn.c.SetReadDeadline(time.Time{})
		io.Copy(io.Discard, cn.br)
		return false
	case Slow:
		if !u.sleep(u.opts.Delay) {
			return false
		}
		return cn.write(req, healthy(false))
	case Intermittent:
		if n%u.opts.Every == 0 {
			return false
		}
		// Connection: close keeps every request on a fresh connection.
		// Otherwise a failure on a reused connection is retried by Go's
		// Transport (and by nginx's proxy_next_upstream) for idempotent
		// requests, and the client would never see it.
		return cn.write(req, healthy(true))
	case AppError:
		return cn.write(req, response{
			status: http.StatusBadGateway,
			header: []string{"Content-Type: application/json"},
			body:   AppErrorBody,
		})
	case CookieBomb:
		if _, err := req.Cookie(u.opts.Cookie); err == nil {
			return false
		}
		return cn.write(req, healthy(false))
	case HeaderTooBig:
		return cn.write(req, bigHeaders())
	case Truncated:
		truncated(cn)
		return false
	case Tarpit:
		u.tarpit(cn)
		return false
	case EndlessBody:
		u.endlessBody(cn)
		return false
	default: // Healthy, TLS
		return cn.write(req, healthy(false))
	}
}

// response is a complete answer of the hand-written server.
type response struct {
	status int
	header []string // "Name: value" lines, in order
	body   string
	close  bool // send Connection: close and end the connection
}

func healthy(last bool) response {
	return response{
		status: http.StatusOK,
		header: []string{"Content-Type: text/html; charset=utf-8"},
		body:   HealthyBody,
		close:  last,
	}
}

// bigHeaders is a 200 whose head is about 64 KiB: fifteen Set-Cookie lines
// of 4000 bytes and a 4000-byte Content-Security-Policy. Each line stays
// under Apache's 8190-byte line limit so that it is the total that is too
// big, as with real cookie-heavy sites.
func bigHeaders() response {
	r := healthy(false)
	for i := range 15 {
		r.header = append(r.header, fmt.Sprintf("Set-Cookie: blob%02d=%s; Path=/; HttpOnly", i, strings.Repeat("x", 4000)))
	}
	r.header = append(r.header, "Content-Security-Policy: default-src 'self'; script-src 'self'"+
		strings.Repeat(" https://cdn.example.com", 4000/24))
	return r
}

// write sends r as the answer to req and reports whether the connection
// stays open for another request.
func (cn *conn) write(req *http.Request, r response) bool {
	keep := !r.close && !req.Close
	fmt.Fprintf(cn.bw, "HTTP/1.1 %d %s\r\n", r.status, http.StatusText(r.status))
	fmt.Fprintf(cn.bw, "Date: %s\r\n", time.Now().UTC().Format(http.TimeFormat))
	for _, h := range r.header {
		cn.bw.WriteString(h + "\r\n")
	}
	fmt.Fprintf(cn.bw, "Content-Length: %d\r\n", len(r.body))
	if !keep {
		cn.bw.WriteString("Connection: close\r\n")
	}
	cn.bw.WriteString("\r\n")
	if req.Method != http.MethodHead {
		cn.bw.WriteString(r.body)
	}
	return cn.bw.Flush() == nil && keep
}

// truncatedLength is the Content-Length that Truncated announces; it sends
// only truncatedSent bytes of it.
const (
	truncatedLength = 64 << 10
	truncatedSent   = 1 << 10
)

// truncated announces a 64 KiB body, sends its first KiB and gives up.
func truncated(cn *conn) {
	fmt.Fprintf(cn.bw, "HTTP/1.1 200 OK\r\nDate: %s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n",
		time.Now().UTC().Format(http.TimeFormat), truncatedLength)
	cn.bw.WriteString("<!doctype html>\n<title>lab upstream</title>\n")
	cn.bw.WriteString(strings.Repeat("x", truncatedSent-len("<!doctype html>\n<title>lab upstream</title>\n")))
	cn.bw.Flush()
}

// tarpit sends a status line, then the endless header line pattern one
// byte every 500 ms, until the write fails or Close.
func (u *Upstream) tarpit(cn *conn) {
	const pattern = "X-Tarpit: wait\r\n"
	if _, err := io.WriteString(cn.c, "HTTP/1.1 200 OK\r\n"); err != nil {
		return
	}
	for i := 0; u.sleep(500 * time.Millisecond); i++ {
		if _, err := cn.c.Write([]byte{pattern[i%len(pattern)]}); err != nil {
			return
		}
	}
}

// endlessBody sends a 200 head and then a 1 KiB chunk every 10 ms, never
// the last chunk, until the write fails or Close.
func (u *Upstream) endlessBody(cn *conn) {
	cn.bw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
	if cn.bw.Flush() != nil {
		return
	}
	chunk := "400\r\n" + strings.Repeat("z", 1024) + "\r\n"
	for u.sleep(10 * time.Millisecond) {
		if _, err := io.WriteString(cn.c, chunk); err != nil {
			return
		}
	}
}
