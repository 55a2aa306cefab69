package fingerprint

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A world fixture is an error response that someone published (a GitHub
// issue, a vendor's documentation), stored as the source shows it: a raw
// response, headers alone, a body alone, or the visible text alone. Its
// head names the source and what it shows, and the status when the source
// states it elsewhere; a line "---" ends the head.
const worldGlob = "testdata/world/*/*.txt"

// worldFixture is a parsed world fixture.
type worldFixture struct {
	name   string // "<product dir>/<file name>"
	source string
	shows  string // response, headers, body or text
	status int    // stated by the source beside what it shows; 0 if not
	data   []byte
}

func loadWorld(tb testing.TB) []worldFixture {
	tb.Helper()
	paths, err := filepath.Glob(worldGlob)
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no fixtures match %s (%v)", worldGlob, err)
	}
	var out []worldFixture
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		fx, err := parseWorld(raw)
		if err != nil {
			tb.Fatalf("%s: %v", p, err)
		}
		fx.name = filepath.Base(filepath.Dir(p)) + "/" + strings.TrimSuffix(filepath.Base(p), ".txt")
		out = append(out, fx)
	}
	return out
}

func parseWorld(raw []byte) (worldFixture, error) {
	head, data, ok := bytes.Cut(raw, []byte("\n---\n"))
	if !ok {
		return worldFixture{}, fmt.Errorf(`no "---" line ends the head`)
	}
	fx := worldFixture{data: data}
	for _, line := range strings.Split(string(head), "\n") {
		key, value, _ := strings.Cut(line, ": ")
		switch key {
		case "source":
			fx.source = value
		case "shows":
			fx.shows = value
		case "status":
			s, err := strconv.Atoi(value)
			if err != nil {
				return fx, fmt.Errorf("status: %w", err)
			}
			fx.status = s
		default:
			return fx, fmt.Errorf("unknown head line %q", line)
		}
	}
	if !strings.HasPrefix(fx.source, "https://") {
		return fx, fmt.Errorf("source %q is not a public address", fx.source)
	}
	switch fx.shows {
	case "response", "headers", "body", "text":
	default:
		return fx, fmt.Errorf("shows %q", fx.shows)
	}
	return fx, nil
}

// response is what a probe would have seen, as far as the source shows it:
// the paste read by ReadPaste, with the status that the source states
// beside it when the paste has none of its own.
func (fx worldFixture) response() Response {
	p := ReadPaste(fx.data)
	if fx.status != 0 && p.StatusFrom != StatusFromLine {
		p.Response.Status = fx.status
	}
	return p.Response
}

// worldWant is what a world fixture shows. A product or role may list
// alternatives with "|" where the page is one that several products send
// alike (IIS's 502 page on IIS and on App Service's front ends). A cause of
// "" means the page does not tell one.
type worldWant struct{ product, role, cause string }

func (w worldWant) accepts(field, got string) bool {
	return got == field || (strings.Contains(field, "|") && strings.Contains("|"+field+"|", "|"+got+"|"))
}

