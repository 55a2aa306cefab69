package logscan

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// envoyJSON reads Envoy's access log in JSON, as Istio writes it with
// meshConfig.accessLogEncoding: JSON and Envoy Gateway by default: one
// object a line with the fields of Envoy's command operators, named as
// Istio's default JSON format names them (start_time, response_code,
// response_flags, upstream_host, …). RESPONSE_FLAGS drive the cause, as
// in the text format.
type envoyJSON struct{}

// envoyJSONLine holds the fields a diagnosis reads.
type envoyJSONLine struct {
	Start      string  `json:"start_time"`
	Method     string  `json:"method"`
	Path       string  `json:"path"`
	Code       jsonInt `json:"response_code"`
	Flags      string  `json:"response_flags"`
	Details    string  `json:"response_code_details"`
	Upstream   string  `json:"upstream_host"`
	RequestID  string  `json:"request_id"`
	Client     string  `json:"x_forwarded_for"`
	TLSFailure string  `json:"upstream_transport_failure_reason"`
}

func (p *envoyJSON) parse(line []byte, e *Entry) verdict {
	if len(line) < 2 || line[0] != '{' || !bytes.Contains(line, []byte(`"response_flags"`)) {
		return lineMalformed
	}
	var l envoyJSONLine
	if err := json.Unmarshal(line, &l); err != nil {
		return lineMalformed
	}
	if t, err := time.Parse(time.RFC3339Nano, l.Start); err == nil {
		e.Time = t
	}
	code := int(l.Code)
	cause := envoyCause([]byte(l.Flags), code)
	if cause == "" {
		return lineOK
	}
	if cause == catalog.UpstreamRefused && l.TLSFailure != "" && l.TLSFailure != "-" {
		cause = catalog.UpstreamTLS
	}
	e.Cause, e.Product, e.Format, e.Status = cause, catalog.Envoy, "envoy-json", code
	e.Method, e.Path = l.Method, cut(l.Path, 2048)
	e.Detail = "response flags " + cut(l.Flags, 64)
	if l.Details != "" && l.Details != "-" {
		e.Detail += ", " + cut(l.Details, 200)
	}
	if l.Upstream != "" && l.Upstream != "-" {
		e.Upstream = cut(l.Upstream, 256)
	}
	e.RequestID, e.Client = cut(l.RequestID, 128), cut(l.Client, 64)
	return lineFailure
}

// jsonInt reads a number written as a JSON number (Envoy Gateway, a
// json_format with typed values) or as a string (Istio's default JSON
// format writes "response_code":"503").
type jsonInt int

// UnmarshalJSON reads 503 or "503"; "-" and anything else are 0.
func (n *jsonInt) UnmarshalJSON(b []byte) error {
	v, _ := strconv.Atoi(strings.Trim(string(b), `"`))
	*n = jsonInt(v)
	return nil
}
