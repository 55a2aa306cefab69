package diagnose

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/fingerprint"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// resp builds an attempt that got a response after ttfb.
func resp(label string, status int, ttfb time.Duration, gen fingerprint.Match, reading fingerprint.Reading) Attempt {
	return Attempt{
		Label: label,
		Probe: &probe.Result{
			Method: "GET", URL: "http://shop.example/checkout", Addrs: []string{"192.0.2.10"}, Addr: "192.0.2.10:80",
			Reached:  probe.PhaseComplete,
			Timings:  probe.Timings{Connect: time.Millisecond, TTFB: ttfb, Total: ttfb + 2*time.Millisecond},
			Response: &probe.Response{Proto: "HTTP/1.1", Status: status, Header: http.Header{}, HeaderBytes: 200},
		},
		Print: &fingerprint.Result{Generator: gen, Hops: []fingerprint.Match{gen}, Reading: reading, ErrorPage: gen.Role != "application"},
	}
}

// fail builds an attempt that got no response.
func fail(label string, class probe.Class, in probe.Phase, after time.Duration) Attempt {
	return Attempt{Label: label, Probe: &probe.Result{
		Method: "GET", URL: "http://shop.example/checkout", Addrs: []string{"192.0.2.10"}, Addr: "192.0.2.10:80",
		FailedIn: in, Class: class, Error: string(class),
		Timings: probe.Timings{TTFB: after, Total: after},
	}}
}

var (
	nginx      = fingerprint.Match{Product: "nginx", Role: "reverse_proxy", Markers: []string{"body: <hr><center>nginx</center>"}}
	goProxy    = fingerprint.Match{Product: "go", Role: "reverse_proxy", Markers: []string{"empty 502 without Server"}}
	app        = fingerprint.Match{Product: "application", Role: "application", Markers: []string{"JSON body"}}
	haproxy    = fingerprint.Match{Product: "haproxy", Role: "load_balancer", Markers: []string{"body: No server is available"}}
	apache     = fingerprint.Match{Product: "apache", Role: "reverse_proxy", Markers: []string{"body: <address>Apache"}}
	cloudflare = fingerprint.Match{Product: "cloudflare", Role: "cdn", Markers: []string{"header cf-ray"}}
	noRead     = fingerprint.Reading{}
)

func three(a Attempt) []Attempt {
	out := make([]Attempt, 3)
	for i := range out {
		out[i] = a
		out[i].Label = "try " + string(rune('1'+i))
	}
	return out
}

