// Package report renders a diagnosis for people (text, Markdown and HTML)
// and for programs (JSON), and the report of a log scan (logscan.Report) as
// text, Markdown or JSON. It formats what it is given and decides nothing.
package report

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/fingerprint"
	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// SchemaVersion is the version of the JSON document; it changes only when a
// field others may rely on changes meaning.
const SchemaVersion = 1

// Diagnosis is one finished diagnosis: what was asked, what was seen and
// what was concluded.
type Diagnosis struct {
	ID       string
	URL      string
	Started  time.Time
	Duration time.Duration
	Evidence diagnose.Evidence
	Verdict  diagnose.Verdict
	// Route is the request's path through the gateway's configuration,
	// when one was read; Findings tie the failure to its settings.
	Route    *gwconfig.Route
	Findings []gwconfig.Finding
}

// Document is the JSON form of a diagnosis (schema_version 1).
type Document struct {
	SchemaVersion int                 `json:"schema_version"`
	URL           string              `json:"url"`
	DiagnosisID   string              `json:"diagnosis_id,omitempty"`
	Started       time.Time           `json:"started"`
	DurationMS    float64             `json:"duration_ms"`
	Verdict       VerdictDoc          `json:"verdict"`
	Evidence      []diagnose.Finding  `json:"evidence"`
	RuledOut      []diagnose.Excluded `json:"ruled_out"`
	Steps         []diagnose.Step     `json:"steps"`
	// Redirects are the requests of the redirect chain that led to URL,
	// when the site redirected (or looped).
	Redirects []RedirectDoc `json:"redirects,omitempty"`
	// SchemeNote says why plain http was taken for a bare name.
	SchemeNote string       `json:"scheme_note,omitempty"`
	Tries      []AttemptDoc `json:"tries"`
	Variants   []VariantDoc `json:"variants,omitempty"`
	Upstream   *UpstreamDoc `json:"upstream,omitempty"`
	// UpstreamFastCGI is the FastCGI request to an HTTP upstream that
	// closed every HTTP request at once.
	UpstreamFastCGI *AttemptDoc `json:"upstream_fastcgi,omitempty"`
	// Origin holds the requests sent straight to the origin (--origin).
	Origin *UpstreamDoc `json:"origin,omitempty"`
	// DNS compares this machine's answer for the site's name with other
	// DNS servers' (--dns-compare).
	DNS *DNSDoc `json:"dns,omitempty"`
	// Reported is what the user's own client saw (--har).
	Reported *diagnose.Reported `json:"reported,omitempty"`
	// HealthCheck is the gateway's own health check of the upstream,
	// replayed against it, when the configuration has one.
	HealthCheck *HealthCheckDoc `json:"health_check,omitempty"`
	// Logs are the log lines of the diagnosis's requests (--log).
	Logs []diagnose.LogLine `json:"logs,omitempty"`
	// Route and ConfigFindings are present when a gateway configuration
	// was read (--nginx-config and the like).
	Route          *gwconfig.Route    `json:"route,omitempty"`
	ConfigFindings []gwconfig.Finding `json:"config_findings,omitempty"`
	// Inputs are the log and configuration files given, each with what
	// became of it: used, read with nothing found, or unusable and why.
	Inputs     []diagnose.Input `json:"inputs,omitempty"`
	Incomplete []string         `json:"incomplete,omitempty"`
}

// VerdictDoc is the verdict object; cause, persistence, generated_by and
// status are the fields of the public contract.
type VerdictDoc struct {
	Cause       diagnose.Cause       `json:"cause"`
	Title       string               `json:"title"`
	Layer       diagnose.Layer       `json:"layer"`
	Persistence string               `json:"persistence"`
	GeneratedBy diagnose.GeneratedBy `json:"generated_by"`
	Status      int                  `json:"status"`
	Confidence  string               `json:"confidence"`
	Summary     string               `json:"summary"`
	Culprits    []string             `json:"culprits,omitempty"`
	Path        []diagnose.Hop       `json:"path,omitempty"`
}

// AttemptDoc is one request in the JSON document.
type AttemptDoc struct {
	Label    string              `json:"label"`
	OffsetMS float64             `json:"offset_ms"`
	Method   string              `json:"method"`
	URL      string              `json:"url"`
	Addr     string              `json:"addr,omitempty"`
	Timings  probe.Timings       `json:"timings"`
	Reached  probe.Phase         `json:"reached"`
	FailedIn probe.Phase         `json:"failed_in,omitempty"`
	Class    probe.Class         `json:"error_class,omitempty"`
	Error    string              `json:"error,omitempty"`
	TLS      *probe.TLSInfo      `json:"tls,omitempty"`
	Response *ResponseDoc        `json:"response,omitempty"`
	Print    *fingerprint.Result `json:"fingerprint,omitempty"`
}

// ResponseDoc is the response head and the start of the body.
type ResponseDoc struct {
	Proto         string      `json:"proto"`
	Status        int         `json:"status"`
	Header        http.Header `json:"headers"`
	HeaderBytes   int         `json:"header_bytes"`
	BodyBytes     int64       `json:"body_bytes"`
	BodyTruncated bool        `json:"body_truncated"`
	BodyExcerpt   string      `json:"body_excerpt"`
}

// VariantDoc is one replay with something changed.
type VariantDoc struct {
	Name    string     `json:"name"`
	Change  string     `json:"change"`
	Items   []string   `json:"items,omitempty"`
	Attempt AttemptDoc `json:"attempt"`
}

// UpstreamDoc holds the requests sent straight to the upstream.
type UpstreamDoc struct {
	Addr  string       `json:"addr"`
	Tries []AttemptDoc `json:"tries"`
}

