package catalog

import "strings"

// Cause is the ID of a cause of the catalog, such as "upstream.timeout".
type Cause string

// Layer says where along the request path a cause lies.
type Layer string

// The layers of the catalog.
const (
	LayerNone     Layer = "none"
	LayerClient   Layer = "client"
	LayerDNS      Layer = "dns"
	LayerEdge     Layer = "edge"
	LayerCDN      Layer = "cdn"
	LayerUpstream Layer = "upstream"
	LayerApp      Layer = "application"
	LayerUnknown  Layer = "unknown"
)

// The cause IDs, in the order of the catalog.
const (
	OK                   Cause = "ok"
	ClientRequestState   Cause = "client.request_state"
	ClientDNS            Cause = "client.dns"
	ClientNetwork        Cause = "client.network"
	DNSFailure           Cause = "dns.failure"
	EdgeUnreachable      Cause = "edge.unreachable"
	EdgeTLS              Cause = "edge.tls"
	EdgeRedirectLoop     Cause = "edge.redirect_loop"
	EdgeProtocol         Cause = "edge.protocol"
	CDNOriginUnreachable Cause = "cdn.origin_unreachable"
	CDNOriginTimeout     Cause = "cdn.origin_timeout"
	CDNOriginTLS         Cause = "cdn.origin_tls"
	CDNOriginInvalid     Cause = "cdn.origin_invalid"
	CDNInternal          Cause = "cdn.internal"
	Upstream             Cause = "upstream"
	UpstreamRefused      Cause = "upstream.refused"
	UpstreamPermission   Cause = "upstream.permission"
	UpstreamUnreachable  Cause = "upstream.unreachable"
	UpstreamDNS          Cause = "upstream.dns"
	UpstreamTimeout      Cause = "upstream.timeout"
	UpstreamClosed       Cause = "upstream.closed"
	UpstreamInvalid      Cause = "upstream.invalid_response"
	UpstreamHeaderTooBig Cause = "upstream.header_too_big"
	UpstreamTLS          Cause = "upstream.tls"
	UpstreamNoneHealthy  Cause = "upstream.none_healthy"
	UpstreamOverloaded   Cause = "upstream.overloaded"
	UpstreamTruncated    Cause = "upstream.truncated"
	UpstreamAppError     Cause = "upstream.app_error"
	Unknown              Cause = "unknown"
)

// Entry is one cause of the catalog with what a reader needs to know of it.
type Entry struct {
	ID          Cause  `json:"id"`
	Title       string `json:"title"`
	Layer       Layer  `json:"layer"`
	Explanation string `json:"explanation"`
}

