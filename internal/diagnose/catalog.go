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

// Cause is one entry of the catalog, with its ID as the string that
// Verdict.Cause holds. IDs are a public contract (JSON output, metric
// labels, URLs): they never change meaning.
type Cause struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Layer       Layer  `json:"layer"`
	Explanation string `json:"explanation"`
}

// The cause IDs of internal/catalog, as the strings of Verdict.Cause.
const (
	OK                   = string(catalog.OK)
	ClientRequestState   = string(catalog.ClientRequestState)
	ClientDNS            = string(catalog.ClientDNS)
	ClientNetwork        = string(catalog.ClientNetwork)
	DNSFailure           = string(catalog.DNSFailure)
	EdgeUnreachable      = string(catalog.EdgeUnreachable)
	EdgeTLS              = string(catalog.EdgeTLS)
	EdgeRedirectLoop     = string(catalog.EdgeRedirectLoop)
	EdgeProtocol         = string(catalog.EdgeProtocol)
	CDNOriginUnreachable = string(catalog.CDNOriginUnreachable)
	CDNOriginTimeout     = string(catalog.CDNOriginTimeout)
	CDNOriginTLS         = string(catalog.CDNOriginTLS)
	CDNOriginInvalid     = string(catalog.CDNOriginInvalid)
	CDNInternal          = string(catalog.CDNInternal)
	Upstream             = string(catalog.Upstream)
	UpstreamRefused      = string(catalog.UpstreamRefused)
	UpstreamPermission   = string(catalog.UpstreamPermission)
	UpstreamUnreachable  = string(catalog.UpstreamUnreachable)
	UpstreamDNS          = string(catalog.UpstreamDNS)
	UpstreamTimeout      = string(catalog.UpstreamTimeout)
	UpstreamClosed       = string(catalog.UpstreamClosed)
	UpstreamInvalid      = string(catalog.UpstreamInvalid)
	UpstreamHeaderTooBig = string(catalog.UpstreamHeaderTooBig)
	UpstreamTLS          = string(catalog.UpstreamTLS)
	UpstreamNoneHealthy  = string(catalog.UpstreamNoneHealthy)
	UpstreamOverloaded   = string(catalog.UpstreamOverloaded)
	UpstreamTruncated    = string(catalog.UpstreamTruncated)
	UpstreamAppError     = string(catalog.UpstreamAppError)
	Unknown              = string(catalog.Unknown)
)

// Catalog returns every cause of the catalog, in its documented order.
func Catalog() []Cause {
	all := catalog.All()
	out := make([]Cause, len(all))
	for i, e := range all {
		out[i] = causeOf(e)
	}
	return out
}

// Lookup returns the catalog entry for id, and whether it exists.
func Lookup(id string) (Cause, bool) {
	e, ok := catalog.Lookup(catalog.Cause(id))
	return causeOf(e), ok
}

func causeOf(e catalog.Entry) Cause {
	return Cause{ID: string(e.ID), Title: e.Title, Layer: e.Layer, Explanation: e.Explanation}
}

// mustLookup returns the entry for an id the package itself chose.
func mustLookup(id string) Cause {
	c, ok := Lookup(id)
	if !ok {
		return Cause{ID: id, Title: id, Layer: catalog.LayerUnknown}
	}
	return c
}
