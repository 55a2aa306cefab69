package fingerprint

import (
	"bytes"
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// Readers of reverse proxy and app server pages, and the fallbacks.

var (
	headingRe     = regexp.MustCompile(`(?i)<h[1-3][^>]*>([^<]+)</h[1-3]>`)
	tagRe         = regexp.MustCompile(`<[^>]*>`)
	apacheReason  = regexp.MustCompile(`Reason: <strong>([^<]*)</strong>`)
	squidTemplate = regexp.MustCompile(`<!-- (ERR_[A-Z_]+) -->|<body id="?(ERR_[A-Z_]+)`)
	// Squid 2's ERR_CONNECT_FAIL names no template: "Connection to %I
	// Failed" (errors/English); every version writes "The system returned:
	// (%d) %s" with the errno.
	squidConnectFail = regexp.MustCompile(`(?i)\bConnection to \S+ failed\b`)
	squidErrno       = regexp.MustCompile(`The system returned:\s*\(([0-9]+)\)`)
	iisHeading       = regexp.MustCompile(`<h3>HTTP Error ([0-9.]+) - ([^<]+)</h3>\s*(?:<h4>([^<]+)</h4>)?`)
	iisHeadingText   = regexp.MustCompile(`(?m)^HTTP Error ([0-9.]+) - ([^\n]+)(?:\n([^\n]+))?`)
	// ARR reports the WinHTTP error of the forwarded request, 0x80072eXX.
	iisWinHTTP = regexp.MustCompile(`(?i)\b0x80072([0-9a-f]{3})\b`)
)

// readNginx serves nginx, OpenResty and Azure Application Gateway: nginx
// answers 504 only when a timeout ended the request (ngx_http_upstream_next,
// FT_TIMEOUT); its 502 and 503 cover many causes.
func readNginx(in *input, res *Result) {
	res.Reading.Detail = titleOf(in.page)
	if in.status == 504 {
		res.Reading.Cause = catalog.UpstreamTimeout
	}
}

// readNghttpx keeps the page's title: nghttpx answers 502 and 503 for
// several backend failures alike, which only its log tells apart.
func readNghttpx(in *input, res *Result) { res.Reading.Detail = titleOf(in.page) }

// readLighttpd: mod_proxy answers 504 only when the backend's read-timeout
// or connect-timeout fired (src/gw_backend.c), 503 when it could not
// connect, and 500 or 502 when the backend's answer broke off or was not
// HTTP; only the 504 names one cause.
func readLighttpd(in *input, res *Result) {
	res.Reading.Detail = titleOf(in.page)
	if in.status == 504 {
		res.Reading.Cause = catalog.UpstreamTimeout
	}
}

// readApache: the "Reason:" of mod_proxy's 502 page names the failure, but
// "Error reading from remote server" is a timeout or a closed connection alike
// (AH01102), so only the unambiguous reasons give a cause. A 503 is a refused
// connection or a disabled worker (AH01114, AH00940).
func readApache(in *input, res *Result) {
	reason := submatch(apacheReason, in.page, 1)
	res.Reading.Detail = reason
	if reason == "" {
		res.Reading.Detail = headingOf(in.page)
	}
	switch {
	case strings.HasPrefix(reason, "DNS lookup failure for:"):
		res.Reading.Cause = catalog.UpstreamDNS
	case strings.HasPrefix(reason, "Error during SSL Handshake with remote server"):
		res.Reading.Cause = catalog.UpstreamTLS
	case reason == "" && in.status == 504:
		res.Reading.Cause = catalog.UpstreamTimeout
	}
}

// readHAProxy: one sentence per status (src/http.c). HAProxy also uses the 503
// page when a chosen server refused the connection (termination state SC),
// which only its log tells apart from an empty backend, so the 503 names no
// cause: HAProxy 2.6 answers it to a refused server after its retries.
func readHAProxy(in *input, res *Result) {
	for _, s := range []struct {
		sentence string
		cause    catalog.Cause
	}{
		{"No server is available to handle this request.", ""},
		{"The server didn't respond in time.", catalog.UpstreamTimeout},
		{"The server returned an invalid or incomplete response.", ""},
	} {
		if bytes.Contains(in.page, []byte(s.sentence)) {
			res.Reading.Detail, res.Reading.Cause = s.sentence, s.cause
			return
		}
	}
}

// envoyReasons maps the reset reasons of Envoy's local reply
// (source/common/http/utility.cc) to causes and response flags. Older
// releases say "connection failure" without local or remote.
var envoyReasons = map[string]struct {
	cause catalog.Cause
	flag  string
}{
	"remote connection failure":   {catalog.UpstreamRefused, "UF"},
	"connection failure":          {catalog.UpstreamRefused, "UF"},
	"local connection failure":    {"", "UF"},
	"connection timeout":          {catalog.UpstreamUnreachable, "UF"},
	"connection termination":      {catalog.UpstreamClosed, "UC"},
	"protocol error":              {catalog.UpstreamInvalid, "UPE"},
	"overflow":                    {catalog.UpstreamOverloaded, "UO"},
	"remote reset":                {catalog.UpstreamClosed, "UR"},
	"remote refused stream reset": {catalog.UpstreamClosed, "UR"},
	"local reset":                 {catalog.Upstream, "LR"}, // Envoy reset the stream itself: a failure whose kind it does not say
}

// envoyReason looks up a reset reason, also when words follow it on the
// line (a gRPC client's "connection failure Failed to dial target host"):
// the longest known reason it starts with.
func envoyReason(reason string) (struct {
	cause catalog.Cause
	flag  string
}, bool) {
	// The reply quoted inside JSON or an exception keeps its closing
	// bracket or quote: "connection termination}".
	reason = strings.TrimRight(reason, `}])"'.,; `)
	if r, ok := envoyReasons[reason]; ok {
		return r, true
	}
	best := ""
	for k := range envoyReasons {
		if strings.HasPrefix(reason, k+" ") && len(k) > len(best) {
			best = k
		}
	}
	r, ok := envoyReasons[best]
	return r, ok && best != ""
}

// readEnvoy reads the router's local reply (source/common/router/router.cc).
func readEnvoy(in *input, res *Result) {
	page := text(in.page)
	switch {
	case page == "no healthy upstream", strings.HasSuffix(page, " no healthy upstream"):
		res.Reading = Reading{Cause: catalog.UpstreamNoneHealthy, Detail: "no healthy upstream", Code: "UH"}
	case page == "upstream request timeout", strings.HasSuffix(page, " upstream request timeout"):
		res.Reading = Reading{Cause: catalog.UpstreamTimeout, Detail: "upstream request timeout", Code: "UT"}
	default:
		_, detail, _ := strings.Cut(page, "before headers. ")
		res.Reading.Detail = detail
		_, reason, _ := strings.Cut(detail, "reset reason: ")
		reason, transport, _ := strings.Cut(reason, ", transport failure reason: ")
		if r, ok := envoyReason(reason); ok {
			res.Reading.Cause, res.Reading.Code = r.cause, r.flag
		}
		if strings.Contains(transport, "TLS error") || strings.Contains(transport, "TLS_error") ||
			strings.Contains(transport, "CERTIFICATE_VERIFY_FAILED") {
			res.Reading.Cause = catalog.UpstreamTLS
		}
	}
	// A circuit breaker overflow (UO) adds this header.
	if strings.EqualFold(in.header.Get("X-Envoy-Overloaded"), "true") {
		res.Reading.Cause, res.Reading.Code = catalog.UpstreamOverloaded, "UO"
	}
}

// readSquid reads X-Squid-Error ("ERR_CONNECT_FAIL 111": page name and errno),
// falling back to the template name in the page.
func readSquid(in *input, res *Result) {
	v := text([]byte(in.header.Get("X-Squid-Error")))
	if v == "" {
		v = squidPageError(in)
	}
	name, errno, _ := strings.Cut(v, " ")
	res.Reading.Detail, res.Reading.Code = v, name
	switch name {
	case "ERR_CONNECT_FAIL":
		// The errno tells which connect failure: Linux and BSD numbers.
		switch errno {
		case "111", "61":
			res.Reading.Cause = catalog.UpstreamRefused
		case "110", "60", "113", "65", "101", "51":
			res.Reading.Cause = catalog.UpstreamUnreachable
		case "13":
			res.Reading.Cause = catalog.UpstreamPermission
		}
	case "ERR_READ_TIMEOUT":
		res.Reading.Cause = catalog.UpstreamTimeout
	case "ERR_CANNOT_FORWARD":
		// No forwarding path was left: direct connections are not allowed
		// or failed and every parent cache is unreachable (Squid knowledge
		// base, "Failed to select source").
		res.Reading.Cause = catalog.UpstreamNoneHealthy
	case "ERR_DNS_FAIL":
		res.Reading.Cause = catalog.UpstreamDNS
	case "ERR_ZERO_SIZE_OBJECT":
		res.Reading.Cause = catalog.UpstreamClosed
	case "ERR_READ_ERROR":
		// Squid 5.7 also answers "ERR_READ_ERROR 0" when its origin peer
		// refused the connection or failed the TLS handshake (seen with
		// the lab's squid); only a real errno says the peer reset.
		if errno != "0" && errno != "" {
			res.Reading.Cause = catalog.UpstreamClosed
		}
	case "ERR_INVALID_RESP":
		res.Reading.Cause = catalog.UpstreamInvalid
	case "ERR_SECURE_CONNECT_FAIL":
		res.Reading.Cause = catalog.UpstreamTLS
	}
}

// squidPageError reads what X-Squid-Error would say from the page: the
// template's name and the errno that the page reports.
func squidPageError(in *input) string {
	var name string
	if m := squidTemplate.FindSubmatch(in.page); m != nil {
		name = string(m[1]) + string(m[2])
	} else if squidConnectFail.MatchString(in.text()) {
		name = "ERR_CONNECT_FAIL"
	}
	if name == "" {
		name = squidTitle(in.text())
	}
	if errno := submatch(squidErrno, []byte(in.text()), 1); name != "" && errno != "" {
		return name + " " + errno
	}
	return name
}

// squidTitles are the headlines of Squid's error templates (errors/English),
// for the text of a page that lost its template's name.
var squidTitles = []struct{ text, name string }{
	{"Unable to forward this request at this time", "ERR_CANNOT_FORWARD"},
	{"Unable to determine IP address from host name", "ERR_DNS_FAIL"},
	{"Zero Sized Reply", "ERR_ZERO_SIZE_OBJECT"},
	{"Read Timeout", "ERR_READ_TIMEOUT"},
}

func squidTitle(t string) string {
	for _, s := range squidTitles {
		if strings.Contains(t, s.text) {
			return s.name
		}
	}
	return ""
}

// readVarnish: "Backend fetch failed" is every backend fault alike; the
// FetchError record in varnishlog tells which.
func readVarnish(in *input, res *Result) {
	res.Reading.Detail = varnishDetail(in)
}

// readIIS reads an IIS detailed error, whose substatus (502.3: ARR forwarding
// failed) and WinHTTP error code name the failure.
func readIIS(in *input, res *Result) {
	m := iisHeading.FindSubmatch(in.page)
	if m == nil {
		m = iisHeadingText.FindSubmatch([]byte(in.text()))
	}
	if m != nil {
		res.Reading.Code = string(m[1])
		res.Reading.Detail = join(string(m[1])+" - "+text(m[2]), text(m[3]), ": ")
	} else {
		res.Reading.Detail = headingOf(in.page)
	}
	if res.Reading.Detail == "" {
		res.Reading.Detail = firstLine(in.text())
	}
	// The substatus text of ARR's timeout (Microsoft Learn, "HTTP status
	// codes in IIS": 502.3, "The operation timed out"). 502.5 is the
	// ASP.NET Core Module's "Process Failure": the application's process
	// did not start, stopped, or does not listen on its port (Microsoft
	// Learn, "Troubleshoot ASP.NET Core on Azure App Service and IIS").
	switch {
	case strings.Contains(res.Reading.Detail, "The operation timed out"):
		res.Reading.Cause = catalog.UpstreamTimeout
	case res.Reading.Code == "502.5":
		res.Reading.Cause = catalog.UpstreamRefused
	}
	m = iisWinHTTP.FindSubmatch(in.page)
	if m == nil {
		return
	}
	res.Reading.Detail = join(res.Reading.Detail, "0x80072"+strings.ToLower(string(m[1])), ", error code ")
	// 0x80072EE2 is WinHTTP's 12002: the low 16 bits.
	if n, err := strconv.ParseInt("2"+string(m[1]), 16, 32); err == nil {
		if c, ok := catalog.WinHTTPCause(int(n)); ok {
			res.Reading.Cause = c
		}
	}
}

// readCaddy: Caddy answers 504 for a net.Error timeout and 503 when no
// upstream is available (reverseproxy.statusError); 502 is everything else.
func readCaddy(in *input, res *Result) {
	switch in.status {
	case 503:
		res.Reading.Cause = catalog.UpstreamNoneHealthy
	case 504:
		res.Reading.Cause = catalog.UpstreamTimeout
	}
}

// readTraefik: a timeout net.Error gives 504 and an empty load balancer gives
// "no available server" (pkg/proxy/httputil/proxy.go, the p2c/wrr balancers).
func readTraefik(in *input, res *Result) {
	res.Reading.Detail = text(in.page)
	switch res.Reading.Detail {
	case "no available server":
		res.Reading.Cause = catalog.UpstreamNoneHealthy
	case "Gateway Timeout":
		res.Reading.Cause = catalog.UpstreamTimeout
	}
}

// readGo: httputil.ReverseProxy answers every upstream error with a bare 502,
// so the response tells nothing more.
func readGo(*input, *Result) {}

// readPHPFPM: a missing or forbidden script is not a gateway failure.
func readPHPFPM(in *input, res *Result) {
	res.Reading.Detail = text(in.page)
}

// readEmpty reads an empty gateway status that no product claims.
func readEmpty(in *input, res *Result) {
	res.Reading.Detail = "status " + strconv.Itoa(in.status) + " with an empty body"
}

// readApplication: a gateway status with the application's own body was
// passed on by every hop in front of it.
func readApplication(in *input, res *Result) {
	if !catalog.IsGatewayStatus(in.status) {
		return
	}
	res.PassedThrough = true
	res.Reading.Cause = catalog.UpstreamAppError
	res.Reading.Detail = titleOf(in.page)
	if res.Reading.Detail == "" {
		res.Reading.Detail = text(in.body[:min(len(in.body), 2*maxMarker)])
	}
}

// submatch returns group i of re's first match in b, as text.
func submatch(re *regexp.Regexp, b []byte, i int) string {
	if m := re.FindSubmatch(b); m != nil {
		return text(m[i])
	}
	return ""
}

// titleOf returns the page's title. It avoids a regular expression: it also
// runs on the application's pages, which may be large.
func titleOf(page []byte) string {
	for _, open := range [...]string{"<title>", "<TITLE>", "<Title>"} {
		if i := bytes.Index(page, []byte(open)); i >= 0 {
			rest := page[i+len(open):]
			if j := bytes.IndexByte(rest, '<'); j >= 0 {
				return text(rest[:j])
			}
		}
	}
	return ""
}

func headingOf(page []byte) string { return submatch(headingRe, page, 1) }

// lineWith returns the first line of page that contains s, as text.
func lineWith(page []byte, s string) string {
	i := bytes.Index(page, []byte(s))
	if i < 0 {
		return ""
	}
	start := bytes.LastIndexByte(page[:i], '\n') + 1
	end := bytes.IndexByte(page[i:], '\n')
	if end < 0 {
		end = len(page) - i
	}
	return text(tagRe.ReplaceAll(page[start:i+end], []byte(" ")))
}

// text turns page bytes into one line of readable text: entities decoded,
// white space collapsed, invalid UTF-8 dropped, length capped.
func text(b []byte) string {
	s := strings.Join(strings.Fields(html.UnescapeString(string(b))), " ")
	s = strings.ToValidUTF8(s, "")
	if len(s) > 2*maxMarker {
		cut := 2 * maxMarker
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

// join joins the non-empty parts a and b with sep.
func join(a, b, sep string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + sep + b
}
