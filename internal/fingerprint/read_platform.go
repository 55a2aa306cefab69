package fingerprint

import (
	"regexp"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// Readers of hosting platforms' and API gateways' pages.

var (
	// "Code: FUNCTION_INVOCATION_TIMEOUT" on the page; the code alone in the
	// plain-text form.
	vercelCodeLine = regexp.MustCompile(`(?m)^Code: ([A-Z_]+)$`)
	vercelCode     = regexp.MustCompile(`\b([A-Z]+_INVOCATION_[A-Z]+|NO_RESPONSE_FROM_FUNCTION|NO_STATUS_CODE_FROM_FUNCTION)\b`)
	lambdaMsg      = regexp.MustCompile(`Task timed out after [0-9.]+ seconds`)
)

// vercelCodes maps Vercel's error codes to causes (Vercel docs, "Errors").
var vercelCodes = map[string]catalog.Cause{
	"FUNCTION_INVOCATION_TIMEOUT":      catalog.UpstreamTimeout,
	"EDGE_FUNCTION_INVOCATION_TIMEOUT": catalog.UpstreamTimeout,
	"MIDDLEWARE_INVOCATION_TIMEOUT":    catalog.UpstreamTimeout,
	"FUNCTION_INVOCATION_FAILED":       "", // the function threw: its log tells
	"NO_RESPONSE_FROM_FUNCTION":        catalog.UpstreamClosed,
	"NO_STATUS_CODE_FROM_FUNCTION":     catalog.UpstreamInvalid, // the function answered without a status
}

// readVercel reads the code from x-vercel-error, else from the page.
func readVercel(in *input, res *Result) {
	code := strings.TrimSpace(in.header.Get("X-Vercel-Error"))
	if code == "" {
		code = submatch(vercelCodeLine, []byte(in.text()), 1)
	}
	if code == "" {
		code = submatch(vercelCode, []byte(in.text()), 1)
	}
	res.Reading.Code = code
	res.Reading.Detail = firstLine(in.text())
	res.Reading.Cause = vercelCodes[code]
}

// readNetlify: an edge function is the site's own code at the CDN's edge
// (cdn.internal); a crashed serverless function says no more than that the
// function failed.
func readNetlify(in *input, res *Result) {
	res.Reading.Detail = firstLine(in.text())
	if strings.Contains(in.text(), "edge function has crashed") {
		res.Reading.Cause = catalog.CDNInternal
	}
}

// readRender reads Render's routing decision: a suspended service, a free
// instance that did not wake, or no instance at all leave the edge without
// a live instance to route to; a 502 of its own means the service's process
// did not answer it.
func readRender(in *input, res *Result) {
	routing := strings.ToLower(strings.TrimSpace(in.header.Get("X-Render-Routing")))
	res.Reading.Code = routing
	switch {
	case strings.HasPrefix(routing, "suspend") || strings.Contains(in.text(), "has been suspended"):
		res.Reading.Cause = catalog.UpstreamNoneHealthy
		res.Reading.Detail = "the service is suspended: it runs no instance until it is resumed"
	case strings.Contains(routing, "hibernate"):
		res.Reading.Cause = catalog.UpstreamNoneHealthy
		res.Reading.Detail = "the service's free instance was asleep and did not wake in time"
	case routing == "no-server":
		res.Reading.Cause = catalog.UpstreamNoneHealthy
		res.Reading.Detail = "no instance of the service runs: its last deploy failed, or it stopped"
	case in.status == 502:
		res.Reading.Cause = catalog.Upstream
		res.Reading.Detail = "Render's edge got no answer from the service's process"
	}
}

// readLambda: the function did not finish within its timeout.
func readLambda(in *input, res *Result) {
	res.Reading.Detail = lambdaMsg.FindString(in.text())
	res.Reading.Cause = catalog.UpstreamTimeout
}

// kongMessages maps Kong's default messages to causes.
var kongMessages = []struct {
	text  string
	cause catalog.Cause
}{
	{"failure to get a peer from the ring-balancer", catalog.UpstreamNoneHealthy},
	{"name resolution failed", catalog.UpstreamDNS},
	{"The upstream server is timing out", catalog.UpstreamTimeout},
	// A refused, reset or malformed upstream answer alike (proxy 502).
	{"An invalid response was received from the upstream server", ""},
	{"The upstream server is currently unavailable", ""},
}

func readKong(in *input, res *Result) {
	t := in.text()
	for _, m := range kongMessages {
		if strings.Contains(t, m.text) {
			res.Reading.Detail, res.Reading.Cause = m.text, m.cause
			return
		}
	}
}

// readELB: Classic ELB's "Back-end server is at capacity" is its answer
// when no registered instance can take the request (unhealthy instances or
// a full surge queue alike), so it names no single cause.
func readELB(in *input, res *Result) {
	if in.status == 504 {
		// Classic ELB's 504 is the back end's idle timeout or the back
		// end closing the connection (AWS Knowledge Center): the page
		// does not say which, and the status alone is no timeout.
		res.Reading.Detail = "GATEWAY_TIMEOUT"
		res.Reading.Cause = catalog.Upstream
		return
	}
	res.Reading.Detail = "Back-end server is at capacity"
}

// readLiteSpeed: its 503 page says only that the server is busy.
func readLiteSpeed(in *input, res *Result) {
	res.Reading.Detail = lineWithText(in.text(), "temporarily busy")
}

// readPlain keeps the page's first line as the detail.
func readPlain(in *input, res *Result) { res.Reading.Detail = firstLine(in.text()) }

func firstLine(t string) string {
	line, _, _ := strings.Cut(t, "\n")
	return text([]byte(line))
}

// lineWithText returns the line of t that contains s.
func lineWithText(t, s string) string {
	for _, line := range strings.Split(t, "\n") {
		if strings.Contains(line, s) {
			return text([]byte(line))
		}
	}
	return ""
}
