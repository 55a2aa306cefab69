package report

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// The helpers below are shared by Text, Markdown and HTML, so that the three
// renderings say the same thing in the same words.

// headerValueMax is how many bytes of a header value a report quotes.
const headerValueMax = 120

func statusString(n int) string {
	if n == 0 {
		return "none"
	}
	return fmt.Sprint(n)
}

func requestCount(e diagnose.Evidence) int {
	n := len(e.Tries) + len(e.Variants) + len(e.Origin) + len(e.Upstream)
	if e.HealthCheck != nil {
		n++
	}
	if e.UpstreamFastCGI != nil {
		n++
	}
	if e.DNS != nil {
		n += len(e.DNS.Elsewhere)
	}
	return n
}

func round(d time.Duration) time.Duration {
	if d > time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(100 * time.Microsecond)
}

func severityWord(f gwconfig.Finding) string { return strings.ToUpper(fmt.Sprint(f.Severity)) }

// whenLine says when the diagnosis began, how many requests it sent and how
// long it took.
func whenLine(d Diagnosis) string {
	return fmt.Sprintf("%s, %d requests in %s", d.Started.UTC().Format("2006-01-02 15:04:05 MST"), requestCount(d.Evidence), round(d.Duration))
}

// hopAnswer is what a hop answered, with the product that wrote it when one
// was recognised: "502 (nginx)".
func hopAnswer(h diagnose.Hop) string {
	if h.Product == "" {
		return h.Result
	}
	return h.Result + " (" + h.Product + ")"
}

// requests lists the requests of e that hold a probe's result, in the order
// the reports list them: the tries, the origin's, the upstream's, the
// variants, the FastCGI check of the upstream, then the replayed health
// check.
func requests(e diagnose.Evidence) []diagnose.Attempt {
	all := make([]diagnose.Attempt, 0, requestCount(e))
	all = append(append(append(all, e.Tries...), e.Origin...), e.Upstream...)
	for _, va := range e.Variants {
		all = append(all, va.Attempt)
	}
	if e.UpstreamFastCGI != nil {
		all = append(all, *e.UpstreamFastCGI)
	}
	if e.DNS != nil {
		all = append(all, e.DNS.Elsewhere...)
	}
	if e.HealthCheck != nil {
		all = append(all, e.HealthCheck.Attempt)
	}
	return slices.DeleteFunc(all, func(a diagnose.Attempt) bool { return a.Probe == nil })
}

// requestResult is the status of p's response, or the class of its failure
// when no response came.
func requestResult(p *probe.Result) string {
	if p.Response != nil {
		return strconv.Itoa(p.Response.Status)
	}
	return string(p.Class)
}

// headerLine is one response header as a report shows it.
type headerLine struct{ Name, Value string }

// responseHead lists the headers of h sorted by name, with secrets redacted
// and long values cut.
func responseHead(h http.Header) []headerLine {
	h = Redact(h)
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []headerLine
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, headerLine{k, cut(v, headerValueMax)})
		}
	}
	return out
}

// cut shortens s to at most n bytes, not inside a character, and marks the
// cut with an ellipsis.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// bodyNote says how much of the body was read: "157 bytes of body".
func bodyNote(r *probe.Response) string {
	s := fmt.Sprintf("%d bytes of body", r.BodyBytes)
	if r.BodyTruncated {
		s += ", capped"
	}
	return s
}
