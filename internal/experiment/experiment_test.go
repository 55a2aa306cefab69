package experiment

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/fcgi"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// seen is a request as the test server received it.
type seen struct {
	host, path string
	query      map[string][]string
	header     http.Header
}

// site is a test server that answers with status(r) and records every request.
type site struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newSite(t *testing.T, status func(r *http.Request) int) *site {
	t.Helper()
	s := &site{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, seen{host: r.Host, path: r.URL.Path, query: r.URL.Query(), header: r.Header.Clone()})
		s.mu.Unlock()
		w.WriteHeader(status(r))
		fmt.Fprintln(w, "hello")
	}))
	t.Cleanup(s.Close)
	return s
}

// requests returns what the server has received so far.
func (s *site) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

func (s *site) port() string {
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	return port
}

// always answers every request with status.
func always(status int) func(*http.Request) int {
	return func(*http.Request) int { return status }
}

// plan is a fast plan for url: tries 10ms apart.
func plan(url string) Plan {
	return Plan{URL: url, Spacing: 10 * time.Millisecond, Timeout: 10 * time.Second}
}

// named is a plan for http://shop.example:<port>/checkout resolved to s, so
// that the Host header differs from any address dialled.
func named(s *site) Plan {
	p := plan("http://shop.example:" + s.port() + "/checkout")
	p.Resolve = map[string]string{"shop.example:" + s.port(): "127.0.0.1"}
	return p
}

func run(t *testing.T, p Plan) diagnose.Evidence {
	t.Helper()
	ev, err := Run(context.Background(), p)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return ev
}

// refusedAddr returns a port of 127.0.0.1 that refuses connections: its
// socket is bound but does not listen, so no parallel test can take it.
func refusedAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}

func TestTags(t *testing.T) {
	t.Parallel()
	s := newSite(t, always(http.StatusOK))
	p := plan(s.URL + "/checkout?page=2")
	p.ID = "d7"
	p.Cookies = []string{"session=abc"}
	p.Header = http.Header{"Accept-Language": {"en"}}
	var mu sync.Mutex
	observed := 0
	p.Observe = func(string, *probe.Result) { mu.Lock(); observed++; mu.Unlock() }
	ev := run(t, p)

	reqs := s.requests()
	if want := len(ev.Tries) + len(ev.Variants); len(reqs) != want {
		t.Fatalf("server saw %d requests, want %d (tries and variants)", len(reqs), want)
	}
	if observed != len(reqs) {
		t.Errorf("Observe saw %d requests, want %d", observed, len(reqs))
	}
	ns := map[int]bool{}
	for _, r := range reqs {
		tag := r.header.Get(TagHeader)
		if got := r.header.Get("X-Request-Id"); got != tag {
			t.Errorf("X-Request-Id = %q, want %q", got, tag)
		}
		if got := r.query[TagParam]; len(got) != 1 || got[0] != tag {
			t.Errorf("query %s = %q, want [%q]", TagParam, got, tag)
		}
		if got := r.query["page"]; len(got) != 1 || got[0] != "2" {
			t.Errorf("query page = %q, want the URL's own [2]", got)
		}
		n, err := strconv.Atoi(strings.TrimPrefix(tag, "d7-"))
		if !strings.HasPrefix(tag, "d7-") || err != nil {
			t.Errorf("tag = %q, want d7-<n>", tag)
			continue
		}
		if ns[n] {
			t.Errorf("tag %q sent twice", tag)
		}
		ns[n] = true
	}
}

func TestNoTag(t *testing.T) {
	t.Parallel()
	s := newSite(t, always(http.StatusOK))
	ev := run(t, plan(s.URL+"/"))
	if len(ev.Tries) != 3 {
		t.Fatalf("got %d tries, want 3", len(ev.Tries))
	}
	for _, r := range s.requests() {
		for _, h := range []string{TagHeader, "X-Request-Id"} {
			if got := r.header.Get(h); got != "" {
				t.Errorf("%s = %q, want none without an ID", h, got)
			}
		}
		if got, ok := r.query[TagParam]; ok {
			t.Errorf("query %s = %q, want none without an ID", TagParam, got)
		}
	}
}

