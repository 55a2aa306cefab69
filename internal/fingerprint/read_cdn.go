package fingerprint

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// Readers of CDN and cloud load balancer pages.

var (
	// Branded 5xx: <title>example.com | 522: Connection timed out</title>.
	cfTitle = regexp.MustCompile(`<title>[^<]*?\b(\d{3}): ([^<|]+)`)
	// "Error code 522" (5xx pages), <span class="cf-error-code">1016</span> (1xxx pages).
	cfCode = regexp.MustCompile(`(?:Error code |class="cf-error-code">)(\d{3,4})\b`)
	// 1xxx pages: <h2 class="cf-subheadline" ...>Origin DNS error</h2>.
	cfSubheadline = regexp.MustCompile(`class="cf-subheadline"[^>]*>([^<]+)<`)
	// CloudFront states the fault in a line of its own that starts with its name.
	cloudFrontSentence = regexp.MustCompile(`(?m)^(CloudFront [^\r\n<]+)`)
	// Akamai: "Reference #18.6c1e3e17.1705313702.2a9b5f0", often entity-encoded.
	akamaiRef = regexp.MustCompile(`Reference(?:\s|&#32;)+(?:#|&#35;)(\d+)(?:\.|&#46;)([0-9a-f]+)(?:\.|&#46;)(\d+)(?:\.|&#46;)([0-9a-f]+)`)
	// Fastly and Varnish: <h1>Error 503 first byte timeout</h1>.
	varnishHeading = regexp.MustCompile(`<h1>Error (\d{3}) ([^<]+)</h1>`)
	fastlyCode     = regexp.MustCompile(`\bError (5\d{4})\b`)
	herokuCode     = regexp.MustCompile(`\b(H\d{2})\b`)
)

// readCloudflareInternal reads Cloudflare's unbranded page: the fault is inside
// Cloudflare when the status is a 5xx (its 4xx pages look the same).
func readCloudflareInternal(in *input, res *Result) {
	res.Reading.Detail = titleOf(in.page)
	if in.status >= 500 {
		res.Reading.Cause = causeCDNInternal
	}
}

// readCloudflare reads a branded page, or only the status when the page is
// not recognised. Codes from Cloudflare's docs, "Cloudflare 5xx errors".
func readCloudflare(in *input, res *Result) {
	code := submatch(cfCode, in.page, 1)
	if code == "" && in.status != 0 {
		code = strconv.Itoa(in.status)
	}
	text := submatch(cfTitle, in.page, 2)
	if text == "" {
		text = submatch(cfSubheadline, in.page, 1)
	}
	res.Reading.Code = code
	res.Reading.Detail = join(code, text, ": ")
	switch code {
	case "520":
		res.Reading.Cause = causeOriginInvalid
	case "521", "522", "523":
		res.Reading.Cause = causeOriginUnreachable
	case "524":
		res.Reading.Cause = causeOriginTimeout
	case "525", "526":
		res.Reading.Cause = causeOriginTLS
	case "1016": // Origin DNS error, served with status 530
		res.Reading.Cause = causeDNS
	case "502", "504":
		// A branded 502/504 reports the origin's own status: Cloudflare
		// replaced the origin's body and passed the status on.
		res.Reading.Cause = causeAppError
		res.PassedThrough = true
	default:
		if in.status == 530 { // other 1xxx codes: the origin could not be reached
			res.Reading.Cause = causeOriginUnreachable
		}
	}
}

// readCloudFront: 504 is an origin timeout; the 502 sentence names a connect
// failure, while other 502s also cover TLS and DNS faults (CloudFront
// developer guide, "HTTP 502 status code").
func readCloudFront(in *input, res *Result) {
	res.Reading.Detail = submatch(cloudFrontSentence, in.page, 1)
	switch {
	case in.status == 504:
		res.Reading.Cause = causeOriginTimeout
	case strings.Contains(res.Reading.Detail, "wasn't able to connect to the origin"):
		res.Reading.Cause = causeOriginUnreachable
	}
}

