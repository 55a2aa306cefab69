package gwconfig

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
)

// causeIDs are the cause catalog IDs the findings use.
var causeIDs = []string{
	"upstream.refused", "upstream.permission", "upstream.unreachable", "upstream.dns", "upstream.timeout",
	"upstream.closed", "upstream.header_too_big", "upstream.none_healthy", "upstream.overloaded",
}

// TestCauseIDsExist checks every cause ID used here against the public
// catalog, and that the source uses no other.
func TestCauseIDsExist(t *testing.T) {
	catalog, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "docs", "causes.md"))
	if err != nil {
		t.Fatalf("reading the cause catalog: %v", err)
	}
	for _, id := range causeIDs {
		if !regexp.MustCompile("\\| `" + regexp.QuoteMeta(id) + "` \\|").Match(catalog) {
			t.Errorf("cause %q is not in causes.md", id)
		}
	}
	known := map[string]bool{}
	for _, id := range causeIDs {
		known[id] = true
	}
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`"(upstream(?:\.[a-z_]+)?)"`)
	var unknown []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(src, -1) {
			if id := string(m[1]); id != "upstream" && !known[id] {
				unknown = append(unknown, f+": "+id)
			}
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		t.Errorf("cause IDs not listed in causeIDs: %v", unknown)
	}
}
