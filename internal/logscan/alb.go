package logscan

import (
	"bytes"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// albLog reads AWS Application Load Balancer access logs
// (load-balancer-access-logs.md): space-separated fields, some quoted.
//
//	http 2018-11-30T22:23:00.186641Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 502 - 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:... "Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 0 2018-11-30T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "-" "-" "-"
//
// elb_status_code is what the client got; target_status_code is the
// target's answer, "-" when the target gave none.
type albLog struct{}

func (p *albLog) parse(line []byte, e *Entry) verdict {
	var f [11][]byte // type time elb client target rpt tpt respt elb_status target_status received
	rest := line
	for i := range f {
		f[i], rest = word(rest)
	}
	switch string(f[0]) {
	case "http", "https", "h2", "grpcs", "ws", "wss":
	default:
		return p.classic(line, e)
	}
	t, ok := timeRFC3339(f[1])
	if !ok {
		return lineMalformed
	}
	status, ok := digits(f[8])
	if !ok {
		return lineMalformed
	}
	e.Time = t
	if !catalog.IsGatewayStatus(status) {
		return lineOK
	}
	_, rest = word(rest)       // sent_bytes
	q := quotedFields(rest, 8) // request, user agent, trace, domain, cert, actions, redirect, error_reason
	e.Product, e.Format, e.Status = catalog.ALB, "alb", status
	fillELB(e, f[3], f[4], q)
	reason := []byte(nil)
	if len(q) > 7 {
		reason = q[7]
	}
	e.Cause = albCause(status, f[9], reason, e.Upstream != "")
	if e.Cause == catalog.Upstream && status == 502 && string(f[9]) == "-" && string(f[7]) == "-1" && string(f[6]) != "-1" {
		// The target took the request (target_processing_time is set) and
		// no response came back (response_processing_time -1, no target
		// status): it closed the connection with the request outstanding
		// (ALB troubleshooting, "HTTP 502": a TCP RST or FIN from the
		// target).
		e.Cause = catalog.UpstreamClosed
	}
	if e.Cause == catalog.UpstreamTimeout && status == 504 && string(f[5]) == "-1" {
		// request_processing_time is -1 when the load balancer could not
		// dispatch the request to the target: its 504 is then the
		// connection that was not made within the 10 s connect timeout
		// (ALB access log entries; troubleshooting, "HTTP 504").
		e.Cause = catalog.UpstreamUnreachable
	}
	e.Detail = "target_status_code " + string(capLen(f[9], 8))
	if len(reason) > 0 {
		e.Detail += ", error_reason " + string(capLen(reason, 64))
	}
	return lineFailure
}

// albCause judges an ALB failure (load-balancer-troubleshooting.md): a
// target status is the target's own answer; without one the load balancer
// made the response.
func albCause(status int, target, reason []byte, hasTarget bool) catalog.Cause {
	if n, ok := digits(target); ok && n >= 500 {
		return catalog.UpstreamAppError
	}
	switch {
	case bytes.HasPrefix(reason, []byte("LambdaInvalidResponse")), bytes.HasPrefix(reason, []byte("LambdaResponseTooLarge")):
		return catalog.UpstreamInvalid
	case bytes.HasPrefix(reason, []byte("LambdaUnhandled")):
		return catalog.UpstreamAppError
	case bytes.HasPrefix(reason, []byte("LambdaThrottling")):
		return catalog.UpstreamOverloaded
	case bytes.Contains(reason, []byte("Timeout")):
		return catalog.UpstreamTimeout
	}
	switch {
	case status == 503 && !hasTarget:
		return catalog.UpstreamNoneHealthy
	case status == 504:
		return catalog.UpstreamTimeout
	}
	return catalog.Upstream
}

// classic reads a Classic Load Balancer's access log line (Elastic Load
// Balancing, "Access logs for your Classic Load Balancer"): no type field,
//
//	2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.38.0" DHE-RSA-AES128-SHA TLSv1.2
//
// A TCP listener writes "-" for both statuses. backend_status_code is the
// instance's answer, "-" when it gave none.
func (p *albLog) classic(line []byte, e *Entry) verdict {
	var f [9][]byte // time elb client backend rpt bpt respt elb_status backend_status
	rest := line
	for i := range f {
		f[i], rest = word(rest)
	}
	t, ok := timeRFC3339(f[0])
	if !ok || len(f[2]) == 0 || bytes.IndexByte(f[2], ':') < 0 {
		return lineMalformed
	}
	e.Time = t
	if string(f[7]) == "-" {
		return lineOK // a TCP listener's line
	}
	status, ok := digits(f[7])
	if !ok {
		return lineMalformed
	}
	if !catalog.IsGatewayStatus(status) {
		return lineOK
	}
	_, rest = word(rest) // received_bytes
	_, rest = word(rest) // sent_bytes
	q := quotedFields(rest, 1)
	e.Product, e.Format, e.Status = catalog.ELB, "alb", status
	fillELB(e, f[2], f[3], q)
	// The ELB troubleshooting guide: a backend status of 5xx is the
	// instance's own; 503 without a backend is no registered or healthy
	// instance (or "Back-end server is at capacity"); 502 and 504 without
	// one have several causes the line does not tell apart.
	switch n, ok := digits(f[8]); {
	case ok && n >= 500:
		e.Cause = catalog.UpstreamAppError
	case status == 503 && e.Upstream == "":
		e.Cause = catalog.UpstreamNoneHealthy
	default:
		e.Cause = catalog.Upstream
	}
	e.Detail = "backend_status_code " + string(capLen(f[8], 8))
	return lineFailure
}

// fillELB takes a load balancer line's client, its target ("-" for none)
// and the request of its quoted fields.
func fillELB(e *Entry, client, target []byte, quoted [][]byte) {
	e.Client = string(capLen(client, 64))
	if len(target) > 0 && target[0] != '-' {
		e.Upstream = string(capLen(target, 128))
	}
	if len(quoted) > 0 {
		e.Method, e.Path = requestLine(quoted[0])
	}
}
