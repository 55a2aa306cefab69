package fingerprint

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// want pins the facts of a fixture's Result that a golden refresh must not
// change unnoticed.
type want struct {
	product, role string
	cause         catalog.Cause
	passed, page  bool
	hops          []string // products, outermost first; nil: not pinned
}

var fixtureWants = map[string]want{
	"akamai-503":        {"akamai", "cdn", "cdn.origin_invalid", false, true, []string{"akamai"}},
	"apache-502-dns":    {"apache", "reverse_proxy", "upstream.dns", false, true, []string{"apache"}},
	"apache-502-reason": {"apache", "reverse_proxy", "", false, true, []string{"apache"}},
	"apache-503":        {"apache", "reverse_proxy", "", false, true, []string{"apache"}},
	// A page that no product writes: the application's maintenance page or
	// a custom error_page of nginx alike, so nothing is claimed.
	"app-html-503-behind-nginx":        {"unknown", "unknown", "", false, false, []string{"nginx", "unknown"}},
	"app-json-502-behind-go":           {"application", "application", "upstream.app_error", true, false, []string{"application"}},
	"app-json-502-behind-nginx":        {"application", "application", "upstream.app_error", true, false, []string{"nginx", "application"}},
	"aws-alb-502":                      {"aws_alb", "load_balancer", "", false, true, []string{"aws_alb"}},
	"aws-alb-503":                      {"aws_alb", "load_balancer", "upstream.none_healthy", false, true, []string{"aws_alb"}},
	"aws-api-gateway-502":              {"aws_api_gateway", "reverse_proxy", "", false, true, []string{"aws_api_gateway"}},
	"aws-api-gateway-504":              {"aws_api_gateway", "reverse_proxy", "upstream.timeout", false, true, []string{"aws_api_gateway"}},
	"azure-app-gateway-502":            {"azure_app_gateway", "load_balancer", "", false, true, []string{"azure_app_gateway"}},
	"azure-front-door-503":             {"azure_front_door", "cdn", "", false, true, []string{"azure_front_door"}},
	"azure-front-door-504":             {"azure_front_door", "cdn", "cdn.origin_timeout", false, true, []string{"azure_front_door"}},
	"caddy-502":                        {"caddy", "reverse_proxy", "", false, true, []string{"caddy"}},
	"caddy-504":                        {"caddy", "reverse_proxy", "upstream.timeout", false, true, []string{"caddy"}},
	"cloudflare-502-origin":            {"cloudflare", "cdn", "upstream.app_error", true, true, []string{"cloudflare"}},
	"cloudflare-520":                   {"cloudflare", "cdn", "cdn.origin_invalid", false, true, []string{"cloudflare"}},
	"cloudflare-521":                   {"cloudflare", "cdn", "cdn.origin_unreachable", false, true, []string{"cloudflare"}},
	"cloudflare-522":                   {"cloudflare", "cdn", "cdn.origin_unreachable", false, true, []string{"cloudflare"}},
	"cloudflare-524":                   {"cloudflare", "cdn", "cdn.origin_timeout", false, true, []string{"cloudflare"}},
	"cloudflare-525":                   {"cloudflare", "cdn", "cdn.origin_tls", false, true, []string{"cloudflare"}},
	"cloudflare-530-1016":              {"cloudflare", "cdn", "cdn.origin_unreachable", false, true, []string{"cloudflare"}},
	"cloudflare-internal-502":          {"cloudflare", "cdn", "cdn.internal", false, true, []string{"cloudflare"}},
	"cloudfront-502":                   {"cloudfront", "cdn", "cdn.origin_unreachable", false, true, []string{"cloudfront"}},
	"cloudfront-504":                   {"cloudfront", "cdn", "cdn.origin_timeout", false, true, []string{"cloudfront"}},
	"empty-502-behind-nginx":           {"unknown", "reverse_proxy", "", true, true, []string{"nginx", "unknown"}},
	"envoy-502-protocol-error":         {"envoy", "reverse_proxy", "upstream.invalid_response", false, true, []string{"envoy"}},
	"envoy-503-connection-failure":     {"envoy", "reverse_proxy", "upstream.refused", false, true, []string{"envoy"}},
	"envoy-503-connection-termination": {"envoy", "reverse_proxy", "upstream.closed", false, true, []string{"envoy"}},
	"envoy-503-no-healthy-upstream":    {"envoy", "reverse_proxy", "upstream.none_healthy", false, true, []string{"envoy"}},
	"envoy-503-overflow":               {"envoy", "reverse_proxy", "upstream.overloaded", false, true, []string{"envoy"}},
	"envoy-503-tls":                    {"envoy", "reverse_proxy", "upstream.tls", false, true, []string{"envoy"}},
	"envoy-504-timeout":                {"envoy", "reverse_proxy", "upstream.timeout", false, true, []string{"envoy"}},
	"fastly-503":                       {"fastly", "cdn", "cdn.origin_timeout", false, true, []string{"fastly"}},
	"gcp-lb-502":                       {"gcp_lb", "load_balancer", "", false, true, []string{"gcp_lb"}},
	"go-502-empty":                     {"go", "reverse_proxy", "", false, true, []string{"go"}},
	"haproxy-502":                      {"haproxy", "load_balancer", "", false, true, []string{"haproxy"}},
	"haproxy-503":                      {"haproxy", "load_balancer", "", false, true, []string{"haproxy"}},
	"haproxy-504":                      {"haproxy", "load_balancer", "upstream.timeout", false, true, []string{"haproxy"}},
	"heroku-503":                       {"heroku", "load_balancer", "", false, true, []string{"heroku"}},
	"iis-502-3":                        {"iis", "reverse_proxy", "upstream.timeout", false, true, []string{"iis"}},
	"lighttpd-503":                     {"lighttpd", "reverse_proxy", "", false, true, []string{"lighttpd"}},
	"nginx-200":                        {"nginx", "reverse_proxy", "", false, false, []string{"nginx"}},
	"nginx-502":                        {"nginx", "reverse_proxy", "", false, true, []string{"nginx"}},
	"nginx-503":                        {"nginx", "reverse_proxy", "", false, true, []string{"nginx"}},
	"nginx-504":                        {"nginx", "reverse_proxy", "upstream.timeout", false, true, []string{"nginx"}},
	"nginx-behind-cloudflare-503":      {"nginx", "reverse_proxy", "", true, true, []string{"cloudflare", "nginx"}},
	"openresty-502":                    {"openresty", "reverse_proxy", "", false, true, []string{"openresty"}},
	"php-fpm-404":                      {"php_fpm", "app_server", "", false, true, []string{"nginx", "php_fpm"}},
	"squid-503-connect-fail":           {"squid", "reverse_proxy", "upstream.refused", false, true, []string{"squid"}},
	"squid-504-read-timeout":           {"squid", "reverse_proxy", "upstream.timeout", false, true, []string{"squid"}},
	"traefik-502":                      {"traefik", "reverse_proxy", "", false, true, []string{"traefik"}},
	"traefik-503-no-server":            {"traefik", "reverse_proxy", "upstream.none_healthy", false, true, []string{"traefik"}},
	"varnish-503":                      {"varnish", "reverse_proxy", "", false, true, []string{"varnish"}},
}