func TestTries(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		tries, want int
	}{{0, 3}, {5, 5}} {
		t.Run(strconv.Itoa(tt.tries), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, always(http.StatusBadGateway))
			p := plan(s.URL + "/")
			p.Tries = tt.tries
			ev := run(t, p)
			if len(ev.Tries) != tt.want {
				t.Fatalf("got %d tries, want %d", len(ev.Tries), tt.want)
			}
			for i, a := range ev.Tries {
				if want := fmt.Sprintf("try %d", i+1); a.Label != want {
					t.Errorf("try %d: label %q, want %q", i, a.Label, want)
				}
				if a.Status() != http.StatusBadGateway || !a.Failed() {
					t.Errorf("%s: status %d, failed %v; want a failed 502", a.Label, a.Status(), a.Failed())
				}
				if i > 0 && a.Offset < ev.Tries[i-1].Offset {
					t.Errorf("%s started at %v, before the try before it (%v)", a.Label, a.Offset, ev.Tries[i-1].Offset)
				}
			}
		})
	}
}

func TestBadURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "shop.example/checkout", "ftp://shop.example/", "http://", "http://[::1"} {
		if _, err := Run(context.Background(), plan(u)); err == nil {
			t.Errorf("Run(%q): no error, want one", u)
		}
	}
}

func TestUpstream(t *testing.T) {
	t.Parallel()
	gw := newSite(t, always(http.StatusBadGateway))
	up := newSite(t, always(http.StatusOK))
	for _, prefix := range []string{"", "http://"} {
		t.Run("prefix "+prefix, func(t *testing.T) {
			p := named(gw)
			p.Upstream = prefix + up.Listener.Addr().String()
			ev := run(t, p)
			if ev.UpstreamAddr != p.Upstream {
				t.Errorf("UpstreamAddr = %q, want %q", ev.UpstreamAddr, p.Upstream)
			}
			if len(ev.Upstream) != 3 {
				t.Fatalf("got %d upstream tries, want 3", len(ev.Upstream))
			}
			for _, a := range ev.Upstream {
				if a.Failed() || a.Status() != http.StatusOK {
					t.Errorf("%s: status %d (%s), want 200", a.Label, a.Status(), a.Probe.Class)
				}
			}
		})
	}
	want := "shop.example:" + gw.port()
	for _, r := range up.requests() {
		if r.host != want || r.path != "/checkout" {
			t.Errorf("upstream saw Host %q path %q, want %q /checkout", r.host, r.path, want)
		}
	}
	if n := len(up.requests()); n != 6 {
		t.Errorf("upstream saw %d requests, want 6", n)
	}
}

func TestUpstreamRefused(t *testing.T) {
	t.Parallel()
	gw := newSite(t, always(http.StatusBadGateway))
	p := plan(gw.URL + "/")
	p.Upstream = refusedAddr(t)
	ev := run(t, p)
	if len(ev.Upstream) != 3 {
		t.Fatalf("got %d upstream tries, want 3", len(ev.Upstream))
	}
	for _, a := range ev.Upstream {
		if !a.Failed() || a.Probe.Class != probe.ClassRefused {
			t.Errorf("%s: failed %v, class %q; want failed, %q", a.Label, a.Failed(), a.Probe.Class, probe.ClassRefused)
		}
	}
}

// TestUpstreamFastCGI asks a FastCGI responder, as PHP-FPM behind nginx
// would be, with the site's Host and path.
func TestUpstreamFastCGI(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan string, 10)
	go fcgi.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Host + " " + r.URL.Path
		fmt.Fprintln(w, "ok")
	}))
	gw := newSite(t, always(http.StatusBadGateway))
	p := named(gw)
	p.Upstream = "fcgi://" + ln.Addr().String()
	ev := run(t, p)
	if len(ev.Upstream) != 3 {
		t.Fatalf("got %d upstream tries, want 3", len(ev.Upstream))
	}
	for _, a := range ev.Upstream {
		if a.Status() != http.StatusOK {
			t.Errorf("%s: status %d (%s %s), want 200", a.Label, a.Status(), a.Probe.Class, a.Probe.Error)
		}
	}
	want := "shop.example:" + gw.port() + " /checkout"
	for range ev.Upstream {
		if r := <-got; r != want {
			t.Errorf("FastCGI responder saw %q, want %q", r, want)
		}
	}
}

