package probe

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// FastCGIProto is Response.Proto for an answer read over FastCGI.
const FastCGIProto = "FastCGI/1.0"

// FastCGIOptions tune one FastCGI probe. The zero value is usable.
type FastCGIOptions struct {
	// Method is REQUEST_METHOD; default GET. No request body is sent.
	Method string
	// URL is the request a gateway would forward: its path and query
	// become SCRIPT_NAME, REQUEST_URI and QUERY_STRING, its host HTTP_HOST
	// and SERVER_NAME. An absolute URL or just a path; default
	// "http://localhost/".
	URL string
	// DocumentRoot is DOCUMENT_ROOT; default the directory of
	// ScriptFilename, else /var/www/html.
	DocumentRoot string
	// ScriptFilename is SCRIPT_FILENAME, the file PHP-FPM runs: without it
	// PHP-FPM answers 404 "File not found." and logs "Primary script
	// unknown". Default DocumentRoot + SCRIPT_NAME, what nginx sends as
	// $document_root$fastcgi_script_name; a path ending in "/" gets
	// "index.php" appended, as nginx's fastcgi_index does.
	ScriptFilename string
	// Header is sent as HTTP_* params (RFC 3875 section 4.1.18); Host
	// replaces HTTP_HOST.
	Header http.Header
	// Params are added last and override the params above; an empty value
	// is sent as an empty value.
	Params map[string]string
	// Timeout bounds the whole probe; default 15s.
	Timeout time.Duration
	// PhaseTimeout bounds connecting and writing the request; default 5s.
	PhaseTimeout time.Duration
	// MaxHeaderBytes caps the CGI response head; default 1 MiB.
	MaxHeaderBytes int
	// MaxBodyBytes caps the body read; default 256 KiB.
	MaxBodyBytes int64
	// Dialer defaults to net's.
	Dialer Dialer
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// FastCGIInfo is what a FastCGI probe saw besides the CGI response.
type FastCGIInfo struct {
	// Stderr is the start of the STDERR stream, at most 4 KiB; PHP-FPM
	// writes "Primary script unknown" there for a missing script.
	Stderr      string `json:"stderr,omitempty"`
	StderrBytes int64  `json:"stderr_bytes,omitempty"` // all STDERR bytes read
	// Ended is set once END_REQUEST arrived, with AppStatus (the script's
	// exit status) and ProtocolStatus: request_complete, cant_mpx_conn,
	// overloaded or unknown_role (FastCGI spec 5.5).
	Ended          bool   `json:"ended"`
	AppStatus      uint32 `json:"app_status"`
	ProtocolStatus string `json:"protocol_status,omitempty"`
	Records        int    `json:"records"` // records read
}

func (o *FastCGIOptions) defaults() {
	if o.Method == "" {
		o.Method = http.MethodGet
	}
	if o.URL == "" {
		o.URL = "http://localhost/"
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
	if o.Now == nil {
		o.Now = time.Now
	}
}

// FastCGI sends one Responder request to the FastCGI server at addr, as a
// gateway such as nginx's fastcgi_pass would, and returns what it saw. addr
// is "unix:/path/to.sock" (Apache's "unix:/path|fcgi://..." too), a bare
// socket path, "fcgi://host:port" or "host:port". It never returns nil;
// failures are in Result.Err and Result.Class. A complete answer is not a
// failure whatever its status: PHP-FPM's own 404 for a missing script shows
// as Status 404 with "Primary script unknown" in Result.FastCGI.Stderr.
func FastCGI(ctx context.Context, addr string, opts FastCGIOptions) *Result {
	opts.defaults()
	p := &fcgiProbe{opts: opts, res: &Result{Method: opts.Method, URL: opts.URL, Started: opts.Now(), FastCGI: &FastCGIInfo{}}}
	return p.res.within(ctx, opts.Timeout, opts.Now, func(ctx context.Context) { p.run(ctx, addr) })
}

type fcgiProbe struct {
	opts FastCGIOptions
	res  *Result
}

func (p *fcgiProbe) fail(phase Phase, err error) { p.res.fail(phase, err) }

func (p *fcgiProbe) run(ctx context.Context, addr string) {
	network, target, err := fastcgiTarget(addr)
	var req []byte
	if err == nil {
		req, err = p.request()
	}
	if err != nil {
		p.fail(PhaseNone, err)
		p.res.Class = ClassOther
		return
	}
	p.exchange(ctx, network, target, req)
}

// fastcgiTarget turns addr into a network and address to dial.
func fastcgiTarget(addr string) (network, address string, err error) {
	switch {
	case strings.HasPrefix(addr, "unix:"):
		// Apache's mod_proxy_fcgi writes "unix:/path|fcgi://localhost/".
		p, _, _ := strings.Cut(strings.TrimPrefix(addr, "unix:"), "|")
		if strings.HasPrefix(p, "///") {
			p = p[2:]
		}
		if p == "" {
			return "", "", fmt.Errorf("FastCGI address %q: empty socket path", addr)
		}
		return "unix", p, nil
	case strings.HasPrefix(addr, "/"):
		return "unix", addr, nil
	case strings.HasPrefix(addr, "fcgi://"):
		addr = strings.TrimSuffix(strings.TrimPrefix(addr, "fcgi://"), "/")
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return "", "", fmt.Errorf("FastCGI address %q: want unix:/path, fcgi://host:port or host:port", addr)
	}
	return "tcp", addr, nil
}

// exchange dials, sends the request and reads the answer, with the
// connection's deadlines tied to ctx so that no read outlives it.
func (p *fcgiProbe) exchange(ctx context.Context, network, target string, req []byte) {
	conn, err := p.dial(ctx, network, target)
	if err != nil {
		return
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetReadDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	wdl := time.Now().Add(p.opts.PhaseTimeout) // deadlines use the real clock, not opts.Now
	if dl, ok := ctx.Deadline(); ok && dl.Before(wdl) {
		wdl = dl
	}
	conn.SetWriteDeadline(wdl)
	if _, err := conn.Write(req); err != nil {
		p.fail(PhaseRequest, p.timeoutErr(ctx, fmt.Errorf("writing FastCGI request: %w", err), errHeaderTimeout))
		return
	}
	p.res.Reached = PhaseRequest
	p.receive(ctx, conn)
}

func (p *fcgiProbe) dial(ctx context.Context, network, target string) (net.Conn, error) {
	p.res.Addr = target
	start := p.opts.Now()
	dctx, cancel := context.WithTimeout(ctx, p.opts.PhaseTimeout)
	conn, err := p.opts.Dialer.DialContext(dctx, network, target)
	cancel()
	p.res.Timings.Connect = p.opts.Now().Sub(start)
	if err != nil {
		phase := PhaseConnect
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			phase = PhaseDNS
		}
		p.fail(phase, fmt.Errorf("connecting to %s: %w", target, err))
		return nil, err
	}
	p.res.Reached = PhaseConnect
	return conn, nil
}

// timeoutErr marks err as the expiry of the phase's deadline (mark) when
// the probe's deadline struck, so that it is classified as such.
func (p *fcgiProbe) timeoutErr(ctx context.Context, err, mark error) error {
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("%w: %w", context.Canceled, err)
	case ctx.Err() != nil || isTimeout(err):
		return fmt.Errorf("%w: %w", mark, err)
	}
	return err
}

// receive reads the answer from r: the CGI response head, then a capped
// body. It needs no connection, so the parser can be fuzzed on bytes.
func (p *fcgiProbe) receive(ctx context.Context, r io.Reader) {
	sent := p.opts.Now()
	s := newFCGIStream(r, p.res.FastCGI, p.opts.Now)
	head, rest, err := p.readHead(s)
	if !s.first.IsZero() {
		p.res.Timings.TTFB = s.first.Sub(sent)
	} else {
		p.res.Timings.TTFB = p.opts.Now().Sub(sent) // time spent waiting
	}
	if err == nil {
		p.res.Response = &Response{Proto: FastCGIProto, HeaderBytes: len(head)}
		p.res.Response.Status, p.res.Response.Header, err = parseCGIHead(head)
	}
	if err != nil {
		p.res.Response = nil
		p.fail(PhaseHeaders, p.timeoutErr(ctx, fmt.Errorf("reading FastCGI response head: %w", err), errHeaderTimeout))
		return
	}
	p.res.Reached = PhaseHeaders
	p.readBody(ctx, s, rest)
}

// readHead collects STDOUT up to the blank line that ends the CGI response
// head (RFC 3875 section 6.2) and returns the head, blank line included,
// and the start of the body.
func (p *fcgiProbe) readHead(s *fcgiStream) (head, rest []byte, err error) {
	var buf []byte
	for {
		chunk, end, err := s.next()
		switch {
		case errors.Is(err, errRecordLimit):
			return nil, nil, fmt.Errorf("%w: %w", errHeaderTooBig, err)
		case err != nil:
			return nil, nil, err
		case end:
			// nginx: "upstream prematurely closed FastCGI stdout".
			return nil, nil, fmt.Errorf("END_REQUEST after %d bytes of STDOUT, before a complete response head: %w", len(buf), io.ErrUnexpectedEOF)
		}
		from := max(0, len(buf)-3)
		buf = append(buf, chunk...)
		if n := headEnd(buf, from); n >= 0 && n <= p.opts.MaxHeaderBytes {
			return buf[:n], buf[n:], nil
		}
		if len(buf) > p.opts.MaxHeaderBytes {
			return nil, nil, fmt.Errorf("%w: no end of the CGI response head in %d bytes (cap %d)", errHeaderTooBig, len(buf), p.opts.MaxHeaderBytes)
		}
	}
}

// readBody reads STDOUT to END_REQUEST into a capped body. At the cap it
// stops reading, as it does at the record limits, and marks the body
// truncated.
func (p *fcgiProbe) readBody(ctx context.Context, s *fcgiStream, rest []byte) {
	start := p.opts.Now()
	r := p.res.Response
	add := func(b []byte) {
		room := p.opts.MaxBodyBytes - int64(len(r.Body))
		if int64(len(b)) > room {
			b, r.BodyTruncated = b[:room], true
		}
		r.Body = append(r.Body, b...)
		r.BodyBytes = int64(len(r.Body))
	}
	add(rest)
	var err error
	for !r.BodyTruncated {
		var chunk []byte
		var end bool
		chunk, end, err = s.next()
		if errors.Is(err, errRecordLimit) {
			r.BodyTruncated, err = true, nil
		}
		if end || err != nil || r.BodyTruncated {
			break
		}
		add(chunk)
	}
	p.res.Timings.Transfer = p.opts.Now().Sub(start)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("connection closed before END_REQUEST: %w", io.ErrUnexpectedEOF)
		}
		p.fail(PhaseBody, p.timeoutErr(ctx, fmt.Errorf("reading FastCGI response body: %w", err), errBodyTimeout))
		return
	}
	p.res.Reached = PhaseComplete
}

