package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Dialer opens connections; *net.Dialer satisfies it.
type Dialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// Resolver looks up host names; *net.Resolver satisfies it.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// Options tune one HTTP probe. The zero value is usable.
type Options struct {
	// Method is the request method; default GET.
	Method string
	// Header is sent with the request as given (Host, when set, replaces the URL's host).
	Header http.Header
	// ConnectTo, when set, is dialled instead of the URL's host: "host:port",
	// or "unix:/path" for a unix socket. Host header and TLS server name still
	// come from the URL, so the same virtual host is asked.
	ConnectTo string
	// Resolve overrides name resolution, keyed "host:port" (as curl's --resolve).
	Resolve map[string]string
	// ServerName overrides the TLS server name (SNI); default the URL's host.
	ServerName string
	// Insecure goes on after a failed certificate verification (the failure is
	// still recorded in TLSInfo); default false.
	Insecure bool
	// RootCAs verifies server certificates; default the system roots.
	RootCAs *x509.CertPool
	// Protocol chooses the HTTP version, with curl's meanings. "" offers
	// h2 and http/1.1 in ALPN over TLS and speaks what the server picks, as
	// browsers do; "http1.1" offers only http/1.1 (curl --http1.1); "h2"
	// asks for h2 (curl --http2), which over TLS is the same offer as "" and
	// over plain http stays HTTP/1.1, as browsers do. Default "".
	Protocol string
	// Family restricts the addresses dialled to one IP family, "4" or "6"
	// (curl -4, -6). With "", a name with addresses of both families is
	// dialled as browsers do: IPv6 first, IPv4 after FallbackDelay or as
	// soon as IPv6 failed (RFC 8305). Default "".
	Family string
	// FallbackDelay is how long IPv6 runs alone before IPv4 starts; default
	// 250ms, RFC 8305 section 5's Connection Attempt Delay.
	FallbackDelay time.Duration
	// Timeout bounds the whole probe; default 15s.
	Timeout time.Duration
	// PhaseTimeout bounds each of DNS, connect and TLS; default 5s.
	PhaseTimeout time.Duration
	// MaxHeaderBytes caps the response head; default 1 MiB.
	MaxHeaderBytes int
	// MaxBodyBytes caps the body read; default 256 KiB.
	MaxBodyBytes int64
	// Dialer and Resolver default to net's.
	Dialer   Dialer
	Resolver Resolver
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.Method == "" {
		o.Method = http.MethodGet
	}
	if o.FallbackDelay <= 0 {
		o.FallbackDelay = 250 * time.Millisecond
	}
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	if o.PhaseTimeout <= 0 {
		o.PhaseTimeout = 5 * time.Second
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = 1 << 20
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 256 << 10
	}
	if o.Dialer == nil {
		o.Dialer = &net.Dialer{}
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// HTTP makes one request to rawURL on a fresh connection and returns what it
// saw. It never returns nil; failures are in Result.Err and Result.Class.
func HTTP(ctx context.Context, rawURL string, opts Options) *Result {
	opts.defaults()
	p := &httpProbe{opts: opts, res: &Result{Method: opts.Method, URL: rawURL, Started: opts.Now()}}
	return p.res.within(ctx, opts.Timeout, opts.Now, func(ctx context.Context) { p.run(ctx, rawURL) })
}

// The choices of Options.Protocol.
const (
	ProtocolAuto  = ""        // h2 or http/1.1, as the server picks
	ProtocolHTTP1 = "http1.1" // HTTP/1.1 only
	ProtocolH2    = "h2"      // ask for h2
)

// The protocols a probe speaks, as Result.Protocol records them: their
// ALPN identifiers (RFC 7301, RFC 9113 section 3.2).
const (
	ALPNHTTP1 = "http/1.1"
	ALPNH2    = "h2"
)

// check refuses option values that the probe does not know.
func (o *Options) check() error {
	switch o.Protocol {
	case ProtocolAuto, ProtocolHTTP1, ProtocolH2, ALPNHTTP1:
	default:
		return fmt.Errorf("unknown protocol %q: want %q, %q or %q", o.Protocol, ProtocolAuto, ProtocolHTTP1, ProtocolH2)
	}
	switch o.Family {
	case FamilyAny, Family4, Family6:
	default:
		return fmt.Errorf("unknown address family %q: want %q, %q or %q", o.Family, FamilyAny, Family4, Family6)
	}
	return nil
}

type httpProbe struct {
	opts Options
	res  *Result
}

func (p *httpProbe) fail(phase Phase, err error) { p.res.fail(phase, err) }

func (p *httpProbe) run(ctx context.Context, rawURL string) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		err = fmt.Errorf("parsing URL %q: not an absolute http(s) URL", rawURL)
	} else {
		err = p.opts.check()
	}
	if err != nil {
		p.fail(PhaseNone, err)
		p.res.Class = ClassOther
		return
	}
	conn, err := p.open(ctx, u)
	if err != nil {
		return
	}
	defer conn.Close()
	if tc, ok := conn.(*tls.Conn); ok && tc.ConnectionState().NegotiatedProtocol == ALPNH2 {
		p.res.Protocol = ALPNH2
		p.exchangeH2(ctx, tc, u)
		return
	}
	p.res.Protocol = ALPNHTTP1
	p.exchange(ctx, conn, u)
}

