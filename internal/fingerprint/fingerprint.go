package fingerprint

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// Response is what a probe saw. Identify treats it as the answer to a GET: a
// HEAD response has no body, which would look like the empty body of Caddy or
// Go's ReverseProxy.
type Response struct {
	Status        int         // the status code; 0 when no response came back
	Reason        string      // the status line's reason phrase, when known ("Origin Connection Time-out")
	Header        http.Header // keys in any case
	Body          []byte      // as received, possibly capped
	BodyTruncated bool        // Body holds only the first bytes; error pages are small, so a cap of 64 KiB loses none
}

// Match is one product recognised in a response.
type Match struct {
	// Product is a product slug from docs/causes.md, such as "nginx",
	// "cloudflare", "application" or "unknown".
	Product string `json:"product"`
	// Role is the product's place on the path: "cdn", "load_balancer",
	// "reverse_proxy", "app_server", "application" or "unknown".
	Role string `json:"role"`
	// Signature names the table row that matched, e.g. "nginx-error-page".
	Signature string `json:"signature"`
	// Markers are the pieces of evidence that matched, e.g.
	// `body: <hr><center>nginx/1.22.1</center>` or `header Server: nginx`.
	Markers []string `json:"markers"`
	// Confidence is "high", "medium" or "low".
	Confidence string `json:"confidence"`
}

// Reading is the product-specific interpretation of a response.
type Reading struct {
	// Cause is a cause ID from docs/causes.md that the response itself shows,
	// or "" when the response alone does not tell.
	Cause catalog.Cause `json:"cause,omitempty"`
	// Detail is the product's own words: Apache's "Reason:", Envoy's reset
	// reason, Squid's X-Squid-Error, Cloudflare's code and title, ...
	Detail string `json:"detail,omitempty"`
	// Code is the product's error code where it has one: "522",
	// "ERR_CONNECT_FAIL", "UF", "H12", "54113".
	Code string `json:"code,omitempty"`
}

// Result is the answer for one response.
type Result struct {
	// Generator is the hop that produced the response's body and status.
	Generator Match `json:"generator"`
	// Hops lists every product seen, from the headers of outer hops and the
	// body of the generator, outermost first (ordered by role: cdn,
	// load_balancer, reverse_proxy, app_server, application). It includes the
	// Generator, after the hops that passed its response on.
	Hops []Match `json:"hops"`
	// Reading is the Generator's interpretation of the response.
	Reading Reading `json:"reading"`
	// PassedThrough is set when the gateway error status came from deeper
	// than an outer hop that only passed it on: an application's own 5xx
	// body, an inner product's page behind an outer one, or a Cloudflare
	// branded 502/504 that reports the origin's own status.
	PassedThrough bool `json:"passed_through"`
	// ErrorPage is set when the body is a recognised product's error page, or
	// the empty body that Caddy, Go's ReverseProxy and similar proxies send
	// with a gateway status.
	ErrorPage bool `json:"error_page"`
	// Evidence says what the Generator rests on: EvidenceMarker when a
	// product's own marker named it (a header only that product sets, its
	// page's wording), EvidenceFallback when no marker did and a rule of
	// thumb chose it (an empty body, an unknown page), so that a verdict
	// built on it stays tentative.
	Evidence string `json:"evidence"`
}

// Identify tells who produced r and what r itself says about the failure.
//
// A product is named from its own markers: a header only it sets, its
// page's markup or wording (Evidence is EvidenceMarker). Without one, rules
// of thumb decide, and Evidence is EvidenceFallback:
//   - an empty body with a gateway status is attributed to an unknown
//     reverse proxy: nginx, Apache, HAProxy, Envoy and the CDNs always write
//     a body, so an empty one came from deeper (typically Go's
//     httputil.ReverseProxy or Caddy);
//   - a JSON body with a gateway status is the application's own answer
//     passed on by the hops in front of it (upstream.app_error): the
//     gateways that answer in JSON have their rows;
//   - any other page with a gateway status that no product writes is
//     unknown, with low confidence: it may be a custom error page of any
//     hop, or the application's;
//   - a status without its body (headers pasted alone) is attributed to the
//     gateway that the Server header names;
//   - any other response is attributed to the product in its Server header,
//     else to the application.
func Identify(r Response) Result {
	in := newInput(r)
	hops := in.hops()
	gen, read, errorPage, evidence := in.generator(hops)
	res := Result{Generator: gen, ErrorPage: errorPage, Evidence: evidence}
	var at int
	res.Hops, res.Generator, at = arrange(hops, gen)
	// A hop outside the generator passed its gateway status on; an unknown
	// generator may be any of them.
	res.PassedThrough = catalog.IsGatewayStatus(in.status) && at > 0 && gen.Role != string(catalog.RoleUnknown)
	if read != nil {
		read(in, &res)
	}
	return res
}