var worldWants = map[string]worldWant{
	"akamai/netbird-access-denied-text":                  {"akamai", "cdn", ""},
	"akamai/whatwaf-1162-access-denied-response":         {"akamai", "cdn", ""},
	"apache/antispite-503-text":                          {"apache", "reverse_proxy", ""},
	"apache/popit-503-text":                              {"apache", "reverse_proxy", ""},
	"apache/rte-tempo-503-errordocument-body":            {"apache", "reverse_proxy", ""},
	"application/elasticsearch-34427-503-json":           {"application", "application", "upstream.app_error"},
	"application/opendistro-160-503-json":                {"application", "application", "upstream.app_error"},
	"application/rails-500-behind-heroku":                {"application", "application", ""},
	"application/spring-whitelabel-500-text":             {"application", "application", ""},
	"aws_alb/esi-502-response":                           {"aws_alb", "load_balancer", ""},
	"aws_api_gateway/lambstatus-timeout-504":             {"aws_api_gateway", "reverse_proxy", "upstream.timeout"},
	"aws_api_gateway/serverless-8671-internal-502":       {"aws_api_gateway", "reverse_proxy", ""},
	"aws_api_gateway/serverless-express-timeout-body":    {"aws_api_gateway", "reverse_proxy", "upstream.timeout"},
	"aws_elb/flynn-2738-status-line":                     {"aws_elb", "load_balancer", ""},
	"aws_elb/intercom-capacity-headers":                  {"aws_elb", "load_balancer", ""},
	"aws_elb/osrm-capacity-console":                      {"aws_elb", "load_balancer", ""},
	"azure_app_gateway/azure-docs-110739-v2-body":        {"azure_app_gateway", "load_balancer", ""},
	"azure_app_service/httpstatus-iis-502-text":          {"azure_app_service|iis", "load_balancer|reverse_proxy", ""},
	"azure_app_service/simplechat-267-application-error": {"azure_app_service", "load_balancer", ""},
	"azure_app_service/sumanjay-application-error-text":  {"azure_app_service", "load_balancer", ""},
	"azure_app_service/vscode-appservice-502-text":       {"azure_app_service|iis", "load_balancer|reverse_proxy", ""},
	"azure_front_door/azure-cli-23182-text":              {"azure_front_door", "cdn", ""},
	"azure_front_door/static-web-apps-774-body":          {"azure_front_door", "cdn", ""},
	"cloudflare/anonymous-github-524-text":               {"cloudflare", "cdn", "cdn.origin_timeout"},
	"cloudflare/chatgpt-1340-502-branded-fragment":       {"cloudflare", "cdn", "upstream.app_error"},
	"cloudflare/codewars-520-text":                       {"cloudflare", "cdn", "cdn.origin_invalid"},
	"cloudflare/dedsec-1033-text":                        {"cloudflare", "cdn", "cdn.origin_unreachable"},
	"cloudflare/dillinger-522-sentence":                  {"cloudflare", "cdn", "cdn.origin_unreachable"},
	"cloudflare/divinum-525-text":                        {"cloudflare", "cdn", "cdn.origin_tls"},
	"cloudflare/fromthepage-502-branded-footer":          {"cloudflare", "cdn", "upstream.app_error"},
	"cloudflare/gcli2api-524-body":                       {"cloudflare", "cdn", "cdn.origin_timeout"},
	"cloudflare/goflyway-522-headers":                    {"cloudflare", "cdn", "cdn.origin_unreachable"},
	"cloudflare/gutenberg-compat-524-text":               {"cloudflare", "cdn", "cdn.origin_timeout"},
	"cloudflare/jsproxy-525-cloudflare-nginx-text":       {"cloudflare", "cdn", "cdn.origin_tls"},
	"cloudflare/kittr-520-text":                          {"cloudflare", "cdn", "cdn.origin_invalid"},
	"cloudflare/pollinations-1033-text":                  {"cloudflare", "cdn", "cdn.origin_unreachable"},
	"cloudflare/popcorn-522-text":                        {"cloudflare", "cdn", "cdn.origin_unreachable"},
	"cloudflare/simonw-til-520-empty-headers":            {"cloudflare", "cdn", "cdn.origin_invalid"},
	"cloudflare/timeless-sydney-502-branded-body":        {"cloudflare", "cdn", "upstream.app_error"},
	"cloudflare/ungate-1033-json":                        {"cloudflare", "cdn", "cdn.origin_unreachable"},
	"cloudflare/webpack-cloudflare-nginx-502-text":       {"cloudflare", "cdn", "cdn.internal"},
	"cloudflare/whatwaf-520-headers-body":                {"cloudflare", "cdn", "cdn.origin_invalid"},
	"cloudflare/zenbot-525-body-fragment":                {"cloudflare", "cdn", "cdn.origin_tls"},
	"cloudfront/can-i-take-over-502-text":                {"cloudfront", "cdn", "cdn.origin_unreachable"},
	"cloudfront/cognito-at-edge-503-text":                {"cloudfront", "cdn", "cdn.internal"},
	"cloudfront/construct-hub-function-503-text":         {"cloudfront", "cdn", "cdn.internal"},
	"cloudfront/datagov-502-text":                        {"cloudfront", "cdn", "cdn.origin_unreachable"},
	"cloudfront/elfinder-502-text":                       {"cloudfront", "cdn", ""},
	"cloudfront/etherscamdb-502-sentence":                {"cloudfront", "cdn", ""},
	"cloudfront/react-ssr-lambda-invalid-json-body":      {"cloudfront", "cdn", "cdn.internal"},
	"cloudfront/serverless-next-181-lambda-headers":      {"cloudfront", "cdn", "cdn.internal"},
	"cloudfront/serverless-next-2014-lambda-503-text":    {"cloudfront", "cdn", "cdn.internal"},
	"envoy/envoy-37268-headers":                          {"envoy", "reverse_proxy", ""},
	"envoy/envoy-4567-no-reason":                         {"envoy", "reverse_proxy", ""},
	"envoy/istio-47052-connection-termination":           {"envoy", "reverse_proxy", "upstream.closed"},
	"envoy/knative-no-healthy-upstream":                  {"envoy", "reverse_proxy", "upstream.none_healthy"},
	"envoy/kserve-connection-failure":                    {"envoy", "reverse_proxy", "upstream.refused"},
	"envoy/prolet-overflow":                              {"envoy", "reverse_proxy", "upstream.overloaded"},
	"fastly/jsdelivr-first-byte-timeout-text":            {"fastly", "cdn", "cdn.origin_timeout"},
	"fastly/mumble-apt-first-byte-timeout":               {"fastly", "cdn", "cdn.origin_timeout"},
	"fastly/nbviewer-first-byte-timeout-text":            {"fastly", "cdn", "cdn.origin_timeout"},
	"fastly/wepay-first-byte-timeout-body":               {"fastly", "cdn", "cdn.origin_timeout"},
	"gcp_lb/flynn-gfe-500-behind-cloudfront":             {"gcp_lb", "load_balancer", ""},
	"gcp_lb/gemini-desktop-gfe-502-text":                 {"gcp_lb", "load_balancer", ""},
	"gcp_lb/ingress-gce-141-sentence":                    {"gcp_lb", "load_balancer", ""},
	"gcp_lb/ingress-gce-164-text":                        {"gcp_lb", "load_balancer", ""},
	"haproxy/justmeandopensource-503-one-line":           {"haproxy", "load_balancer", ""},
	"haproxy/moarcats-502-text":                          {"haproxy", "load_balancer", ""},
	"heroku/f5oclock-sentence":                           {"heroku", "load_balancer", ""},
	"heroku/haste-server-text":                           {"heroku", "load_balancer", ""},
	"heroku/mlh-flask-starter-text":                      {"heroku", "load_balancer", ""},
	"heroku/recurring-select-older-text":                 {"heroku", "load_balancer", ""},
	"iis/aspnet-hosting-645-502-3-cgi-text":              {"iis", "reverse_proxy", ""},
	"iis/sonarqube-appservice-502-3-text":                {"iis", "reverse_proxy", ""},
	"kong/cpp-httplib-720-text":                          {"kong", "reverse_proxy", ""},
	"kong/kong-1874-text":                                {"kong", "reverse_proxy", ""},
	"kong/kong-2005-sentence":                            {"kong", "reverse_proxy", ""},
	"kong/kong-7156-ring-balancer-json":                  {"kong", "reverse_proxy", "upstream.none_healthy"},
	"litespeed/osclass-725-text":                         {"litespeed", "reverse_proxy", ""},
	"netlify/farm-tugboat-task-timeout-json":             {"netlify|aws_lambda", "cdn|app_server", "upstream.timeout"},
	"netlify/netlify-lambda-87-task-timeout-json":        {"netlify|aws_lambda", "cdn|app_server", "upstream.timeout"},
	"netlify/opennextjs-1174-task-timeout-json":          {"netlify|aws_lambda", "cdn|app_server", "upstream.timeout"},
	"nginx/4clojure-502-text":                            {"nginx", "reverse_proxy", ""},
	"nginx/first-commit-502-text":                        {"nginx", "reverse_proxy", ""},
	"nginx/ingress-nginx-3253-503-body":                  {"nginx", "reverse_proxy", ""},
	"nginx/librecores-502-one-line":                      {"nginx", "reverse_proxy", ""},
	"nginx/mtls-example-502-body":                        {"nginx", "reverse_proxy", ""},
	"nginx/nextcloud-docker-502-text":                    {"nginx", "reverse_proxy", ""},
	"nginx/repo-automation-bots-one-line-body":           {"nginx", "reverse_proxy", ""},
	"tengine/tengine-1643-text":                          {"tengine", "reverse_proxy", ""},
	"unknown/github-502-text":                            {"unknown", "unknown", ""},
	"unknown/kemono-502-text":                            {"unknown", "unknown", ""},
	"unknown/mylittleforum-503-text":                     {"unknown", "unknown", ""},
	"varnish/elixir-backend-fetch-failed-body":           {"varnish", "reverse_proxy", ""},
	"varnish/goatcounter-vinyl-cache-text":               {"varnish", "reverse_proxy", ""},
	"varnish/lempress-service-unavailable-text":          {"varnish", "reverse_proxy", ""},
	"varnish/rubydoc-text":                               {"varnish", "reverse_proxy", ""},
	"varnish/senaite-one-line":                           {"varnish", "reverse_proxy", ""},
	"varnish/tox-website-text":                           {"varnish", "reverse_proxy", ""},
	"vercel/claude-code-router-plain-body":               {"vercel", "cdn", "upstream.timeout"},
	"vercel/serverlesswp-timeout-text":                   {"vercel", "cdn", "upstream.timeout"},
	"vercel/vercel-sapper-timeout-text":                  {"vercel", "cdn", "upstream.timeout"},
	"cloudflare/allorigins-521-one-line":                 {"cloudflare", "cdn", "cdn.origin_unreachable"},
	"cloudflare/gillian-521-text":                        {"cloudflare", "cdn", "cdn.origin_unreachable"},
	"cloudfront/arkit-504-body":                          {"cloudfront", "cdn", "cdn.origin_timeout"},
	"cloudfront/copr-504-http3-text":                     {"cloudfront", "cdn", "cdn.origin_timeout"},
	"cloudfront/ds-free-api-504-body":                    {"cloudfront", "cdn", "cdn.origin_timeout"},
	"cloudfront/strapi-504-older-text":                   {"cloudfront", "cdn", "cdn.origin_timeout"},
	"fastly/julialang-no-healthy-ip-text":                {"fastly", "cdn", "upstream.none_healthy"},
	"fastly/nbviewer-759-no-healthy-backends-text":       {"fastly", "cdn", "upstream.none_healthy"},
	"fastly/npm-backend-read-error-text":                 {"fastly", "cdn", ""},
	"fastly/pihole-54113-text":                           {"fastly", "cdn", "upstream.none_healthy"},
	"fastly/pythondotorg-backend-unhealthy-text":         {"fastly", "cdn", "upstream.none_healthy"},
}

