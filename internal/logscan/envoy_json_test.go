package logscan

import (
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// TestEnvoyJSON reads lines built on the keys of Istio's default JSON
// access log (istio.io, "Envoy Access Logs", accessLogEncoding: JSON),
// with response_code as Istio writes it (a string) and as a typed
// json_format writes it (a number).
func TestEnvoyJSON(t *testing.T) {
	for _, tc := range []struct {
		line  string
		want  verdict
		cause catalog.Cause
	}{
		{`{"start_time":"2021-01-07T19:38:02.373Z","method":"POST","path":"/api/v1/poll","protocol":"HTTP/1.1","response_code":"503","response_flags":"UC","upstream_host":"10.203.102.216:80","request_id":"fc6a4ba4","x_forwarded_for":"44.225.244.145","upstream_transport_failure_reason":"-"}`, lineFailure, catalog.UpstreamClosed},
		{`{"start_time":"2024-04-01T14:38:10.133Z","method":"GET","path":"/","response_code":503,"response_flags":"UH","response_code_details":"no_healthy_upstream","upstream_host":null}`, lineFailure, catalog.UpstreamNoneHealthy},
		{`{"start_time":"2024-04-01T14:38:10.133Z","method":"GET","path":"/","response_code":503,"response_flags":"UF","upstream_transport_failure_reason":"TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED"}`, lineFailure, catalog.UpstreamTLS},
		{`{"start_time":"2024-04-01T14:38:10.133Z","method":"GET","path":"/","response_code":200,"response_flags":"UR","response_code_details":"upstream_reset_after_response_started{remote_reset}"}`, lineFailure, catalog.UpstreamTruncated},
		{`{"start_time":"2022-09-10T14:27:14.956Z","response_code":0,"response_flags":"-","upstream_host":"10.0.0.5:8443"}`, lineOK, ""},
		{`{"start_time":"2022-09-10T14:27:14.956Z","response_code":"200","response_flags":"-"}`, lineOK, ""},
		{`{"level":"info","msg":"not an access log"}`, lineMalformed, ""},
		{`{"response_flags":`, lineMalformed, ""},
	} {
		var e Entry
		got := (&envoyJSON{}).parse([]byte(tc.line), &e)
		if got != tc.want || e.Cause != tc.cause {
			t.Errorf("%s: verdict %d cause %q, want %d %q", tc.line, got, e.Cause, tc.want, tc.cause)
		}
	}
}