// akamaiErrors maps the first number of an Akamai reference to its error. The
// table is unofficial (community decoding, gateway-facts §4.16): Akamai's
// own decoder is its "Translate Error String" tool.
var akamaiErrors = map[string]struct{ code, cause string }{
	"1":  {"ERR_READ_TIMEOUT", causeOriginTimeout},
	"3":  {"ERR_READ_ERROR", ""},
	"4":  {"ERR_WRITE_ERROR", ""},
	"6":  {"ERR_CONNECT_FAIL", causeOriginUnreachable},
	"9":  {"ERR_INVALID_URL", ""},
	"11": {"ERR_DNS_FAIL", causeDNS},
	"15": {"ERR_ZERO_SIZE_OBJECT", causeOriginInvalid},
	"18": {"ERR_ACCESS_DENIED", ""},
	"27": {"ERR_CLIENT_ABORT", ""},
	"30": {"ERR_FWD_SSL_HANDSHAKE", causeOriginTLS},
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

// readFastly: the heading carries obj.response (Fastly docs, "Error 503").
func readFastly(in *input, res *Result) {
	m := varnishHeading.FindSubmatch(in.page)
	if m != nil {
		res.Reading.Detail = string(m[1]) + " " + text(m[2])
	}
	res.Reading.Code = submatch(fastlyCode, in.page, 1)
	reason := strings.ToLower(res.Reading.Detail)
	switch {
	case strings.Contains(reason, "first byte timeout"), strings.Contains(reason, "between bytes timeout"):
		res.Reading.Cause = causeOriginTimeout
	case strings.Contains(reason, "connection refused"), strings.Contains(reason, "connection timed out"):
		res.Reading.Cause = causeOriginUnreachable
	case strings.Contains(reason, "unhealthy"):
		res.Reading.Cause = causeNoneHealthy
	case strings.Contains(reason, "max_conn"):
		res.Reading.Cause = causeOverloaded
	case strings.Contains(reason, "certificate"), strings.Contains(reason, "ssl"), strings.Contains(reason, "tls"):
		res.Reading.Cause = causeOriginTLS
	}
}

// frontDoorErrors are Front Door's ErrorInfo values that name an origin fault,
// most specific first (front-door-diagnostics.md).
var frontDoorErrors = []struct{ code, cause string }{
	{"OriginConnectionRefused", causeOriginUnreachable},
	{"OriginConnectionError", causeOriginUnreachable},
	{"OriginConnectionAborted", ""},
	{"OriginTimeout", causeOriginTimeout},
	{"OriginInvalidResponse", causeOriginInvalid},
	{"ResponseHeaderTooBig", causeOriginInvalid},
	{"OriginError", ""},
	{"SSLHandshakeError", causeOriginTLS},
	{"SSLInvalidRootCA", causeOriginTLS},
	{"SSLInvalidCipher", causeOriginTLS},
	{"CertificateNameCheckFailed", causeOriginTLS},
	{"CertificateError", causeOriginTLS},
	{"DNSNameNotResolved", causeDNS},
	{"DNSFailure", causeDNS},
	{"DNSTimeout", causeDNS},
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
	if strings.Contains(res.Reading.Detail, "wasn't able to connect to the origin") {
		res.Reading.Cause = causeOriginUnreachable
	}
}

// readGCP: the GFE page is the same for every statusDetails value, which only
// the load balancer's log tells.
func readGCP(in *input, res *Result) {
	res.Reading.Detail = join(headingOf(in.page), lineWith(in.page, "The server encountered"), ": ")
}

// readAPIGateway: a failed or malformed Lambda answer is a 502 "Internal
// server error"; an integration timeout is a 504 "Endpoint request timed
// out" (API Gateway developer guide).
func readAPIGateway(in *input, res *Result) {
	var msg struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(in.page, &msg) == nil {
		res.Reading.Detail = text([]byte(msg.Message))
	}
	if v := in.header.Get("X-Amzn-Errortype"); v != "" {
		res.Reading.Code, _, _ = strings.Cut(v, ":")
	}
	if strings.EqualFold(res.Reading.Detail, "Endpoint request timed out") {
		res.Reading.Cause = causeTimeout
	}
}

// readALB: 503 means no registered (or no healthy) target, 504 that the target
// did not answer in time (ALB troubleshooting guide). A 502 has five causes.
func readALB(in *input, res *Result) {
	res.Reading.Detail = titleOf(in.page)
	switch in.status {
	case 503:
		res.Reading.Cause = causeNoneHealthy
	case 504:
		res.Reading.Cause = causeTimeout
	}
}

// herokuCodes maps router H-codes to causes (Heroku Dev Center, "Error codes").
var herokuCodes = map[string]string{
	"H10": causeClosed, // app crashed
	"H11": causeOverloaded,
	"H12": causeTimeout,
	"H13": causeClosed,
	"H14": causeNoneHealthy, // no web dynos running
	"H17": causeInvalidResponse,
	"H18": causeClosed,
	"H19": causeUnreachable, // backend connection timeout
	"H21": causeRefused,
	"H22": causeOverloaded, // connection limit reached
}

// readHeroku: the router's page does not show the H-code, which is in the
// router log; a custom error page may show it.
func readHeroku(in *input, res *Result) {
	res.Reading.Detail = titleOf(in.page)
	if code := submatch(herokuCode, in.page, 1); code != "" {
		res.Reading.Code = code
		res.Reading.Cause = herokuCodes[code]
	}
}
