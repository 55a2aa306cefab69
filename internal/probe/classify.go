package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
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
		return classifyDNS(err)
	case PhaseConnect:
		return classifyConnect(err)
	case PhaseTLS:
		return classifyTLS(err)
	case PhaseBody:
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

// fail records err as the failure of a probe in phase, with its class.
func (r *Result) fail(phase Phase, err error) {
	r.FailedIn = phase
	r.Err = err
	r.Class = Classify(phase, err)
}
