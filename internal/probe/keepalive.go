package probe

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

// KeepAliveOptions tune a KeepAlive probe. The zero value is usable.
type KeepAliveOptions struct {
	// ConnectTo, when set, is dialled instead of the URL's host:
	// "host:port" or "unix:/path".
	ConnectTo string
	// Header is sent with the request (Host, when set, replaces the URL's).
	Header http.Header
	// Wait is the longest the idle connection is watched; default 10s.
	Wait time.Duration
	// Timeout bounds connecting and the exchange before the wait; default 5s.
	Timeout time.Duration
	// Insecure skips certificate verification for https URLs.
	Insecure bool
	// Dialer and Resolver default to net's.
	Dialer   Dialer
	Resolver Resolver
}

// KeepAliveResult is what a server does with an idle keep-alive
// connection after it answered one request on it.
type KeepAliveResult struct {
	// Status of the response; 0 when none came.
	Status int `json:"status"`
	// Reusable is set when the response let the connection stay open (no
	// "Connection: close", a body of known length read to its end).
	Reusable bool `json:"reusable"`
	// Closed is set when the server closed the idle connection within the
	// wait; Idle is then how long it stayed open after the response.
	Closed bool          `json:"closed"`
	Idle   time.Duration `json:"-"`
	// Class and Error say why the probe stopped early.
	Class Class  `json:"class,omitempty"`
	Error string `json:"error,omitempty"`
}

// MarshalJSON writes Idle as idle_ms, as Timings does.
func (k KeepAliveResult) MarshalJSON() ([]byte, error) {
	type plain KeepAliveResult
	return json.Marshal(struct {
		plain
		IdleMS float64 `json:"idle_ms"`
	}{plain(k), millis(k.Idle)})
}

// UnmarshalJSON reads a KeepAliveResult as MarshalJSON writes it.
func (k *KeepAliveResult) UnmarshalJSON(b []byte) error {
	type plain KeepAliveResult
	var in struct {
		plain
		IdleMS float64 `json:"idle_ms"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*k = KeepAliveResult(in.plain)
	k.Idle = fromMillis(in.IdleMS)
	return nil
}

// KeepAlive sends one GET for rawURL on a fresh connection that asks to be
// kept alive, reads the answer, and then watches the idle connection for
// the server to close it, for at most opts.Wait. A gateway that keeps idle
// upstream connections open longer than the upstream does may send a
// request on a connection at the moment the upstream closes it: the
// intermittent "upstream prematurely closed connection" of keep-alive
// races.
func KeepAlive(ctx context.Context, rawURL string, opts KeepAliveOptions) KeepAliveResult {
	if opts.Wait <= 0 {
		opts.Wait = 10 * time.Second
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return KeepAliveResult{Class: ClassOther, Error: fmt.Sprintf("parsing URL %q: not an absolute http(s) URL", rawURL)}
	}
	// Connecting and TLS are the HTTP probe's, under the same deadlines.
	// It speaks HTTP/1.1 by hand, so it offers nothing else in ALPN.
	hp := &httpProbe{res: &Result{}, opts: Options{ConnectTo: opts.ConnectTo, Insecure: opts.Insecure,
		PhaseTimeout: opts.Timeout, Dialer: opts.Dialer, Resolver: opts.Resolver, Protocol: ProtocolHTTP1}}
	hp.opts.defaults()
	c, err := hp.open(ctx, u)
	if err != nil {
		return KeepAliveResult{Class: hp.res.Class, Error: hp.res.Err.Error()}
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	res, br, err := keepAliveExchange(c, u, opts)
	if err != nil {
		res.Class, res.Error = Classify(PhaseHeaders, err), err.Error()
		return res
	}
	if !res.Reusable {
		return res
	}
	res = watchIdle(c, br, opts.Wait, res)
	if err := ctx.Err(); err != nil && !res.Closed {
		res.Class, res.Error = ClassDeadline, "watching the idle connection: "+err.Error()
	}
	return res
}

// keepAliveExchange writes the request and reads the response, its body
// capped at 256 KiB.
func keepAliveExchange(c net.Conn, u *url.URL, opts KeepAliveOptions) (KeepAliveResult, *bufio.Reader, error) {
	var res KeepAliveResult
	c.SetDeadline(time.Now().Add(opts.Timeout))
	req := &http.Request{Method: http.MethodGet, URL: u, Host: u.Host, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	for k, vs := range opts.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if h := req.Header.Get("Host"); h != "" {
		req.Host = h
		req.Header.Del("Host")
	}
	req.Header.Set("Connection", "keep-alive")
	if err := req.Write(c); err != nil {
		return res, nil, fmt.Errorf("writing the request: %w", err)
	}
	br := bufio.NewReader(io.LimitReader(c, 1<<30))
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return res, nil, fmt.Errorf("reading the response: %w", err)
	}
	res.Status = resp.StatusCode
	n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 256<<10+1))
	resp.Body.Close()
	// A body delimited by the end of the connection sets resp.Close too.
	res.Reusable = err == nil && n <= 256<<10 && !resp.Close
	return res, br, nil
}

// watchIdle waits for the server to close the idle connection.
func watchIdle(c net.Conn, br *bufio.Reader, wait time.Duration, res KeepAliveResult) KeepAliveResult {
	start := time.Now()
	c.SetDeadline(start.Add(wait))
	_, err := br.ReadByte()
	res.Idle = time.Since(start)
	switch {
	case err == nil:
		res.Class, res.Error = ClassMalformed, "the server sent bytes on an idle connection"
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
		res.Closed = true
	case isTimeout(err):
		res.Idle = wait
	default:
		res.Class, res.Error = Classify(PhaseBody, err), err.Error()
	}
	return res
}