func TestJudge(t *testing.T) {
	ok200 := resp("try", 200, 20*time.Millisecond, nginx, noRead)
	go502 := resp("try", 502, 2*time.Millisecond, goProxy, noRead)
	tests := []struct {
		name      string
		ev        Evidence
		wantCause Cause
		wantPers  Persistence
		wantProd  string
		// has are claims the readers must make, hasNot claims they must
		// not; a claim matches on cause, kind and against, and on source
		// when one is given.
		has, hasNot []claim
		wantConf    Confidence // "" when any
		// wantIn is a substring of some finding, where the finding itself
		// is what is tested: what the visitor's own client saw, a quote.
		wantIn       string
		wantOut      Cause // a cause that must be ruled out
		wantCulprits string
	}{
		{name: "healthy", ev: Evidence{Tries: three(ok200)}, wantCause: OK, wantPers: NoFailure, wantProd: "nginx"},
		{name: "nginx 504 page", ev: Evidence{Tries: three(resp("try", 504, 60*time.Second+3*time.Millisecond, nginx, fingerprint.Reading{Cause: catalog.UpstreamTimeout}))},
			wantCause: UpstreamTimeout, wantPers: Persistent, wantProd: "nginx", has: []claim{{cause: UpstreamTimeout, kind: kindOwnWords}, {cause: UpstreamTimeout, kind: kindTiming}}, wantConf: High},
		{name: "nginx 502 instant, undetermined", ev: Evidence{Tries: three(resp("try", 502, 3*time.Millisecond, nginx, noRead))},
			wantCause: Upstream, wantPers: Persistent, wantProd: "nginx", has: []claim{{cause: Upstream, kind: kindStatus}, {cause: UpstreamTimeout, kind: kindTiming, against: true}}, wantConf: Low, wantOut: UpstreamTimeout},
		{name: "go 502 at a round 2 s", ev: Evidence{Tries: three(resp("try", 502, 2*time.Second+4*time.Millisecond, goProxy, noRead))},
			wantCause: UpstreamTimeout, wantPers: Persistent, wantProd: "go", has: []claim{{cause: UpstreamTimeout, kind: kindTiming}}, wantConf: Medium},
		{name: "go 502 at a configured limit", ev: Evidence{Tries: three(resp("try", 502, 1500*time.Millisecond+4*time.Millisecond, goProxy, noRead)),
			Limits: []Limit{{Name: "ResponseHeaderTimeout", Product: "go", Timeout: 1500 * time.Millisecond}}},
			wantCause: UpstreamTimeout, wantPers: Persistent, wantProd: "go", has: []claim{{cause: UpstreamTimeout, kind: kindTiming}}, wantConf: Medium},
		{name: "nginx 504 at its connect timeout", ev: Evidence{Tries: three(resp("try", 504, time.Second+3*time.Millisecond, nginx, fingerprint.Reading{Cause: catalog.UpstreamTimeout})),
			Limits: []Limit{
				{Name: "proxy_connect_timeout 1s", Product: "nginx", Timeout: time.Second, Connect: true},
				{Name: "proxy_read_timeout 5s", Product: "nginx", Timeout: 5 * time.Second}}},
			wantCause: UpstreamUnreachable, wantPers: Persistent, wantProd: "nginx", has: []claim{{cause: UpstreamTimeout, kind: kindOwnWords}, {cause: UpstreamUnreachable, kind: kindTiming}}, wantConf: Medium},
		{name: "nginx 504 at its read timeout", ev: Evidence{Tries: three(resp("try", 504, 5*time.Second+3*time.Millisecond, nginx, fingerprint.Reading{Cause: catalog.UpstreamTimeout})),
			Limits: []Limit{
				{Name: "proxy_connect_timeout 1s", Product: "nginx", Timeout: time.Second, Connect: true},
				{Name: "proxy_read_timeout 5s", Product: "nginx", Timeout: 5 * time.Second}}},
			wantCause: UpstreamTimeout, wantPers: Persistent, wantProd: "nginx", has: []claim{{cause: UpstreamTimeout, kind: kindOwnWords}, {cause: UpstreamTimeout, kind: kindTiming}}, wantConf: High},
		{name: "connect and read timeouts alike", ev: Evidence{Tries: three(resp("try", 502, 60*time.Second+3*time.Millisecond, goProxy, noRead)),
			Limits: []Limit{
				{Name: "Dialer.Timeout", Product: "go", Timeout: 60 * time.Second, Connect: true},
				{Name: "ResponseHeaderTimeout", Product: "go", Timeout: 60 * time.Second}}},
			wantCause: UpstreamTimeout, wantPers: Persistent, wantProd: "go", has: []claim{{cause: UpstreamTimeout, kind: kindTiming}}, wantConf: Medium},
		{name: "caddy 502 at its default dial timeout", ev: Evidence{Tries: three(resp("try", 502, 3*time.Second+5*time.Millisecond, fingerprint.Match{Product: "caddy", Role: "reverse_proxy", Markers: []string{"header Server: Caddy"}}, noRead))},
			wantCause: UpstreamUnreachable, wantPers: Persistent, wantProd: "caddy", has: []claim{{cause: UpstreamUnreachable, kind: kindTiming}}},
		{name: "haproxy 503 at once: no server", ev: Evidence{Tries: three(resp("try", 503, 2*time.Millisecond, haproxy, fingerprint.Reading{Detail: "No server is available to handle this request."}))},
			wantCause: UpstreamNoneHealthy, wantPers: Persistent, wantProd: "haproxy", has: []claim{{cause: UpstreamNoneHealthy, kind: kindTiming}}, wantConf: Medium},
		{name: "haproxy 503 at once, the server answers directly", ev: Evidence{Tries: three(resp("try", 503, 2*time.Millisecond, haproxy, noRead)),
			UpstreamAddr: "127.0.0.1:9000", Upstream: three(resp("upstream try", 200, time.Millisecond, app, noRead))},
			wantCause: UpstreamNoneHealthy, wantPers: Persistent, wantProd: "haproxy", has: []claim{{cause: UpstreamNoneHealthy, kind: kindDirect}}, wantConf: High},
		{name: "haproxy 503 at once, its health check fails", ev: Evidence{Tries: three(resp("try", 503, 2*time.Millisecond, haproxy, noRead)),
			UpstreamAddr: "127.0.0.1:9000", Upstream: three(resp("upstream try", 200, time.Millisecond, app, noRead)),
			HealthCheck: &HealthCheck{Method: "GET", Path: "/healthz", Expect: "status 200", Where: "haproxy.cfg:20",
				Attempt: func() Attempt {
					a := resp("health check", 503, time.Millisecond, app, noRead)
					a.Probe.Response.Body = []byte("unhealthy: the database is unreachable\n")
					return a
				}()}},
			wantCause: UpstreamNoneHealthy, wantPers: Persistent, wantProd: "haproxy", wantIn: `gets 503 from the upstream where it expects status 200: that is why the gateway holds the server down; it says "unhealthy: the database is unreachable"`},
		{name: "haproxy 503 at once, its health check passes now", ev: Evidence{Tries: three(resp("try", 503, 2*time.Millisecond, haproxy, noRead)),
			UpstreamAddr: "127.0.0.1:9000", Upstream: three(resp("upstream try", 200, time.Millisecond, app, noRead)),
			HealthCheck: &HealthCheck{Method: "GET", Path: "/healthz", Passed: true, Attempt: resp("health check", 200, time.Millisecond, app, noRead)}},
			wantCause: UpstreamNoneHealthy, wantPers: Persistent, wantProd: "haproxy", has: []claim{{cause: UpstreamNoneHealthy, kind: kindDirect}}, hasNot: []claim{{cause: UpstreamNoneHealthy, kind: kindDirect, source: "health check"}}, wantConf: High},
		{name: "nginx 502 at once, a root-only socket answers the diagnosis run as root", ev: Evidence{Tries: three(resp("try", 502, 2*time.Millisecond, nginx, noRead)),
			UpstreamAddr: "fcgi:unix:/run/php/php-fpm.sock", Upstream: three(resp("upstream try", 200, time.Millisecond, app, noRead)),
			UpstreamSocket: &probe.Socket{Path: "/run/php/php-fpm.sock", Mode: "Srw-------", Owner: "root", Group: "root", AsRoot: true}},
			wantCause: UpstreamPermission, wantPers: Persistent, wantProd: "nginx", has: []claim{{cause: UpstreamPermission, kind: kindDirect}}, wantConf: High,
			wantIn: "the socket /run/php/php-fpm.sock is Srw------- root:root, so only root may open it"},
		{name: "nginx 502 at once, www-data's socket answers the diagnosis run as root", ev: Evidence{Tries: three(resp("try", 502, 2*time.Millisecond, nginx, noRead)),
			UpstreamAddr: "fcgi:unix:/run/php/php-fpm.sock", Upstream: three(resp("upstream try", 200, time.Millisecond, app, noRead)),
			UpstreamSocket: &probe.Socket{Path: "/run/php/php-fpm.sock", Mode: "Srw-rw----", UID: 33, GID: 33, Owner: "www-data", Group: "www-data", AsRoot: true}},
			wantCause: Upstream, wantPers: Persistent, wantProd: "nginx", hasNot: []claim{{cause: UpstreamPermission, kind: kindDirect}}},
		{name: "apache 503 at once, the unix socket answers the diagnosis", ev: Evidence{Tries: three(resp("try", 503, 2*time.Millisecond, apache, noRead)),
			UpstreamAddr: "fcgi:unix:/run/php/php-fpm.sock", Upstream: three(resp("upstream try", 200, time.Millisecond, app, noRead))},
			wantCause: Upstream, wantPers: Persistent, wantProd: "apache", wantIn: "the socket's owner and mode keep Apache's user out (upstream.permission)",
			hasNot: []claim{{cause: UpstreamNoneHealthy, kind: kindDirect}}},
		{name: "haproxy 503 at once, the server refuses", ev: Evidence{Tries: three(resp("try", 503, 2*time.Millisecond, haproxy, noRead)),
			UpstreamAddr: "127.0.0.1:9000", Upstream: three(fail("upstream try", probe.ClassRefused, probe.PhaseConnect, 0))},
			wantCause: UpstreamRefused, wantPers: Persistent, wantProd: "haproxy"},
		{name: "haproxy 503 after its retries", ev: Evidence{Tries: three(resp("try", 503, 3*time.Second+2*time.Millisecond, haproxy, noRead))},
			wantCause: Upstream, wantPers: Persistent, wantProd: "haproxy", has: []claim{{cause: UpstreamTimeout, kind: kindTiming, against: true}}, wantConf: Low, wantOut: UpstreamTimeout},
		{name: "the browser's failure has passed", ev: Evidence{Tries: three(ok200),
			Reported: &Reported{Source: "HAR entry 2", Status: 502, At: time.Date(2026, 11, 26, 9, 12, 4, 0, time.UTC), Took: time.Second}},
			wantCause: OK, wantPers: NoFailure, wantProd: "nginx", wantIn: "your browser got 502 after 1.00 s at 2026-11-26 09:12:04 UTC; every try now succeeds"},
		{name: "the browser's failure goes on", ev: Evidence{Tries: three(go502), Reported: &Reported{Source: "HAR entry 1", Status: 502}},
			wantCause: Upstream, wantPers: Persistent, wantProd: "go", wantIn: "your browser got 502; the tries still fail"},
		{name: "a stale local DNS answer", ev: Evidence{Tries: three(fail("try", probe.ClassRefused, probe.PhaseConnect, time.Millisecond)),
			DNS: &DNSCheck{Host: "shop.example", Local: []string{"192.0.2.10"},
				Others:    []probe.DNSAnswer{{Server: "1.1.1.1:53", Addrs: []string{"198.51.100.7"}}},
				Elsewhere: []Attempt{resp("at 198.51.100.7", 200, 10*time.Millisecond, app, noRead)}}},
			wantCause: ClientDNS, wantPers: Persistent, has: []claim{{cause: EdgeUnreachable, kind: kindDirect}, {cause: ClientDNS, kind: kindReplay, source: "at 198.51.100.7"}}, wantConf: High, wantOut: EdgeUnreachable},
		{name: "other resolvers agree", ev: Evidence{Tries: three(fail("try", probe.ClassRefused, probe.PhaseConnect, time.Millisecond)),
			DNS: &DNSCheck{Host: "shop.example", Local: []string{"192.0.2.10"},
				Others: []probe.DNSAnswer{{Server: "1.1.1.1:53", Addrs: []string{"192.0.2.10"}}}}},
			wantCause: EdgeUnreachable, wantPers: Persistent, wantOut: ClientDNS},
		{name: "the other address fails too", ev: Evidence{Tries: three(fail("try", probe.ClassRefused, probe.PhaseConnect, time.Millisecond)),
			DNS: &DNSCheck{Host: "shop.example", Local: []string{"192.0.2.10"},
				Others:    []probe.DNSAnswer{{Server: "1.1.1.1:53", Addrs: []string{"198.51.100.7"}}},
				Elsewhere: []Attempt{fail("at 198.51.100.7", probe.ClassRefused, probe.PhaseConnect, time.Millisecond)}}},
			wantCause: EdgeUnreachable, wantPers: Persistent, hasNot: []claim{{cause: ClientDNS, kind: kindReplay}}, wantConf: High},
		{name: "nginx's own 503", ev: Evidence{Tries: three(resp("try", 503, time.Millisecond, nginx, fingerprint.Reading{Detail: "503 Service Temporarily Unavailable"}))},
			wantCause: UpstreamOverloaded, wantPers: Persistent, wantProd: "nginx", has: []claim{{cause: UpstreamOverloaded, kind: kindTiming}}, wantConf: Medium},
		{name: "nginx's own 503, the upstream answers", ev: Evidence{Tries: three(resp("try", 503, time.Millisecond, nginx, noRead)),
			UpstreamAddr: "127.0.0.1:9000", Upstream: three(resp("upstream try", 200, time.Millisecond, app, noRead))},
			wantCause: UpstreamOverloaded, wantPers: Persistent, wantProd: "nginx", has: []claim{{cause: UpstreamOverloaded, kind: kindTiming}, {cause: UpstreamOverloaded, kind: kindDirect}}, wantConf: High},
		{name: "app error passed through", ev: Evidence{Tries: three(resp("try", 502, 5*time.Millisecond, app, fingerprint.Reading{Cause: catalog.UpstreamAppError}))},
			wantCause: UpstreamAppError, wantPers: Persistent, wantProd: "application"},
		{name: "cloudflare 522", ev: Evidence{Tries: three(resp("try", 522, 15*time.Second, cloudflare, fingerprint.Reading{Cause: catalog.CDNOriginUnreachable, Code: "522", Detail: "522: Connection timed out"}))},
			wantCause: CDNOriginUnreachable, wantPers: Persistent, wantProd: "cloudflare", has: []claim{{cause: CDNOriginUnreachable, kind: kindOwnWords}}, wantConf: High},
		{name: "intermittent", ev: Evidence{Tries: []Attempt{ok200, go502, ok200}}, wantCause: Upstream, wantPers: Intermittent, wantProd: "go"},
		{name: "recovered", ev: Evidence{Tries: []Attempt{go502, go502, ok200}}, wantCause: Upstream, wantPers: Recovered, wantProd: "go"},
		{name: "refused at the edge", ev: Evidence{Tries: three(fail("try", probe.ClassRefused, probe.PhaseConnect, 0))},
			wantCause: EdgeUnreachable, wantPers: Persistent, wantProd: "unknown", wantOut: DNSFailure},
		{name: "nxdomain", ev: Evidence{Tries: three(fail("try", probe.ClassDNSNotFound, probe.PhaseDNS, 0))},
			wantCause: DNSFailure, wantPers: Persistent, wantProd: "unknown"},
		{name: "bad certificate at the edge", ev: Evidence{Tries: three(fail("try", probe.ClassTLSCert, probe.PhaseTLS, 0))},
			wantCause: EdgeTLS, wantPers: Persistent, wantOut: EdgeUnreachable},
		{name: "server without gateway closes", ev: Evidence{Tries: three(fail("try", probe.ClassClosed, probe.PhaseHeaders, time.Millisecond))},
			wantCause: UpstreamClosed, wantPers: Persistent, has: []claim{{cause: UpstreamClosed, kind: kindFallback}}, wantConf: Medium},
		{name: "ladder: upstream refused", ev: Evidence{Tries: three(go502), UpstreamAddr: "127.0.0.1:9000",
			Upstream: three(fail("upstream try", probe.ClassRefused, probe.PhaseConnect, 0))},
			wantCause: UpstreamRefused, wantPers: Persistent, wantProd: "go", has: []claim{{cause: UpstreamRefused, kind: kindDirect}}, wantConf: High},
		{name: "ladder: upstream resets", ev: Evidence{Tries: three(go502), UpstreamAddr: "127.0.0.1:9000",
			Upstream: three(fail("upstream try", probe.ClassReset, probe.PhaseHeaders, time.Millisecond))},
			wantCause: UpstreamClosed, wantPers: Persistent, wantOut: UpstreamRefused},
		{name: "ladder: the upstream closes HTTP and answers FastCGI, and the gateway speaks HTTP to it", ev: Evidence{Tries: three(go502), UpstreamAddr: "unix:/run/php/php8.2-fpm.sock",
			GatewaySpeaks:   "http",
			Upstream:        three(fail("upstream try", probe.ClassReset, probe.PhaseHeaders, time.Millisecond)),
			UpstreamFastCGI: func() *Attempt { a := resp("fastcgi check", 404, time.Millisecond, app, noRead); return &a }()},
			wantCause: UpstreamInvalid, wantPers: Persistent, has: []claim{{cause: UpstreamInvalid, kind: kindDirect, source: "fastcgi check"}}, hasNot: []claim{{cause: UpstreamClosed, kind: kindDirect}}, wantConf: High},
		// unix:/path is how fastcgi_pass names a socket too: the flag's form
		// says nothing of the protocol the gateway speaks.
		{name: "ladder: the upstream closes HTTP and answers FastCGI, the gateway's protocol unknown", ev: Evidence{Tries: three(go502), UpstreamAddr: "unix:/run/php/php8.2-fpm.sock",
			Upstream:        three(fail("upstream try", probe.ClassReset, probe.PhaseHeaders, time.Millisecond)),
			UpstreamFastCGI: func() *Attempt { a := resp("fastcgi check", 404, time.Millisecond, app, noRead); return &a }()},
			wantCause: Upstream, wantPers: Persistent, hasNot: []claim{{cause: UpstreamClosed, kind: kindDirect}, {cause: UpstreamInvalid, kind: kindDirect}}, wantConf: Low},
		{name: "ladder: a plain HOST:PORT upstream speaks TLS with a certificate that does not verify", ev: Evidence{Tries: three(go502), UpstreamAddr: "127.0.0.1:8443",
			Upstream:    three(fail("upstream try", probe.ClassClosed, probe.PhaseHeaders, time.Millisecond)),
			UpstreamTLS: func() *Attempt { a := tlsResp("x509: certificate signed by unknown authority"); return &a }()},
			wantCause: UpstreamTLS, wantPers: Persistent, has: []claim{{cause: UpstreamTLS, kind: kindDirect, source: "upstream tls check"}}, wantConf: High},
		{name: "ladder: a plain HOST:PORT upstream speaks TLS with a certificate that verifies", ev: Evidence{Tries: three(go502), UpstreamAddr: "127.0.0.1:8443",
			Upstream:    three(fail("upstream try", probe.ClassClosed, probe.PhaseHeaders, time.Millisecond)),
			UpstreamTLS: func() *Attempt { a := tlsResp(""); return &a }()},
			wantCause: Upstream, wantPers: Persistent, hasNot: []claim{{cause: UpstreamTLS, kind: kindDirect}, {cause: UpstreamClosed, kind: kindDirect}}, wantConf: Low},
		{name: "ladder: direct requests that fail and succeed make the fault intermittent", ev: Evidence{Tries: three(go502), UpstreamAddr: "127.0.0.1:9000",
			Upstream: []Attempt{fail("upstream try 1", probe.ClassClosed, probe.PhaseHeaders, time.Millisecond),
				resp("upstream try 2", 200, time.Millisecond, app, noRead), resp("upstream try 3", 200, time.Millisecond, app, noRead)}},
			wantCause: UpstreamClosed, wantPers: Intermittent, has: []claim{{cause: UpstreamClosed, kind: kindDirect}}, wantConf: High},
		{name: "ladder: the upstream closes HTTP and FastCGI alike", ev: Evidence{Tries: three(go502), UpstreamAddr: "127.0.0.1:9000",
			Upstream: three(fail("upstream try", probe.ClassClosed, probe.PhaseHeaders, time.Millisecond)),
			UpstreamFastCGI: func() *Attempt {
				a := fail("fastcgi check", probe.ClassClosed, probe.PhaseHeaders, time.Millisecond)
				return &a
			}()},
			wantCause: UpstreamClosed, wantPers: Persistent},
		{name: "ladder: upstream speaks garbage", ev: Evidence{Tries: three(go502), UpstreamAddr: "127.0.0.1:9000",
			Upstream: three(fail("upstream try", probe.ClassMalformed, probe.PhaseHeaders, time.Millisecond))},
			wantCause: UpstreamInvalid, wantPers: Persistent},
		{name: "ladder: upstream self-signed", ev: Evidence{Tries: three(go502), UpstreamAddr: "https://127.0.0.1:9443",
			Upstream: three(fail("upstream try", probe.ClassTLSCert, probe.PhaseTLS, 0))},
			wantCause: UpstreamTLS, wantPers: Persistent},
		{name: "ladder: the gateway closes, the upstream breaks off its body", ev: Evidence{
			Tries: three(fail("try", probe.ClassClosed, probe.PhaseHeaders, time.Millisecond)), UpstreamAddr: "127.0.0.1:9000",
			Upstream: func() []Attempt {
				a := resp("upstream try", 200, time.Millisecond, app, noRead)
				a.Probe.Class, a.Probe.FailedIn, a.Probe.Response.BodyBytes = probe.ClassBodyTruncated, probe.PhaseBody, 1024
				return three(a)
			}()},
			wantCause: UpstreamTruncated, wantPers: Persistent, has: []claim{{cause: UpstreamClosed, kind: kindFallback}, {cause: UpstreamTruncated, kind: kindDirect}}, wantConf: High},
		{name: "ladder: the upstream's connect goes unanswered", ev: Evidence{
			Tries: three(resp("try", 502, time.Second+time.Millisecond, goProxy, noRead)), UpstreamAddr: "127.0.0.1:9000",
			Upstream: three(fail("upstream try", probe.ClassConnectTimeout, probe.PhaseConnect, 1800*time.Millisecond))},
			wantCause: UpstreamUnreachable, wantPers: Persistent, has: []claim{{cause: UpstreamUnreachable, kind: kindDirect}}, wantConf: High},
		{name: "ladder: huge upstream head", ev: Evidence{Tries: three(go502), UpstreamAddr: "127.0.0.1:9000",
			Upstream: func() []Attempt {
				a := resp("upstream try", 200, time.Millisecond, app, noRead)
				a.Probe.Response.HeaderBytes = 64 << 10
				return three(a)
			}()},
			wantCause: UpstreamHeaderTooBig, wantPers: Persistent, has: []claim{{cause: UpstreamHeaderTooBig, kind: kindDirect}}, wantConf: High},
		{name: "ladder: upstream slower than the gateway waits", ev: Evidence{
			Tries: three(resp("try", 502, 2*time.Second+3*time.Millisecond, goProxy, noRead)), UpstreamAddr: "127.0.0.1:9000",
			Upstream: three(resp("upstream try", 200, 3*time.Second, app, noRead))},
			wantCause: UpstreamTimeout, wantPers: Persistent, has: []claim{{cause: UpstreamTimeout, kind: kindDirect, source: "upstream"}}, wantConf: High},
		{name: "ladder: upstream answers 502 itself", ev: Evidence{Tries: three(go502), UpstreamAddr: "127.0.0.1:9000",
			Upstream: three(resp("upstream try", 502, time.Millisecond, app, noRead))},
			wantCause: UpstreamAppError, wantPers: Persistent},
		{name: "client state", ev: Evidence{Tries: three(go502), StateItems: []string{"Cookie: theme", "Cookie: session_blob"},
			Culprits: []string{"Cookie: session_blob"},
			Variants: []Variant{{Name: VariantBare, Attempt: resp(VariantBare, 200, time.Millisecond, app, noRead)}}},
			wantCause: ClientRequestState, wantPers: Persistent, wantProd: "go", has: []claim{{cause: ClientRequestState, kind: kindReplay, source: VariantBare}}, wantConf: High, wantCulprits: "Cookie: session_blob"},
		{name: "client state irrelevant", ev: Evidence{Tries: three(go502), StateItems: []string{"Cookie: a"},
			Variants: []Variant{{Name: VariantBare, Attempt: go502}}},
			wantCause: Upstream, wantPers: Persistent, wantOut: ClientRequestState},
		{name: "intermittent with bare success is not client state", ev: Evidence{Tries: []Attempt{go502, ok200, go502}, StateItems: []string{"Cookie: a"},
			Variants: []Variant{{Name: VariantBare, Attempt: ok200}}},
			wantCause: Upstream, wantPers: Intermittent},
		{name: "cached error", ev: Evidence{Tries: three(go502),
			Variants: []Variant{{Name: VariantNoCache, Attempt: resp(VariantNoCache, 200, time.Millisecond, app, noRead)}}},
			wantCause: ClientRequestState, wantPers: Persistent, has: []claim{{cause: ClientRequestState, kind: kindReplay, source: VariantNoCache}}, wantConf: High},
		{name: "504 without timing", ev: Evidence{Tries: three(resp("try", 504, 1700*time.Millisecond, fingerprint.Match{Product: "unknown", Role: "unknown"}, noRead))},
			wantCause: UpstreamTimeout, wantPers: Persistent, has: []claim{{cause: UpstreamTimeout, kind: kindStatus}}, wantConf: Medium},
		{name: "truncated body", ev: Evidence{Tries: three(func() Attempt {
			a := resp("try", 200, time.Millisecond, nginx, noRead)
			a.Probe.Class, a.Probe.FailedIn = probe.ClassBodyTruncated, probe.PhaseBody
			return a
		}())}, wantCause: UpstreamTruncated, wantPers: Persistent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.ev.URL = "http://shop.example/checkout"
			v, cs := judge(tc.ev)
			for _, w := range tc.has {
				if !hasClaim(cs, w) {
					t.Errorf("no claim %v among %v", w, cs)
				}
			}
			for _, w := range tc.hasNot {
				if hasClaim(cs, w) {
					t.Errorf("a claim %v among %v", w, cs)
				}
			}
			if tc.wantConf != "" && v.Confidence != tc.wantConf {
				t.Errorf("confidence = %s, want %s; claims %v", v.Confidence, tc.wantConf, cs)
			}
			if tc.wantCulprits != "" && strings.Join(v.Culprits, ", ") != tc.wantCulprits {
				t.Errorf("culprits = %q, want %q", v.Culprits, tc.wantCulprits)
			}
			if v.Cause != tc.wantCause {
				t.Fatalf("cause = %q, want %q\nevidence: %+v", v.Cause, tc.wantCause, v.Evidence)
			}
			if v.Persistence != tc.wantPers {
				t.Errorf("persistence = %q, want %q", v.Persistence, tc.wantPers)
			}
			if tc.wantProd != "" && v.GeneratedBy.Product != tc.wantProd {
				t.Errorf("product = %q, want %q", v.GeneratedBy.Product, tc.wantProd)
			}
			if tc.wantIn != "" && !hasFinding(v, tc.wantIn) {
				t.Errorf("no finding mentions %q: %+v", tc.wantIn, v.Evidence)
			}
			if tc.wantOut != "" && !ruledOut(v, tc.wantOut) {
				t.Errorf("%s not ruled out: %+v", tc.wantOut, v.RuledOut)
			}
			if !v.Cause.Known() {
				t.Errorf("cause %q is not in the catalog", v.Cause)
			}
			if v.Title == "" || v.Summary == "" || v.Confidence == "" {
				t.Errorf("title %q, summary %q, confidence %q: want all set", v.Title, v.Summary, v.Confidence)
			}
			if v.Cause != OK && len(v.Steps) == 0 {
				t.Errorf("no steps for %s", v.Cause)
			}
			if v.Cause == OK && len(v.Steps) != 0 {
				t.Errorf("steps for a healthy site: %+v", v.Steps)
			}
		})
	}
}