func TestFixtureWants(t *testing.T) {
	seen := map[string]bool{}
	for _, fx := range loadFixtures(t) {
		seen[fx.name] = true
		t.Run(fx.name, func(t *testing.T) {
			w, ok := fixtureWants[fx.name]
			if !ok {
				t.Fatalf("fixture %s has no entry in fixtureWants", fx.name)
			}
			got := Identify(fx.resp)
			checkWant(t, got, w)
		})
	}
	for name := range fixtureWants {
		if !seen[name] {
			t.Errorf("fixtureWants[%q] has no fixture file", name)
		}
	}
}

func checkWant(t *testing.T, got Result, w want) {
	t.Helper()
	g := got.Generator
	if g.Product != w.product || g.Role != w.role {
		t.Errorf("Generator = %s/%s (%s), want %s/%s", g.Product, g.Role, g.Signature, w.product, w.role)
	}
	if got.Reading.Cause != w.cause {
		t.Errorf("Reading.Cause = %q, want %q (detail %q)", got.Reading.Cause, w.cause, got.Reading.Detail)
	}
	if got.PassedThrough != w.passed {
		t.Errorf("PassedThrough = %v, want %v", got.PassedThrough, w.passed)
	}
	if got.ErrorPage != w.page {
		t.Errorf("ErrorPage = %v, want %v", got.ErrorPage, w.page)
	}
	if hops := products(got.Hops); w.hops != nil && !slices.Equal(hops, w.hops) {
		t.Errorf("Hops = %v, want %v", hops, w.hops)
	}
}

