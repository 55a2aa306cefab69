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

type httpProbe struct {
	opts Options
	res  *Result
}

func (p *httpProbe) fail(phase Phase, err error) { p.res.fail(phase, err) }

func (p *httpProbe) run(ctx context.Context, rawURL string) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.fail(PhaseNone, fmt.Errorf("parsing URL %q: not an absolute http(s) URL", rawURL))
		p.res.Class = ClassOther
		return
	}
	conn, err := p.open(ctx, u)
	if err != nil {
		return
	}
	defer conn.Close()
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

// hostPort returns the URL's host and port with the scheme's default port.
func hostPort(u *url.URL) (string, string) {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return u.Hostname(), port
}

// connect resolves (unless an address is given) and dials, trying each
// address in turn as a browser would.
func (p *httpProbe) connect(ctx context.Context, u *url.URL) (net.Conn, error) {
	host, port := hostPort(u)
	if strings.HasPrefix(p.opts.ConnectTo, "unix:") {
		return p.dial(ctx, "unix", []string{strings.TrimPrefix(p.opts.ConnectTo, "unix:")})
	}
	if p.opts.ConnectTo != "" {
		h, pt, err := net.SplitHostPort(p.opts.ConnectTo)
		if err != nil {
			h, pt = p.opts.ConnectTo, port
		}
		host, port = h, pt
	}
	if alt, ok := p.opts.Resolve[net.JoinHostPort(host, port)]; ok {
		host = alt
	}
	addrs, err := p.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	targets := make([]string, len(addrs))
	for i, a := range addrs {
		targets[i] = net.JoinHostPort(a, port)
	}
	return p.dial(ctx, "tcp", targets)
}

func (p *httpProbe) resolve(ctx context.Context, host string) ([]string, error) {
	if net.ParseIP(host) != nil {
		p.res.Addrs = []string{host}
		return p.res.Addrs, nil
	}
	start := p.opts.Now()
	dctx, cancel := context.WithTimeout(ctx, p.opts.PhaseTimeout)
	defer cancel()
	addrs, err := p.opts.Resolver.LookupHost(dctx, host)
	p.res.Timings.DNS = p.opts.Now().Sub(start)
	if err == nil && len(addrs) == 0 {
		err = &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	if err != nil {
		p.fail(PhaseDNS, fmt.Errorf("resolving %s: %w", host, err))
		return nil, p.res.Err
	}
	p.res.Addrs = addrs
	p.res.Reached = PhaseDNS
	return addrs, nil
}

func (p *httpProbe) dial(ctx context.Context, network string, targets []string) (net.Conn, error) {
	start := p.opts.Now()
	var firstErr error
	for _, t := range targets {
		if p.res.Addr == "" {
			p.res.Addr = t
		}
		dctx, cancel := context.WithTimeout(ctx, p.opts.PhaseTimeout)
		conn, err := p.opts.Dialer.DialContext(dctx, network, t)
		cancel()
		if err == nil {
			p.res.Addr = t
			p.res.Timings.Connect = p.opts.Now().Sub(start)
			p.res.Reached = PhaseConnect
			return conn, nil
		}
		if firstErr == nil {
			firstErr = fmt.Errorf("connecting to %s: %w", t, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	p.res.Timings.Connect = p.opts.Now().Sub(start)
	p.fail(PhaseConnect, firstErr)
	return nil, firstErr
}

// handshake runs TLS, verifying the certificate by hand so that the result
// of verification is recorded even when it fails.
func (p *httpProbe) handshake(ctx context.Context, conn net.Conn, u *url.URL) (net.Conn, error) {
	name := p.opts.ServerName
	if name == "" {
		name = u.Hostname()
	}
	info := &TLSInfo{ServerName: name}
	p.res.TLS = info
	cfg := &tls.Config{
		ServerName:         name,
		InsecureSkipVerify: true, // verified below, in VerifyConnection
		NextProtos:         []string{"http/1.1"},
		VerifyConnection: func(cs tls.ConnectionState) error {
			err := verify(cs, name, p.opts.RootCAs)
			for _, c := range cs.PeerCertificates {
				info.Chain = append(info.Chain, summarize(c))
			}
			info.Verified = err == nil
			if err != nil {
				info.VerifyError = err.Error()
				if !p.opts.Insecure {
					return &certError{err}
				}
			}
			return nil
		},
	}
	start := p.opts.Now()
	hctx, cancel := context.WithTimeout(ctx, p.opts.PhaseTimeout)
	defer cancel()
	tconn := tls.Client(conn, cfg)
	err := tconn.HandshakeContext(hctx)
	p.res.Timings.TLS = p.opts.Now().Sub(start)
	if err != nil {
		p.fail(PhaseTLS, fmt.Errorf("TLS handshake with %s: %w", name, err))
		return nil, err
	}
	cs := tconn.ConnectionState()
	info.Version = tls.VersionName(cs.Version)
	info.ALPN = cs.NegotiatedProtocol
	info.CipherSuite = tls.CipherSuiteName(cs.CipherSuite)
	p.res.Reached = PhaseTLS
	return tconn, nil
}

func verify(cs tls.ConnectionState, name string, roots *x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("no certificate presented")
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: name, Roots: roots, Intermediates: inter})
	return err
}

// exchange sends the request on conn and reads the response head and a
// capped body, each under its own deadline.
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

	// The transport calls the trace hooks from its own goroutines, which
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
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), p.opts.Method, u.String(), nil)
	if err != nil {
		p.fail(PhaseRequest, fmt.Errorf("building request: %w", err))
		return
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
	// The head deadline is whatever is left of the probe's budget: a
	// gateway's own timeout (nginx 60 s, Cloudflare 100 s) is evidence,
	// so the probe waits for it as long as the caller allows.
	resp, err := tr.RoundTrip(req)
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
		p.fail(phase, fmt.Errorf("reading response head: %w", err))
		return
	}
	p.res.Reached = PhaseHeaders
	p.res.Response = &Response{Proto: resp.Proto, Status: resp.StatusCode, Header: resp.Header, HeaderBytes: headerBytes(resp)}
	p.readBody(resp, first)
}

func (p *httpProbe) readBody(resp *http.Response, firstByte time.Time) {
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
		p.fail(PhaseBody, fmt.Errorf("reading response body: %w", err))
		return
	}
	p.res.Reached = PhaseComplete
}

// headerBytes estimates the size of the response head on the wire.
func headerBytes(resp *http.Response) int {
	n := len(resp.Proto) + len(resp.Status) + 3
	for k, vs := range resp.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n + 2
}
