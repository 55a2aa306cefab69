// Package experiment runs the requests of a diagnosis: the repeated tries,
// the client-state and cache variants, the shrinking of the client's state
// and the requests straight to the upstream. Independent experiments run
// concurrently, so a diagnosis takes about as long as its slowest request.
// It gathers evidence for package diagnose and judges nothing itself.
package experiment

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// TagHeader carries the diagnosis ID on every request, so that gateway and
// application logs can be searched for exactly these requests.
const TagHeader = "X-Gwdoctor-Probe"

// TagParam is the query parameter that carries the diagnosis ID, for access
// logs that record the request line but no headers.
const TagParam = "gwdoctor"

// Plan describes the experiments of one diagnosis.
type Plan struct {
	URL    string
	Method string // default GET
	// Header holds the user's headers, sent as a browser would (-H).
	Header http.Header
	// Cookies are the user's cookies as "name=value" (--cookie and Cookie headers).
	Cookies []string
	// Tries is how many times the request is repeated; default 3.
	Tries int
	// Spacing is the delay between the starts of successive tries; default 200ms.
	Spacing time.Duration
	// ID tags every request; empty switches tagging off.
	ID string
	// Resolve overrides name resolution, keyed "host:port".
	Resolve map[string]string
	// Upstream, when set, is the server behind the gateway to ask directly:
	// "host:port", "unix:/path", or "https://host:port" for a TLS upstream.
	Upstream string
	// Origin, when set, is the site's origin server to ask past the CDN or
	// load balancer in front: "host" or "host:port" (default the URL's
	// port), with the same Host header, TLS server name and path.
	Origin string
	// FastCGIScript and FastCGIRoot are the SCRIPT_FILENAME and
	// DOCUMENT_ROOT sent to a FastCGI Upstream ("fcgi://host:port" or
	// "fcgi:unix:/path"); by default the root is /var/www/html and the
	// script the URL's path under it, as nginx's common configuration does.
	FastCGIScript, FastCGIRoot string
	// KeepAliveWait, when positive, also measures how long the HTTP
	// Upstream keeps an idle keep-alive connection open, watching for at
	// most this long.
	KeepAliveWait time.Duration
	// CompareDNS are DNS servers (host or host:port) whose answers for the
	// site's name are compared with this machine's when the tries get no
	// response: a stale or wrong local answer is client.dns.
	CompareDNS []string
	// HealthCheck, when set, is the gateway's own check of its HTTP
	// Upstream, replayed once against it.
	HealthCheck *HealthCheck
	// GatewaySpeaks is the protocol the gateway speaks to the upstream, as
	// its configuration says ("http", "fastcgi"); "" when unknown. It is
	// handed to the judge as evidence.
	GatewaySpeaks string
	// Protocol is the HTTP version the tries speak: "" offers h2 and
	// http/1.1 over TLS as a browser does, and then one request over
	// HTTP/1.1 compares; probe.ProtocolHTTP1 and probe.ProtocolH2 force one
	// (curl's --http1.1 and --http2).
	Protocol string
	// Insecure goes on after certificate verification failures.
	Insecure bool
	// Timeout bounds the whole diagnosis; default 30s.
	Timeout time.Duration
	// Limits are known timeouts and sizes along the chain, passed to the judge.
	Limits []diagnose.Limit
	// Reported is what the user's own client saw, passed to the judge.
	Reported *diagnose.Reported
	// Dialer and Resolver default to net's.
	Dialer   probe.Dialer
	Resolver probe.Resolver
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Progress, when set, is told which experiment starts.
	Progress func(step string)
	// Observe, when set, sees every finished request.
	Observe func(label string, r *probe.Result)
}

// HealthCheck is the request a gateway checks its upstream servers with,
// as its configuration writes it.
type HealthCheck struct {
	Method, Path string
	Host         string // the Host header the check sends; default the upstream's address
	Expect       string // what the gateway expects, as written; "" for any 2xx or 3xx
	Where        string // the configuration's file:line
	// Accepts reports whether the gateway counts status as a pass.
	Accepts func(status int) bool
}

// maxShrinkItems bounds the shrinking of the client's state: each item
// costs one request.
const maxShrinkItems = 24

// upstreamGrace is how long the direct requests to the upstream may run on
// once the tries through the gateway are done: long enough to see the
// upstream answer a little after the gateway gave up, short enough that a
// diagnosis of a timeout takes about the gateway's timeout.
const upstreamGrace = 500 * time.Millisecond

func (p *Plan) defaults() {
	if p.Method == "" {
		p.Method = http.MethodGet
	}
	if p.Tries <= 0 {
		p.Tries = 3
	}
	if p.Spacing <= 0 {
		p.Spacing = 200 * time.Millisecond
	}
	if p.Timeout <= 0 {
		p.Timeout = 30 * time.Second
	}
	if p.Now == nil {
		p.Now = time.Now
	}
}

