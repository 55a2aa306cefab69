package report

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// RedirectDoc is one request of the redirect chain in the JSON document.
type RedirectDoc struct {
	URL         string               `json:"url"`
	Status      int                  `json:"status"`
	Location    string               `json:"location,omitempty"`
	Proto       string               `json:"proto,omitempty"`
	GeneratedBy diagnose.GeneratedBy `json:"generated_by"`
	TimeMS      float64              `json:"time_ms"`
	Error       string               `json:"error,omitempty"`
}

// redirectDocs turns the visit's hops into the document's redirects.
func redirectDocs(v *diagnose.Visit) []RedirectDoc {
	if v == nil || len(v.Hops) < 2 && v.Loop == nil {
		return nil
	}
	out := make([]RedirectDoc, 0, len(v.Hops))
	for _, h := range v.Hops {
		d := RedirectDoc{URL: h.Probe.URL, Status: h.Status(), Error: h.Probe.Error,
			TimeMS: math.Round(float64(h.Probe.Timings.Total)/1e3) / 1e3}
		if h.Print != nil {
			d.GeneratedBy = diagnose.GeneratedBy{Role: h.Print.Generator.Role, Product: h.Print.Generator.Product}
		}
		if r := h.Probe.Response; r != nil {
			d.Location, d.Proto = r.Header.Get("Location"), r.Proto
		}
		out = append(out, d)
	}
	return out
}

// redirectSection writes the chain of redirects, one hop a line.
func redirectSection(b *strings.Builder, s style, v *diagnose.Visit) {
	docs := redirectDocs(v)
	if len(docs) == 0 {
		return
	}
	section(b, s, "REDIRECTS")
	for i, d := range docs {
		status := fmt.Sprint(d.Status)
		if d.Status == 0 {
			status = "---"
		}
		who := d.GeneratedBy.Product
		if who == "" {
			who = "unknown"
		}
		fmt.Fprintf(b, "  %2d. %s %s (%s) %.1f ms", i+1, status, untagged(d.URL), who, d.TimeMS)
		if d.Location != "" {
			fmt.Fprintf(b, " → %s", untagged(d.Location))
		}
		b.WriteString("\n")
	}
	if v.Loop != nil {
		fmt.Fprintf(b, "  %s\n", s.red("and round again: the redirects never end"))
	}
}

func schemeNote(v *diagnose.Visit) string {
	if v == nil {
		return ""
	}
	return v.SchemeNote
}

// tagRe is the diagnosis's tag in a URL's query, left out of the text
// report's URLs so that they read as the site's own.
var tagRe = regexp.MustCompile(`([?&])gwdoctor=[0-9a-f]+-[a-z0-9]+(&|$)`)

func untagged(u string) string {
	return strings.TrimRight(tagRe.ReplaceAllStringFunc(u, func(m string) string {
		if strings.HasSuffix(m, "&") {
			return m[:1]
		}
		return ""
	}), "?&")
}
