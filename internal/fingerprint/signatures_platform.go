package fingerprint

import "github.com/gwdoctor/gwdoctor/internal/catalog"

// platformSignatures are the pages of hosting platforms and API gateways.
var platformSignatures = []signature{
	// The router's H-code page frames a page from Heroku's CDN; its text
	// (Heroku Dev Center, "Customizing Error Pages"; observed).
	{name: "heroku-error-page", product: catalog.Heroku, kind: wrote, conf: confHigh,
		all: []cond{anyOf(body("herokucdn.com/error-pages/"), body("s3.amazonaws.com/heroku_pages/"),
			shows("An error occurred in the application and your page could not be served"))},
		read: readHeroku},
	// Vercel's error page and its plain-text form name the error code
	// (Vercel docs, "Errors": FUNCTION_INVOCATION_TIMEOUT, ...); x-vercel-error
	// carries it on every error Vercel writes.
	{name: "vercel-error-page", product: catalog.Vercel, kind: wrote, conf: confHigh,
		all: []cond{anyOf(header("X-Vercel-Error", ""), shows("Vercel is working correctly"),
			showsRe(`An error occurred with your deployment\s+[A-Z]+(?:_[A-Z]+)+\b`),
			showsRe(`(?m)^[45][0-9]{2}: [A-Z]+(?:_[A-Z]+)*\nCode: [A-Z]+(?:_[A-Z]+)+$`),
			showsRe(`\b[45][0-9]{2}: [A-Z]+(?:_[A-Z]+)*[ (]+Code: (?:[A-Z]+_)*INVOCATION_(?:TIMEOUT|FAILED)\b`))},
		read: readVercel},
	// Netlify's page for a function that crashed ("This function has
	// crashed", "This edge function has crashed"): the sentence before the
	// runtime's message and the footer's internal ID (observed, world corpus
	// netlify/).
	{name: "netlify-function-crash", product: catalog.Netlify, kind: wrote, conf: confMedium,
		all: []cond{anyOf(shows("An unhandled error in the function code triggered the following message"),
			showsRe(`(?m)^This (?:edge )?function has crashed$`), shows("Netlify internal ID:"))},
		read: readNetlify},
	// A Lambda function that ran out of time: the runtime's error object
	// (AWS Lambda developer guide, "Troubleshoot invocation issues": "Task
	// timed out after N seconds"), passed on by Netlify Functions, API
	// Gateway integrations and function URLs alike.
	{name: "aws-lambda-timeout-error", product: catalog.Lambda, kind: wrote, conf: confMedium,
		all:  []cond{bodyRe(`"errorMessage"\s*:\s*"[^"]*Task timed out after [0-9.]+ seconds`)},
		read: readLambda},
	// The runtime's error object for a function that failed before or
	// while it ran ("Runtime.ImportModuleError", "Runtime.ExitError"; AWS
	// Lambda developer guide, "Troubleshoot invocation issues").
	{name: "aws-lambda-runtime-error", product: catalog.Lambda, kind: wrote, conf: confMedium,
		all:  []cond{bodyRe(`\A\s*\{\s*"errorType"\s*:\s*"Runtime\.[A-Za-z]+"`)},
		read: readPlain},
	// Fly.io's proxy answers its own failures (no instance it could reach)
	// with the status alone, under its own Server header (observed,
	// direnv#361). An application behind it that sends an empty 502 without
	// a Server header of its own would read the same, hence medium.
	{name: "fly-proxy-empty-error", product: catalog.Fly, kind: wrote, conf: confMedium,
		all:  []cond{anyOf(header("Server", "Fly/"), header("Server", "Fly.io")), emptyBody(), status(502, 503, 504)},
		read: readEmpty},
	// Render's edge names its own routing decision in x-render-routing
	// ("no-server", "suspend", "suspend-by-user", "hibernate-wake-error",
	// "dynamic-hibernate-error-503", observed in published responses; a
	// routed request says "server"), and its page for a suspended service
	// says so.
	{name: "render-routing", product: catalog.Render, kind: wrote, conf: confHigh,
		all: []cond{anyOf(header("X-Render-Routing", "no-server"), header("X-Render-Routing", "suspend"),
			headerHas("X-Render-Routing", "hibernate")), status(500, 502, 503, 504)},
		read: readRender},
	{name: "render-suspended-page", product: catalog.Render, kind: wrote, conf: confMedium,
		all:  []cond{shows("This service has been suspended by its owner")},
		read: readRender},
	// A 502 is Render's edge's own: it could not get an answer from the
	// service's process (Render tutorials, "Runtime errors": "502 comes
	// from Render's edge"). Render passes the process's Server header on as
	// x-render-origin-server; a 502 without it, seen with no body, is the
	// edge's, as far as the headers tell: an application that sends its
	// own 502 without a Server header reads the same, hence medium.
	{name: "render-edge-502", product: catalog.Render, kind: wrote, conf: confMedium,
		all:  []cond{header("Rndr-Id", ""), noHeader("X-Render-Origin-Server"), status(502), anyOf(bodyUnseen(), emptyBody())},
		read: readRender},
	// App Service's page for an app that does not start (Microsoft Learn,
	// "Troubleshoot HTTP 502 and 503 errors in App Service"; observed).
	{name: "azure-app-service-error", product: catalog.AppService, kind: wrote, conf: confHigh,
		all:  []cond{showsRe(`If you are the application administrator, you can access the \[?diagnostic resources`)},
		read: readPlain},
	// Kong's default error bodies (kong/tools/utils.lua and the balancer:
	// "An invalid response was received from the upstream server", "failure
	// to get a peer from the ring-balancer", ...), as JSON, HTML ("Kong
	// Error") or text.
	// Kong's default body for a 500 of its own ("An unexpected error
	// occurred", kong/tools/utils.lua), common words that only Kong's own
	// headers make its.
	{name: "kong-unexpected-error", product: catalog.Kong, kind: wrote, conf: confHigh,
		all: []cond{anyOf(header("X-Kong-Upstream-Status", ""), header("X-Kong-Upstream-Latency", ""), header("X-Kong-Proxy-Latency", ""),
			header("X-Kong-Response-Latency", ""), headerHas("Via", "kong/")), shows("An unexpected error occurred"), status(500)},
		read: readPlain},
	{name: "kong-error", product: catalog.Kong, kind: wrote, conf: confHigh,
		all: []cond{anyOf(shows("An invalid response was received from the upstream server"),
			shows("failure to get a peer from the ring-balancer"), shows("The upstream server is timing out"),
			shows("The upstream server is currently unavailable"), bodyRe(`\A\s*\{\s*"message"\s*:\s*"name resolution failed"`))},
		read: readKong},
}

