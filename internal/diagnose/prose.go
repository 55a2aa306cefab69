package diagnose

import "github.com/gwdoctor/gwdoctor/internal/probe"

// The judge's words. Every sentence the readers write into a verdict is
// here, as a format string named for what it says: a claim's fact is a
// fact…, the reason a cause is ruled out a why…, any other finding a
// note…, the summary a summary…, a step's text a step…, and a part of a
// sentence assembled from parts a phrase…. The readers choose what to say
// and with which values; rewording is done here alone. The strings are
// constants so that go vet checks their verbs against the arguments.

// Words shared by several readers.
const (
	phraseStatus     = "status %d"
	phraseNoResponse = "no response"
	phraseNoResult   = "no result"
	phraseNothing    = "nothing"
	// phraseClassIn is a failure's class and the phase it came in.
	phraseClassIn = "%s in %s"
)

// The tries: what the user saw, and what the tries got (judge.go).
const (
	noteReportedPassed = "your browser got %s%s%s; every try now succeeds: the failure has passed, and the tries cannot say what it was"
	noteReportedFails  = "your browser got %s%s%s; the tries still fail"
	noteReported       = "your browser got %s%s%s"
	phraseReportedAt   = " at %s"
	phraseReportedTook = " after %s"

	factEveryTrySucceeded = "every try succeeded"
	factSavedStatus       = "the page's status, %d, is not a gateway error"
	noteSavedNoStatus     = "the page shows no status and is no error page that a known product writes: whether it is a failure, and whose, the status line and headers would tell (curl -i, or the response in the browser's network panel), or gwdoctor ADDRESS asking the site itself"

	factNoResponse      = "no HTTP response: %s in the %s phase"
	noteNoResponse      = factNoResponse + " (%s)"
	factNoResponseClass = "no HTTP response: %s"
	noteCertNotVerified = "certificate verification failed: %s"
	noteSiteCert        = "the site's certificate: %s"

	factLastHop          = "the server at %s accepted the connection but %s"
	factLastHopNoGateway = factLastHop + "; no gateway answered in its place"

	factHTTP09Body               = "status %d, but the body starts with a status line, %q: the gateway could not parse the upstream's answer and passed it on as an HTTP/0.9 body"
	factBodyBrokeOff             = "the response broke off after %d bytes of body"
	factGatewayNoAnswer          = "status %d: the gateway failed to get an answer from its upstream"
	factGatewayTimeout           = "status 504 (Gateway Timeout): the gateway waited for its upstream and gave up"
	noteProducedBy               = "response %d was produced by %s (%s), recognised by %s"
	noteProductSays              = "%s says: %s"
	notePassedOn                 = "outer hops only passed the error on: %s"
	factResponseReadsAs          = "%s's response reads as %s"
	noteDirectFailsAfterRecovery = "straight to the upstream, a request failed after the tries through the gateway had begun to succeed: the fault comes and goes"
	noteDirectComesGoes          = "straight to the upstream, %d of %d requests failed and the others succeeded: the fault comes and goes, though every try through the gateway failed"
)

// A certificate in the words that matter when it is refused, as
// certSummary assembles them: subject, issuer, names, validity (judge.go).
const (
	phraseCertIssuer     = "%s, %s"
	phraseCertIssuedBy   = "issued by %s"
	phraseCertSelfSigned = "self-signed"
	phraseCertNames      = ", for %s"
	phraseCertValid      = ", valid %s to %s"
	phraseCertExpired    = " (expired %s ago)"
	phraseCertNotYet     = " (not valid yet)"
)

// The site over IPv6 alone and IPv4 alone (families.go).
const (
	noteNoRouteFamily  = "this machine has no route for IPv%s at all (%s): the site is not to blame for it"
	noteOneFamilyFails = "the site fails over %s alone (%s, %s) and works over %s alone (%s, %s): visitors whose network speaks %s only, or whose browser prefers it without falling back, get nothing; check the AAAA or A record and the listen address of that family"
)

