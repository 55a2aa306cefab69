package fingerprint

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// Readers of CDN and cloud load balancer pages.

var (
	// Branded 5xx: <title>example.com | 522: Connection timed out</title>.
	cfTitle = regexp.MustCompile(`<title>[^<]*?\b(\d{3}): ([^<|]+)`)
	// "Error code 522" (5xx pages), <span class="cf-error-code">1016</span> (1xxx pages).
	cfCode = regexp.MustCompile(`(?:Error code |class="cf-error-code">)(\d{3,4})\b`)
	// As a browser shows it: "Error 1033", "Error 520 Ray ID: ...", "Error reference number: 520".
	cfCodeText = regexp.MustCompile(`(?i)(?:\bError (?:code:? |reference number: )?)((?:1[0-9]{3}|5[0-9]{2}))\b`)
	cfCodeJSON = regexp.MustCompile(`"error_code"\s*:\s*([0-9]{3,4})\b`)
	cfCodeLink = regexp.MustCompile(`utm_source=errorcode_([0-9]{3,4})\b`)
	// 1xxx pages: <h2 class="cf-subheadline" ...>Origin DNS error</h2>.
	cfSubheadline = regexp.MustCompile(`class="cf-subheadline"[^>]*>([^<]+)<`)
	// CloudFront states the fault in a line of its own that starts with its name.
	cloudFrontSentence = regexp.MustCompile(`(?m)(?:^|[\s"'])(CloudFront [a-z][^\r\n<"]+)`)
	// Akamai: "Reference #18.6c1e3e17.1705313702.2a9b5f0", often entity-encoded.
	akamaiRef = regexp.MustCompile(`Reference(?:\s|&#32;)+(?:#|&#35;)(\d+)(?:\.|&#46;)([0-9a-f]+)(?:\.|&#46;)(\d+)(?:\.|&#46;)([0-9a-f]+)`)
	// Fastly and Varnish: <h1>Error 503 first byte timeout</h1>.
	varnishHeading = regexp.MustCompile(`<h1>Error (\d{3}) ([^<]+)</h1>`)
	varnishText    = regexp.MustCompile(`(?m)^Error (\d{3}) ([^\n.]+)`)
	fastlyCode     = regexp.MustCompile(`\bError (5\d{4})\b`)
	herokuCode     = regexp.MustCompile(`\b(H\d{2})\b`)
)

// readCloudflareInternal reads Cloudflare's unbranded page: the fault is inside
// Cloudflare when the status is a 5xx (its 4xx pages look the same). A 52x
// status names its own cause and outranks that: Cloudflare used the same
// unbranded page for 52x errors ("525 Origin SSL Handshake Error" over
// "cloudflare-nginx").
func readCloudflareInternal(in *input, res *Result) {
	res.Reading.Detail = titleOf(in.page)
	if res.Reading.Detail == "" {
		res.Reading.Detail = firstLine(in.text())
	}
	if cause, ok := cloudflareCodes[strconv.Itoa(in.status)]; ok && in.status >= 520 {
		res.Reading.Code, res.Reading.Cause = strconv.Itoa(in.status), cause
		return
	}
	if in.status >= 500 {
		res.Reading.Cause = catalog.CDNInternal
	}
}

// cloudflareCodes maps Cloudflare's error codes to causes (Cloudflare docs,
// "Cloudflare 5xx errors", "Cloudflare 1xxx errors").
var cloudflareCodes = map[string]catalog.Cause{
	"520":  catalog.CDNOriginInvalid,
	"521":  catalog.CDNOriginUnreachable,
	"522":  catalog.CDNOriginUnreachable,
	"523":  catalog.CDNOriginUnreachable,
	"524":  catalog.CDNOriginTimeout,
	"525":  catalog.CDNOriginTLS,
	"526":  catalog.CDNOriginTLS,
	"1016": catalog.CDNOriginUnreachable, // Origin DNS error: Cloudflare cannot resolve the origin's name, so it cannot reach it
	"1033": catalog.CDNOriginUnreachable, // the Cloudflare Tunnel is not connected
	"1101": catalog.CDNInternal,          // Worker threw exception: the site's code at the edge
	"1102": catalog.CDNInternal,          // Worker exceeded resource limits
}

