package diagnose

import (
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/fingerprint"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

func TestJudgeLogs(t *testing.T) {
	nginx502 := resp("try", 502, 2*time.Millisecond, nginx, noRead)
	slow502 := resp("try", 502, 1310*time.Millisecond, nginx, noRead)
	ok200 := resp("try", 200, 20*time.Millisecond, nginx, noRead)
	refused := LogLine{Where: "error.log:2", Product: "nginx", Cause: UpstreamRefused, Error: true, Tagged: true,
		Raw: "connect() failed (111: Connection refused) while connecting to upstream"}
	noLive := LogLine{Where: "error.log:5", Product: "nginx", Cause: UpstreamNoneHealthy, Error: true, Tagged: true,
		Raw: "no live upstreams while connecting to upstream"}
	closed := LogLine{Where: "error.log:3", Product: "nginx", Cause: UpstreamClosed, Error: true, Tagged: true,
		Raw: "recv() failed (104: Connection reset by peer) while reading response header from upstream"}
	killed := LogLine{Where: "php-fpm.log:4", Product: "php_fpm", Cause: UpstreamTimeout, Error: true,
		Raw: "WARNING: [pool www] child 12, script '/srv/app.php' (request: \"GET /checkout\") execution timed out (1.3 sec), terminating"}
	connectTimeout := LogLine{Where: "error.log:7", Product: "nginx", Cause: UpstreamUnreachable, Error: true, Tagged: true,
		Raw: "upstream timed out (110: Connection timed out) while connecting to upstream"}
	cut := LogLine{Where: "error.log:8", Product: "nginx", Cause: UpstreamTruncated, Error: true, Tagged: true,
		Raw: "upstream prematurely closed connection while reading upstream"}
	nginx504 := resp("try", 504, time.Second+2*time.Millisecond, nginx, fingerprint.Reading{Cause: catalog.UpstreamTimeout})
	aborted := fail("try", probe.ClassClosed, probe.PhaseHeaders, time.Millisecond)
	access := LogLine{Where: "access.log:9", Product: "nginx", Cause: Upstream, Tagged: true, Raw: `"GET /checkout" 502`}
	for _, tc := range []struct {
		name  string
		ev    Evidence
		cause Cause
		// logged is the cause the log claims, "" for none; the finding
		// that quotes the line is checked, since the quote is what the
		// reader is shown.
		logged Cause
		quote  string
		conf   Confidence
	}{
		{"the error log names the parent's exact cause", Evidence{Tries: three(nginx502), Logs: []LogLine{access, refused}}, UpstreamRefused, UpstreamRefused, "error.log:2", High},
		{"the servers' failures outrank no live upstreams", Evidence{Tries: three(nginx502), Logs: []LogLine{refused, noLive, noLive}}, UpstreamRefused, UpstreamRefused, "error.log:2", High},
		{"PHP-FPM's words explain nginx's closed connection", Evidence{Tries: three(slow502), Logs: []LogLine{closed, killed}}, UpstreamTimeout, UpstreamTimeout, "php-fpm.log:4", High},
		{"a 504 that was a connect timing out", Evidence{Tries: three(nginx504), Logs: []LogLine{connectTimeout}}, UpstreamUnreachable, UpstreamUnreachable, "error.log:7", High},
		{"a closed connection that was a body breaking off", Evidence{Tries: three(aborted), Logs: []LogLine{cut}}, UpstreamTruncated, UpstreamTruncated, "error.log:8", High},
		{"access lines alone name nothing more", Evidence{Tries: three(nginx502), Logs: []LogLine{access}}, Upstream, "", "", Low},
		{"a healthy site ignores old lines", Evidence{Tries: three(ok200), Logs: []LogLine{refused}}, OK, "", "", High},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, cs := judge(tc.ev)
			if v.Cause != tc.cause || v.Confidence != tc.conf {
				t.Errorf("verdict %s (%s), want %s (%s); claims %v", v.Cause, v.Confidence, tc.cause, tc.conf, cs)
			}
			var fromLog []claim
			for _, c := range cs {
				if c.source == "log" {
					fromLog = append(fromLog, c)
				}
			}
			want := []claim{}
			if tc.logged != "" {
				want = append(want, claim{cause: tc.logged, kind: kindOwnWords, source: "log"})
			}
			if len(fromLog) != len(want) || len(want) == 1 && !hasClaim(fromLog, want[0]) {
				t.Errorf("the log claims %v, want %v", fromLog, want)
			}
			if tc.quote != "" && !hasFinding(v, tc.quote) {
				t.Errorf("no finding quotes %s: %+v", tc.quote, v.Evidence)
			}
		})
	}
}
