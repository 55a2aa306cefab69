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
		cause string
		quote string // in a log finding
	}{
		{"the error log names the parent's exact cause", Evidence{Tries: three(nginx502), Logs: []LogLine{access, refused}}, UpstreamRefused, "error.log:2"},
		{"the servers' failures outrank no live upstreams", Evidence{Tries: three(nginx502), Logs: []LogLine{refused, noLive, noLive}}, UpstreamRefused, "error.log:2"},
		{"PHP-FPM's words explain nginx's closed connection", Evidence{Tries: three(slow502), Logs: []LogLine{closed, killed}}, UpstreamTimeout, "php-fpm.log:4"},
		{"a 504 that was a connect timing out", Evidence{Tries: three(nginx504), Logs: []LogLine{connectTimeout}}, UpstreamUnreachable, "error.log:7"},
		{"a closed connection that was a body breaking off", Evidence{Tries: three(aborted), Logs: []LogLine{cut}}, UpstreamTruncated, "error.log:8"},
		{"access lines alone name nothing more", Evidence{Tries: three(nginx502), Logs: []LogLine{access}}, Upstream, ""},
		{"a healthy site ignores old lines", Evidence{Tries: three(ok200), Logs: []LogLine{refused}}, OK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(tc.ev)
			if v.Cause != tc.cause {
				t.Errorf("cause %s, want %s; evidence %+v", v.Cause, tc.cause, v.Evidence)
			}
			if tc.quote != "" && !hasFinding(v, tc.quote) {
				t.Errorf("no finding quotes %s: %+v", tc.quote, v.Evidence)
			}
		})
	}
}