// hops returns the products that the onPath rows find, one Match per product
// in table order, markers of one product's rows merged.
func (in *input) hops() []Match {
	var out []Match
	for i := range signatures {
		s := &signatures[i]
		if s.kind != onPath {
			continue
		}
		markers, ok := s.match(in)
		if !ok {
			continue
		}
		j := slices.IndexFunc(out, func(m Match) bool { return m.Product == string(s.product) })
		if j < 0 {
			out = append(out, s.newMatch(markers))
			continue
		}
		out[j].Markers = merge(out[j].Markers, markers)
		out[j].Confidence = stronger(out[j].Confidence, s.conf)
	}
	return dropBase(out)
}

// builtOn names the products that run inside another: Kong is OpenResty
// with its own Lua, and answers "Server: openresty" when its own server
// tokens are turned off (Kong docs, "headers").
var builtOn = map[catalog.Product]catalog.Product{catalog.Kong: catalog.OpenResty}

// dropBase folds the hop of a product that another hop runs on into that
// hop, markers and all: one program, not two hops.
func dropBase(hops []Match) []Match {
	for i := range hops {
		base, ok := builtOn[catalog.Product(hops[i].Product)]
		if !ok {
			continue
		}
		j := slices.IndexFunc(hops, func(m Match) bool { return m.Product == string(base) })
		if j < 0 {
			continue
		}
		hops[i].Markers = merge(hops[i].Markers, hops[j].Markers)
		return slices.Delete(hops, j, j+1)
	}
	return hops
}

// generator picks the hop that produced the body and status, the reader of
// its page, whether the body is a recognised error page, and the evidence.
func (in *input) generator(hops []Match) (Match, reader, bool, string) {
	for i := range signatures {
		s := &signatures[i]
		if s.kind == onPath || (s.fallback && len(hops) > 0) {
			continue
		}
		if markers, ok := s.match(in); ok {
			evidence := EvidenceMarker
			if s.fallback {
				evidence = EvidenceFallback
			}
			return s.newMatch(markers), s.read, s.kind == wrote, evidence
		}
	}
	m, read, page := in.fallback(hops)
	return m, read, page, EvidenceFallback
}

// fallback picks the generator when no row names it.
func (in *input) fallback(hops []Match) (Match, reader, bool) {
	gateway := catalog.IsGatewayStatus(in.status)
	if h, ok := serverHop(hops); ok && !in.bodySeen && in.status >= 500 && in.json() && htmlPages[catalog.Product(h.Product)] {
		// Headers without their body, whose Content-Type is JSON: not the
		// page of the server that the Server header names, which writes
		// HTML; the application behind it answered.
		m := application("json-behind-html-gateway", in)
		m.Markers = append(m.Markers, "header Content-Type: "+in.header.Get("Content-Type")+" ("+h.Product+" writes its own errors as HTML)")
		return m, readApplication, false
	}
	switch {
	case gateway && !in.bodySeen:
		// Headers without their body: the status is the gateway's that the
		// Server header names, as far as anything tells.
		if h, ok := serverHop(hops); ok {
			h.Markers = append(h.Markers, "status "+strconv.Itoa(in.status)+" (the body is not at hand)")
			h.Confidence, h.Signature = confLow, "server-header-status"
			return h, readStatusOnly, false
		}
		// A CDN that sets no Server header (Front Door) still names
		// itself in a header only it sets; it is the hop that answered.
		if h, ok := cdnHop(hops); ok {
			h.Markers = append(h.Markers, "status "+strconv.Itoa(in.status)+" (the body is not at hand)")
			h.Confidence, h.Signature = confLow, "cdn-header-status"
			return h, readCDNStatus, false
		}
		return unknownPage(in), readUnknown, false
	case gateway && len(in.body) == 0:
		// Not the page of a hop seen in the headers: nginx, Apache, HAProxy,
		// Envoy, Squid, Varnish and the CDNs always write a body. Status-only
		// answers are the habit of Go's httputil.ReverseProxy, Caddy and other
		// small proxies; an application rarely sends an empty 502. The cause
		// stays open.
		return Match{Product: string(catalog.UnknownProduct), Role: string(catalog.RoleReverseProxy), Signature: "empty-gateway-body",
			Markers: []string{"status " + strconv.Itoa(in.status), "empty body"}, Confidence: confLow}, readEmpty, true
	case (in.status == 502 || in.status == 504) && in.html():
		// An HTML page that no product wrote, behind a proxy named in
		// Server, is most often that proxy's own error_page (nginx with
		// server_tokens off and a branded page, recorded by the lab), so
		// the proxy is named and the cause stays open.
		if h, ok := serverHop(hops); ok {
			h.Markers = append(h.Markers, "body: an HTML page that is not "+h.Product+"'s own (a custom error page)")
			h.Confidence, h.Signature = confLow, "custom-error-page"
			return h, readCustomPage, false
		}
		return unknownPage(in), readUnknown, false
	case gateway && (in.json() || in.xmlError()):
		return application("application-body", in), readApplication, false
	case gateway:
		return unknownPage(in), readUnknown, false
	case in.status >= 400 && len(in.body) > 0:
		// Products write the pages above; any other error body is the
		// application's.
		return application("application-body", in), readApplication, false
	}
	if h, ok := serverHop(hops); ok {
		return h, nil, false
	}
	if in.status == 0 && len(in.body) == 0 && len(hops) == 0 {
		return Match{Product: string(catalog.UnknownProduct), Role: string(catalog.RoleUnknown), Signature: "no-response",
			Markers: []string{"no status"}, Confidence: confLow}, nil, false
	}
	return application("no-product-seen", in), nil, false
}

