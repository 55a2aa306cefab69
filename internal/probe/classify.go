package probe

//lint:file-ignore SA1019 x/net/http2 reports a GOAWAY as a GoAwayError; its code and debug data are the evidence.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/http2"
)

// Class is a probe-level classification of what went wrong. It says what
// happened on this connection; which cause of the catalog that amounts to
// depends on which hop was probed and is decided by package diagnose.
type Class string

// The probe-level classes.
const (
	ClassNone           Class = ""
	ClassDNSNotFound    Class = "dns.not_found"     // NXDOMAIN or no address
	ClassDNSTimeout     Class = "dns.timeout"       // the resolver did not answer in time
	ClassDNSError       Class = "dns.error"         // SERVFAIL and other resolver failures
	ClassRefused        Class = "connect.refused"   // RST to SYN: nothing listens
	ClassNoSocket       Class = "connect.no_socket" // unix socket path does not exist
	ClassPermission     Class = "connect.permission"
	ClassConnectTimeout Class = "connect.timeout"     // SYN unanswered: a firewall dropping, a wrong address
	ClassUnreachable    Class = "connect.unreachable" // no route, network unreachable
	ClassConnectError   Class = "connect.error"
	ClassTLSCert        Class = "tls.cert"      // the certificate was rejected
	ClassTLSHandshake   Class = "tls.handshake" // the handshake itself failed
	ClassNotTLS         Class = "tls.not_tls"   // TLS spoken to a port that does not speak it
	ClassClosed         Class = "http.closed"   // EOF before a complete response head
	ClassReset          Class = "http.reset"    // RST before a complete response head
	ClassHeaderTimeout  Class = "http.timeout"  // no complete response head in time
	ClassMalformed      Class = "http.malformed"
	ClassHeaderTooBig   Class = "http.header_too_big"
	ClassHTTPToTLS      Class = "http.tls_required" // plain HTTP to a TLS port
	ClassBodyTruncated  Class = "body.truncated"    // the body ended early or was reset
	ClassBodyTimeout    Class = "body.timeout"      // the body did not finish in time
	ClassDeadline       Class = "deadline"          // the overall deadline struck
	ClassOther          Class = "other"

	// ClassOverloaded is a FastCGI application answering FCGI_OVERLOADED (see errOverloaded).
	ClassOverloaded Class = "fastcgi.overloaded"

	// ClassNoFamilyAddress: the name has addresses, none of the family
	// that Options.Family asked for (no AAAA record for "6").
	ClassNoFamilyAddress Class = "dns.no_family_address"
	// ClassNoRouteFamily: this machine cannot send to the address's family
	// at all; connect(2) failed at once with "network is unreachable", "cannot
	// assign requested address" (no source address: an IPv6 address on a host
	// without IPv6) or "address family not supported". It says nothing
	// about the site; Result.NoRouteFamily names the family.
	ClassNoRouteFamily Class = "connect.no_route_family"

	// HTTP/2 failures (RFC 9113 section 5.4); Result.H2Code keeps the error
	// code, such as INTERNAL_ERROR, PROTOCOL_ERROR or REFUSED_STREAM.
	ClassH2StreamReset Class = "h2.stream_reset" // the server reset the stream (RST_STREAM)
	ClassH2GoAway      Class = "h2.goaway"       // the server sent GOAWAY before the exchange ended
	ClassH2Protocol    Class = "h2.protocol"     // the server broke HTTP/2, detected by the probe
)

// errHeaderTimeout marks the expiry of the response-head deadline.
var errHeaderTimeout = errors.New("no response head before the deadline")

// errBodyTimeout marks the expiry of the body deadline.
var errBodyTimeout = errors.New("response body did not finish before the deadline")

// errMalformed marks a response that breaks its protocol's framing; the
// FastCGI probe wraps its parse errors in it.
var errMalformed = errors.New("malformed response")

// errHeaderTooBig marks a response head larger than the probe's cap.
var errHeaderTooBig = errors.New("response head exceeds the cap")

// errNoFamilyAddress marks a name without an address of the family asked for.
var errNoFamilyAddress = errors.New("no address of the requested family")

// noRouteWithin bounds how soon a connect(2) that failed with ENETUNREACH
// failed for this machine's own lack of a route: the kernel's route lookup
// answers in microseconds, while an ICMP "network unreachable" from a
// router takes a round trip to it.
const noRouteWithin = 10 * time.Millisecond