// hasClaim reports a claim among cs that matches w on cause, kind and
// against, and on source when w names one.
func hasClaim(cs []claim, w claim) bool {
	for _, c := range cs {
		if c.cause == w.cause && c.kind == w.kind && c.against == w.against && (w.source == "" || c.source == w.source) {
			return true
		}
	}
	return false
}

func hasFinding(v Verdict, s string) bool {
	for _, f := range v.Evidence {
		if strings.Contains(f.Text, s) {
			return true
		}
	}
	return false
}

func ruledOut(v Verdict, cause Cause) bool {
	for _, x := range v.RuledOut {
		if x.Cause == cause {
			return true
		}
	}
	return false
}

func TestPersistence(t *testing.T) {
	ok, bad := resp("t", 200, 0, nginx, noRead), resp("t", 502, 0, nginx, noRead)
	tests := []struct {
		tries []Attempt
		want  Persistence
	}{
		{[]Attempt{ok, ok, ok}, NoFailure},
		{[]Attempt{bad, bad, bad}, Persistent},
		{[]Attempt{bad, ok, ok}, Recovered},
		{[]Attempt{ok, bad, ok}, Intermittent},
		{[]Attempt{ok, ok, bad}, Intermittent},
	}
	for i, tc := range tests {
		if got := persistence(tc.tries); got != tc.want {
			t.Errorf("case %d: persistence = %q, want %q", i, got, tc.want)
		}
	}
}

