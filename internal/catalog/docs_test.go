package catalog

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/causes.md from the catalog")

// docPath is the generated document, at the root of the repository.
var docPath = filepath.Join("..", "..", "docs", "causes.md")

// TestCausesDoc fails when docs/causes.md is not what the catalog says;
// -update rewrites it.
func TestCausesDoc(t *testing.T) {
	want := causesDoc()
	if *update {
		if err := os.WriteFile(docPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("%v (write it with go test ./internal/catalog -update)", err)
	}
	if string(got) != want {
		t.Errorf("%s is stale: rewrite it with go test ./internal/catalog -update", docPath)
	}
}

// causesDoc writes the catalog as Markdown.
func causesDoc() string {
	var b strings.Builder
	b.WriteString("# The cause catalog\n\n")
	b.WriteString("<!-- Generated from internal/catalog by go test ./internal/catalog -update; do not edit. -->\n\n")
	b.WriteString("Every diagnosis names its cause with one of these IDs, and the hop that produced the\n" +
		"response with one of the product slugs and roles below. IDs and slugs appear in JSON\n" +
		"output, metric labels and URLs: they never change meaning, and new ones may be added.\n\n")
	b.WriteString("## Causes\n\n| id | layer | title | explanation |\n| --- | --- | --- | --- |\n")
	for _, c := range All() {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", c.ID, c.Layer, cell(c.Title), cell(c.Explanation))
	}
	fmt.Fprintf(&b, "\n## Gateway statuses\n\nA response is a gateway error when its status is %s: the gateways' own 502,\n"+
		"503 and 504 (RFC 9110, 15.6) and Cloudflare's 52x and 530.\n", gatewayStatuses())
	b.WriteString("\n## Products\n\n| slug | name | role | default timeouts |\n| --- | --- | --- | --- |\n")
	for _, p := range Products() {
		var tms []string
		for _, tm := range p.Slug.Timeouts() {
			tms = append(tms, fmt.Sprintf("%s: %s s", tm.Name, strconv.FormatFloat(tm.Timeout.Seconds(), 'f', -1, 64)))
		}
		if len(tms) == 0 {
			tms = []string{"—"}
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s |\n", p.Slug, cell(p.Name), p.Role, cell(strings.Join(tms, "; ")))
	}
	b.WriteString("\n## What to do\n\nThe steps for each cause, in the order worth doing; the products named after a step\n" +
		"have their own lines for it in the diagnosis. The advice is what a product's own\n" +
		"configuration can change, as the log summary gives it.\n")
	for _, c := range All() {
		writeRemedy(&b, c)
	}
	return b.String()
}

func writeRemedy(b *strings.Builder, c Entry) {
	r, ok := remedies[c.ID]
	if !ok {
		return
	}
	fmt.Fprintf(b, "\n### `%s`\n\n", c.ID)
	for i, s := range r.steps {
		fmt.Fprintf(b, "%d. %s", i+1, s.Text)
		if names := targetNames(s.lines); names != "" {
			fmt.Fprintf(b, " (lines for %s)", names)
		}
		b.WriteString("\n")
	}
	var keys []Target
	for k := range r.advice {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y Target) int { return strings.Compare(targetName(x), targetName(y)) })
	if len(keys) > 0 {
		b.WriteString("\n")
	}
	for _, k := range keys {
		for _, a := range r.advice[k] {
			fmt.Fprintf(b, "- %s: %s\n", targetName(k), a)
		}
	}
}

// targetNames lists the products that have lines of their own, in order.
func targetNames(lines map[Target][]string) string {
	var names []string
	for k := range lines {
		if k != (Target{}) {
			names = append(names, targetName(k))
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func targetName(t Target) string {
	if t.Protocol != HTTP {
		return t.Product.Name() + " with FastCGI"
	}
	return t.Product.Name()
}

// gatewayStatuses writes the statuses IsGatewayStatus accepts as ranges:
// "502–504, 520–527 or 530".
func gatewayStatuses() string {
	var runs []string
	for st := 100; st < 600; st++ {
		if !IsGatewayStatus(st) {
			continue
		}
		end := st
		for IsGatewayStatus(end + 1) {
			end++
		}
		if end > st {
			runs = append(runs, fmt.Sprintf("%d–%d", st, end))
		} else {
			runs = append(runs, fmt.Sprint(st))
		}
		st = end
	}
	last := len(runs) - 1
	return strings.Join(runs[:last], ", ") + " or " + runs[last]
}

// cell escapes a table cell.
func cell(s string) string {
	return strings.ReplaceAll(s, "|", "\\|")
}