// cloudflareSentences are the "What happened?" sentences of the branded
// pages, for a page quoted without its code.
var cloudflareSentences = []struct{ sentence, code string }{
	{"unknown connection issue between Cloudflare and the origin web server", "520"},
	{"The web server is not returning a connection", "521"},
	{"initial connection between Cloudflare's network and the origin web server timed out", "522"},
	{"The origin web server timed out responding to this request", "524"},
	{"unable to establish an SSL connection to the origin server", "525"},
	{"The web server reported a bad gateway error", "502"},
	{"The web server reported a gateway time-out error", "504"},
	{"is configured as a Cloudflare Tunnel", "1033"},
}

// cloudflareCode finds the error code that a branded page shows: "Error code
// 522", the 1xxx pages' cf-error-code, "Error 1033", "Error reference
// number: 520", the JSON error_code, the footer link's errorcode_502; else
// the sentence that names it, else the status.
func cloudflareCode(in *input) string {
	t := []byte(in.text())
	for _, c := range [...]struct {
		re *regexp.Regexp
		b  []byte
	}{{cfCode, in.page}, {cfCodeText, t}, {cfCodeJSON, in.page}, {cfCodeLink, in.page}} {
		if code := submatch(c.re, c.b, 1); code != "" {
			return code
		}
	}
	for _, s := range cloudflareSentences {
		if strings.Contains(strings.ToLower(string(t)), strings.ToLower(s.sentence)) {
			return s.code
		}
	}
	if in.status != 0 {
		return strconv.Itoa(in.status)
	}
	return ""
}

// readCloudflare reads a branded page, or only the status when the page is
// not recognised.
func readCloudflare(in *input, res *Result) {
	code := cloudflareCode(in)
	text := submatch(cfTitle, in.page, 2)
	if text == "" {
		text = submatch(cfSubheadline, in.page, 1)
	}
	res.Reading.Code = code
	res.Reading.Detail = join(code, text, ": ")
	if cause, ok := cloudflareCodes[code]; ok {
		res.Reading.Cause = cause
		return
	}
	switch {
	case (code == "502" || code == "504") && bytes.HasPrefix(bytes.TrimSpace(in.body), []byte("error code:")):
		// The plain-text form ("error code: 502") does not tell the
		// origin's status passed on from Cloudflare's own.
	case code == "502" || code == "504":
		// A branded 502/504 reports the origin's own status: Cloudflare
		// replaced the origin's body and passed the status on.
		res.Reading.Cause = catalog.UpstreamAppError
		res.PassedThrough = true
	case in.status == 530: // other 1xxx codes: the origin could not be reached
		res.Reading.Cause = catalog.CDNOriginUnreachable
	}
}

// readCloudFront: 504 is an origin timeout; the 502 sentence names a connect
// failure, while other 502s also cover TLS and DNS faults (CloudFront
// developer guide, "HTTP 502 status code"). "Attempted to establish a
// connection ... or the origin closed the connection" is either. A Lambda@Edge
// function or CloudFront Function that failed is the site's code at the
// edge: cdn.internal.
func readCloudFront(in *input, res *Result) {
	res.Reading.Detail = submatch(cloudFrontSentence, in.page, 1)
	edge := lineWithText(in.text(), "Lambda function")
	if edge == "" {
		edge = lineWithText(in.text(), "CloudFront function")
	}
	if xc := in.header.Get("X-Cache"); strings.HasPrefix(xc, "Lambda") || strings.HasPrefix(xc, "Function") {
		edge = join(edge, "x-cache: "+xc, "; ")
	}
	switch {
	case edge != "":
		res.Reading.Detail, res.Reading.Cause = edge, catalog.CDNInternal
	case in.status == 504:
		res.Reading.Cause = catalog.CDNOriginTimeout
	case strings.Contains(res.Reading.Detail, "wasn't able to connect to the origin"):
		res.Reading.Cause = catalog.CDNOriginUnreachable
	}
}

