// Package lab reproduces real gateway failures on the loopback interface:
// misbehaving upstreams, one per Fault, and gateways (reverse proxies) in
// front of them.
//
// Every upstream is a raw TCP listener on 127.0.0.1 that speaks just enough
// HTTP/1.1 to fail in one precise way, because the standard library's server
// refuses to misbehave: it cannot reset a connection on purpose, send a
// malformed status line or trickle a response head byte by byte. Gateways
// are behind the small Gateway interface so that real programs (nginx,
// HAProxy, Apache, ...) can be launched the same way as the Go reverse proxy
// started by StartGo.
//
// Scenarios ties each fault to the cause ID (see docs/causes.md) that a
// correct diagnosis reaches, which makes the lab the ground truth for
// end-to-end tests and for `gwdoctor lab serve`.
package lab

import "time"

// Fault names one way an upstream misbehaves.
type Fault string

// The faults an Upstream can reproduce.
const (
	// Healthy answers 200 with HealthyBody and keeps connections alive.
	Healthy Fault = "healthy"
	// Refused has nothing listening at its address: a free port is
	// reserved and its listener closed again, so connecting is refused.
	Refused Fault = "refused"
	// Closed reads the request head, then closes the connection (FIN)
	// without sending a byte, like a crashed or killed worker.
	Closed Fault = "closed"
	// Reset reads the request head, then aborts the connection with a TCP
	// RST (SO_LINGER 0 and close).
	Reset Fault = "reset"
	// Invalid answers with a status line that is not HTTP
	// ("HTTP/1.1 OOPS Bad"), then closes.
	Invalid Fault = "invalid"
	// HeaderTooBig answers 200 with about 64 KiB of response headers (big
	// Set-Cookie and Content-Security-Policy lines), more than the buffers
	// of common gateways (nginx 4-8 KiB, HAProxy 16 KiB, Go's proxy as
	// configured by StartGo 16 KiB).
	HeaderTooBig Fault = "header_too_big"
	// Timeout reads the request and never answers, until the client or
	// Close closes the connection.
	Timeout Fault = "timeout"
	// Slow answers like Healthy after UpstreamOptions.Delay.
	Slow Fault = "slow"
	// Intermittent closes every UpstreamOptions.Every-th request like
	// Closed and answers the others like Healthy.
	Intermittent Fault = "intermittent"
	// AppError is the application's own 502: a JSON body (AppErrorBody)
	// that a gateway only passes on.
	AppError Fault = "app_error"
	// CookieBomb closes like Closed only when the request carries the
	// cookie UpstreamOptions.Cookie, and answers like Healthy otherwise:
	// the failure follows the client's state, not the server's.
	CookieBomb Fault = "cookie_bomb"
	// TLS is a healthy HTTPS server whose self-signed certificate is
	// generated at start, so clients that verify against the system roots
	// fail the handshake.
	TLS Fault = "tls"
	// Truncated answers 200 with a Content-Length of 64 KiB, sends the
	// first KiB of the body and closes the connection: an upstream that
	// died in the middle of its response.
	Truncated Fault = "truncated"
	// Unreachable listens, but its accept queue is full and never drained,
	// so the kernel drops every new SYN unanswered: on loopback, what a
	// firewall that drops packets (or a wrong address) is on a network.
	// Connecting times out instead of being refused.
	Unreachable Fault = "unreachable"
	// Tarpit sends "HTTP/1.1 200 OK\r\n", then one header byte every
	// 500 ms forever (slowloris in reverse).
	Tarpit Fault = "tarpit"
	// EndlessBody answers 200 with a chunked body that never ends, one
	// KiB every 10 ms.
	EndlessBody Fault = "endless_body"
)

// Faults returns every Fault, in a stable order: Healthy first.
func Faults() []Fault {
	return []Fault{
		Healthy, Refused, Closed, Reset, Invalid, HeaderTooBig, Timeout,
		Slow, Intermittent, AppError, CookieBomb, TLS, Truncated, Unreachable,
		Tarpit, EndlessBody,
	}
}

// Valid reports whether f is one of Faults.
func (f Fault) Valid() bool {
	for _, g := range Faults() {
		if f == g {
			return true
		}
	}
	return false
}

// HealthyBody is the body of every healthy answer: a small HTML page whose
// last line is "ok".
const HealthyBody = "<!doctype html>\n<title>lab upstream</title>\nok\n"

// AppErrorBody is the body of the AppError upstream's 502, sent with
// Content-Type application/json.
const AppErrorBody = `{"error":"payment backend unavailable","code":"UPSTREAM_PAYMENTS"}`

// Defaults of UpstreamOptions.
const (
	DefaultDelay  = 3 * time.Second
	DefaultEvery  = 2
	DefaultCookie = "session_blob"
)

// UpstreamOptions tunes the faults that take a parameter. The zero value
// gives the defaults.
type UpstreamOptions struct {
	// Delay is how long Slow waits before answering. Default DefaultDelay
	// (3 s), longer than a gateway's default GatewayOptions.Response (2 s).
	Delay time.Duration
	// Every makes Intermittent fail the Every-th, 2*Every-th, ... request.
	// Default DefaultEvery (2): every second request fails.
	Every int
	// Cookie is the name of the cookie that makes CookieBomb fail.
	// Default DefaultCookie ("session_blob").
	Cookie string
	// UnhealthyPath, when set, is a path whose requests get 503 whatever
	// the fault: a health-check endpoint that fails while the application
	// itself answers.
	UnhealthyPath string
	// IdleTimeout, when positive, closes a kept-alive connection that
	// brings no new request this long after the previous answer, as a
	// server's keep-alive timeout does (Node.js 5 s, gunicorn 2 s).
	// Default: 30 s, the lab's bound on reading a request head.
	IdleTimeout time.Duration
	// Flap, when positive, makes the upstream flap: from its start it
	// behaves as its fault for Flap, then closes every request like Closed
	// for Flap, and so on, as a service in a crash loop or a deploy that
	// drops requests for a while. Default 0: it never flaps.
	Flap time.Duration
}

func (o UpstreamOptions) withDefaults() UpstreamOptions {
	if o.Delay <= 0 {
		o.Delay = DefaultDelay
	}
	if o.Every <= 0 {
		o.Every = DefaultEvery
	}
	if o.Cookie == "" {
		o.Cookie = DefaultCookie
	}
	return o
}
