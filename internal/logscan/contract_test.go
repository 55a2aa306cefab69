package logscan

import (
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// TestVocabularyIsCatalogued checks that every cause a log line can show
// and every product a format names is the catalog's. A line may be unknown
// (a failure of the gateway's own that names no upstream cause), never ok.
func TestVocabularyIsCatalogued(t *testing.T) {
	for _, c := range allCauses {
		if !c.Known() || c == catalog.OK {
			t.Errorf("cause %q is not a failure cause of the catalog", c)
		}
	}
	for _, f := range formats {
		if !f.product.Known() {
			t.Errorf("format %s: product %q is not a slug of the catalog", f.name, f.product)
		}
	}
}
