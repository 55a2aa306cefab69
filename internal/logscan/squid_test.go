package logscan

import (
	"path/filepath"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// The lines below come from testdata/squid-5.7 (Squid 5.7 of Debian 12; its
// README says which fault wrote each file) unless a case says otherwise.
func TestParseSquidCache(t *testing.T) {
	runParseCases(t, "squid-cache", []parseCase{
		{"closed", "2026/12/05 06:41:59 kid1| WARNING: HTTP: Invalid Response: No object data received for http://lab.test/closed1 AKA http://lab.test/closed1", lineFailure, catalog.UpstreamClosed, 502, "", "/closed1"},
		{"bad header", "2026/12/05 06:42:12 kid1| WARNING: HTTP: Invalid Response: Bad header encountered from http://lab.test/invalid-header1 AKA http://lab.test/invalid-header1", lineFailure, catalog.UpstreamInvalid, 502, "", "/invalid-header1"},
		{"connect failed", "2026/12/05 06:41:14 kid1| TCP connection to 127.0.0.1/39201 failed", lineFailure, catalog.Upstream, 503, "127.0.0.1:39201", ""},
		{"connect failed, squid -N", "2026/12/05 06:41:21| TCP connection to 127.0.0.1/39202 failed", lineFailure, catalog.Upstream, 503, "127.0.0.1:39202", ""},
		{"dead parent", "2026/12/05 06:41:14 kid1| Detected DEAD Parent: app", lineFailure, catalog.UpstreamNoneHealthy, 502, "app", ""},
		{"peer name", "2026/12/05 06:42:29 kid1| WARNING: DNS lookup for 'app.invalid' failed!", lineFailure, catalog.UpstreamDNS, 502, "app.invalid", ""},
		// debug_options ALL,1 5,3 in the lab's Squid 5.7: milliseconds, and
		// the section and level after the process.
		{"debug level", "2026/12/05 06:37:41.594| 15,2| neighbors.cc(1284) peerConnectFailedSilent: TCP connection to 127.0.0.1/39001 dead", lineOK, "", 0, "", ""},
		{"continuation", "    current master transaction: master53", lineOK, "", 0, "", ""},
		{"rusage", "CPU Usage: 0.064 seconds = 0.037 user + 0.027 sys", lineOK, "", 0, "", ""},
		{"start", "2026/12/05 06:41:56 kid1| Starting Squid Cache version 5.7 for x86_64-pc-linux-gnu...", lineOK, "", 0, "", ""},
		{"master", "2026/12/05 06:42:01| Removing PID file (/tmp/sq-closed/squid.pid)", lineOK, "", 0, "", ""},
		{"nginx line", "2026/08/21 10:15:02 [error] 1#1: *1 no live upstreams", lineMalformed, "", 0, "", ""},
		{"lighttpd line", "2026-08-21 10:15:02: (gw_backend.c.261) establishing connection failed: socket: tcp:127.0.0.1:9000: Connection refused", lineMalformed, "", 0, "", ""},
	})
}

func TestParseSquidErrCode(t *testing.T) {
	const pre = "1796452919.404      2 127.0.0.1 TCP_MISS/"
	runParseCases(t, "squid", []parseCase{
		{"zero size", pre + "502 3326 GET http://lab.test/closed1 - FIRSTUP_PARENT/127.0.0.1 text/html ERR_ZERO_SIZE_OBJECT/WITH_SERVER", lineFailure, catalog.UpstreamClosed, 502, "127.0.0.1", "/closed1"},
		{"read error", pre + "502 3426 GET http://lab.test/reset21 - FIRSTUP_PARENT/127.0.0.1 text/html ERR_READ_ERROR/WITH_SERVER", lineFailure, catalog.UpstreamClosed, 502, "", ""},
		{"no peer", pre + "502 3398 GET http://lab.test/rs21 - HIER_NONE/- text/html ERR_READ_ERROR/WITH_SERVER", lineFailure, catalog.Upstream, 502, "", ""},
		{"connect", pre + "503 3454 GET http://lab.test/connect-timeout1 - FIRSTUP_PARENT/127.0.0.1 text/html ERR_CONNECT_FAIL/WITH_SERVER", lineFailure, catalog.Upstream, 503, "", ""},
		{"invalid", pre + "502 3557 GET http://lab.test/invalid-header1 - FIRSTUP_PARENT/127.0.0.1 text/html ERR_INVALID_RESP/WITH_SERVER", lineFailure, catalog.UpstreamInvalid, 502, "", ""},
		{"too big", pre + "502 3632 GET http://lab.test/header-too-big1 - FIRSTUP_PARENT/127.0.0.1 text/html ERR_TOO_BIG/WITH_SERVER", lineFailure, catalog.UpstreamHeaderTooBig, 502, "", ""},
		{"read timeout", pre + "504 3467 GET http://lab.test/timeout21 - FIRSTUP_PARENT/127.0.0.1 text/html ERR_READ_TIMEOUT/WITH_SERVER", lineFailure, catalog.UpstreamTimeout, 504, "", ""},
		{"ok", pre + "200 185 GET http://lab.test/ok - FIRSTUP_PARENT/127.0.0.1 - -/-", lineOK, "", 0, "", ""},
	})
}

// TestParseSquidPath: Squid logs the absolute URL, and a path is what the
// other formats give. The lines are the lab's Squid 5.7 in accel mode,
// whose strip_query_terms (on by default) leaves a query as a bare "?".
func TestParseSquidPath(t *testing.T) {
	runParseCases(t, "squid", []parseCase{
		{"root", "1796455130.218      0 127.0.0.1 TCP_MISS/503 3417 GET http://lab.test/? - FIRSTUP_PARENT/127.0.0.1 text/html", lineFailure, catalog.Upstream, 503, "127.0.0.1", "/?"},
		{"path", "1796455159.442   2774 127.0.0.1 TCP_MISS/504 3462 GET http://lab.test/checkout? - FIRSTUP_PARENT/127.0.0.1 text/html", lineFailure, catalog.UpstreamTimeout, 504, "127.0.0.1", "/checkout?"},
	})
	for in, want := range map[string]string{
		"http://lab.test/checkout?": "/checkout?",
		"https://shop.example":      "/",
		"http://shop.example?q":     "/?q",
		"shop.example:443":          "shop.example:443", // CONNECT
		"error:invalid-request":     "error:invalid-request",
	} {
		if got := string(urlPath([]byte(in))); got != want {
			t.Errorf("urlPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRealSquid scans each fault's recorded logs: the cache.log alone, the
// native access log alone, the access log with %err_code, and cache.log and
// native access log together, whose lines join by URL.
func TestRealSquid(t *testing.T) {
	type counts = map[catalog.Cause]int64
	tests := []struct {
		fault                  string
		cache, access, errcode counts
		joined                 int64
	}{
		{"refused-after-start", counts{catalog.Upstream: 10, catalog.UpstreamNoneHealthy: 1}, counts{catalog.Upstream: 12}, counts{catalog.Upstream: 12}, 0},
		{"refused-after-start-N", counts{catalog.Upstream: 3}, counts{catalog.Upstream: 3}, counts{catalog.Upstream: 3}, 0},
		{"refused-at-start", counts{}, counts{catalog.Upstream: 2}, counts{catalog.Upstream: 2}, 0},
		{"connect-timeout", counts{catalog.Upstream: 2}, counts{catalog.Upstream: 2}, counts{catalog.Upstream: 2}, 0},
		{"timeout", counts{}, counts{catalog.UpstreamTimeout: 2}, counts{catalog.UpstreamTimeout: 2}, 0},
		{"closed", counts{catalog.UpstreamClosed: 2}, counts{catalog.Upstream: 2}, counts{catalog.UpstreamClosed: 2}, 2},
		{"reset", counts{}, counts{catalog.Upstream: 2}, counts{catalog.UpstreamClosed: 2}, 0},
		{"invalid-header", counts{catalog.UpstreamInvalid: 2}, counts{catalog.Upstream: 2}, counts{catalog.UpstreamInvalid: 2}, 2},
		{"http09", counts{}, counts{}, counts{}, 0},
		{"header-too-big", counts{}, counts{catalog.Upstream: 1}, counts{catalog.UpstreamHeaderTooBig: 1}, 0},
		{"dns", counts{catalog.UpstreamDNS: 1}, counts{catalog.Upstream: 2}, counts{catalog.Upstream: 2}, 0},
		{"truncated", counts{}, counts{}, counts{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.fault, func(t *testing.T) {
			base := filepath.Join("testdata", "squid-5.7", tc.fault)
			for _, f := range []struct {
				suffix, format string
				want           counts
			}{
				{".cache.log", "squid-cache", tc.cache},
				{".access.log", "squid", tc.access},
				{".access-errcode.log", "squid", tc.errcode},
			} {
				r := scanFiles(t, Options{}, base+f.suffix)
				if got := r.Files[0].Format; got != f.format || r.Malformed != 0 {
					t.Errorf("%s: format %q, %d malformed; want %q, 0", f.suffix, got, r.Malformed, f.format)
				}
				equalCounts(t, causeCounts(r), f.want)
			}
			r := scanFiles(t, Options{}, base+".access.log", base+".cache.log")
			if r.Joined != tc.joined {
				t.Errorf("joined %d, want %d", r.Joined, tc.joined)
			}
		})
	}
}