// open connects to the URL's server (or ConnectTo) and, for https, runs
// TLS; failures are recorded in p.res.
func (p *httpProbe) open(ctx context.Context, u *url.URL) (net.Conn, error) {
	conn, err := p.connect(ctx, u)
	if err != nil || u.Scheme != "https" {
		return conn, err
	}
	tconn, err := p.handshake(ctx, conn, u)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return tconn, nil
}

// exchange sends the request on conn over HTTP/1.1 and reads the
// response head and a capped body.
func (p *httpProbe) exchange(ctx context.Context, conn net.Conn, u *url.URL) {
	var once sync.Once
	tr := &http.Transport{
		DisableKeepAlives:      true,
		DisableCompression:     true,
		MaxResponseHeaderBytes: int64(p.opts.MaxHeaderBytes),
	}
	give := func(context.Context, string, string) (net.Conn, error) {
		var c net.Conn
		once.Do(func() { c = conn })
		if c == nil {
			return nil, errors.New("probe connection already used")
		}
		return c, nil
	}
	if _, ok := conn.(*tls.Conn); ok {
		tr.DialTLSContext = give
	} else {
		tr.DialContext = give
	}
	defer tr.CloseIdleConnections()
	p.roundTrip(ctx, tr, u, nil)
}

// roundTrip sends the request through rt, timing it with httptrace, and
// reads the response head and a capped body, each under what is left of
// the probe's deadline. explain, when set, adds what the connection knows
// to an error (the HTTP/2 probe's GOAWAY).
func (p *httpProbe) roundTrip(ctx context.Context, rt http.RoundTripper, u *url.URL, explain func(error) error) {
	if explain == nil {
		explain = func(err error) error { return err }
	}
	// The transports call the trace hooks from their own goroutines, which
	// may still run when RoundTrip has returned with an error.
	var mu sync.Mutex
	var wrote, firstByte time.Time
	trace := &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) {
			mu.Lock()
			wrote = p.opts.Now()
			mu.Unlock()
		},
		GotFirstResponseByte: func() {
			mu.Lock()
			firstByte = p.opts.Now()
			mu.Unlock()
		},
	}
	req, err := p.newRequest(httptrace.WithClientTrace(ctx, trace), u)
	if err != nil {
		p.fail(PhaseRequest, fmt.Errorf("building request: %w", err))
		return
	}
	// The head deadline is whatever is left of the probe's budget: a
	// gateway's own timeout (nginx 60 s, Cloudflare 100 s) is evidence,
	// so the probe waits for it as long as the caller allows.
	resp, err := rt.RoundTrip(req)
	mu.Lock()
	sent, first := wrote, firstByte
	mu.Unlock()
	if !sent.IsZero() {
		p.res.Reached = PhaseRequest
	}
	if !first.IsZero() {
		p.res.Timings.TTFB = first.Sub(sent)
	}
	if err != nil {
		phase := PhaseHeaders
		if sent.IsZero() {
			phase = PhaseRequest
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("%w: %w", errHeaderTimeout, err)
		}
		if first.IsZero() && !sent.IsZero() {
			// Time spent waiting, up to the failure.
			p.res.Timings.TTFB = p.opts.Now().Sub(sent)
		}
		p.fail(phase, fmt.Errorf("reading response head: %w", explain(err)))
		return
	}
	p.res.Reached = PhaseHeaders
	p.res.Response = &Response{Proto: resp.Proto, Status: resp.StatusCode, Header: resp.Header, HeaderBytes: headerBytes(resp)}
	p.readBody(resp, explain)
}

// newRequest builds the probe's request with the caller's header fields.
func (p *httpProbe) newRequest(ctx context.Context, u *url.URL) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, p.opts.Method, u.String(), nil)
	if err != nil {
		return nil, err
	}
	for k, vs := range p.opts.Header {
		if strings.EqualFold(k, "Host") && len(vs) > 0 {
			req.Host = vs[0]
			continue
		}
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "gwdoctor/1")
	}
	return req, nil
}

func (p *httpProbe) readBody(resp *http.Response, explain func(error) error) {
	defer resp.Body.Close()
	start := p.opts.Now()
	body, err := io.ReadAll(io.LimitReader(resp.Body, p.opts.MaxBodyBytes+1))
	p.res.Timings.Transfer = p.opts.Now().Sub(start)
	r := p.res.Response
	if int64(len(body)) > p.opts.MaxBodyBytes {
		body = body[:p.opts.MaxBodyBytes]
		r.BodyTruncated = true
	}
	r.Body = body
	r.BodyBytes = int64(len(body))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w: %w", errBodyTimeout, err)
		}
		p.fail(PhaseBody, fmt.Errorf("reading response body: %w", explain(err)))
		return
	}
	p.res.Reached = PhaseComplete
}

// headerBytes estimates the size of the response head on the wire. For
// HTTP/2, whose head is HPACK-compressed and has no status line, it is the
// size the same fields would take in an HTTP/1.1 head, so that heads
// compare across protocols and with a gateway's HTTP/1.1 buffer limits.
func headerBytes(resp *http.Response) int {
	n := len(resp.Proto) + len(resp.Status) + 3
	for k, vs := range resp.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n + 2
}