// errOverloaded marks a FastCGI END_REQUEST with protocolStatus
// FCGI_OVERLOADED: the application is out of a resource and rejected the
// request (FastCGI spec 5.5). PHP-FPM itself queues in its listen backlog
// instead, so this comes from other FastCGI servers.
var errOverloaded = errors.New("application overloaded")

// certError carries a certificate verification failure through the TLS
// handshake so that it can be told apart from other handshake failures.
type certError struct{ err error }

func (e *certError) Error() string { return "verifying certificate: " + e.err.Error() }
func (e *certError) Unwrap() error { return e.err }

// Classify turns a raw error from the given phase into a Class. It is the
// only place in the project where raw network errors are interpreted.
func Classify(phase Phase, err error) Class {
	if err == nil {
		return ClassNone
	}
	switch phase {
	case PhaseDNS:
		if errors.Is(err, errNoFamilyAddress) {
			return ClassNoFamilyAddress
		}
		return classifyDNS(err)
	case PhaseConnect:
		return classifyConnect(err)
	case PhaseTLS:
		return classifyTLS(err)
	case PhaseBody:
		if c := classifyH2(err); c != ClassNone {
			return c
		}
		if errors.Is(err, errBodyTimeout) || isTimeout(err) {
			return ClassBodyTimeout
		}
		return ClassBodyTruncated
	}
	return classifyHTTP(err)
}

func classifyDNS(err error) Class {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return ClassDNSNotFound
		case dnsErr.IsTimeout:
			return ClassDNSTimeout
		}
		return ClassDNSError
	}
	if isTimeout(err) {
		return ClassDNSTimeout
	}
	return ClassDNSError
}

func classifyConnect(err error) Class {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassRefused
	case errors.Is(err, syscall.ENOENT), errors.Is(err, os.ErrNotExist):
		return ClassNoSocket
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return ClassPermission
	case noRoute(err):
		return ClassNoRouteFamily
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EHOSTDOWN), errors.Is(err, syscall.ENETDOWN):
		return ClassUnreachable
	case errors.Is(err, syscall.EAGAIN):
		// connect(2) on a unix socket whose listen queue is full (a
		// PHP-FPM pool with every worker busy); nginx logs it as
		// "(11: Resource temporarily unavailable) while connecting to
		// upstream". Checked before timeouts: EAGAIN counts as one.
		return ClassOverloaded
	case errors.Is(err, syscall.ETIMEDOUT), isTimeout(err), errors.Is(err, context.Canceled):
		// Canceled: the caller stopped waiting (a diagnosis that has seen
		// enough), which still means the SYN went unanswered that long.
		return ClassConnectTimeout
	}
	return ClassConnectError
}

func classifyTLS(err error) Class {
	var ce *certError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var recHdr tls.RecordHeaderError
	switch {
	case errors.As(err, &ce), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalid):
		return ClassTLSCert
	case errors.As(err, &recHdr):
		return ClassNotTLS
	}
	return ClassTLSHandshake
}

func classifyHTTP(err error) Class {
	if c := classifyH2(err); c != ClassNone {
		return c
	}
	var recHdr tls.RecordHeaderError
	switch {
	case errors.Is(err, errOverloaded):
		return ClassOverloaded
	case errors.Is(err, errMalformed):
		return ClassMalformed
	case errors.Is(err, errHeaderTooBig):
		return ClassHeaderTooBig
	case errors.Is(err, errHeaderTimeout):
		return ClassHeaderTimeout
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return ClassDeadline
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return ClassReset
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ClassClosed
	case errors.As(err, &recHdr):
		return ClassNotTLS
	case isTimeout(err):
		return ClassHeaderTimeout
	}
	// net/http reports these only as strings; the texts are those of
	// net/http's transport.go and are stable across Go releases.
	msg := err.Error()
	switch {
	case strings.Contains(msg, "server response headers exceeded"):
		return ClassHeaderTooBig
	case strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		return ClassHTTPToTLS
	case strings.Contains(msg, "malformed HTTP"), strings.Contains(msg, "malformed MIME header"),
		strings.Contains(msg, "invalid header"), strings.Contains(msg, "bad Content-Length"),
		strings.Contains(msg, "unsupported protocol version"):
		return ClassMalformed
	case strings.Contains(msg, "server closed"), strings.Contains(msg, "EOF"):
		// "http: server closed idle connection" and wrapped EOFs that lost
		// their identity in transport errors.
		return ClassClosed
	}
	return ClassOther
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded)
}

