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
// response_flags, upstream_host, …), or in camel case (responseFlags,
// responseCode, …), as json_format names them in many published
// configurations. RESPONSE_FLAGS drive the cause, as in the text format.
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
	Duration   jsonInt `json:"duration"`
	camel      envoyJSONCamel
}

// envoyJSONCamel holds the same fields named in camel case.
type envoyJSONCamel struct {
	Start     string  `json:"startTime"`
	Method    string  `json:"requestMethod"`
	Path      string  `json:"requestPath"`
	Code      jsonInt `json:"responseCode"`
	Flags     string  `json:"responseFlags"`
	Details   string  `json:"responseCodeDetails"`
	Upstream  string  `json:"upstreamHost"`
	RequestID string  `json:"requestId"`
}

// decodeEnvoyJSON reads a line in either naming.
func decodeEnvoyJSON(line []byte) (envoyJSONLine, bool) {
	var l envoyJSONLine
	if bytes.Contains(line, []byte(`"response_flags"`)) {
		return l, json.Unmarshal(line, &l) == nil
	}
	if !bytes.Contains(line, []byte(`"responseFlags"`)) {
		return l, false
	}
	c := &l.camel
	if json.Unmarshal(line, c) != nil {
		return l, false
	}
	l.Start, l.Method, l.Path, l.Code, l.Flags = c.Start, c.Method, c.Path, c.Code, c.Flags
	l.Details, l.Upstream, l.RequestID = c.Details, c.Upstream, c.RequestID
	return l, true
}

func (p *envoyJSON) parse(line []byte, e *Entry) verdict {
	if len(line) < 2 || line[0] != '{' {
		return lineMalformed
	}
	l, ok := decodeEnvoyJSON(line)
	if !ok {
		return lineMalformed
	}
	if t, ok := timeRFC3339([]byte(l.Start)); ok {
		e.Time = t
	} else if t, err := time.Parse("2006-01-02T15:04:05.999999999-0700", l.Start); err == nil {
		e.Time = t // %START_TIME% with a zone written +0000
	}
	code := int(l.Code)
	cause := envoyCause([]byte(l.Flags), code)
	if cause == "" {
		return lineOK
	}
	if cause == catalog.UpstreamRefused && l.TLSFailure != "" && l.TLSFailure != "-" {
		cause = catalog.UpstreamTLS
	}
	cause = envoyDetails(cause, []byte(l.Details))
	if bytes.Contains(line, []byte(`"duration"`)) {
		cause = connectWaited(cause, int(l.Duration))
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