// excerptBytes is how much of a body the document quotes.
const excerptBytes = 2048

// NewDocument builds the JSON document of d.
func NewDocument(d Diagnosis) Document {
	v := d.Verdict
	doc := Document{
		SchemaVersion: SchemaVersion,
		URL:           d.URL,
		DiagnosisID:   d.ID,
		Started:       d.Started.UTC(),
		DurationMS:    msf(d.Duration),
		Verdict: VerdictDoc{
			Cause: v.Cause, Title: v.Title, Layer: v.Layer, Persistence: string(v.Persistence),
			GeneratedBy: v.GeneratedBy, Status: v.Status, Confidence: string(v.Confidence),
			Summary: v.Summary, Culprits: v.Culprits, Path: v.Path,
		},
		Evidence:       v.Evidence,
		RuledOut:       v.RuledOut,
		Steps:          v.Steps,
		Tries:          attempts(d.Evidence.Tries),
		Route:          d.Route,
		ConfigFindings: d.Findings,
		Inputs:         d.Evidence.Inputs,
		Redirects:      redirectDocs(d.Evidence.Visit),
		SchemeNote:     schemeNote(d.Evidence.Visit),
		Incomplete:     d.Evidence.Incomplete,
	}
	for _, va := range d.Evidence.Variants {
		doc.Variants = append(doc.Variants, VariantDoc{Name: va.Name, Change: va.Change, Items: va.Items, Attempt: attempt(va.Attempt)})
	}
	if len(d.Evidence.Upstream) > 0 {
		doc.Upstream = &UpstreamDoc{Addr: d.Evidence.UpstreamAddr, Tries: attempts(d.Evidence.Upstream)}
	}
	if len(d.Evidence.Origin) > 0 {
		doc.Origin = &UpstreamDoc{Addr: d.Evidence.OriginAddr, Tries: attempts(d.Evidence.Origin)}
	}
	if fc := d.Evidence.UpstreamFastCGI; fc != nil && fc.Probe != nil {
		a := attempt(*fc)
		doc.UpstreamFastCGI = &a
	}
	if hc := d.Evidence.HealthCheck; hc != nil && hc.Attempt.Probe != nil {
		doc.HealthCheck = &HealthCheckDoc{Method: hc.Method, Path: hc.Path, Expect: hc.Expect, Where: hc.Where,
			Passed: hc.Passed, Attempt: attempt(hc.Attempt)}
	}
	doc.Logs = d.Evidence.Logs
	doc.Reported = d.Evidence.Reported
	if c := d.Evidence.DNS; c != nil {
		doc.DNS = &DNSDoc{Host: c.Host, Local: c.Local, Others: c.Others, Elsewhere: attempts(c.Elsewhere)}
	}
	return doc
}

// DNSDoc is the comparison of this machine's DNS answer with other
// servers', and the requests to the addresses only they gave.
type DNSDoc struct {
	Host      string            `json:"host"`
	Local     []string          `json:"local"`
	Others    []probe.DNSAnswer `json:"others"`
	Elsewhere []AttemptDoc      `json:"elsewhere,omitempty"`
}

// HealthCheckDoc is the gateway's health check, replayed: the request as
// the configuration writes it, whether the gateway would count the answer
// as a pass, and the request itself.
type HealthCheckDoc struct {
	Method  string     `json:"method"`
	Path    string     `json:"path"`
	Expect  string     `json:"expect,omitempty"`
	Where   string     `json:"where,omitempty"`
	Passed  bool       `json:"passed"`
	Attempt AttemptDoc `json:"attempt"`
}

func attempts(as []diagnose.Attempt) []AttemptDoc {
	out := make([]AttemptDoc, 0, len(as))
	for _, a := range as {
		out = append(out, attempt(a))
	}
	return out
}

func attempt(a diagnose.Attempt) AttemptDoc {
	p := a.Probe
	doc := AttemptDoc{
		Label: a.Label, OffsetMS: msf(a.Offset), Method: p.Method, URL: p.URL, Addr: p.Addr,
		Timings: p.Timings, Reached: p.Reached, FailedIn: p.FailedIn, Class: p.Class,
		Error: p.Error, TLS: p.TLS, Print: a.Print,
	}
	if r := p.Response; r != nil {
		doc.Response = &ResponseDoc{
			Proto: r.Proto, Status: r.Status, Header: Redact(r.Header), HeaderBytes: r.HeaderBytes,
			BodyBytes: r.BodyBytes, BodyTruncated: r.BodyTruncated, BodyExcerpt: excerpt(r.Body),
		}
	}
	return doc
}

// secretHeaders have values that must not leave the machine in a report.
var secretHeaders = []string{"Set-Cookie", "Cookie", "Authorization", "Proxy-Authorization", "X-Api-Key", "X-Auth-Token"}

// Redact returns a copy of h with secret values replaced by their length,
// so that a report can be attached to a ticket.
func Redact(h http.Header) http.Header {
	out := h.Clone()
	for _, k := range secretHeaders {
		vs := out[k]
		for i, v := range vs {
			name, _, _ := strings.Cut(v, "=")
			if k == "Set-Cookie" || k == "Cookie" {
				vs[i] = name + "=[redacted " + strconv.Itoa(len(v)) + " bytes]"
			} else {
				vs[i] = "[redacted " + strconv.Itoa(len(v)) + " bytes]"
			}
		}
	}
	return out
}

func excerpt(b []byte) string {
	if len(b) > excerptBytes {
		b = b[:excerptBytes]
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(b)
}

func msf(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1e3
}
