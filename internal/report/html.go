package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
)

//go:embed html.tmpl
var htmlFiles embed.FS

// htmlPage is the template of the HTML report. Every value it is given is
// plain text, escaped by html/template where it lands.
var htmlPage = template.Must(template.ParseFS(htmlFiles, "html.tmpl"))

// HTML writes d as one self-contained HTML page to attach to a ticket or
// open in a browser: the same sections as Markdown, then each request with
// its response head, with secrets in headers redacted. The page has its
// style inline and fetches nothing: no scripts, fonts, images or links.
func HTML(w io.Writer, d Diagnosis) error {
	var b bytes.Buffer
	if err := htmlPage.Execute(&b, newHTMLView(d)); err != nil {
		return fmt.Errorf("rendering the HTML report: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	return nil
}

// htmlView is what the HTML template shows, already worded.
type htmlView struct {
	URL, ID                   string
	Tone                      string // the verdict's colour: "ok", "warn" or "fail"
	Cause, Title, Summary     string
	Persistence, Status       string
	Product, Role, Confidence string
	Culprits                  string
	Started, When             string
	Path                      []htmlHop
	Evidence                  []diagnose.Finding
	RuledOut                  []diagnose.Excluded
	Config                    *htmlConfig
	Steps                     []htmlStep
	Inputs                    []string
	Incomplete                []string
	Requests                  []htmlRequest
}

type htmlHop struct {
	Role, Addr, Answer, After string
	Failing                   bool
}

type htmlConfig struct {
	Gateway  string
	Settings []htmlSetting // the route's rows: server, location, target, upstreams, settings
	Findings []htmlFinding
}

type htmlSetting struct{ Name, Value, Where string }

type htmlFinding struct {
	Severity, Class, Where, Message, Fix string
}

type htmlStep struct {
	Who, Class, Text string
	Lines            string // the step's lines, one a line
}

type htmlRequest struct {
	Label, Method, URL, Addr, Result string
	Connect, TTFB, Total             string
	Head                             string // the response head, or the error
}

func newHTMLView(d Diagnosis) htmlView {
	v := d.Verdict
	view := htmlView{
		URL: d.URL, ID: d.ID, Tone: verdictTone(v),
		Cause: string(v.Cause), Title: v.Title, Summary: v.Summary,
		Persistence: string(v.Persistence), Status: statusString(v.Status),
		Product: v.GeneratedBy.Product, Role: v.GeneratedBy.Role, Confidence: string(v.Confidence),
		Culprits: strings.Join(v.Culprits, ", "),
		Started:  d.Started.UTC().Format(time.RFC3339), When: whenLine(d),
		Evidence: v.Evidence, RuledOut: v.RuledOut, Incomplete: d.Evidence.Incomplete,
		Inputs: inputLines(d.Evidence.Inputs),
	}
	for _, h := range v.Path {
		view.Path = append(view.Path, htmlHop{Role: h.Role, Addr: h.Addr, Answer: hopAnswer(h), After: round(h.TTFB).String(), Failing: h.Failing})
	}
	if r := d.Route; r != nil {
		c := &htmlConfig{Gateway: r.Gateway}
		for _, row := range routeRows(r) {
			c.Settings = append(c.Settings, htmlSetting{row.name, row.value, row.where})
		}
		for _, f := range d.Findings {
			c.Findings = append(c.Findings, htmlFinding{Severity: severityWord(f), Class: severityClass(f.Severity),
				Where: f.Where(), Message: f.Message, Fix: f.Fix})
		}
		view.Config = c
	}
	for _, st := range v.Steps {
		view.Steps = append(view.Steps, htmlStep{Who: st.Who, Class: whoClass(st.Who), Text: st.Text, Lines: strings.Join(st.Lines, "\n")})
	}
	for _, a := range requests(d.Evidence) {
		p := a.Probe
		view.Requests = append(view.Requests, htmlRequest{
			Label: a.Label, Method: p.Method, URL: p.URL, Addr: p.Addr, Result: requestResult(p),
			Connect: round(p.Timings.Connect).String(), TTFB: round(p.Timings.TTFB).String(), Total: round(p.Timings.Total).String(),
			Head: htmlHead(a),
		})
	}
	return view
}

// htmlHead is a request's response head as lines of text, or its error
// when no response came.
func htmlHead(a diagnose.Attempt) string {
	p := a.Probe
	r := p.Response
	if r == nil {
		return string(p.Class) + ": " + p.Error
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d\n", r.Proto, r.Status)
	for _, h := range responseHead(r.Header) {
		fmt.Fprintf(&b, "%s: %s\n", h.Name, h.Value)
	}
	fmt.Fprintf(&b, "(%s)", bodyNote(r))
	return b.String()
}

// verdictTone colours the verdict: green when nothing failed, amber when
// the failure came and went, red otherwise.
func verdictTone(v diagnose.Verdict) string {
	switch {
	case !v.Failed():
		return "ok"
	case v.Persistence == diagnose.Intermittent || v.Persistence == diagnose.Recovered:
		return "warn"
	default:
		return "fail"
	}
}

// whoClass is the badge class of a step's doer; only known doers get one.
func whoClass(who string) string {
	switch who {
	case "visitor", "operator":
		return who
	}
	return "other"
}

func severityClass(s gwconfig.Severity) string {
	switch s {
	case gwconfig.Error:
		return "error"
	case gwconfig.Warning:
		return "warning"
	}
	return "info"
}