// akamaiErrors maps the first number of an Akamai reference to its error. The
// table is unofficial (community decoding, gateway-facts §4.16): Akamai's
// own decoder is its "Translate Error String" tool.
var akamaiErrors = map[string]struct {
	code  string
	cause catalog.Cause
}{
	"1":  {"ERR_READ_TIMEOUT", catalog.CDNOriginTimeout},
	"3":  {"ERR_READ_ERROR", ""},
	"4":  {"ERR_WRITE_ERROR", ""},
	"6":  {"ERR_CONNECT_FAIL", catalog.CDNOriginUnreachable},
	"9":  {"ERR_INVALID_URL", ""},
	"11": {"ERR_DNS_FAIL", catalog.UpstreamDNS},
	"15": {"ERR_ZERO_SIZE_OBJECT", catalog.CDNOriginInvalid},
	"18": {"ERR_ACCESS_DENIED", ""},
	"27": {"ERR_CLIENT_ABORT", ""},
	"30": {"ERR_FWD_SSL_HANDSHAKE", catalog.CDNOriginTLS},
}

func readAkamai(in *input, res *Result) {
	m := akamaiRef.FindSubmatch(in.page)
	if m == nil {
		res.Reading.Detail = headingOf(in.page)
		return
	}
	ref := "Reference #" + string(bytes.Join(m[1:], []byte(".")))
	res.Reading.Detail = join(headingOf(in.page), ref, " ")
	if e, ok := akamaiErrors[string(m[1])]; ok {
		res.Reading.Code = e.code
		res.Reading.Cause = e.cause
	}
}

// readFastly: the heading carries obj.response (Fastly docs, "Error 503"),
// so does the reason phrase.
func readFastly(in *input, res *Result) {
	res.Reading.Detail = varnishDetail(in)
	res.Reading.Code = submatch(fastlyCode, in.page, 1)
	reason := strings.ToLower(res.Reading.Detail + " " + in.reason)
	if strings.TrimSpace(reason) == "" {
		reason = strings.ToLower(in.text())
	}
	switch {
	case strings.Contains(reason, "first byte timeout"), strings.Contains(reason, "between bytes timeout"):
		res.Reading.Cause = catalog.CDNOriginTimeout
	case strings.Contains(reason, "connection refused"), strings.Contains(reason, "connection timed out"):
		res.Reading.Cause = catalog.CDNOriginUnreachable
	case strings.Contains(reason, "unhealthy"), strings.Contains(reason, "no healthy"):
		res.Reading.Cause = catalog.UpstreamNoneHealthy
	case strings.Contains(reason, "max_conn"):
		res.Reading.Cause = catalog.UpstreamOverloaded
	case strings.Contains(reason, "certificate"), strings.Contains(reason, "ssl"), strings.Contains(reason, "tls"):
		res.Reading.Cause = catalog.CDNOriginTLS
	}
}

// readFastlyUnknownDomain: Fastly has no service for the host name, so
// the fault is in the site's configuration at the CDN.
func readFastlyUnknownDomain(in *input, res *Result) {
	res.Reading.Detail = lineWithText(in.text(), "unknown domain")
	res.Reading.Cause = catalog.CDNInternal
}

// varnishDetail reads "503 first byte timeout" from the heading of a
// Varnish or Fastly page, or from its first line as a browser shows it.
func varnishDetail(in *input) string {
	if m := varnishHeading.FindSubmatch(in.page); m != nil {
		return string(m[1]) + " " + text(m[2])
	}
	if m := varnishText.FindStringSubmatch(in.text()); m != nil {
		return m[1] + " " + text([]byte(m[2]))
	}
	return in.reason
}

// frontDoorErrors are Front Door's ErrorInfo values that name an origin fault,
// most specific first (front-door-diagnostics.md).
var frontDoorErrors = []struct {
	code  string
	cause catalog.Cause
}{
	{"OriginConnectionRefused", catalog.CDNOriginUnreachable},
	{"OriginConnectionError", catalog.CDNOriginUnreachable},
	{"OriginConnectionAborted", ""},
	{"OriginTimeout", catalog.CDNOriginTimeout},
	{"OriginInvalidResponse", catalog.CDNOriginInvalid},
	{"ResponseHeaderTooBig", catalog.CDNOriginInvalid},
	{"OriginError", ""},
	{"SSLHandshakeError", catalog.CDNOriginTLS},
	{"SSLInvalidRootCA", catalog.CDNOriginTLS},
	{"SSLInvalidCipher", catalog.CDNOriginTLS},
	{"CertificateNameCheckFailed", catalog.CDNOriginTLS},
	{"CertificateError", catalog.CDNOriginTLS},
	{"DNSNameNotResolved", catalog.UpstreamDNS},
	{"DNSFailure", catalog.UpstreamDNS},
	{"DNSTimeout", catalog.UpstreamDNS},
}