// htmlPages are the servers whose own error responses are HTML pages
// (nginx's ngx_http_special_response.c, httpd's, HAProxy's errorfiles,
// Varnish's synth, Squid's templates, ...): a JSON error behind one of
// them is not its own.
var htmlPages = map[catalog.Product]bool{
	catalog.Nginx: true, catalog.OpenResty: true, catalog.Tengine: true, catalog.Apache: true,
	catalog.HAProxy: true, catalog.Varnish: true, catalog.Squid: true, catalog.Lighttpd: true,
	catalog.IIS: true, catalog.LiteSpeed: true,
}

// serverHop returns the hop named by the Server header, other than the
// application.
func serverHop(hops []Match) (Match, bool) {
	for _, h := range hops {
		if slices.ContainsFunc(h.Markers, isServerMarker) && h.Role != string(catalog.RoleApplication) {
			return h, true
		}
	}
	return Match{}, false
}

// cdnHop returns the only CDN that the headers name; with two (a CDN in
// front of another) the one that answered is not told.
func cdnHop(hops []Match) (Match, bool) {
	var cdn []Match
	for _, h := range hops {
		if h.Role == string(catalog.RoleCDN) {
			cdn = append(cdn, h)
		}
	}
	if len(cdn) != 1 {
		return Match{}, false
	}
	return cdn[0], true
}

// unknownPage is a page that no known product writes.
func unknownPage(in *input) Match {
	markers := []string{}
	if in.status != 0 {
		markers = append(markers, "status "+strconv.Itoa(in.status))
	}
	if len(in.body) > 0 {
		markers = append(markers, "body: no known product's page")
	}
	return Match{Product: string(catalog.UnknownProduct), Role: string(catalog.RoleUnknown), Signature: "unknown-page", Markers: markers, Confidence: confLow}
}

func application(signature string, in *input) Match {
	markers := []string{}
	if in.status != 0 {
		markers = append(markers, "status "+strconv.Itoa(in.status))
	}
	if len(in.body) > 0 {
		markers = append(markers, "body: no product's page")
	}
	return Match{Product: string(catalog.Application), Role: string(catalog.RoleApplication), Signature: signature,
		Markers: markers, Confidence: confLow}
}