// noRoute reports a connection attempt that this machine refused to make
// for want of a route or an address of the family (see ClassNoRouteFamily).
func noRoute(err error) bool {
	if errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT) {
		// EADDRNOTAVAIL also means a host out of ephemeral ports: a
		// failure of this machine as well, not of the site.
		return true
	}
	var de *dialError
	return errors.Is(err, syscall.ENETUNREACH) && errors.As(err, &de) && de.took < noRouteWithin
}

// pickDialError chooses the error that stands for connection attempts that
// all failed, given in the order they were tried: the first, unless it is
// this machine's lack of a route for a family while the other family got
// an answer that says something about the site.
func pickDialError(errs []error) error {
	var first error
	for _, err := range errs {
		switch {
		case err == nil:
		case !noRoute(err):
			return err
		case first == nil:
			first = err
		}
	}
	return first
}

// classifyH2 classifies the failures particular to HTTP/2; ClassNone for
// any other error. The types are x/net/http2's.
func classifyH2(err error) Class {
	var se http2.StreamError
	var ce http2.ConnectionError
	var ge http2.GoAwayError
	switch {
	case errors.As(err, &se):
		// x/net/http2 marks a RST_STREAM read from the server with an
		// unexported Cause whose text is "received from peer"; any other
		// StreamError is the client's own verdict on what the server sent.
		if se.Cause != nil && se.Cause.Error() == "received from peer" {
			return ClassH2StreamReset
		}
		return ClassH2Protocol
	case errors.As(err, &ce), errors.Is(err, http2.ErrFrameTooLarge):
		return ClassH2Protocol
	case errors.As(err, &ge):
		return ClassH2GoAway
	}
	// Texts of x/net/http2's transport.go for conditions it has no type for.
	msg := err.Error()
	switch {
	case strings.Contains(msg, "http2: Transport received GOAWAY"),
		strings.Contains(msg, "http2: Transport received Server's graceful shutdown GOAWAY"):
		return ClassH2GoAway
	case strings.Contains(msg, "http2: response header list larger than advertised limit"):
		return ClassHeaderTooBig
	}
	return ClassNone
}

// h2Failure joins the GOAWAY that the server sent, if any, to the error of
// an HTTP/2 exchange, unless the error already says more: a stream reset
// or a connection error names its own code, and a timeout is the probe's
// own decision to stop.
func h2Failure(err error, ga *http2.GoAwayError) error {
	if err == nil || ga == nil {
		return err
	}
	var se http2.StreamError
	var ce http2.ConnectionError
	var ge http2.GoAwayError
	if errors.As(err, &se) || errors.As(err, &ce) || errors.As(err, &ge) || isTimeout(err) ||
		errors.Is(err, errHeaderTimeout) || errors.Is(err, errBodyTimeout) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("%w; %w", err, goAwayReceived{*ga})
}

// goAwayReceived carries a GOAWAY frame the server sent into an error.
type goAwayReceived struct{ ga http2.GoAwayError }

func (g goAwayReceived) Error() string {
	return fmt.Sprintf("the server sent GOAWAY %v (last stream %d, debug data %q)", g.ga.ErrCode, g.ga.LastStreamID, g.ga.DebugData)
}
func (g goAwayReceived) Unwrap() error { return g.ga }

// h2Detail returns the HTTP/2 error code and GOAWAY debug data in err.
func h2Detail(err error) (code, debug string) {
	var se http2.StreamError
	var ce http2.ConnectionError
	var ge http2.GoAwayError
	switch {
	case errors.As(err, &se):
		return se.Code.String(), ""
	case errors.As(err, &ce):
		return http2.ErrCode(ce).String(), ""
	case errors.As(err, &ge):
		return ge.ErrCode.String(), ge.DebugData
	}
	return "", ""
}

// fail records err as the failure of a probe in phase, with its class.
func (r *Result) fail(phase Phase, err error) {
	r.FailedIn = phase
	r.Err = err
	r.Class = Classify(phase, err)
	r.H2Code, r.H2Debug = h2Detail(err)
}