func products(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Product)
	}
	return out
}

const nginx502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
	"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

func TestIdentify(t *testing.T) {
	tests := []struct {
		name string
		resp Response
		want want
	}{
		{"header names in any case",
			Response{Status: 502, Header: http.Header{"server": {"cloudflare"}, "cf-ray": {"8466a1b2c3d4e5f6-FRA"}}, Body: []byte(nginx502)},
			want{"nginx", "reverse_proxy", "", true, true, []string{"cloudflare", "nginx"}}},
		{"nil header, empty 502", Response{Status: 502},
			want{"go", "reverse_proxy", "", false, true, []string{"go"}}},
		{"no response", Response{},
			want{"unknown", "unknown", "", false, false, []string{"unknown"}}},
		{"empty 504 without Server", Response{Status: 504},
			want{"unknown", "reverse_proxy", "", false, true, []string{"unknown"}}},
		{"Tomcat is not Apache httpd",
			Response{Status: 200, Header: http.Header{"Server": {"Apache-Coyote/1.1"}}, Body: []byte("ok")},
			want{"application", "application", "", false, false, []string{"application"}}},
		{"application 500 behind nginx is not a gateway failure",
			Response{Status: 500, Header: http.Header{"Server": {"nginx"}}, Body: []byte(`{"error":"boom"}`)},
			want{"application", "application", "", false, false, []string{"nginx", "application"}}},
		{"large application body",
			Response{Status: 502, Header: http.Header{"Server": {"nginx"}}, Body: bytes.Repeat([]byte(`{"k":"<hr><center>nginx</center>"},`), 8000), BodyTruncated: true},
			want{"application", "application", "upstream.app_error", true, false, []string{"nginx", "application"}}},
		// The plain-text body Cloudflare answers clients that take no HTML.
		{"Cloudflare 522 plain-text error",
			Response{Status: 522, Header: http.Header{"Server": {"cloudflare"}, "Cf-Ray": {"1-FRA"}}, Body: []byte("error code: 522")},
			want{"cloudflare", "cdn", "cdn.origin_unreachable", false, true, []string{"cloudflare"}}},
		{"Cloudflare 522 status without a page",
			Response{Status: 522, Header: http.Header{"Server": {"cloudflare"}, "Cf-Ray": {"1-FRA"}}},
			want{"cloudflare", "cdn", "cdn.origin_unreachable", false, false, []string{"cloudflare"}}},
		{"Varnish page behind Fastly",
			Response{Status: 503, Header: http.Header{"X-Served-By": {"cache-fra-1"}, "X-Varnish": {"5"}},
				Body: []byte("<h1>Error 503 Backend fetch failed</h1><h3>Guru Meditation:</h3>")},
			want{"varnish", "reverse_proxy", "", true, true, []string{"fastly", "varnish"}}},
		{"200 behind CloudFront names the Server",
			Response{Status: 200, Header: http.Header{"Server": {"nginx"}, "X-Amz-Cf-Id": {"abc=="}}, Body: []byte("<p>hi</p>")},
			want{"nginx", "reverse_proxy", "", false, false, []string{"cloudfront", "nginx"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWant(t, Identify(tt.resp), tt.want)
		})
	}
}

// TestReadings covers the product code tables on minimal pages.
func TestReadings(t *testing.T) {
	envoy := func(s string) Response {
		return Response{Status: 503, Header: http.Header{"Server": {"envoy"}},
			Body: []byte("upstream connect error or disconnect/reset before headers. reset reason: " + s)}
	}
	squid := func(v string) Response {
		return Response{Status: 503, Header: http.Header{"X-Squid-Error": {v}}, Body: []byte("<html></html>")}
	}
	apache := func(reason string) Response {
		return Response{Status: 502, Body: []byte("<h1>Proxy Error</h1><p>Reason: <strong>" + reason + "</strong></p>")}
	}
	tests := []struct {
		name      string
		resp      Response
		wantCause catalog.Cause
		wantCode  string
	}{
		{"envoy older connection failure", envoy("connection failure"), "upstream.refused", "UF"},
		{"envoy local connection failure", envoy("local connection failure"), "", "UF"},
		{"envoy connection timeout", envoy("connection timeout"), "upstream.unreachable", "UF"},
		{"envoy remote reset", envoy("remote reset"), "upstream.closed", "UR"},
		{"envoy older TLS error", envoy("connection failure, transport failure reason: TLS error: 268435581:SSL routines"), "upstream.tls", "UF"},
		{"squid dns", squid("ERR_DNS_FAIL 0"), "upstream.dns", "ERR_DNS_FAIL"},
		{"squid zero size", squid("ERR_ZERO_SIZE_OBJECT 0"), "upstream.closed", "ERR_ZERO_SIZE_OBJECT"},
		{"squid invalid", squid("ERR_INVALID_RESP 0"), "upstream.invalid_response", "ERR_INVALID_RESP"},
		{"squid read error", squid("ERR_READ_ERROR 104"), "upstream.closed", "ERR_READ_ERROR"},
		{"squid tls", squid("ERR_SECURE_CONNECT_FAIL 0"), "upstream.tls", "ERR_SECURE_CONNECT_FAIL"},
		{"squid connect timeout", squid("ERR_CONNECT_FAIL 110"), "upstream.unreachable", "ERR_CONNECT_FAIL"},
		{"apache tls", apache("Error during SSL Handshake with remote server"), "upstream.tls", ""},
		{"heroku H12 on a custom page",
			Response{Status: 503, Body: []byte(`<iframe src="//www.herokucdn.com/error-pages/application-error.html"></iframe> code=H12`)},
			"upstream.timeout", "H12"},
		{"cloudflare unbranded 400 is not a CDN fault",
			Response{Status: 400, Body: []byte(strings.ReplaceAll(nginx502, "nginx", "cloudflare"))}, "", ""},
		{"fastly 54113",
			Response{Status: 503, Body: []byte("<h1>Error 503 Backend.max_conn reached</h1><p>Guru Mediation:</p><p>Error 54113</p>")},
			"upstream.overloaded", "54113"},
		{"akamai connect fail",
			Response{Status: 503, Header: http.Header{"Server": {"AkamaiGHost"}}, Body: []byte("<H1>Service Unavailable</H1>Reference #6.1a2b.1705313702.3c4d")},
			"cdn.origin_unreachable", "ERR_CONNECT_FAIL"},
		{"front door tls",
			Response{Status: 502, Header: http.Header{"X-Azure-Ref": {"x"}}, Body: []byte("<p>Azure Front Door: SSLHandshakeError</p>")},
			"cdn.origin_tls", "SSLHandshakeError"},
		{"iis cannot connect",
			Response{Status: 502, Header: http.Header{"Server": {"Microsoft-IIS/10.0"}},
				Body: []byte("<title>IIS 10.0 Detailed Error - 502.3 - Bad Gateway</title><h3>HTTP Error 502.3 - Bad Gateway</h3><td>0x80072EFD</td>")},
			"upstream.refused", "502.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Identify(tt.resp).Reading
			if got.Cause != tt.wantCause || got.Code != tt.wantCode {
				t.Errorf("Reading = %+v, want cause %q code %q", got, tt.wantCause, tt.wantCode)
			}
		})
	}
}