// HTTP/2 against HTTP/1.1 (protocol.go).
const (
	noteHTTP2AndHTTP1 = "over HTTP/2: %s; over HTTP/1.1: %s"
	factHTTP2Breaks   = "the site breaks HTTP/2 (%s) on every failed try, and answers %d over HTTP/1.1: a browser shows ERR_HTTP2_PROTOCOL_ERROR where curl --http1.1 works"
	phraseFrom        = " from %s"
)

// The redirects followed before the tries (visit.go).
const (
	noteRedirectsFollowed = "followed %d redirects as a browser does: %s"
	factRedirectsEndless  = "%d redirects without an end, and none repeated: %s"
	factRedirectCircle    = "the redirects go round in a circle: %s, and back to the start"
	noteRedirectHop       = "%s answers %d with Location %s"
	noteLoopScheme        = "the circle alternates http and https on one host, or sends https back to itself: a hop behind the edge sees plain HTTP and redirects to HTTPS (a CDN that reaches the origin over HTTP, \"Flexible SSL\", or a proxy that does not pass X-Forwarded-Proto)"
	noteLoopWWW           = "the circle alternates a name and its www. name: two layers disagree on the site's canonical host"
	noteLoopCookie        = "the circle repeats only while the cookie(s) %s that the site set are sent; asked without them, the site answers otherwise"
)

// Other DNS servers, and the replays of the client's state (replay.go).
const (
	noteDNSNotAsked        = "%s could not be asked: %s"
	noteDNSNoAnswerToo     = "%s answers %s for %s too"
	noteDNSDiffers         = "this machine resolves %s to %s; %s answers %s"
	factElsewhereAnswers   = "asked at %s, with the same Host and TLS name, the site answers %d: the address this machine uses is stale or wrong"
	whyElsewhereAnswers    = "the site answers %d at %s, an address other DNS servers give"
	noteElsewhereFails     = "asked at %s, the site fails too (%s)"
	whyDNSAgrees           = "%d other DNS server(s) give the same answer for %s as this machine"
	factBareSucceeded      = "the same request without your headers and cookies succeeded (%d)"
	noteCulprits           = "the failure needs only: %s"
	whyBareFailed          = "the request without your headers and cookies failed too (%s)"
	whyNoClientState       = "no cookies or extra headers were sent, so the client's state plays no part"
	factNoCacheSucceeded   = "the request with caches bypassed succeeded (%d): a cached error is served"
	noteNoCacheChangedNone = "bypassing caches (Cache-Control: no-cache and a fresh query) changed nothing: %s"
)