// TestWorld identifies each published response and logs how many it got
// right: the product, the role and the cause.
func TestWorld(t *testing.T) {
	fixtures := loadWorld(t)
	var product, role, cause int
	seen := map[string]bool{}
	for _, fx := range fixtures {
		seen[fx.name] = true
		t.Run(fx.name, func(t *testing.T) {
			w, ok := worldWants[fx.name]
			if !ok {
				t.Fatalf("%s has no entry in worldWants", fx.name)
			}
			got := Identify(fx.response())
			checkResult(t, got)
			g := got.Generator
			okProduct, okRole, okCause := w.accepts(w.product, g.Product), w.accepts(w.role, g.Role), got.Reading.Cause == w.cause
			product, role, cause = product+b2i(okProduct), role+b2i(okRole), cause+b2i(okCause)
			if !okProduct || !okRole || !okCause {
				t.Errorf("Identify = %s/%s cause %q (%s, %s; %s), want %s/%s cause %q",
					g.Product, g.Role, got.Reading.Cause, g.Signature, got.Evidence, got.Reading.Detail, w.product, w.role, w.cause)
			}
		})
	}
	for name := range worldWants {
		if !seen[name] {
			t.Errorf("worldWants[%q] has no fixture", name)
		}
	}
	t.Logf("world corpus: product %d, role %d, cause %d right out of %d", product, role, cause, len(fixtures))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
