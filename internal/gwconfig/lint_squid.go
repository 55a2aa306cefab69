package gwconfig

import (
	"fmt"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// checkSquid lints the timeouts and cache_peer lines of s against
// squid.conf's documentation (http://www.squid-cache.org/Doc/config/).
func checkSquid(s *Squid) []Finding {
	var out []Finding
	if rt, ok := s.Settings["read_timeout"]; ok && rt.Duration > 0 && rt.Duration < shortReadTimeout {
		out = append(out, squidFinding(rt, Warning, "squid.read_timeout_short", catalog.UpstreamTimeout,
			fmt.Sprintf("read_timeout is %s: every response the origin takes longer to start (or pauses longer in) fails with 504 ERR_READ_TIMEOUT", rt.Value),
			"read_timeout 60 seconds"))
	}
	if ft, ok := s.Settings["forward_timeout"]; ok {
		conn := s.setting("peer_connect_timeout")
		if ft.Duration > 0 && conn.Duration > ft.Duration {
			out = append(out, squidFinding(ft, Info, "squid.forward_timeout_short", catalog.UpstreamUnreachable,
				fmt.Sprintf("forward_timeout %s is shorter than peer_connect_timeout %s: Squid gives up on forwarding first, "+
					"so an origin that does not answer its SYN fails at forward_timeout", ft.Value, conn.Value),
				"forward_timeout 4 minutes"))
		}
	}
	for _, p := range s.Peers {
		if p.TLS && p.NoVerify {
			out = append(out, Finding{Severity: Info, Code: "squid.tls_no_verify", File: p.Line.File, Line: p.Line.Line, Directive: p.Line.String(),
				Message: "cache_peer " + p.Name + " accepts any certificate (DONT_VERIFY_PEER): an expired or wrong certificate never fails here, " +
					"and neither does a machine in between that impersonates the origin",
				Fix: "tls-cafile=/path/to/origin-ca.pem on the cache_peer line instead of DONT_VERIFY_PEER"})
		}
	}
	return out
}

// squidFinding makes a finding about a timeout directive's line.
func squidFinding(s Setting, sev Severity, code string, cause catalog.Cause, msg, fix string) Finding {
	return Finding{Severity: sev, Code: code, Cause: cause, File: s.File, Line: s.Line, Directive: s.Name + " " + s.Value, Message: msg, Fix: fix}
}