// json reports a JSON body, by Content-Type or by its first byte.
func (in *input) json() bool {
	if strings.Contains(strings.ToLower(in.header.Get("Content-Type")), "json") {
		return true
	}
	b := bytes.TrimSpace(in.body)
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// xmlErrorRe is an API's XML error object, as AWS and S3-style APIs write
// it: <ErrorResponse> or <Error> holding a <Code>.
var xmlErrorRe = regexp.MustCompile(`\A\s*(?:<\?xml[^>]*>\s*)?<(?:ErrorResponse|Error)\b[^>]*>[\s\S]{0,1000}?<Code>`)

// xmlError reports a body that is an API's XML error object.
func (in *input) xmlError() bool { return xmlErrorRe.Match(in.body) }

// html reports an HTML body, by Content-Type or by its first byte.
func (in *input) html() bool {
	if strings.HasPrefix(strings.ToLower(in.header.Get("Content-Type")), "text/html") {
		return true
	}
	b := bytes.TrimSpace(in.body)
	return len(b) > 0 && b[0] == '<'
}

// readUnknown says what the page is, and leaves the cause open.
func readUnknown(in *input, res *Result) {
	kind := "a text"
	switch {
	case !in.bodySeen:
		kind = "a response whose body is not at hand"
	case in.html():
		kind = "an HTML page"
	}
	res.Reading.Detail = fmt.Sprintf("%s with status %d that no known product writes", kind, in.status)
	if t := titleOf(in.page); t != "" {
		res.Reading.Detail += ": " + t
	}
	switch dial := goDialError(in.text()); {
	case dial != "":
		// A small Go proxy writes its dial error as the body.
		res.Reading.Cause = dial
	case in.status == 504:
		// The status's own words: the gateway waited and gave up.
		res.Reading.Cause = catalog.UpstreamTimeout
	}
}

// goDialErrors are the words of Go's net package for a failed dial
// ("dial tcp: lookup db: no such host", "dial tcp 10.0.0.5:80: connect:
// connection refused"), which small Go proxies (goproxy, httputil with a
// custom ErrorHandler) write into the body of their 502.
var goDialErrors = []struct {
	re    *regexp.Regexp
	cause catalog.Cause
}{
	{regexp.MustCompile(`\bdial (?:tcp|udp|unix)[46]?\b[^\n]*?: lookup [^\n]*?: (?:no such host|server misbehaving|i/o timeout)`), catalog.UpstreamDNS},
	{regexp.MustCompile(`\bdial (?:tcp|unix)[46]?\b[^\n]*?: connect: connection refused`), catalog.UpstreamRefused},
	{regexp.MustCompile(`\bdial (?:tcp|unix)[46]?\b[^\n]*?: connect: (?:no route to host|network is unreachable)`), catalog.UpstreamUnreachable},
	{regexp.MustCompile(`\bdial tcp[46]?\b[^\n]*?: (?:i/o timeout|connect: connection timed out)`), catalog.UpstreamUnreachable},
	{regexp.MustCompile(`\bdial unix\b[^\n]*?: connect: (?:no such file or directory)`), catalog.UpstreamRefused},
	{regexp.MustCompile(`\bdial (?:tcp|unix)[46]?\b[^\n]*?: connect: permission denied`), catalog.UpstreamPermission},
}

func goDialError(t string) catalog.Cause {
	for _, e := range goDialErrors {
		if e.re.MatchString(t) {
			return e.cause
		}
	}
	return ""
}

// readStatusOnly reads what the status alone tells.
func readStatusOnly(in *input, res *Result) {
	res.Reading.Detail = "status " + strconv.Itoa(in.status) + ", the body is not at hand"
	if in.reason != "" {
		res.Reading.Detail += " (reason phrase: " + in.reason + ")"
	}
}

// readCDNStatus reads what a CDN's status alone tells, where its
// documentation gives the status one meaning.
func readCDNStatus(in *input, res *Result) {
	readStatusOnly(in, res)
	if res.Generator.Product == string(catalog.AzureFrontDoor) {
		res.Reading.Cause = frontDoorStatus(in.status)
	}
}

// readCustomPage leaves the cause open: a custom page tells nothing.
func readCustomPage(in *input, res *Result) {
	res.Reading.Detail = "a custom error page: " + titleOf(in.page)
}

func isServerMarker(m string) bool { return strings.HasPrefix(m, "header Server: ") }

// arrange merges the generator with the hop of the same product, orders the
// hops from the edge inwards by role (table order within a role), and puts the
// generator after the hops of its own role: a hop seen only in headers passed
// the response on, so it is outside the one that wrote it. It returns the
// hops, the merged generator and its index in the hops.
func arrange(hops []Match, gen Match) ([]Match, Match, int) {
	out := make([]Match, 0, len(hops)+1)
	for _, h := range hops {
		if h.Product != gen.Product {
			out = append(out, h)
			continue
		}
		if h.Signature != gen.Signature {
			// A page confirmed by its product's own headers.
			gen.Markers = merge(gen.Markers, h.Markers)
			gen.Confidence = stronger(gen.Confidence, h.Confidence)
		}
	}
	slices.SortStableFunc(out, func(a, b Match) int { return rank(a.Role) - rank(b.Role) })
	at := len(out)
	for i, h := range out {
		if rank(h.Role) > rank(gen.Role) {
			at = i
			break
		}
	}
	return slices.Insert(out, at, gen), gen, at
}

func (s *signature) newMatch(markers []string) Match {
	return Match{Product: string(s.product), Role: string(s.product.Role()), Signature: s.name,
		Markers: merge(nil, markers), Confidence: s.conf}
}

// merge appends the markers of b that a lacks.
func merge(a, b []string) []string {
	for _, m := range b {
		if !slices.Contains(a, m) {
			a = append(a, m)
		}
	}
	if a == nil {
		a = []string{}
	}
	return a
}

func stronger(a, b string) string {
	if confRank(b) > confRank(a) {
		return b
	}
	return a
}

func confRank(c string) int {
	switch c {
	case confHigh:
		return 2
	case confMedium:
		return 1
	}
	return 0
}
