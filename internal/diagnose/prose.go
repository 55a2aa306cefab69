package diagnose

// The judge's words: every sentence a reader writes into a verdict, as a
// format string named for what it says. A claim's fact is a fact…, a
// reason a cause is ruled out a why…, any other finding a note…, the parts
// of a sentence assembled from them a phrase…. The readers choose which
// to say and with what; rewording is done here alone.

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

	noteNoResponse      = "no HTTP response: %s in the %s phase (%s)"
	factNoResponse      = "no HTTP response: %s in the %s phase"
	factNoResponseClass = "no HTTP response: %s"
	noteCertNotVerified = "certificate verification failed: %s"
	noteSiteCert        = "the site's certificate: %s"

	factLastHop          = "the server at %s accepted the connection but %s"
	factLastHopNoGateway = factLastHop + "; no gateway answered in its place"

	factHTTP09Body      = "status %d, but the body starts with a status line, %q: the gateway could not parse the upstream's answer and passed it on as an HTTP/0.9 body"
	factBodyBrokeOff    = "the response broke off after %d bytes of body"
	factGatewayNoAnswer = "status %d: the gateway failed to get an answer from its upstream"
	factGatewayTimeout  = "status 504 (Gateway Timeout): the gateway waited for its upstream and gave up"
	noteProducedBy      = "response %d was produced by %s (%s), recognised by %s"
	noteProductSays     = "%s says: %s"
	notePassedOn        = "outer hops only passed the error on: %s"
	factResponseReadsAs = "%s's response reads as %s"
	noteDirectComesGoes = "straight to the upstream, %d of %d requests failed and the others succeeded: the fault comes and goes, though every try through the gateway failed"
	certIssuedBy        = "issued by %s"
	certSelfSigned      = "self-signed"
	certSubjectIssuer   = "%s, %s"
	certNames           = ", for %s"
	certValid           = ", valid %s to %s"
	certExpired         = " (expired %s ago)"
	certNotYetValid     = " (not valid yet)"
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