// causes is the catalog, in its documented order.
var causes = []Entry{
	{OK, "No failure", LayerNone, "Every request got a response that was not a gateway error."},
	{ClientRequestState, "Fails only with this client's state", LayerClient, "The request fails with this client's cookies, headers or cached data, and the same request without them succeeds. This is why clearing the cache or a private window seems to fix it."},
	{ClientDNS, "This machine's DNS answer is wrong", LayerClient, "This machine's resolver answers differently from the site's authoritative servers (a stale or wrong record), and the authoritative address works."},
	{ClientNetwork, "Fails from this network only", LayerClient, "The site fails from this vantage point only; other vantage points reach it."},
	{DNSFailure, "The site's name does not resolve", LayerDNS, "The site's own name does not resolve: NXDOMAIN, SERVFAIL or no answer."},
	{EdgeUnreachable, "Nothing answers at the site's address", LayerEdge, "Connections to the site's address are refused, time out or have no route."},
	{EdgeTLS, "TLS with the site fails", LayerEdge, "The TLS handshake with the site itself fails: an expired, untrusted or mismatched certificate, or a handshake failure."},
	{EdgeRedirectLoop, "The site's redirects never end", LayerEdge, "The site's redirects never end (a browser's \"too many redirects\"): the same URLs repeat, for example when a CDN reaches the origin over HTTP while the origin redirects to HTTPS."},
	{EdgeProtocol, "The site fails over one HTTP version only", LayerEdge, "The site fails over one HTTP version only (an HTTP/2 stream reset, GOAWAY or protocol error; a browser's ERR_HTTP2_PROTOCOL_ERROR) while the other works."},
	{CDNOriginUnreachable, "The CDN cannot connect to the origin", LayerCDN, "The CDN could not open a connection to the origin server, often because a firewall blocks the CDN's addresses or the origin is down."},
	{CDNOriginTimeout, "The origin answered the CDN too late", LayerCDN, "The origin accepted the CDN's connection but did not answer before the CDN's timeout."},
	{CDNOriginTLS, "TLS between the CDN and the origin fails", LayerCDN, "The CDN could not complete TLS with the origin, or the origin's certificate is not valid for the CDN."},
	{CDNOriginInvalid, "The origin's answer was unusable for the CDN", LayerCDN, "The origin's answer was empty, malformed or too large for the CDN."},
	{CDNInternal, "A fault inside the CDN", LayerCDN, "The error was produced inside the CDN itself, not by the origin."},
	{Upstream, "The gateway got no usable response from its upstream", LayerUpstream, "A gateway got no usable response from the server behind it; which kind of failure it was cannot be told from the evidence at hand."},
	{UpstreamRefused, "The upstream refused the connection", LayerUpstream, "The gateway's connection to its upstream was refused, or the unix socket it points at does not exist: nothing listens where it points."},
	{UpstreamPermission, "The gateway may not connect to its upstream", LayerUpstream, "The gateway is not allowed to connect: socket permissions or SELinux."},
	{UpstreamUnreachable, "The upstream cannot be reached", LayerUpstream, "The gateway's connection to the upstream timed out or had no route: packets dropped by a firewall, or a wrong address."},
	{UpstreamDNS, "The gateway cannot resolve its upstream", LayerUpstream, "The gateway could not resolve the upstream's host name."},
	{UpstreamTimeout, "The upstream answered too late", LayerUpstream, "The upstream accepted the request but did not answer before the gateway's timeout: slow code, PHP max_execution_time, long queries."},
	{UpstreamClosed, "The upstream closed the connection", LayerUpstream, "The upstream closed or reset the connection before sending a complete response header: a crash, a killed worker, or a keep-alive race."},
	{UpstreamInvalid, "The upstream's answer is not valid HTTP", LayerUpstream, "The upstream answered with something that is not valid HTTP for the gateway: a malformed status line or headers, or another protocol on that port."},
	{UpstreamHeaderTooBig, "The upstream's response headers are too big", LayerUpstream, "The upstream's response headers exceed the gateway's buffers (large cookies, a long Content-Security-Policy)."},
	{UpstreamTLS, "TLS between the gateway and its upstream fails", LayerUpstream, "TLS between the gateway and the upstream failed: handshake, protocol, or an untrusted or mismatched certificate."},
	{UpstreamNoneHealthy, "The gateway has no healthy upstream", LayerUpstream, "The gateway considers none of its upstreams alive: health checks fail or every server is marked down."},
	{UpstreamOverloaded, "The upstream is out of capacity", LayerUpstream, "The upstream's capacity is exhausted: a full listen queue, PHP-FPM max_children reached, connection limits or queue timeouts."},
	{UpstreamTruncated, "The upstream died in the middle of its response", LayerUpstream, "The upstream had started its response and then broke off: a truncated body or bad chunking."},
	{UpstreamAppError, "The application itself answered with the error", LayerApp, "The application produced the 5xx itself and the gateway only passed it on: the failing part is deeper inside the application."},
	{Unknown, "Unattributed failure", LayerUnknown, "A failure that the evidence at hand cannot attribute."},
}

// All returns every cause of the catalog, in its documented order. The
// slice is the caller's own.
func All() []Entry {
	return append([]Entry(nil), causes...)
}

// Lookup returns the catalog entry for id, and whether it exists.
func Lookup(id Cause) (Entry, bool) {
	for _, c := range causes {
		if c.ID == id {
			return c, true
		}
	}
	return Entry{}, false
}

// Known reports whether id is a cause of the catalog.
func (id Cause) Known() bool {
	_, ok := Lookup(id)
	return ok
}

// Refines reports whether id is a more exact form of parent, as
// "upstream.timeout" is of "upstream".
func (id Cause) Refines(parent Cause) bool {
	return strings.HasPrefix(string(id), string(parent)+".")
}
