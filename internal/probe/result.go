// Package probe makes single, fully traced network requests: DNS resolution,
// TCP connect, TLS handshake and one HTTP exchange over HTTP/1.1 or
// HTTP/2, or one FastCGI request, on a fresh connection.
//
// A probe never hangs and never reads without bound: every phase has a
// deadline, the response head and body are capped, and the result is filled
// as far as the request got even when it fails. Raw errors are turned into a
// small set of probe-level classes in classify.go, the one place where that
// happens.
package probe

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Phase names a step of a request, in the order they happen.
type Phase string

// The phases of one HTTP probe.
const (
	PhaseNone     Phase = ""
	PhaseDNS      Phase = "dns"
	PhaseConnect  Phase = "connect"
	PhaseTLS      Phase = "tls"
	PhaseRequest  Phase = "request"  // writing the request
	PhaseHeaders  Phase = "headers"  // waiting for and reading the response head
	PhaseBody     Phase = "body"     // reading the response body
	PhaseComplete Phase = "complete" // the whole response was read (or the body cap was reached)
)

// Timings are the durations of each phase, as far as the request got. A
// phase that did not happen (an address literal needs no DNS; plain HTTP has
// no TLS) is zero.
type Timings struct {
	DNS      time.Duration
	Connect  time.Duration
	TLS      time.Duration
	TTFB     time.Duration // from the request written to the first response byte (HTTP/2: the first HEADERS frame)
	Transfer time.Duration // reading the body
	Total    time.Duration
}

// MarshalJSON writes the timings as milliseconds with microsecond precision,
// the unit people read phase timings in.
func (t Timings) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		DNS      float64 `json:"dns_ms"`
		Connect  float64 `json:"connect_ms"`
		TLS      float64 `json:"tls_ms"`
		TTFB     float64 `json:"ttfb_ms"`
		Transfer float64 `json:"transfer_ms"`
		Total    float64 `json:"total_ms"`
	}{millis(t.DNS), millis(t.Connect), millis(t.TLS), millis(t.TTFB), millis(t.Transfer), millis(t.Total)})
}

// UnmarshalJSON reads the timings as MarshalJSON writes them.
func (t *Timings) UnmarshalJSON(b []byte) error {
	var ms struct {
		DNS      float64 `json:"dns_ms"`
		Connect  float64 `json:"connect_ms"`
		TLS      float64 `json:"tls_ms"`
		TTFB     float64 `json:"ttfb_ms"`
		Transfer float64 `json:"transfer_ms"`
		Total    float64 `json:"total_ms"`
	}
	if err := json.Unmarshal(b, &ms); err != nil {
		return err
	}
	*t = Timings{fromMillis(ms.DNS), fromMillis(ms.Connect), fromMillis(ms.TLS), fromMillis(ms.TTFB), fromMillis(ms.Transfer), fromMillis(ms.Total)}
	return nil
}