// The requests straight to the upstream (ladder.go).
const (
	factDirectFailed        = "straight to the upstream %s: %d of %d requests failed: %s (%s)"
	noteUpstreamCertInvalid = "the upstream's certificate does not verify: %s"
	factKilledAtLimit       = "the upstream broke every direct request off after the same %s: a time limit kills the request there (PHP-FPM request_terminate_timeout, max_execution_time, a worker timeout)"
	factQueueOverflows      = "the gateway failed at once (%s) while direct requests were accepted and then waited without an answer: the upstream's workers are all busy and its queue overflows"
	noteDirectAnswered      = "straight to the upstream %s: status %d after %s, %d bytes of response head"
	factInnerGateway        = "the upstream is itself a gateway: %s answers %d with its own error page, so it is the hop that reaches nothing usable behind it"
	factUpstreamFails       = "the upstream itself answers %d: the failing part is behind it"
	factHeadTooBig          = "the upstream's response head is %d bytes, above the gateway's limit of %d bytes, and the gateway failed at once"
	factUpstreamSlower      = "the upstream needs %s to answer; the gateway gave up after %s"
	noteUpstreamAnswers     = "the upstream answers directly, so the fault is between the gateway and it, or intermittent"

	noteSocketHeldOrDenied = "%s answered 503 at once while the socket answers the diagnosis: either %s holds it down, or the socket's owner and mode keep %s's user out (upstream.permission), which no mode does to root; its error log tells which (--log)"
	factOwnLimits          = "the upstream answers %d when asked directly: %s's own limits hold the request back, not the upstream"
	factHeldDown           = "%s answered 503 after %s without trying the upstream, which answers %d when asked directly: %s holds it down (a failed health check, or the wait after earlier failures, such as Apache's retry=60)"

	factFastCGIAskedHTTP = "asked in FastCGI instead, the upstream answers (status %d): it is a FastCGI server such as PHP-FPM, and the gateway speaks HTTP to it (%s), so it gets its connection closed; point fastcgi_pass (or ProxyPass fcgi://) at it instead of proxy_pass"
	noteFastCGIAsGateway = "asked in FastCGI, as the gateway asks it (%s), the upstream answers with status %d"
	noteFastCGIAnswers   = "asked in FastCGI, the upstream answers (status %d): it is a FastCGI server such as PHP-FPM; whether the gateway speaks HTTP to it (proxy_pass where fastcgi_pass belongs) its configuration or its log tells (--nginx-config, --log)"
	// phraseByConfig and phraseByLog say where the protocol the gateway
	// speaks to its upstream is written.
	phraseByConfig = "its configuration"
	phraseByLog    = "its log: %s"

	noteTLSAnswersPlain  = "the upstream %s answers plain HTTP as a TLS server does (status %d): it speaks TLS on that port"
	noteTLSClosesPlain   = "the upstream %s closes plain HTTP at once and completes a TLS handshake: it speaks TLS on that port"
	factTLSHandshake     = "over TLS the handshake fails: %s"
	noteTLSVerifies      = "over TLS (%s) its certificate verifies for %s; a gateway that speaks plain HTTP to that port gets its connection closed: check the scheme it uses (proxy_pass https://…)"
	factTLSCertNotVerify = "over TLS (%s) its certificate does not verify: %s; a gateway that checks upstream certificates (proxy_ssl_verify on, HAProxy verify required, Caddy, Go) refuses it"
)

// A unix socket upstream's owner and mode (socket.go).
const factSocketRootOnly = "the socket %s is %s %s:%s, so only root may open it; it answers this diagnosis because it runs as root, whom no mode keeps out, while the gateway's workers run as another user (nginx's user, Apache's User, nobody or www-data by default) and are denied (13: Permission denied): give the socket to the workers' user or group (PHP-FPM's listen.owner, listen.group, listen.mode = 0660)"

// describeClass says how a request straight at a server failed with
// class c: what the server did, or what kept the request from it.
func describeClass(c probe.Class) string {
	switch c {
	case probe.ClassClosed:
		return "closed it before sending a response head"
	case probe.ClassReset:
		return "reset it before sending a response head"
	case probe.ClassMalformed:
		return "answered with something that is not HTTP"
	case probe.ClassHeaderTimeout, probe.ClassDeadline:
		return "sent no response head in time"
	case probe.ClassHeaderTooBig:
		return "sent a response head larger than the cap"
	case probe.ClassBodyTruncated:
		return "broke off the response body"
	case probe.ClassRefused:
		return "the connection was refused: nothing listens there"
	case probe.ClassNoSocket:
		return "the unix socket does not exist"
	case probe.ClassPermission:
		return "connecting was not permitted"
	case probe.ClassConnectTimeout:
		return "the connection attempt went unanswered"
	case probe.ClassUnreachable:
		return "there is no route to it"
	case probe.ClassTLSCert:
		return "its certificate was rejected"
	case probe.ClassTLSHandshake:
		return "the TLS handshake failed"
	case probe.ClassNotTLS, probe.ClassHTTPToTLS:
		return "TLS and plain HTTP were mixed up on that port"
	case probe.ClassDNSNotFound, probe.ClassDNSError, probe.ClassDNSTimeout:
		return "its name did not resolve"
	}
	return string(c)
}

