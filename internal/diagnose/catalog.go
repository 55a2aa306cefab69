// Package diagnose judges evidence: given what the probes saw, it names the
// cause of a gateway failure from the catalog, says who produced the
// response, what it ruled out and what to do now.
//
// The package is pure: no network, no clock, no logging. Everything it
// decides comes from the Evidence it is given, and every verdict cites it.
// The causes, products and fix texts it names are internal/catalog's.
//
// Judge runs readers, each of which turns its part of the evidence into
// findings and claims: a cause named or ruled out, the kind of evidence it
// rests on and the fact. One function, decide, weighs the claims. The
// kinds rank replay (the failure goes when one thing of the client's
// changes) above direct (a request straight to a hop) above own words (a
// product's own page, or the gateway's log line of the diagnosis's own
// request) above timing above status above fallback (a rule of thumb); a
// table of refinements then makes the winning cause exact.
//
// The words the readers write (facts, findings, reasons a cause is ruled
// out, summaries, steps) are in prose.go alone, named for what they say.
//
// Confidence is computed from the claims, and is defined here alone:
// high when an own-words, direct or replay claim supports the cause and
// no claim of an equal or higher kind contradicts it; medium when only
// timing, status or fallback claims support it, or when a contradiction
// of an equal or higher kind was outranked; low when no claim supports it.
// The parent causes "upstream" and "unknown" say where, not why: medium
// when a strong claim supports them, low otherwise.
package diagnose

import "github.com/gwdoctor/gwdoctor/internal/catalog"

// Layer says where along the request path a cause lies.
type Layer = catalog.Layer

// Cause is the ID of a cause of the catalog (internal/catalog), the type
// of Verdict.Cause. IDs are a public contract (JSON output, metric labels,
// URLs): they never change meaning.
type Cause = catalog.Cause

// The cause IDs of internal/catalog, named here for the readers' brevity.
const (
	OK                   = catalog.OK
	ClientRequestState   = catalog.ClientRequestState
	ClientDNS            = catalog.ClientDNS
	ClientNetwork        = catalog.ClientNetwork
	DNSFailure           = catalog.DNSFailure
	EdgeUnreachable      = catalog.EdgeUnreachable
	EdgeTLS              = catalog.EdgeTLS
	EdgeRedirectLoop     = catalog.EdgeRedirectLoop
	EdgeProtocol         = catalog.EdgeProtocol
	CDNOriginUnreachable = catalog.CDNOriginUnreachable
	CDNOriginTimeout     = catalog.CDNOriginTimeout
	CDNOriginTLS         = catalog.CDNOriginTLS
	CDNOriginInvalid     = catalog.CDNOriginInvalid
	CDNInternal          = catalog.CDNInternal
	Upstream             = catalog.Upstream
	UpstreamRefused      = catalog.UpstreamRefused
	UpstreamPermission   = catalog.UpstreamPermission
	UpstreamUnreachable  = catalog.UpstreamUnreachable
	UpstreamDNS          = catalog.UpstreamDNS
	UpstreamTimeout      = catalog.UpstreamTimeout
	UpstreamClosed       = catalog.UpstreamClosed
	UpstreamInvalid      = catalog.UpstreamInvalid
	UpstreamHeaderTooBig = catalog.UpstreamHeaderTooBig
	UpstreamTLS          = catalog.UpstreamTLS
	UpstreamNoneHealthy  = catalog.UpstreamNoneHealthy
	UpstreamOverloaded   = catalog.UpstreamOverloaded
	UpstreamTruncated    = catalog.UpstreamTruncated
	UpstreamAppError     = catalog.UpstreamAppError
	Unknown              = catalog.Unknown
)

// title returns the catalog's title of a cause the package itself chose,
// or its ID when the catalog does not know it.
func title(id Cause) string {
	if e, ok := catalog.Lookup(id); ok {
		return e.Title
	}
	return string(id)
}