// millis is d in milliseconds with microsecond precision.
func millis(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// fromMillis is the duration that millis wrote as ms.
func fromMillis(ms float64) time.Duration {
	return time.Duration(math.Round(ms*1e3)) * time.Microsecond
}

// Cert summarises one certificate of the peer's chain.
type Cert struct {
	Subject    string    `json:"subject"`
	Issuer     string    `json:"issuer"`
	DNSNames   []string  `json:"dns_names,omitempty"`
	IPs        []string  `json:"ips,omitempty"`
	NotBefore  time.Time `json:"not_before"`
	NotAfter   time.Time `json:"not_after"`
	SelfSigned bool      `json:"self_signed"`
}

// TLSInfo describes a TLS handshake, including the result of certificate
// verification, which is kept even when verification failed.
type TLSInfo struct {
	Version     string `json:"version"`
	ALPN        string `json:"alpn,omitempty"`
	ServerName  string `json:"server_name"`
	CipherSuite string `json:"cipher_suite,omitempty"`
	Verified    bool   `json:"verified"`
	VerifyError string `json:"verify_error,omitempty"`
	Chain       []Cert `json:"chain,omitempty"`
}

// Response is the part of the HTTP response that was read.
type Response struct {
	Proto  string      `json:"proto"`
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	// HeaderBytes is the approximate size of the response head on the
	// wire; for HTTP/2, whose head is compressed, the size of the same
	// fields in an HTTP/1.1 head (see headerBytes).
	HeaderBytes   int    `json:"header_bytes"`
	Body          []byte `json:"-"`
	BodyBytes     int64  `json:"body_bytes"` // bytes of body read (at most the cap)
	BodyTruncated bool   `json:"body_truncated"`
}

// jsonBodyBytes is how much of Body the JSON form keeps: enough for the
// status line of an HTTP/0.9 answer or the first line of an error page,
// which is all a diagnosis reads of a body, and small enough for a
// recorded evidence file.
const jsonBodyBytes = 4 << 10

// responseJSON is the JSON form of a Response: the first jsonBodyBytes of
// Body as text, or base64 when they are not UTF-8.
type responseJSON struct {
	plainResponse
	BodyExcerpt string `json:"body_excerpt,omitempty"`
	BodyBase64  []byte `json:"body_excerpt_base64,omitempty"`
}

type plainResponse Response

// MarshalJSON adds the start of Body, at most 4 KiB, as body_excerpt.
func (r Response) MarshalJSON() ([]byte, error) {
	out := responseJSON{plainResponse: plainResponse(r)}
	b := r.Body
	if len(b) > jsonBodyBytes {
		b = b[:jsonBodyBytes]
	}
	if utf8.Valid(b) {
		out.BodyExcerpt = string(b)
	} else {
		out.BodyBase64 = b
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads a Response as MarshalJSON writes it; Body is then
// only the excerpt.
func (r *Response) UnmarshalJSON(b []byte) error {
	var in responseJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*r = Response(in.plainResponse)
	switch {
	case in.BodyBase64 != nil:
		r.Body = in.BodyBase64
	case in.BodyExcerpt != "":
		r.Body = []byte(in.BodyExcerpt)
	}
	return nil
}

// Result is everything one probe observed. Fields are filled as far as the
// probe got; Err and Class say why it stopped early.
type Result struct {
	Method  string    `json:"method"`
	URL     string    `json:"url"`
	Started time.Time `json:"started"`
	// Addrs are the addresses the name resolved to; Addr is the one dialled
	// (the one that connected, or whose failure Err reports) and Family its
	// IP family, "4" or "6" ("" for a unix socket).
	Addrs  []string `json:"addrs,omitempty"`
	Addr   string   `json:"addr,omitempty"`
	Family string   `json:"family,omitempty"`
	// Attempts are the connection attempts, when there was more than one:
	// a name with addresses of both families, or an address that failed
	// before the next one was tried.
	Attempts []Attempt `json:"attempts,omitempty"`
	// Protocol is what the exchange spoke: "http/1.1" or "h2" (ALPN
	// identifiers); empty when the probe stopped before. Response.Proto
	// says the same as "HTTP/1.1" or "HTTP/2.0" once a response came.
	Protocol string    `json:"protocol,omitempty"`
	Timings  Timings   `json:"timings"`
	Reached  Phase     `json:"reached"` // the last phase that completed
	FailedIn Phase     `json:"failed_in,omitempty"`
	TLS      *TLSInfo  `json:"tls,omitempty"`
	Response *Response `json:"response,omitempty"`
	// FastCGI is set by the FastCGI probe: STDERR and END_REQUEST.
	FastCGI *FastCGIInfo `json:"fastcgi,omitempty"`
	// Class is the probe-level class of Err (see classify.go); empty on success.
	Class Class  `json:"class,omitempty"`
	Err   error  `json:"-"`
	Error string `json:"error,omitempty"`
	// H2Code is the HTTP/2 error code of an h2.* failure (RFC 9113
	// section 7), such as "INTERNAL_ERROR"; H2Debug is the debug data of
	// the server's GOAWAY, at most 1 KiB.
	H2Code  string `json:"h2_code,omitempty"`
	H2Debug string `json:"h2_debug,omitempty"`
}

// IsHTTP2 reports whether the probe spoke HTTP/2.
func (r *Result) IsHTTP2() bool { return r.Protocol == ALPNH2 }

// NoRouteFamily returns the IP family, "4" or "6", that this machine has
// no route for when that is why the probe failed (ClassNoRouteFamily), and
// "" otherwise. Such a failure says nothing about the site: a report can
// say "this machine has no IPv6" and leave it out of the verdict.
func (r *Result) NoRouteFamily() string {
	if r.Class != ClassNoRouteFamily {
		return ""
	}
	return r.Family
}

// Families returns the IP families of the addresses the name resolved to,
// IPv6 first: ["6", "4"] for a name with AAAA and A records. A caller can
// then probe each family on its own with Options.Family.
func (r *Result) Families() []string {
	var out []string
	for _, f := range []string{Family6, Family4} {
		for _, a := range r.Addrs {
			if familyOf(a) == f {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// IsHTTP2 reports whether c is a failure particular to HTTP/2.
func (c Class) IsHTTP2() bool { return strings.HasPrefix(string(c), "h2.") }

func summarize(c *x509.Certificate) Cert {
	out := Cert{
		Subject:   c.Subject.String(),
		Issuer:    c.Issuer.String(),
		DNSNames:  c.DNSNames,
		NotBefore: c.NotBefore,
		NotAfter:  c.NotAfter,
		// Signed by its own key; CheckSignatureFrom would also demand the
		// CA flag, which many self-signed server certificates lack.
		SelfSigned: c.Subject.String() == c.Issuer.String() && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil,
	}
	for _, ip := range c.IPAddresses {
		out.IPs = append(out.IPs, ip.String())
	}
	return out
}

// within runs one probe's work under its overall deadline, then closes the
// result: the total time, and the error as text for the JSON form.
func (r *Result) within(ctx context.Context, timeout time.Duration, now func() time.Time, run func(context.Context)) *Result {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	run(ctx)
	r.Timings.Total = now().Sub(r.Started)
	if r.Err != nil {
		r.Error = r.Err.Error()
	}
	return r
}