// TestUpstreamSpeaksFastCGI: an HTTP upstream that closes every request at
// once is asked in FastCGI, and a FastCGI server answers.
func TestUpstreamSpeaksFastCGI(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go fcgi.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") }))
	gw := newSite(t, always(http.StatusBadGateway))
	p := named(gw)
	p.Upstream = ln.Addr().String()
	ev := run(t, p)
	for _, a := range ev.Upstream {
		if a.Probe.Response != nil {
			t.Errorf("%s: HTTP to a FastCGI server got status %d, want no response", a.Label, a.Status())
		}
	}
	if fc := ev.UpstreamFastCGI; fc == nil || fc.Status() != http.StatusOK {
		t.Fatalf("fastcgi check = %+v, want status 200", fc)
	}

	healthy := newSite(t, always(http.StatusOK))
	p.Upstream = healthy.Listener.Addr().String()
	if ev := run(t, p); ev.UpstreamFastCGI != nil {
		t.Errorf("an upstream that answers HTTP was asked in FastCGI too")
	}
}

// TestHealthCheck replays the gateway's health check against the upstream
// with its method, path and Host, and judges the answer by its expectation.
func TestHealthCheck(t *testing.T) {
	t.Parallel()
	seen := make(chan string, 10)
	up := newSite(t, func(r *http.Request) int {
		if r.URL.Path == "/healthz" {
			seen <- r.Method + " " + r.URL.RequestURI() + " " + r.Host + " cookie=" + r.Header.Get("Cookie")
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	gw := newSite(t, always(http.StatusServiceUnavailable))
	p := named(gw)
	p.Cookies = []string{"session=abc"}
	p.Upstream = up.Listener.Addr().String()
	p.HealthCheck = &HealthCheck{Method: "HEAD", Path: "/healthz", Host: "app.internal", Where: "haproxy.cfg:20",
		Accepts: func(status int) bool { return status == 200 }}
	ev := run(t, p)
	hc := ev.HealthCheck
	if hc == nil || hc.Passed || hc.Attempt.Status() != http.StatusServiceUnavailable || hc.Where != "haproxy.cfg:20" {
		t.Fatalf("health check = %+v, want a failed HEAD /healthz with 503", hc)
	}
	if got, want := <-seen, "HEAD /healthz app.internal cookie="; got != want {
		t.Errorf("the upstream saw %q, want %q", got, want)
	}
}

// TestCompareDNS: when the tries get no response, another DNS server is
// asked for the name, and the site at the address only it gives, with the
// same Host.
func TestCompareDNS(t *testing.T) {
	t.Parallel()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := dns.NewServeMux()
	mux.HandleFunc(".", func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		if q := req.Question[0]; q.Qtype == dns.TypeA && q.Name == "shop.example." {
			m.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP("127.0.0.1")}}
		}
		w.WriteMsg(m)
	})
	srv := &dns.Server{PacketConn: pc, Handler: mux}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })

	s := newSite(t, always(http.StatusOK))
	p := named(s)
	p.Resolve = map[string]string{"shop.example:" + s.port(): "127.0.0.2"} // stale: nothing listens there
	p.CompareDNS = []string{pc.LocalAddr().String()}
	ev := run(t, p)
	c := ev.DNS
	if c == nil || c.Host != "shop.example" || len(c.Others) != 1 || !slices.Equal(c.Others[0].Addrs, []string{"127.0.0.1"}) {
		t.Fatalf("dns check = %+v, want the other server's 127.0.0.1", c)
	}
	if len(c.Elsewhere) != 1 || c.Elsewhere[0].Status() != http.StatusOK {
		t.Fatalf("elsewhere = %+v, want one 200 at 127.0.0.1", c.Elsewhere)
	}
	reqs := s.requests()
	if len(reqs) != 1 || reqs[0].host != "shop.example:"+s.port() {
		t.Errorf("the site saw %+v, want one request for shop.example:%s", reqs, s.port())
	}

	healthy := newSite(t, always(http.StatusOK))
	p = named(healthy)
	p.CompareDNS = []string{pc.LocalAddr().String()}
	if ev := run(t, p); ev.DNS != nil {
		t.Errorf("a site that answers was compared too: %+v", ev.DNS)
	}
}

