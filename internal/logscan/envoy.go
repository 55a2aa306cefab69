package logscan

import (
	"bytes"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// envoyLog reads Envoy's default access log format (and Istio's, which adds
// RESPONSE_CODE_DETAILS and more fields, and formats like it):
//
//	[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 503 UF 154 0 226 - "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "10.0.2.1:80"
//
// RESPONSE_FLAGS (source/common/stream_info/utility.h) drive the cause.
type envoyLog struct{}

func (p *envoyLog) parse(line []byte, e *Entry) verdict {
	if t, ok := envoyAppLine(line); ok {
		// Envoy's own log beside its access log in one container's
		// output: start-up, configuration, debug; no request's failure.
		e.Time = t
		return lineOK
	}
	if len(line) < 30 || line[0] != '[' {
		return lineMalformed
	}
	end := bytes.IndexByte(line, ']')
	if end < 0 || end+2 >= len(line) || line[end+1] != ' ' {
		return lineMalformed
	}
	t, ok := timeRFC3339(line[1:end])
	if !ok {
		return lineMalformed
	}
	e.Time = t
	req, rest, ok := quoted(line[end+2:])
	if !ok || len(rest) < 2 {
		return lineMalformed
	}
	st, rest := word(rest[1:])
	flags, rest := word(rest)
	status, ok := digits(st)
	if !ok || len(flags) == 0 {
		return lineMalformed
	}
	cause := envoyCause(flags, status)
	if cause == "" {
		return lineOK
	}
	pre, rest := envoyPre(rest)
	e.Cause, e.Product, e.Format, e.Status = envoyDetails(cause, pre...), catalog.Envoy, "envoy", status
	e.Method, e.Path = requestLine(req)
	e.Detail = "response flags " + string(capLen(flags, 64))
	if len(pre) > 0 && len(pre[0]) > 0 && string(pre[0]) != "-" {
		e.Detail += ", " + string(capLen(pre[0], 200))
	}
	e.Cause = connectWaited(e.Cause, envoyDuration(rest))
	if q := quotedFields(rest, 5); len(q) == 5 {
		e.Client = string(capLen(q[0], 64))
		e.RequestID = string(capLen(q[2], 128))
		if len(q[4]) > 0 && q[4][0] != '-' {
			e.Upstream = string(capLen(q[4], 256))
		}
	}
	return lineFailure
}

// envoyPre splits what follows the response flags at %BYTES_RECEIVED%,
// the first number: before it, the fields that Istio's formats and many
// custom ones put there and Envoy's default has none of (the code's
// details, the connection's termination details, the quoted transport
// failure reason; Istio before 1.8 quoted a mixer status first), without
// their quotes; then the rest, from the byte counts on.
func envoyPre(b []byte) (pre [][]byte, rest []byte) {
	for len(pre) < 4 {
		b = bytes.TrimLeft(b, " ")
		if len(b) == 0 {
			break
		}
		if b[0] == '"' {
			f, after, ok := quoted(b)
			if !ok {
				break
			}
			pre, b = append(pre, f), after
			continue
		}
		w, after := word(b)
		if _, num := digits(w); num {
			break
		}
		pre, b = append(pre, w), after
	}
	return pre, b
}

// envoyDetails refines the flags' cause with the details beside them
// (RESPONSE_CODE_DETAILS, UPSTREAM_TRANSPORT_FAILURE_REASON): a reset
// "upstream_reset_after_response_started{...}" came after the upstream's
// response had begun, so the client got a cut response whatever the flag
// (a protocol error, a termination); a connection failure whose reason is
// TLS's ("TLS error: ...", "...CERTIFICATE_VERIFY_FAILED", Istio's
// "Secret is not supplied by SDS" among them) failed in the handshake.
func envoyDetails(cause catalog.Cause, details ...[]byte) catalog.Cause {
	for _, d := range details {
		switch {
		case bytes.HasPrefix(d, []byte("upstream_reset_after_response_started")):
			return catalog.UpstreamTruncated
		case cause == catalog.UpstreamRefused && containsAny(d, "TLS", "CERTIFICATE", "SSL"):
			return catalog.UpstreamTLS
		}
	}
	return cause
}

// envoyDuration reads %DURATION% (ms), the third number of the rest that
// envoyPre leaves; -1 when it is not there.
func envoyDuration(rest []byte) int {
	var d []byte
	for range 3 {
		d, rest = word(bytes.TrimLeft(rest, " "))
	}
	n, ok := digits(d)
	if !ok {
		return -1
	}
	return n
}

// connectWaited refines UF: Envoy fails a refused connection at once, and
// one that went unanswered after its connect timeout (5 s by default, 10 s
// in Istio); a failure that took about that long or longer waited for it.
// Shorter ones (refused tries with retries' back-off between them) stay
// refused.
func connectWaited(cause catalog.Cause, durationMS int) catalog.Cause {
	if cause == catalog.UpstreamRefused && durationMS >= 4500 {
		return catalog.UpstreamUnreachable
	}
	return cause
}

// quotedFields returns up to n double-quoted fields of b, in order.
func quotedFields(b []byte, n int) [][]byte {
	var out [][]byte
	for len(out) < n {
		i := bytes.IndexByte(b, '"')
		if i < 0 {
			break
		}
		f, rest, ok := quoted(b[i:])
		if !ok {
			break
		}
		if len(f) == 1 && f[0] == '-' {
			f = nil
		}
		out = append(out, f)
		b = rest
	}
	return out
}

// envoyCause maps response flags to a cause; the first flag that names an
// upstream fault decides. "-" with a 5xx status is the upstream's own
// answer (RESPONSE_CODE_DETAILS via_upstream).
func envoyCause(flags []byte, status int) catalog.Cause {
	if len(flags) == 1 && flags[0] == '-' {
		if catalog.IsGatewayStatus(status) {
			return catalog.UpstreamAppError
		}
		return ""
	}
	for len(flags) > 0 {
		var f []byte
		if i := bytes.IndexByte(flags, ','); i >= 0 {
			f, flags = flags[:i], flags[i+1:]
		} else {
			f, flags = flags, nil
		}
		switch string(f) {
		case "UH", "NoHealthyUpstream":
			return catalog.UpstreamNoneHealthy
		case "UF", "UpstreamConnectionFailure":
			return catalog.UpstreamRefused
		case "UO", "UpstreamOverflow", "OM", "DO":
			return catalog.UpstreamOverloaded
		case "UT", "UpstreamRequestTimeout", "UMSDR":
			return catalog.UpstreamTimeout
		case "UC", "UpstreamConnectionTermination", "UR", "UpstreamRemoteReset", "LR":
			return catalog.UpstreamClosed
		case "UPE", "UpstreamProtocolError":
			return catalog.UpstreamInvalid
		case "DF", "DnsResolutionFailed":
			return catalog.UpstreamDNS
		case "NC", "NoClusterFound":
			// The route names a cluster Envoy does not have (not yet
			// pushed, or removed): it has no upstream to send to, and
			// answers 503 unless cluster_not_found_response_code says
			// otherwise.
			if catalog.IsGatewayStatus(status) {
				return catalog.UpstreamNoneHealthy
			}
		}
	}
	if catalog.IsGatewayStatus(status) {
		return catalog.Upstream
	}
	return ""
}

// envoyLevels are the levels of Envoy's application log.
var envoyLevels = [][]byte{[]byte("trace"), []byte("debug"), []byte("info"), []byte("warning"), []byte("warn"), []byte("error"), []byte("critical")}

// envoyAppLine reads the time of a line of Envoy's application log: its
// default format "[2019-12-04 01:59:42.489][1][info][main] ..." (Envoy docs,
// "Command line options", --log-format) or Istio's proxy form
// "2023-10-12T08:08:15.270118Z<TAB>debug<TAB>envoy pool<TAB>...".
func envoyAppLine(line []byte) (time.Time, bool) {
	if len(line) > 30 && line[0] == '[' {
		end := bytes.IndexByte(line, ']')
		if end != 24 || line[11] != ' ' || !bytes.HasPrefix(line[end:], []byte("][")) {
			return time.Time{}, false
		}
		t, err := time.Parse("2006-01-02 15:04:05.000", string(line[1:end]))
		if err != nil {
			return time.Time{}, false
		}
		rest := line[end+2:]
		i := bytes.IndexByte(rest, ']')
		if i <= 0 || !allDigits(rest[:i]) || !bytes.HasPrefix(rest[i:], []byte("][")) {
			return time.Time{}, false
		}
		rest = rest[i+2:]
		j := bytes.IndexByte(rest, ']')
		if j <= 0 || !isEnvoyLevel(rest[:j]) {
			return time.Time{}, false
		}
		return t, true
	}
	n := rfc3339Len(line)
	if n == 0 || n >= len(line) || line[n] != '\t' {
		return time.Time{}, false
	}
	rest := line[n+1:]
	lvl, after, ok := bytes.Cut(rest, []byte("\t"))
	if !ok || !isEnvoyLevel(lvl) || !bytes.HasPrefix(after, []byte("envoy ")) {
		return time.Time{}, false
	}
	t, ok := timeRFC3339(line[:n])
	return t, ok
}

func isEnvoyLevel(b []byte) bool {
	for _, l := range envoyLevels {
		if bytes.Equal(b, l) {
			return true
		}
	}
	return false
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}
