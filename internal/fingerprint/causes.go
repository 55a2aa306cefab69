package fingerprint

import (
	"slices"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// Confidence levels of a Match.
const (
	confHigh   = "high"
	confMedium = "medium"
	confLow    = "low"
)

// rank orders roles from the edge inwards, for Result.Hops; a role the
// catalog lacks ranks with the unknown ones.
func rank(role string) int {
	roles := catalog.Roles()
	if i := slices.Index(roles, catalog.Role(role)); i >= 0 {
		return i
	}
	return len(roles) - 1
}

// Values of Result.Evidence.
const (
	// EvidenceMarker: a product's own marker named the generator.
	EvidenceMarker = "marker"
	// EvidenceFallback: no marker did; a rule of thumb chose the generator.
	EvidenceFallback = "fallback"
)
