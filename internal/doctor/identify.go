package doctor

import (
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/fingerprint"
	"github.com/gwdoctor/gwdoctor/internal/probe"
	"github.com/gwdoctor/gwdoctor/internal/report"
)

// Identify reads an error page that someone saved or pasted, without a
// network: a raw response with its headers, the headers alone, an HTML or
// JSON body, or just the text a browser showed. The verdict says who
// produced it, what it says, and the cause and steps where the page alone
// tells them; its persistence is left empty, since one page cannot tell.
func Identify(name string, data []byte, now time.Time) (report.Diagnosis, fingerprint.Paste) {
	paste := fingerprint.ReadPaste(data)
	return IdentifyResponse(name, paste.Response, now), paste
}

// IdentifyResponse is Identify for a response already read: a status, the
// header fields and the body, as far as they are known.
func IdentifyResponse(name string, r fingerprint.Response, now time.Time) report.Diagnosis {
	fp := fingerprint.Identify(r)
	res := &probe.Result{URL: name, Started: now, Reached: probe.PhaseComplete, Response: &probe.Response{
		Status: r.Status, Header: r.Header, Body: r.Body, BodyBytes: int64(len(r.Body)), BodyTruncated: r.BodyTruncated,
	}}
	ev := diagnose.Evidence{URL: name, Saved: true, Tries: []diagnose.Attempt{{Label: "page", Probe: res, Print: &fp}}}
	return report.Diagnosis{URL: name, Started: now, Evidence: ev, Verdict: diagnose.Judge(ev)}
}