// The timing of the failure and the gateway's health check (timing.go).
const (
	noteFailedAtOnce    = "the gateway answered after %s: far below any timeout, so it gave up at once (refused, closed, invalid, or no upstream at all)"
	whyFailedAtOnce     = "the failure came after %s, far below any gateway timeout"
	noteHAProxyRetries  = "the failure came after %s: HAProxy answers 503 only after its connection retries (retries 3, about 1 s apart, by default), so the delay is retrying, not a timeout"
	whyHAProxyRetries   = "HAProxy reports a timeout with 504, and this 503 came after its connection retries"
	factAtLimit         = "the failure came after %s, matching %s %s = %s"
	factRoundSeconds    = "the failure came after %s, a round number of seconds: the mark of a timeout firing"
	noteSteadyFailures  = "every failed try took the same time to fail (within 100 ms): a fixed limit, not load"
	noteConnectTimeout  = "it is the connect timeout that fits, not the wait for the answer: the gateway's connection to the upstream went unanswered"
	factHAProxyNoServer = "HAProxy answered 503 after %s, without retrying: it had no server to send the request to (all DOWN by their health checks, or in maintenance); a server that refuses gets its retries first"
	factNginxOwn503     = "nginx answered 503 itself after %s: nginx reports a failing upstream with 502 or 504, never 503, so the request was turned away before the upstream: by limit_req or limit_conn (503 is their default status), or by a \"return 503\" such as a maintenance switch"

	// phraseAnyPass is what a health check without an expectation of its
	// own counts as a pass.
	phraseAnyPass       = "any 2xx or 3xx status"
	noteHealthPasses    = "the gateway's health check, %s, passes when asked now (%d): the server may be in maintenance, or it has only just recovered"
	factHealthFails     = "the gateway's health check, %s, fails when asked now: %s (%s): that is why the gateway holds the server down"
	factHealthGetsOther = "the gateway's health check, %s, gets %d from the upstream where it expects %s: that is why the gateway holds the server down%s"
	// phraseItSays quotes the first line of a short answer.
	phraseItSays = "; it says %q"
)

// The hops asked directly, the origin and the upstream's keep-alive
// (path.go).
const (
	// phraseThe names a hop by its role: "the upstream".
	phraseThe              = "the %s"
	phraseHopAnswers       = "the %s at %s answers %s directly"
	phraseHopBreaksOff     = "%s reaches the %s %s, which starts to answer and breaks off (%s)"
	phraseHopNothingUsable = "%s reaches nothing usable at the %s %s (%s)"
	phraseHopItselfFails   = "%s reaches the %s %s, which itself answers %s"
	noteHopTimes           = "time to the answer or the failure, hop by hop: %s"

	noteOriginFailsSiteOK = "the origin %s fails directly (%s) while the site answers: the edge serves from its cache or another origin"
	factOriginAnswers     = "the origin %s answers %s directly, with the same Host and path: the fault is between the edge and the origin (a firewall that blocks the edge's addresses, the edge's origin settings), or in the edge itself"
	noteOriginFailsToo    = "the origin %s fails directly too (%s): the edge only reports the origin's failure"

	noteNoKeepAlive     = "the upstream closes the connection after each response: a gateway cannot reuse it, so no keep-alive race"
	noteKeepAliveClosed = "the upstream closes an idle keep-alive connection after %s; a gateway that keeps idle upstream connections longer may reuse one as it closes"
	noteKeepAliveRace   = "an intermittent closed connection with a short upstream keep-alive is the mark of a keep-alive race: the gateway's idle timeout for upstream connections must be shorter than %s"
	noteKeepAliveOpen   = "the upstream kept an idle keep-alive connection open for the %s watched"
)

// The gateway's log lines, and how the decision weighed them (logs.go).
const (
	phraseLogByTime   = "matched by time and path"
	phraseLogByTag    = "tagged with this diagnosis's ID"
	factLogReads      = "%s logged %d line(s) reading %s (%s), e.g. %s: %s"
	noteDirectExacter = "the direct requests show %s, which is more exact than %s's own words (%s)"
	noteLogDisagrees  = "the log reads %s, but the direct evidence says %s; both may be true (one causes the other)"
	noteLogExacter    = "the log is more exact than the responses: %s rather than %s"
)

// One finding per try (finish.go).
const (
	phraseNoResponseClass = "no response (%s)"
	phraseTryTook         = " in %s"
	phraseTryAddr         = " at %s"
	phraseTryH2           = " over h2"
	// The time of each phase a try ran, joined by ", ".
	phraseTimeDNS      = "dns %s"
	phraseTimeConnect  = "connect %s"
	phraseTimeTLS      = "tls %s"
	phraseTimeTTFB     = "ttfb %s"
	phraseTimeTransfer = "transfer %s"
)