// tlsResp is a request over TLS to the upstream that got 200, with its
// certificate's verification error, "" when it verified.
func tlsResp(verifyErr string) Attempt {
	a := resp("upstream tls check", 200, time.Millisecond, app, noRead)
	a.Probe.TLS = &probe.TLSInfo{Version: "TLS 1.3", ServerName: "127.0.0.1", Verified: verifyErr == "", VerifyError: verifyErr}
	return a
}

// TestSavedPageWithoutFailure checks a saved page that shows no failure:
// its status says so at medium confidence; without a status and without
// an error page a product writes, nothing is known, and a rule of thumb
// does not name its producer.
func TestSavedPageWithoutFailure(t *testing.T) {
	t.Parallel()
	guessed := fingerprint.Match{Product: "application", Role: "application", Markers: []string{"no gateway marker"}}
	page := func(status int) Evidence {
		a := resp("page", status, 0, guessed, noRead)
		a.Print.Evidence = fingerprint.EvidenceFallback
		return Evidence{Saved: true, Tries: []Attempt{a}}
	}
	for _, tc := range []struct {
		name    string
		ev      Evidence
		cause   Cause
		conf    Confidence
		product string
	}{
		{"status 200", page(200), OK, Medium, "application"},
		{"no status", page(0), Unknown, Low, "unknown"},
	} {
		v := Judge(tc.ev)
		if v.Cause != tc.cause || v.Confidence != tc.conf || v.GeneratedBy.Product != tc.product {
			t.Errorf("%s: %s/%s by %s, want %s/%s by %s", tc.name, v.Cause, v.Confidence, v.GeneratedBy.Product, tc.cause, tc.conf, tc.product)
		}
		if tc.cause == Unknown && (len(v.Steps) != 1 || v.Steps[0].Text != stepVisitorUndetermined || v.Summary != summarySavedUndetermined) {
			t.Errorf("%s: summary %q, steps %+v: want the undetermined page's", tc.name, v.Summary, v.Steps)
		}
	}
}

