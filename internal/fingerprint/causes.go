package fingerprint

// Cause IDs from the project's cause catalog (docs/causes.md) that a response
// can show by itself. They are a public contract: every Reading.Cause is one of
// these or "". Test TestCausesAreCatalogued checks each against the catalog.
const (
	causeOriginUnreachable = "cdn.origin_unreachable"
	causeOriginTimeout     = "cdn.origin_timeout"
	causeOriginTLS         = "cdn.origin_tls"
	causeOriginInvalid     = "cdn.origin_invalid"
	causeCDNInternal       = "cdn.internal"
	causeRefused           = "upstream.refused"
	causePermission        = "upstream.permission"
	causeUnreachable       = "upstream.unreachable"
	causeDNS               = "upstream.dns"
	causeTimeout           = "upstream.timeout"
	causeClosed            = "upstream.closed"
	causeInvalidResponse   = "upstream.invalid_response"
	causeTLS               = "upstream.tls"
	causeNoneHealthy       = "upstream.none_healthy"
	causeOverloaded        = "upstream.overloaded"
	causeAppError          = "upstream.app_error"
)

// Product slugs (docs/causes.md, generated_by.product).
const (
	productCloudflare      = "cloudflare"
	productCloudFront      = "cloudfront"
	productALB             = "aws_alb"
	productAPIGateway      = "aws_api_gateway"
	productGCPLB           = "gcp_lb"
	productAzureAppGateway = "azure_app_gateway"
	productAzureFrontDoor  = "azure_front_door"
	productAkamai          = "akamai"
	productFastly          = "fastly"
	productNginx           = "nginx"
	productOpenResty       = "openresty"
	productApache          = "apache"
	productHAProxy         = "haproxy"
	productEnvoy           = "envoy"
	productCaddy           = "caddy"
	productTraefik         = "traefik"
	productVarnish         = "varnish"
	productSquid           = "squid"
	productLighttpd        = "lighttpd"
	productIIS             = "iis"
	productGo              = "go"
	productPHPFPM          = "php_fpm"
	productHeroku          = "heroku"
	productTengine         = "tengine"
	productNghttpx         = "nghttpx"
	productLiteSpeed       = "litespeed"
	productKong            = "kong"
	productVercel          = "vercel"
	productNetlify         = "netlify"
	productFly             = "fly"
	productRender          = "render"
	productELB             = "aws_elb"
	productLambda          = "aws_lambda"
	productAppService      = "azure_app_service"
	productApplication     = "application"
	productUnknown         = "unknown"
)

// Roles (docs/causes.md, generated_by.role).
const (
	roleCDN          = "cdn"
	roleLoadBalancer = "load_balancer"
	roleReverseProxy = "reverse_proxy"
	roleAppServer    = "app_server"
	roleApplication  = "application"
	roleUnknown      = "unknown"
)

// Confidence levels of a Match.
const (
	confHigh   = "high"
	confMedium = "medium"
	confLow    = "low"
)

// roleOf is the role each product plays on a request path. The Heroku router
// is a load balancer: it spreads requests over dynos and it is the hop that
// answers with the H-code pages; so are the front ends of Fly.io, Render and
// App Service. AWS API Gateway and Kong are reverse proxies in front of
// Lambda or HTTP services. Vercel and Netlify serve from their own edge
// network, a CDN in front of the site's functions; a Lambda function's own
// error object comes from the runtime that ran it, an app server.
func roleOf(product string) string {
	switch product {
	case productCloudflare, productCloudFront, productAkamai, productFastly, productAzureFrontDoor,
		productVercel, productNetlify:
		return roleCDN
	case productALB, productELB, productGCPLB, productAzureAppGateway, productHAProxy, productHeroku,
		productFly, productRender, productAppService:
		return roleLoadBalancer
	case productAPIGateway, productNginx, productOpenResty, productApache, productEnvoy,
		productCaddy, productTraefik, productVarnish, productSquid, productLighttpd,
		productIIS, productGo, productTengine, productNghttpx, productLiteSpeed, productKong:
		return roleReverseProxy
	case productPHPFPM, productLambda:
		return roleAppServer
	case productApplication:
		return roleApplication
	}
	return roleUnknown
}

// rank orders roles from the edge inwards, for Result.Hops.
func rank(role string) int {
	switch role {
	case roleCDN:
		return 0
	case roleLoadBalancer:
		return 1
	case roleReverseProxy:
		return 2
	case roleAppServer:
		return 3
	case roleApplication:
		return 4
	}
	return 5
}

// isGatewayStatus reports whether status is one that gateways use for an
// upstream failure: 502, 503, 504 and Cloudflare's 520-527 and 530.
func isGatewayStatus(status int) bool {
	switch {
	case status >= 502 && status <= 504:
		return true
	case status >= 520 && status <= 527, status == 530:
		return true
	}
	return false
}

// Values of Result.Evidence.
const (
	// EvidenceMarker: a product's own marker named the generator.
	EvidenceMarker = "marker"
	// EvidenceFallback: no marker did; a rule of thumb chose the generator.
	EvidenceFallback = "fallback"
)