func readFrontDoor(in *input, res *Result) {
	res.Reading.Detail = lineWith(in.page, "Azure Front Door")
	if res.Reading.Detail == "" {
		res.Reading.Detail = headingOf(in.page)
	}
	for _, e := range frontDoorErrors {
		if bytes.Contains(in.page, []byte(e.code)) {
			res.Reading.Code, res.Reading.Cause = e.code, e.cause
			return
		}
	}
	switch {
	case strings.Contains(res.Reading.Detail, "wasn't able to connect to the origin"):
		res.Reading.Cause = catalog.CDNOriginUnreachable
	default:
		res.Reading.Cause = frontDoorStatus(in.status)
	}
}

// frontDoorStatus is the cause that Front Door's own status tells: it
// answers 504 only when the origin did not answer within the origin
// response timeout (Microsoft Learn, "Troubleshoot Azure Front Door common
// issues": 504 with ErrorInfo OriginTimeout).
func frontDoorStatus(status int) catalog.Cause {
	if status == 504 {
		return catalog.CDNOriginTimeout
	}
	return ""
}

// readGCP: the GFE page is the same for every statusDetails value, which only
// the load balancer's log tells.
func readGCP(in *input, res *Result) {
	res.Reading.Detail = join(headingOf(in.page), lineWith(in.page, "The server encountered"), ": ")
}

// readAPIGateway: a failed or malformed Lambda answer is a 502 "Internal
// server error"; an integration timeout is a 504 "Endpoint request timed
// out", and an integration that failed on the network a 504 "Network error
// communicating with endpoint" (API Gateway developer guide).
func readAPIGateway(in *input, res *Result) {
	var msg struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(in.page, &msg) == nil {
		res.Reading.Detail = text([]byte(msg.Message))
	} else if i := bytes.Index(in.page, []byte("{")); i >= 0 && json.NewDecoder(bytes.NewReader(in.page[i:])).Decode(&msg) == nil {
		// The object quoted inside a line of text.
		res.Reading.Detail = text([]byte(msg.Message))
	}
	if v := in.header.Get("X-Amzn-Errortype"); v != "" {
		res.Reading.Code, _, _ = strings.Cut(v, ":")
	}
	switch {
	case strings.EqualFold(res.Reading.Detail, "Endpoint request timed out"):
		res.Reading.Cause = catalog.UpstreamTimeout
	case strings.EqualFold(res.Reading.Detail, "Network error communicating with endpoint"):
		// The integration failed on the network (its 504 is no timeout:
		// a refused, reset or unresolved endpoint reads the same).
		res.Reading.Cause = catalog.Upstream
	}
}

// readALB: 503 means no registered (or no healthy) target (ALB
// troubleshooting guide); 504 a connect or an idle timeout, and a 502 has
// five causes.
func readALB(in *input, res *Result) {
	res.Reading.Detail = titleOf(in.page)
	switch in.status {
	case 503:
		res.Reading.Cause = catalog.UpstreamNoneHealthy
	case 504:
		// The target's connection was not made within the 10 s connect
		// timeout, or it made no answer within the idle timeout (ALB
		// troubleshooting, "HTTP 504"): the page does not say which.
		res.Reading.Cause = catalog.Upstream
	}
}

// readHeroku: the router's page does not show the H-code, which is in the
// router log; a custom error page may show it.
func readHeroku(in *input, res *Result) {
	res.Reading.Detail = titleOf(in.page)
	if code := submatch(herokuCode, in.page, 1); code != "" {
		res.Reading.Code = code
		res.Reading.Cause, _ = catalog.HerokuCause(code)
	}
}