// The causes the tries, the response and the direct requests rule out
// (finish.go).
const (
	whyAddressLiteral    = "the URL names an address (%s): no name to resolve"
	whyResolved          = "%s resolved to %s"
	whyConnected         = "%s accepted the connection in %s (%s)"
	whyTLSVerified       = "%s with %s, certificate verified"
	phraseErrorPage      = "error page"
	phraseEmptyError     = "empty error response"
	whyGatewayOwnPage    = "the response is %s's own %s, not one the application sent"
	whyNoCDN             = "no CDN is in the path: the response carries no CDN headers or page"
	whyUpstreamConnected = "the upstream %s accepted a direct connection in %s"
	whyUpstreamReachable = "the upstream %s is reachable from here"
)

// The summary, one sentence (finish.go).
const (
	summaryHealthy = "%s answered %d to every try; no gateway error seen."
	// summarySaved is a saved page's: product, role, phraseSavedStatus
	// or nothing, and the cause's title.
	summarySaved = "%s (%s) wrote this page%s: %s."
	// summarySavedUndetermined is a saved page's that shows neither a
	// status nor an error page a product writes.
	summarySavedUndetermined = "Nothing in this page says whether the site failed, or who wrote it: it shows no status and no error page that a known product writes."
	phraseSavedStatus        = " with status %d"
	// summaryNoResponse and summaryFailed are a failure's: who answered
	// what (product, role, status), how often (a phrase below), and the
	// cause's title.
	summaryNoResponse      = "No HTTP response %s: %s."
	summaryFailed          = "%s (%s) answered %d %s: %s."
	phrasePersistent       = "on every one of %d tries"
	phraseIntermittent     = "on some tries but not others"
	phraseRecovered        = "at first, then recovered"
	phrasePersistenceSaved = "on this page"
)

// Notes and steps added once the cause is settled (finish.go, steps.go).
const (
	noteTimeoutOrUnreachable = "a gateway whose connection to the upstream goes unanswered gives up the same way (upstream.unreachable); asking the upstream directly (--upstream) or the gateway's log (--log) tells the two apart"
	stepNginxLimits          = "If nginx's limits turn the requests away, find the limit_req or limit_conn on this location and raise its rate or burst for real traffic; answer 429 instead of 503 so that clients and monitors can tell a rate limit from an outage. If it is a maintenance switch, send Retry-After with the 503."

	noteRetryAfterInvalid = "the response has a Retry-After header that is neither seconds nor an HTTP date: %q"
	noteRetryAfterOdd     = "the response says Retry-After: %s, %s from now"
	noteRetryAfter        = "the response says Retry-After: %s: the site expects to answer again in %s (planned maintenance or a rate limit)"
	stepRetryAfter        = "The site says it expects to be back in %s (Retry-After): try again then."
	stepRetryAfterNot503  = "Retry-After comes with a %d here; for planned downtime answer 503 with it, which browsers, crawlers and monitors read as temporary."

	// The visitor's steps, before the catalog's.
	stepVisitorCert         = "Your browser warns about this site's certificate: do not go past the warning to sign in or pay; it is the site's to fix, and another device or network will not help."
	stepVisitorSaved        = "This error page comes from the site's side, not from your browser or device. Whether it still fails, one page cannot tell: try again in a few minutes, or let gwdoctor ask the site itself (gwdoctor ADDRESS)."
	stepVisitorUndetermined = "Give gwdoctor the page's status line and headers as well (curl -i ADDRESS, or the response in the browser's network panel), or let it ask the site itself (gwdoctor ADDRESS)."
	stepVisitorIntermittent = "The failure comes and goes: retrying a page you are only reading is worth it, after a few seconds."
	stepVisitorPersistent   = "It is not your browser, device or network: every try failed at the site's side. Retrying now will not help; try again in a few minutes."
	stepVisitorNoResubmit   = "Do not resubmit a payment or an order while the site fails: first check your email, bank or account for a confirmation, since the request may have gone through."
)
