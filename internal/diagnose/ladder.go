package diagnose

import (
	"fmt"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// Variant names the experiments set.
const (
	VariantBare    = "without-client-state"
	VariantNoCache = "no-cache"
)

// defaultHeaderLimit is the response-head size above which common gateways
// refuse an upstream's answer when their limit is not known: nginx's
// proxy_buffer_size is one memory page (4k or 8k), HAProxy's tune.bufsize
// 16k holds request and response head.
const defaultHeaderLimit = 8 << 10

// directCause maps the class of a failed request straight at a server to
// the upstream cause it amounts to when that server sits behind a gateway.
func directCause(c probe.Class) (Cause, bool) {
	switch c {
	case probe.ClassRefused, probe.ClassNoSocket:
		return UpstreamRefused, true
	case probe.ClassPermission:
		return UpstreamPermission, true
	case probe.ClassConnectTimeout, probe.ClassUnreachable:
		return UpstreamUnreachable, true
	case probe.ClassDNSNotFound, probe.ClassDNSError, probe.ClassDNSTimeout:
		return UpstreamDNS, true
	case probe.ClassTLSCert, probe.ClassTLSHandshake:
		return UpstreamTLS, true
	case probe.ClassClosed, probe.ClassReset:
		return UpstreamClosed, true
	case probe.ClassMalformed, probe.ClassNotTLS, probe.ClassHTTPToTLS:
		return UpstreamInvalid, true
	case probe.ClassHeaderTimeout, probe.ClassDeadline:
		return UpstreamTimeout, true
	case probe.ClassHeaderTooBig:
		return UpstreamHeaderTooBig, true
	case probe.ClassBodyTruncated, probe.ClassBodyTimeout:
		return UpstreamTruncated, true
	case probe.ClassOverloaded:
		return UpstreamOverloaded, true
	}
	return "", false
}

// ladder reads the requests sent straight to the upstream.
func (j *judgement) ladder() []claim {
	if len(j.e.Upstream) == 0 {
		return nil
	}
	var failed, ok []Attempt
	for _, a := range j.e.Upstream {
		if a.Probe.Response == nil || a.Probe.Class == probe.ClassBodyTruncated {
			failed = append(failed, a)
		} else {
			ok = append(ok, a)
		}
	}
	if len(failed) > 0 {
		return j.ladderFailed(failed)
	}
	return j.ladderAnswered(ok)
}

// ladderFailed reads direct requests of which some failed: the first
// failure's class names the cause, unless the upstream speaks another
// protocol than HTTP, or a limit killed the requests.
func (j *judgement) ladderFailed(failed []Attempt) []claim {
	f := failed[0]
	cause, known := directCause(f.Probe.Class)
	c := j.claim(cause, kindDirect, f.Label, factDirectFailed, j.e.UpstreamAddr, len(failed), len(j.e.Upstream), describeClass(f.Probe.Class), f.Probe.Error)
	if f.Probe.TLS != nil && f.Probe.TLS.VerifyError != "" {
		j.note(f.Label, noteUpstreamCertInvalid, f.Probe.TLS.VerifyError)
	}
	if fc := j.e.UpstreamFastCGI; fc != nil && fc.Probe != nil && fc.Probe.Response != nil && cause == UpstreamClosed {
		// It closes HTTP and answers FastCGI: the closing is not its failure.
		return j.speaksFastCGI(*fc)
	}
	if tl := j.e.UpstreamTLS; tl != nil && handshook(*tl) {
		return j.speaksTLS(f, *tl)
	}
	if !known {
		return nil
	}
	cs := []claim{c}
	killed, d := killedAtLimit(failed)
	if killed {
		cs = append(cs, j.claim(UpstreamTimeout, kindDirect, f.Label, factKilledAtLimit, ms(d)))
	}
	if (killed || cause == UpstreamTimeout) && failAt(j.rep) < 500*time.Millisecond {
		// The gateway could not even get in, while a direct request is let
		// in and then waits: every worker is busy and the listen queue is
		// (at times) full.
		cs = append(cs, j.claim(UpstreamOverloaded, kindDirect, f.Label, factQueueOverflows, ms(failAt(j.rep))))
	}
	return cs
}

// ladderAnswered reads direct requests that all got an answer: one that is
// itself a failure, too large for the gateway, slower than it waits, or
// that the gateway holds back from.
func (j *judgement) ladderAnswered(ok []Attempt) []claim {
	a := ok[0]
	if tl := j.e.UpstreamTLS; tl != nil {
		return j.speaksTLS(a, *tl)
	}
	r := a.Probe.Response
	j.note(a.Label, noteDirectAnswered, j.e.UpstreamAddr, r.Status, ms(a.Probe.Timings.TTFB), r.HeaderBytes)
	if IsGatewayStatus(r.Status) {
		if inner, ok := innerGateway(a); ok {
			// The upstream is a gateway too (HAProxy in front of nginx): its
			// own page says it failed to reach what is behind it, so the
			// failing hop is deeper, and its page or its log says why.
			cause := Upstream
			if c := a.Print.Reading.Cause; c != "" {
				cause = c
			}
			return []claim{j.claim(cause, kindDirect, a.Label, factInnerGateway, inner, r.Status)}
		}
		return []claim{j.claim(UpstreamAppError, kindDirect, a.Label, factUpstreamFails, r.Status)}
	}
	limit := j.headerLimit()
	if r.HeaderBytes > limit && j.rep.Probe.Timings.TTFB < time.Second {
		return []claim{j.claim(UpstreamHeaderTooBig, kindDirect, a.Label, factHeadTooBig, r.HeaderBytes, limit)}
	}
	failAt := j.rep.Probe.Timings.TTFB
	if failAt >= 500*time.Millisecond && slowest(ok) > failAt {
		return []claim{j.claim(UpstreamTimeout, kindDirect, "upstream", factUpstreamSlower, ms(slowest(ok)), ms(failAt))}
	}
	if cs := j.socketDenied(a); len(cs) > 0 {
		return cs
	}
	if cs := j.heldDown(a); len(cs) > 0 {
		return cs
	}
	// A gateway whose own words say it holds its servers back or turns
	// requests away has explained why the upstream answering changes nothing.
	if fp := j.rep.Print; fp == nil || (fp.Reading.Cause != catalog.UpstreamNoneHealthy && fp.Reading.Cause != catalog.UpstreamOverloaded) {
		j.note("upstream", noteUpstreamAnswers)
	}
	return nil
}

func (j *judgement) headerLimit() int {
	for _, t := range j.e.Limits {
		if t.HeaderBytes > 0 {
			return t.HeaderBytes
		}
	}
	return defaultHeaderLimit
}

func slowest(as []Attempt) time.Duration {
	var d time.Duration
	for _, a := range as {
		d = max(d, a.Probe.Timings.TTFB)
	}
	return d
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f ms", float64(d)/1e6)
}

// killedAtLimit reports direct requests that were all closed or reset
// after about the same time, at least 900 ms: the upstream accepted them,
// then something killed them at a fixed limit. PHP-FPM checks
// request_terminate_timeout about once a second, so its kills of a 1 s
// limit land between 1.0 and 2.2 s (measured with the lab's PHP-FPM 8.2),
// and later on a busy machine: the spread allowed is 1.5 s.
func killedAtLimit(failed []Attempt) (bool, time.Duration) {
	var ds []time.Duration
	for _, a := range failed {
		switch a.Probe.Class {
		case probe.ClassClosed, probe.ClassReset:
			ds = append(ds, failAt(a))
		case probe.ClassDeadline:
			// cut short by the diagnosis, not by the upstream
		default:
			return false, 0
		}
	}
	lo, hi := spread(ds)
	return len(ds) >= 2 && lo >= 900*time.Millisecond && hi-lo <= 1500*time.Millisecond, lo
}

// heldDownProducts answer 503 at once, without trying, for an upstream they
// hold back, and what that means: Apache for a worker in error state
// (after a failure it waits retry=60 s by default, or while
// mod_proxy_hcheck fails), HAProxy for a server its health check marked
// DOWN, lighttpd for a backend it disabled ("all handlers ... are down"),
// nginx for a request its own limit_req or limit_conn turned away.
var heldDownProducts = map[string]Cause{
	"apache": UpstreamNoneHealthy, "haproxy": UpstreamNoneHealthy, "lighttpd": UpstreamNoneHealthy,
	"nginx": UpstreamOverloaded,
}

// own503 reports the failing response as a 503 that its gateway wrote at
// once, without trying an upstream, and the product that wrote it.
func (j *judgement) own503() (string, bool) {
	fp := j.rep.Print
	// A saved page has no timing: "at once" cannot be told.
	if fp == nil || fp.PassedThrough || j.rep.Status() != 503 || j.e.Saved || failAt(j.rep) >= 500*time.Millisecond {
		return "", false
	}
	return fp.Generator.Product, true
}

// heldDown reads a gateway that answers 503 at once while the upstream,
// asked directly, answers (ok is that answer): the gateway does not even
// try the upstream, because it holds it back.
func (j *judgement) heldDown(ok Attempt) []claim {
	product, own := j.own503()
	cause, held := heldDownProducts[product]
	if !own || !held {
		return nil
	}
	name := productName(product)
	if cause == UpstreamNoneHealthy && unixSocket(j.e.UpstreamAddr) {
		// A socket answers whoever may open it: the diagnosis's request
		// tells nothing of whether the gateway's user may. Apache answers
		// 503 at once for a socket it may not open as for one it holds
		// back; its error log tells the two apart.
		j.note(ok.Label, noteSocketHeldOrDenied, name, name, name)
		return nil
	}
	if cause == UpstreamOverloaded {
		return []claim{j.claim(cause, kindDirect, ok.Label, factOwnLimits, ok.Status(), name)}
	}
	return []claim{j.claim(cause, kindDirect, ok.Label, factHeldDown,
		name, ms(failAt(j.rep)), ok.Status(), name)}
}

// unixSocket reports whether an --upstream address names a unix socket,
// HTTP ("unix:/path") or FastCGI ("fcgi:unix:/path").
func unixSocket(addr string) bool {
	return strings.HasPrefix(strings.TrimPrefix(addr, "fcgi:"), "unix:")
}

// innerGateway reports an answer that is a gateway's own error page (not
// one it passed on) and names the product.
func innerGateway(a Attempt) (string, bool) {
	fp := a.Print
	if fp == nil || !fp.ErrorPage || fp.PassedThrough {
		return "", false
	}
	switch fp.Generator.Role {
	case "reverse_proxy", "load_balancer", "cdn":
		return fp.Generator.Product, true
	}
	return "", false
}

// speaksFastCGI reads an upstream that closes every HTTP request at once
// and answers a FastCGI one: it is a FastCGI server such as PHP-FPM. That
// the gateway speaks HTTP to it is known only from the gateway's own
// configuration or log, never from how the upstream was named to
// gwdoctor (nginx's fastcgi_pass writes unix:/path as proxy_pass does).
func (j *judgement) speaksFastCGI(fc Attempt) []claim {
	speaks, where := j.gatewaySpeaks()
	switch speaks {
	case "http":
		return []claim{j.claim(UpstreamInvalid, kindDirect, fc.Label, factFastCGIAskedHTTP, fc.Status(), where)}
	case "fastcgi":
		j.note(fc.Label, noteFastCGIAsGateway, where, fc.Status())
	default:
		j.note(fc.Label, noteFastCGIAnswers, fc.Status())
	}
	return nil
}

// gatewaySpeaks is the protocol the gateway speaks to its upstream, and
// where that is written: the configuration's route, or the upstream URL of
// the gateway's own log lines (nginx writes http://… for proxy_pass and
// fastcgi://… for fastcgi_pass); "" when neither tells.
func (j *judgement) gatewaySpeaks() (string, string) {
	if p := j.e.GatewaySpeaks; p != "" {
		return p, phraseByConfig
	}
	for _, l := range j.e.Logs {
		switch {
		case strings.HasPrefix(l.Upstream, "http://"), strings.HasPrefix(l.Upstream, "https://"):
			return "http", fmt.Sprintf(phraseByLog, l.Upstream)
		case strings.HasPrefix(l.Upstream, "fastcgi://"):
			return "fastcgi", fmt.Sprintf(phraseByLog, l.Upstream)
		}
	}
	return "", ""
}

// speaksTLS reads a plain HOST:PORT upstream that answered plain HTTP as a
// TLS server does (plain is that answer, tl the request over TLS): the
// gateway must speak TLS to it, and a gateway that verifies certificates
// fails where the certificate does not verify.
func (j *judgement) speaksTLS(plain, tl Attempt) []claim {
	if plain.Status() != 0 {
		j.note(plain.Label, noteTLSAnswersPlain, j.e.UpstreamAddr, plain.Status())
	} else {
		j.note(plain.Label, noteTLSClosesPlain, j.e.UpstreamAddr)
	}
	info := tl.Probe.TLS
	if info == nil || tl.Probe.FailedIn == "tls" && info.Version == "" {
		return []claim{j.claim(UpstreamTLS, kindDirect, tl.Label, factTLSHandshake, tl.Probe.Error)}
	}
	if info.VerifyError == "" {
		j.note(tl.Label, noteTLSVerifies, info.Version, info.ServerName)
		return nil
	}
	return []claim{j.claim(UpstreamTLS, kindDirect, tl.Label, factTLSCertNotVerify, info.Version, info.VerifyError)}
}

// handshook reports a request whose TLS handshake completed.
func handshook(a Attempt) bool {
	return a.Probe != nil && a.Probe.TLS != nil && a.Probe.TLS.Version != ""
}
