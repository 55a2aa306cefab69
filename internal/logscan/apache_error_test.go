package logscan

import (
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// TestApacheRepeats reads sequences of Apache error lines through one
// parser: a line that only repeats the failure of the line before it, for
// the same request, is not counted again (apacheRepeatOf), and a message
// published without its date and module is read from its AH code. The
// bare lines are testdata/world's; AH02608 and the full AH01084 are
// mod_proxy_http's messages in the default ErrorLogFormat.
func TestApacheRepeats(t *testing.T) {
	const (
		at    = "[Fri Aug 21 10:15:02.100000 2026] "
		later = "[Fri Aug 21 10:15:02.200000 2026] "
		much  = "[Fri Aug 21 10:15:04.200000 2026] "
	)
	type step struct {
		line  string
		want  verdict
		cause catalog.Cause
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"bare body failure, repeated", []step{
			{"AH01084: pass request body failed to 127.0.0.1:20001 (127.0.0.1)", lineFailure, catalog.Upstream},
			{"AH01097: pass request body failed to 127.0.0.1:20001 (127.0.0.1)", lineOK, ""},
		}},
		{"bare repeat alone", []step{
			{"AH01097: pass request body failed to 127.0.0.1:20001 (127.0.0.1) from 10.0.0.7 ()", lineFailure, catalog.Upstream},
		}},
		{"no time, httpd's layout", []step{
			{"[proxy:error] [pid 19182] (111)Connection refused: AH00957: HTTP: attempt to connect to 127.0.0.1:3000 (localhost) failed", lineFailure, catalog.UpstreamRefused},
			{"[proxy:error] [pid 19182] AH00959: ap_proxy_connect_backend disabling worker for (localhost) for 0s", lineOK, ""},
		}},
		{"the source position is no errno", []step{
			{at + "[proxy_fcgi:error] [pid 7:tid 9] mod_proxy_fcgi.c(914): (70007)The timeout specified has expired: [client 10.0.0.7:5000] AH01075: Error dispatching request to : (polling)", lineFailure, catalog.UpstreamTimeout},
		}},
		{"bare message of no failure", []step{
			{"AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using 172.17.0.2", lineMalformed, ""},
		}},
		{"body write reset, repeated", []step{
			{at + "[proxy:error] [pid 7:tid 9] (104)Connection reset by peer: [client 10.0.0.7:5000] AH01084: pass request body failed to 10.0.0.5:8080 (app)", lineFailure, catalog.UpstreamClosed},
			{later + "[proxy_http:error] [pid 7:tid 9] [client 10.0.0.7:5000] AH01097: pass request body failed to 10.0.0.5:8080 (app) from 10.0.0.7 ()", lineOK, ""},
		}},
		{"body write timeout", []step{
			{at + "[proxy:error] [pid 7:tid 9] (70007)The timeout specified has expired: [client 10.0.0.7:5000] AH01084: pass request body failed to 10.0.0.5:8080 (app)", lineFailure, catalog.UpstreamTimeout},
		}},
		{"the client's body, repeated", []step{
			{at + "[proxy_http:error] [pid 7:tid 9] (70014)End of file found: [client 10.0.0.7:5000] AH02608: read request body failed to 10.0.0.5:8080 (app) from 10.0.0.7 ()", lineOK, ""},
			{later + "[proxy_http:error] [pid 7:tid 9] [client 10.0.0.7:5000] AH01097: pass request body failed to 10.0.0.5:8080 (app) from 10.0.0.7 ()", lineOK, ""},
		}},
		{"another client's repeat", []step{
			{at + "[proxy_fcgi:error] [pid 7:tid 9] [client 10.0.0.7:5000] AH01067: Failed to read FastCGI header", lineFailure, catalog.UpstreamClosed},
			{later + "[proxy_fcgi:error] [pid 7:tid 9] (104)Connection reset by peer: [client 10.0.0.8:6000] AH01075: Error dispatching request to : ", lineFailure, catalog.UpstreamClosed},
		}},
		{"a repeat seconds later", []step{
			{at + "[proxy_fcgi:error] [pid 7:tid 9] [client 10.0.0.7:5000] AH01067: Failed to read FastCGI header", lineFailure, catalog.UpstreamClosed},
			{much + "[proxy_fcgi:error] [pid 7:tid 9] (104)Connection reset by peer: [client 10.0.0.7:5000] AH01075: Error dispatching request to : ", lineFailure, catalog.UpstreamClosed},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newParser(t, "apache-error")
			for i, s := range tc.steps {
				var e Entry
				v := p.parse([]byte(s.line), &e)
				if v != s.want || e.Cause != s.cause {
					t.Errorf("line %d: verdict %d, cause %q; want %d, %q", i+1, v, e.Cause, s.want, s.cause)
				}
			}
		})
	}
}