// request encodes the whole request: BEGIN_REQUEST, the PARAMS stream and
// an empty STDIN stream (FastCGI spec 5.1-5.3, 6.2).
func (p *fcgiProbe) request() ([]byte, error) {
	params, err := p.params()
	if err != nil {
		return nil, err
	}
	var enc []byte
	for _, k := range slices.Sorted(maps.Keys(params)) {
		enc = appendParam(enc, k, params[k])
	}
	req := appendBeginRequest(nil, fcgiRequestID)
	req = appendStream(req, fcgiParams, fcgiRequestID, enc)
	return appendStream(req, fcgiStdin, fcgiRequestID, nil), nil
}

// params builds the CGI variables of RFC 3875 section 4.1 as nginx's
// fastcgi_params and "fastcgi_param SCRIPT_FILENAME" send them.
func (p *fcgiProbe) params() (map[string]string, error) {
	u, err := url.Parse(p.opts.URL)
	if err != nil {
		return nil, fmt.Errorf("parsing URL %q: %w", p.opts.URL, err)
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = "localhost"
	}
	scheme := cmp.Or(u.Scheme, "http")
	if port == "" {
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	uri := cmp.Or(u.Path, "/")
	script := cmp.Or(u.Path, "/")
	if strings.HasSuffix(script, "/") {
		script += "index.php"
	}
	root, filename := p.opts.DocumentRoot, p.opts.ScriptFilename
	if root == "" {
		root = "/var/www/html"
		if filename != "" {
			root = path.Dir(filename)
		}
	}
	if filename == "" {
		filename = strings.TrimSuffix(root, "/") + script
	}
	m := map[string]string{
		"GATEWAY_INTERFACE": "CGI/1.1", "SERVER_SOFTWARE": "gwdoctor/1", "SERVER_PROTOCOL": "HTTP/1.1",
		"REQUEST_METHOD": p.opts.Method, "REQUEST_SCHEME": scheme, "REQUEST_URI": u.RequestURI(),
		"QUERY_STRING": u.RawQuery, "SCRIPT_NAME": script, "SCRIPT_FILENAME": filename,
		"DOCUMENT_URI": uri, "DOCUMENT_ROOT": root, "CONTENT_TYPE": "", "CONTENT_LENGTH": "",
		"SERVER_NAME": host, "SERVER_PORT": port, "SERVER_ADDR": "127.0.0.1",
		"REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "0", "HTTP_HOST": u.Host,
		"HTTP_USER_AGENT": "gwdoctor/1",
		"REDIRECT_STATUS": "200", // for PHP built with --enable-force-cgi-redirect
	}
	if scheme == "https" {
		m["HTTPS"] = "on"
	}
	if m["HTTP_HOST"] == "" {
		m["HTTP_HOST"] = host
	}
	for k, vs := range p.opts.Header {
		// RFC 3875 section 4.1.18: HTTP_ + upper case, "-" as "_".
		m["HTTP_"+strings.ToUpper(strings.ReplaceAll(k, "-", "_"))] = strings.Join(vs, ", ")
	}
	for k, v := range p.opts.Params {
		m[k] = v
	}
	return m, nil
}