// Run carries out the plan and returns the evidence. An error means the plan
// itself is unusable (a bad URL); failures of the site are evidence.
func Run(ctx context.Context, plan Plan) (diagnose.Evidence, error) {
	plan.defaults()
	u, err := url.Parse(plan.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return diagnose.Evidence{}, fmt.Errorf("parsing URL %q: want an absolute http:// or https:// URL", plan.URL)
	}
	ctx, cancel := context.WithTimeout(ctx, plan.Timeout)
	defer cancel()
	r := &runner{plan: plan, start: plan.Now(), base: u, triesDone: make(chan struct{})}
	ev := diagnose.Evidence{URL: plan.URL, StateItems: stateItems(plan), Limits: plan.Limits, Reported: plan.Reported, GatewaySpeaks: plan.GatewaySpeaks}
	r.progress("repeating the request")
	// Each collector fills only its own fields of ev, so those of one wave
	// run at once without a lock.
	var wg sync.WaitGroup
	for _, c := range collectors {
		if c.wave == beside && c.when(r, &ev) {
			wg.Go(func() { c.run(r, ctx, &ev) })
		}
	}
	tries := r.series(ctx, "try", 0, plan.Tries, r.userRequest)
	ev.Tries = tries
	close(r.triesDone)
	for _, c := range collectors {
		if c.wave == after && c.when(r, &ev) {
			c.run(r, ctx, &ev)
		}
	}
	wg.Wait()
	for _, c := range collectors {
		if c.wave == last && c.when(r, &ev) {
			c.run(r, ctx, &ev)
		}
	}
	if ctx.Err() != nil {
		ev.Incomplete = append(ev.Incomplete, "the --timeout budget ran out before every experiment finished")
	}
	return ev, nil
}

type runner struct {
	plan  Plan
	start time.Time
	base  *url.URL
	mu    sync.Mutex
	seq   int
	// triesDone is closed once the tries are in.
	triesDone chan struct{}
}

func (r *runner) progress(step string) {
	if r.plan.Progress != nil {
		r.plan.Progress(step)
	}
}

// request is what to send: the URL, the headers, and where to connect.
type request struct {
	method    string // "" for the plan's
	url       string
	header    http.Header
	connectTo string
	// fastcgi, when set, is the FastCGI address to send the request to
	// instead of speaking HTTP.
	fastcgi string
	// protocol, when set, replaces the plan's Protocol.
	protocol string
	// insecure goes on past the certificate, whatever the plan says.
	insecure bool
	// family keeps the request to one address family ("4", "6").
	family string
}

// series runs n attempts, the i-th starting delay + i×Spacing from now, all
// concurrently, and returns them in start order. Staggering the series
// against each other keeps the order in which a server sees the requests
// stable from one run to the next.
func (r *runner) series(ctx context.Context, label string, delay time.Duration, n int, build func(n int) request) []diagnose.Attempt {
	out := make([]diagnose.Attempt, n)
	// Each request starts at its time, and never before the one before it:
	// on a busy machine the goroutines may wake out of order.
	started := make([]chan struct{}, n)
	for i := range started {
		started[i] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sleep(ctx, delay+time.Duration(i)*r.plan.Spacing)
			if i > 0 {
				select {
				case <-started[i-1]:
				case <-ctx.Done():
				}
			}
			offset := r.plan.Now().Sub(r.start)
			close(started[i])
			out[i] = r.attemptFrom(ctx, fmt.Sprintf("%s %d", label, i+1), build(i), offset)
		}()
	}
	wg.Wait()
	return out
}

// attempt sends one request and recognises who answered it.
func (r *runner) attempt(ctx context.Context, label string, req request) diagnose.Attempt {
	return r.attemptFrom(ctx, label, req, r.plan.Now().Sub(r.start))
}

// attemptFrom is attempt for a request that started offset into the
// diagnosis.
func (r *runner) attemptFrom(ctx context.Context, label string, req request, offset time.Duration) diagnose.Attempt {
	budget := time.Until(deadlineOr(ctx, time.Now().Add(r.plan.Timeout)))
	var res *probe.Result
	if req.fastcgi != "" {
		res = probe.FastCGI(ctx, req.fastcgi, probe.FastCGIOptions{
			Method: r.plan.Method, URL: req.url, Header: req.header,
			ScriptFilename: r.plan.FastCGIScript, DocumentRoot: r.plan.FastCGIRoot,
			Timeout: max(budget, time.Millisecond), Dialer: r.plan.Dialer, Now: r.plan.Now,
		})
	} else {
		res = r.http(ctx, req, budget)
	}
	a := r.fingerprinted(diagnose.Attempt{Label: label, Offset: offset, Probe: res})
	if r.plan.Observe != nil {
		r.plan.Observe(label, res)
	}
	return a
}

