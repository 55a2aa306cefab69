package logscan

import (
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// TestParseIIS reads W3C lines as IIS writes them, with the default
// fields and with sc-bytes and cs-bytes added: the substatus and Win32
// status name ARR's and the ASP.NET Core Module's failures.
func TestParseIIS(t *testing.T) {
	const head = "2026-05-29 13:00:01 10.0.0.1 GET /api - 443 - 203.0.113.7 Mozilla/5.0+(X11) - "
	tests := []struct {
		name, line string
		want       verdict
		cause      catalog.Cause
	}{
		{"directive", "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken", lineOK, ""},
		{"ok", head + "200 0 0 12", lineOK, ""},
		{"the application's own 502", head + "502 0 0 249", lineFailure, catalog.UpstreamAppError},
		{"ARR timeout", head + "502 3 12002 30012", lineFailure, catalog.UpstreamTimeout},
		{"ARR cannot connect", head + "502 3 12029 21", lineFailure, catalog.UpstreamRefused},
		{"ANCM connection gone", "2016-12-10 03:47:14 76.12.55.140 GET /xyz - 80 - 73.188.236.249 Mozilla/5.0+(Windows+NT+10.0) 502 3 64 343", lineFailure, catalog.UpstreamClosed},
		{"ANCM process failure", head + "502 5 0 10", lineFailure, catalog.UpstreamRefused},
		{"pool stopped", head + "503 0 1058 0", lineFailure, catalog.UpstreamNoneHealthy},
		{"queue full", head + "503 2 0 0 1402 2644", lineFailure, catalog.UpstreamOverloaded},
		{"not iis", "2026-05-29 13:00:01 something else entirely here now ok", lineMalformed, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e Entry
			v := newParser(t, "iis", tc.line).parse([]byte(tc.line), &e)
			if v != tc.want || e.Cause != tc.cause {
				t.Errorf("verdict %d, cause %q; want %d, %q", v, e.Cause, tc.want, tc.cause)
			}
		})
	}
}