// pathSignatures are the headers that name a hop on the path.
var pathSignatures = []signature{
	{name: "cloudflare-headers", product: catalog.Cloudflare, kind: onPath, conf: confHigh,
		all: []cond{anyOf(headerIs("Server", "cloudflare"), header("Cf-Ray", ""))}},
	{name: "cloudfront-headers", product: catalog.CloudFront, kind: onPath, conf: confHigh,
		all: []cond{anyOf(header("X-Amz-Cf-Id", ""), headerHas("Via", ".cloudfront.net (cloudfront)"),
			headerHas("X-Cache", "cloudfront"), headerIs("Server", "CloudFront"))}},
	{name: "akamai-headers", product: catalog.Akamai, kind: onPath, conf: confHigh,
		all: []cond{anyOf(header("Server", "AkamaiGHost"), header("X-Reference-Error", ""), header("Akamai-Grn", ""),
			headerHas("X-Cache", "akamai"), header("Akamai-Cache-Status", ""))}},
	{name: "fastly-headers", product: catalog.Fastly, kind: onPath, conf: confHigh,
		all: []cond{anyOf(header("X-Served-By", "cache-"), header("X-Fastly-Request-Id", ""))}},
	{name: "azure-front-door-headers", product: catalog.AzureFrontDoor, kind: onPath, conf: confHigh,
		all: []cond{header("X-Azure-Ref", "")}},
	// Vercel docs, "Response headers": x-vercel-id, server: Vercel.
	{name: "vercel-headers", product: catalog.Vercel, kind: onPath, conf: confHigh,
		all: []cond{anyOf(header("X-Vercel-Id", ""), headerIs("Server", "Vercel"))}},
	// Netlify docs, "Request ID": x-nf-request-id; server: Netlify.
	{name: "netlify-headers", product: catalog.Netlify, kind: onPath, conf: confHigh,
		all: []cond{anyOf(header("X-Nf-Request-Id", ""), headerIs("Server", "Netlify"))}},
	{name: "aws-alb-server", product: catalog.ALB, kind: onPath, conf: confHigh,
		all: []cond{header("Server", "awselb")}},
	{name: "aws-alb-cookie", product: catalog.ALB, kind: onPath, conf: confMedium,
		all: []cond{headerHas("Set-Cookie", "awsalb")}},
	{name: "aws-api-gateway-headers", product: catalog.APIGateway, kind: onPath, conf: confHigh,
		all: []cond{anyOf(header("X-Amz-Apigw-Id", ""), header("X-Amzn-Errortype", ""))}},
	// x-amzn-RequestId is also sent by Lambda function URLs and AppSync.
	{name: "aws-api-gateway-request-id", product: catalog.APIGateway, kind: onPath, conf: confMedium,
		all: []cond{header("X-Amzn-Requestid", "")}},
	{name: "gcp-lb-via", product: catalog.GCPLB, kind: onPath, conf: confHigh,
		all: []cond{headerIs("Via", "1.1 google")}},
	// Google Frontend fronts serverless backends (Cloud Run, App Engine).
	{name: "gcp-frontend-server", product: catalog.GCPLB, kind: onPath, conf: confMedium,
		all: []cond{headerIs("Server", "Google Frontend")}},
	{name: "azure-app-gateway-server", product: catalog.AzureAppGateway, kind: onPath, conf: confHigh,
		all: []cond{header("Server", "Microsoft-Azure-Application-Gateway")}},
	{name: "heroku-router-headers", product: catalog.Heroku, kind: onPath, conf: confHigh,
		all: []cond{anyOf(headerHas("Via", "vegur"), headerHas("Via", "heroku-router"), headerIs("Server", "heroku"))}},
	// Fly.io docs, "Fly-Request-Id"; its proxy names itself in Server
	// ("Fly/<build> (<date>)", earlier "Fly.io (<build>)": direnv#361) and
	// in Via ("... fly.io").
	{name: "fly-headers", product: catalog.Fly, kind: onPath, conf: confHigh,
		all: []cond{anyOf(header("Fly-Request-Id", ""), header("Server", "Fly/"), header("Server", "Fly.io"), headerHas("Via", " fly.io"))}},
	// Render adds rndr-id to every response, and names the process's own
	// Server header x-render-origin-server (Render docs, "Logging": "Rndr-Id";
	// observed).
	{name: "render-headers", product: catalog.Render, kind: onPath, conf: confHigh,
		all: []cond{anyOf(header("Rndr-Id", ""), header("X-Render-Origin-Server", ""))}},
	// Kong adds Via: kong/x.y, X-Kong-Upstream-Status and X-Kong-*
	// latencies (Kong docs, "Headers").
	{name: "kong-headers", product: catalog.Kong, kind: onPath, conf: confHigh,
		all: []cond{anyOf(header("Server", "kong/"), headerHas("Via", "kong/"), header("X-Kong-Upstream-Status", ""), header("X-Kong-Upstream-Latency", ""),
			header("X-Kong-Proxy-Latency", ""), header("X-Kong-Response-Latency", ""))}},
	{name: "nginx-server", product: catalog.Nginx, kind: onPath, conf: confHigh,
		all: []cond{header("Server", "nginx")}},
	{name: "openresty-server", product: catalog.OpenResty, kind: onPath, conf: confHigh,
		all: []cond{header("Server", "openresty")}},
	{name: "tengine-server", product: catalog.Tengine, kind: onPath, conf: confHigh,
		all: []cond{header("Server", "Tengine")}},
	{name: "nghttpx-server", product: catalog.Nghttpx, kind: onPath, conf: confHigh,
		all: []cond{header("Server", "nghttpx")}},
	{name: "litespeed-server", product: catalog.LiteSpeed, kind: onPath, conf: confHigh,
		all: []cond{headerIs("Server", "LiteSpeed")}},
	// "Apache-Coyote" is Tomcat, not httpd: match "Apache" or "Apache/...".
	{name: "apache-server", product: catalog.Apache, kind: onPath, conf: confHigh,
		all: []cond{anyOf(headerIs("Server", "Apache"), header("Server", "Apache/"))}},
	{name: "envoy-headers", product: catalog.Envoy, kind: onPath, conf: confHigh,
		all: []cond{anyOf(headerIs("Server", "envoy"), headerIs("Server", "istio-envoy"),
			header("X-Envoy-Upstream-Service-Time", ""), header("X-Envoy-Overloaded", ""))}},
	{name: "caddy-server", product: catalog.Caddy, kind: onPath, conf: confHigh,
		all: []cond{headerIs("Server", "Caddy")}},
	// Fastly's "Via: 1.1 varnish" has no "(Varnish/" and is not matched here.
	{name: "varnish-headers", product: catalog.Varnish, kind: onPath, conf: confHigh,
		all: []cond{anyOf(header("X-Varnish", ""), headerHas("Via", "(varnish/"), headerHas("Via", "varnish-v"))}},
	{name: "squid-headers", product: catalog.Squid, kind: onPath, conf: confHigh,
		all: []cond{anyOf(header("Server", "squid"), headerHas("Via", "(squid"), header("X-Squid-Error", ""))}},
	{name: "lighttpd-server", product: catalog.Lighttpd, kind: onPath, conf: confHigh,
		all: []cond{header("Server", "lighttpd")}},
	{name: "iis-server", product: catalog.IIS, kind: onPath, conf: confHigh,
		all: []cond{header("Server", "Microsoft-IIS")}},
	// Application Request Routing, IIS's reverse proxy module.
	{name: "iis-arr", product: catalog.IIS, kind: onPath, conf: confMedium,
		all: []cond{header("X-Powered-By", "ARR/")}},
}