// http sends req over HTTP within budget.
func (r *runner) http(ctx context.Context, req request, budget time.Duration) *probe.Result {
	method := r.plan.Method
	if req.method != "" {
		method = req.method
	}
	proto := r.plan.Protocol
	if req.protocol != "" {
		proto = req.protocol
	}
	return probe.HTTP(ctx, req.url, probe.Options{
		Protocol:  proto,
		Family:    req.family,
		Method:    method,
		Header:    req.header,
		ConnectTo: req.connectTo,
		Resolve:   r.plan.Resolve,
		Insecure:  r.plan.Insecure || req.insecure,
		Timeout:   max(budget, time.Millisecond),
		Dialer:    r.plan.Dialer,
		Resolver:  r.plan.Resolver,
		Now:       r.plan.Now,
	})
}

// fingerprinted recognises who answered a.
func (r *runner) fingerprinted(a diagnose.Attempt) diagnose.Attempt {
	b := Recognised(a.Label, a.Probe)
	b.Offset = a.Offset
	return b
}

// spokeH2 reports whether any try spoke HTTP/2 with the site.
func spokeH2(tries []diagnose.Attempt) bool {
	for _, t := range tries {
		if t.Probe != nil && t.Probe.IsHTTP2() {
			return true
		}
	}
	return false
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func deadlineOr(ctx context.Context, t time.Time) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return t
}

// tagged returns the URL with the diagnosis tag added, and the tag value.
func (r *runner) tagged(extra url.Values) (string, string) {
	u := *r.base
	q := u.Query()
	for k, vs := range extra {
		q[k] = vs
	}
	tag := ""
	if r.plan.ID != "" {
		r.mu.Lock()
		r.seq++
		tag = fmt.Sprintf("%s-%d", r.plan.ID, r.seq)
		r.mu.Unlock()
		q.Set(TagParam, tag)
	}
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return u.String(), tag
}

// headers builds a request header from the user's headers and the given
// cookies, plus the tag.
func (r *runner) headers(userHeaders bool, cookies []string, tag string) http.Header {
	h := http.Header{}
	if userHeaders {
		for k, vs := range r.plan.Header {
			if !strings.EqualFold(k, "Cookie") {
				h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
			}
		}
	}
	if len(cookies) > 0 {
		h.Set("Cookie", strings.Join(cookies, "; "))
	}
	if tag != "" {
		h.Set(TagHeader, tag)
		h.Set("X-Request-Id", tag)
	}
	return h
}

func (r *runner) userRequest(int) request {
	u, tag := r.tagged(nil)
	return request{url: u, header: r.headers(true, r.plan.Cookies, tag)}
}

// FastCGIAddr reports whether upstream names a FastCGI server
// ("fcgi://host:port", "fcgi:unix:/path") and returns its address in the
// form probe.FastCGI takes.
func FastCGIAddr(upstream string) (string, bool) {
	if rest, ok := strings.CutPrefix(upstream, "fcgi://"); ok {
		return strings.TrimSuffix(rest, "/"), true
	}
	if rest, ok := strings.CutPrefix(upstream, "fcgi:"); ok {
		return rest, true
	}
	return "", false
}

// originAddr is the Origin with the URL's port when it has none.
func (r *runner) originAddr() string {
	if _, _, err := net.SplitHostPort(r.plan.Origin); err == nil {
		return r.plan.Origin
	}
	return net.JoinHostPort(strings.Trim(r.plan.Origin, "[]"), r.port())
}

// port is the URL's port, or its scheme's default.
func (r *runner) port() string {
	if p := r.base.Port(); p != "" {
		return p
	}
	if r.base.Scheme == "https" {
		return "443"
	}
	return "80"
}

// originRequest is the user's request sent to the origin's address: the
// URL, and so the Host header and the TLS server name, stay the site's.
func (r *runner) originRequest(int) request {
	u, tag := r.tagged(nil)
	return request{url: u, header: r.headers(true, r.plan.Cookies, tag), connectTo: r.originAddr()}
}