func TestOrigin(t *testing.T) {
	t.Parallel()
	cdn := newSite(t, always(http.StatusBadGateway))
	origin := newSite(t, always(http.StatusOK))
	p := named(cdn)
	p.Origin = origin.Listener.Addr().String()
	ev := run(t, p)
	if ev.OriginAddr != p.Origin {
		t.Errorf("OriginAddr = %q, want %q", ev.OriginAddr, p.Origin)
	}
	if len(ev.Origin) != 3 {
		t.Fatalf("got %d origin tries, want 3", len(ev.Origin))
	}
	for _, a := range ev.Origin {
		if a.Status() != http.StatusOK || a.Probe.Addr != p.Origin {
			t.Errorf("%s: status %d from %q, want 200 from %q", a.Label, a.Status(), a.Probe.Addr, p.Origin)
		}
	}
	reqs := origin.requests()
	if len(reqs) != 3 {
		t.Errorf("origin saw %d requests, want 3", len(reqs))
	}
	for _, r := range reqs {
		if want := "shop.example:" + cdn.port(); r.host != want || r.path != "/checkout" {
			t.Errorf("origin saw Host %q path %q, want %q /checkout", r.host, r.path, want)
		}
	}
}

func TestOriginAddr(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ url, origin, want string }{
		{"http://shop.example:8080/", "192.0.2.7", "192.0.2.7:8080"},
		{"http://shop.example/", "192.0.2.7", "192.0.2.7:80"},
		{"https://shop.example/", "origin.shop.example", "origin.shop.example:443"},
		{"https://shop.example/", "[2001:db8::7]", "[2001:db8::7]:443"},
		{"https://shop.example/", "192.0.2.7:8443", "192.0.2.7:8443"},
	} {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		r := &runner{plan: Plan{Origin: tt.origin}, base: u}
		if got := r.originAddr(); got != tt.want {
			t.Errorf("origin %q for %s: got %q, want %q", tt.origin, tt.url, got, tt.want)
		}
	}
}

func TestFastCGIAddr(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"fcgi://127.0.0.1:9000", "127.0.0.1:9000", true},
		{"fcgi://php:9000/", "php:9000", true},
		{"fcgi:unix:/run/php/php8.2-fpm.sock", "unix:/run/php/php8.2-fpm.sock", true},
		{"127.0.0.1:9000", "", false},
		{"http://127.0.0.1:9000", "", false},
		{"unix:/run/app.sock", "", false},
	} {
		got, ok := FastCGIAddr(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("FastCGIAddr(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// silent accepts connections and never answers, as an application stuck
// before writing its response head does.
func silent(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	p := plan("http://" + silent(t) + "/slow")
	p.Timeout = time.Second
	p.Cookies = []string{"session=abc"}
	start := time.Now()
	ev := run(t, p)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Run took %v with a 1s --timeout", took)
	}
	want := "the --timeout budget ran out before every experiment finished"
	if !slices.Contains(ev.Incomplete, want) {
		t.Errorf("Incomplete = %q, want it to contain %q", ev.Incomplete, want)
	}
	for _, a := range ev.Tries {
		if !a.Failed() || a.Probe.Response != nil {
			t.Errorf("%s: status %d, want no response", a.Label, a.Status())
		}
	}
}

func TestSocketPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"unix:/run/php/php-fpm.sock":      "/run/php/php-fpm.sock",
		"fcgi:unix:/run/php/php-fpm.sock": "/run/php/php-fpm.sock",
		"fcgi://127.0.0.1:9000":           "",
		"127.0.0.1:9000":                  "",
		"https://10.0.0.2:8443":           "",
	} {
		if got := socketPath(in); got != want {
			t.Errorf("socketPath(%q) = %q, want %q", in, got, want)
		}
	}
}