// TestFailsAfterRecovery checks that tries through the gateway that fail
// and then succeed read as intermittent when a direct request to the
// upstream fails after the recovery, and as recovered when none does.
func TestFailsAfterRecovery(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(a Attempt, d time.Duration) Attempt {
		a.Probe.Started = t0.Add(d)
		return a
	}
	tries := []Attempt{
		at(resp("try 1", 502, 300*time.Millisecond, haproxy, noRead), 0),
		at(resp("try 2", 200, 100*time.Millisecond, app, noRead), 400*time.Millisecond),
		at(resp("try 3", 200, 3*time.Millisecond, app, noRead), 600*time.Millisecond),
	}
	upOK := func(label string, d time.Duration) Attempt {
		return at(resp(label, 200, time.Millisecond, app, noRead), d)
	}
	upClosed := func(label string, d time.Duration) Attempt {
		return at(fail(label, probe.ClassClosed, probe.PhaseHeaders, time.Millisecond), d)
	}
	for _, tc := range []struct {
		name     string
		upstream []Attempt
		want     Persistence
	}{
		{"a direct failure after the recovery", []Attempt{upOK("upstream try 1", 100*time.Millisecond), upOK("upstream try 2", 300*time.Millisecond), upClosed("upstream try 3", 500*time.Millisecond)}, Intermittent},
		{"direct failures before it only", []Attempt{upClosed("upstream try 1", 100*time.Millisecond), upOK("upstream try 2", 500*time.Millisecond), upOK("upstream try 3", 700*time.Millisecond)}, Recovered},
	} {
		v := Judge(Evidence{Tries: tries, UpstreamAddr: "127.0.0.1:9000", Upstream: tc.upstream})
		if v.Persistence != tc.want {
			t.Errorf("%s: persistence %s (cause %s), want %s", tc.name, v.Persistence, v.Cause, tc.want)
		}
	}
}