// upstreamRequest is the user's request sent straight to the upstream, with
// the site's Host header so that the same virtual host answers; over
// FastCGI for an "fcgi:" upstream.
func (r *runner) upstreamRequest(int) request {
	u, tag := r.tagged(nil)
	target := r.plan.Upstream
	if addr, ok := FastCGIAddr(target); ok {
		h := r.headers(true, r.plan.Cookies, tag)
		if h.Get("Host") == "" {
			h.Set("Host", r.base.Host)
		}
		return request{url: u, header: h, fastcgi: addr}
	}
	pu, _ := url.Parse(u)
	if rest, ok := strings.CutPrefix(target, "https://"); ok {
		pu.Scheme, target = "https", rest
	} else if rest, ok := strings.CutPrefix(target, "http://"); ok {
		pu.Scheme, target = "http", rest
	} else {
		pu.Scheme = "http"
	}
	target = strings.TrimSuffix(target, "/")
	h := r.headers(true, r.plan.Cookies, tag)
	if h.Get("Host") == "" {
		h.Set("Host", r.base.Host)
	}
	return request{url: pu.String(), header: h, connectTo: target}
}

// healthCheck sends the gateway's health check straight to the upstream,
// as the gateway does: its method and path, no query tag, the check's Host.
func (r *runner) healthCheck(ctx context.Context, hc *HealthCheck) *diagnose.HealthCheck {
	req := r.upstreamRequest(0)
	pu, err := url.Parse(req.url)
	if err != nil {
		return nil
	}
	path, query, _ := strings.Cut(hc.Path, "?")
	pu.Path, pu.RawPath, pu.RawQuery = path, "", query
	req.url, req.method = pu.String(), hc.Method
	req.header.Del("Cookie")
	host := hc.Host
	if host == "" {
		host = req.connectTo
	}
	req.header.Set("Host", host)
	a := r.attempt(ctx, "health check", req)
	out := &diagnose.HealthCheck{Method: hc.Method, Path: hc.Path, Expect: hc.Expect, Where: hc.Where, Attempt: a}
	if a.Probe.Response != nil && a.Probe.Class == probe.ClassNone && hc.Accepts != nil {
		out.Passed = hc.Accepts(a.Probe.Response.Status)
	}
	return out
}

// closedAtOnce reports direct HTTP requests that were all closed or reset
// before any answer within a moment: what PHP-FPM does with bytes that are
// not FastCGI, and what a gateway that speaks HTTP to it then reports.
func closedAtOnce(as []diagnose.Attempt) bool {
	for _, a := range as {
		p := a.Probe
		if p == nil || p.Response != nil || (p.Class != probe.ClassClosed && p.Class != probe.ClassReset) || p.Timings.TTFB > 500*time.Millisecond {
			return false
		}
	}
	return len(as) > 0
}

// fastCGISniff asks an HTTP Upstream that closes every request at once
// whether it speaks FastCGI instead: a FastCGI answer of any status means
// the gateway talks HTTP to a FastCGI server (proxy_pass to PHP-FPM).
func (r *runner) fastCGISniff(ctx context.Context) *diagnose.Attempt {
	if strings.HasPrefix(r.plan.Upstream, "https://") {
		return nil
	}
	req := r.upstreamRequest(0)
	req.fastcgi = req.connectTo
	if req.fastcgi == "" {
		return nil
	}
	// A FastCGI server answers at once; an HTTP server that waits for the
	// end of a request line in the binary records would only hold the
	// diagnosis up.
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	a := r.attempt(ctx, "fastcgi check", req)
	return &a
}

// noResponse reports tries that all failed before any HTTP response.
func noResponse(tries []diagnose.Attempt) bool {
	for _, a := range tries {
		if a.Probe == nil || a.Probe.Response != nil {
			return false
		}
	}
	return len(tries) > 0
}

// maxElsewhere bounds the other addresses the site is asked at.
const maxElsewhere = 2

// compareDNS asks the plan's other DNS servers for the site's name, and the
// site at the addresses only they give.
func (r *runner) compareDNS(ctx context.Context, tries []diagnose.Attempt) *diagnose.DNSCheck {
	host := r.base.Hostname()
	c := &diagnose.DNSCheck{Host: host}
	local := map[string]bool{}
	for _, a := range tries {
		for _, addr := range a.Probe.Addrs {
			if !local[addr] {
				local[addr] = true
				c.Local = append(c.Local, addr)
			}
		}
	}
	c.Others = make([]probe.DNSAnswer, len(r.plan.CompareDNS))
	var wg sync.WaitGroup
	for i, server := range r.plan.CompareDNS {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Others[i] = probe.LookupVia(ctx, server, host, 2*time.Second)
		}()
	}
	wg.Wait()
	port := r.port()
	asked := map[string]bool{}
	for _, ans := range c.Others {
		for _, addr := range ans.Addrs {
			if local[addr] || asked[addr] || len(asked) >= maxElsewhere {
				continue
			}
			asked[addr] = true
			req := r.userRequest(0)
			req.connectTo = net.JoinHostPort(addr, port)
			c.Elsewhere = append(c.Elsewhere, r.attempt(ctx, fmt.Sprintf("at %s", addr), req))
		}
	}
	return c
}
