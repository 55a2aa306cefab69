package fingerprint

import "github.com/gwdoctor/gwdoctor/internal/catalog"

// proxySignatures are the pages of reverse proxies, load balancers and app
// servers, then the applications' own pages that a framework marks.
var proxySignatures = []signature{
	// --- nginx-style pages: <hr><center>NAME</center> names the server ---

	{name: "azure-app-gateway-page", product: catalog.AzureAppGateway, kind: wrote, conf: confHigh,
		all:  []cond{anyOf(bodyTo("<hr><center>Microsoft-Azure-Application-Gateway", "</center>"), tailLine("Microsoft-Azure-Application-Gateway"))},
		read: readNginx},
	{name: "azure-app-gateway-502-page", product: catalog.AzureAppGateway, kind: wrote, conf: confHigh,
		all: []cond{header("Server", "Microsoft-Azure-Application-Gateway"),
			body("Web server received an invalid response while acting as a gateway or proxy server")},
		read: readNginx},
	// OpenResty Edge, the commercial gateway, signs its pages "OpenResty
	// Edge 2" (observed, openresty/openresty#394).
	{name: "openresty-error-page", product: catalog.OpenResty, kind: wrote, conf: confHigh,
		all: []cond{anyOf(bodyTo("<hr><center>openresty", "</center>"), bodyTo("<hr><center>OpenResty Edge", "</center>"),
			tailLine("(?:openresty|OpenResty Edge(?: [0-9]+)?)"))}, read: readNginx},
	// Tengine, Alibaba's nginx: its own page text (src/http/ngx_http_special_response.c
	// in alibaba/tengine; observed, tengine#1643).
	{name: "tengine-error-page", product: catalog.Tengine, kind: wrote, conf: confHigh,
		all: []cond{anyOf(body("Powered by Tengine"), shows("Powered by Tengine"), tailLine("[Tt]engine"))}, read: readNginx},
	// nginx src/http/ngx_http_special_response.c: every page ends with this
	// line, "nginx" alone with server_tokens off.
	{name: "nginx-error-page", product: catalog.Nginx, kind: wrote, conf: confHigh,
		all: []cond{bodyTo("<hr><center>nginx", "</center>")}, read: readNginx},
	// The same page as a browser shows it: the status, then "nginx"; also
	// quoted at the end of a sentence, its signature line with a version
	// on the next line.
	{name: "nginx-error-text", product: catalog.Nginx, kind: wrote, conf: confMedium,
		all: []cond{anyOf(tailLine("nginx"), showsRe(`(?m)\b[1-5][0-9]{2} [A-Z][A-Za-z -]+\nnginx/[0-9][0-9.]*(?: \([^)\n]*\))?$`))}, read: readNginx},
	// An nginx page that a client cut short inside its signature line
	// ("<hr><ce"): nginx's layout, the status in title and heading, then
	// the <hr> that only nginx and its forks write before the signature.
	{name: "nginx-error-page-cut", product: catalog.Nginx, kind: wrote, conf: confMedium,
		all:  []cond{bodyRe(`<title>([1-5][0-9]{2} [^<]+)</title></head>\s*<body[^>]*>\s*<center><h1>([1-5][0-9]{2} [^<]+)</h1></center>\s*<hr>(?:<(?:c(?:e(?:n(?:t(?:e(?:r(?:>[^<]*)?)?)?)?)?)?)?)?\s*\z`)},
		read: readNginx},
	// ALB pages are nginx pages without the signature line, or with
	// "awselb/2.0" in it (observed, world corpus aws_alb/).
	{name: "aws-alb-error-page", product: catalog.ALB, kind: wrote, conf: confHigh,
		all: []cond{header("Server", "awselb"), body("<center><h1>")}, read: readALB},
	{name: "aws-alb-signed-page", product: catalog.ALB, kind: wrote, conf: confHigh,
		all: []cond{anyOf(bodyTo("<hr><center>awselb", "</center>"), tailLine("awselb"))}, read: readALB},
	// The same page without its headers: the heading closes the body, where
	// every nginx build writes its <hr> and signature line first (observed,
	// world corpus aws_alb/). ALB always names itself in Server, so another
	// Server rules it out. Medium: a page edited by hand looks alike.
	{name: "aws-alb-error-page-unsigned", product: catalog.ALB, kind: wrote, conf: confMedium,
		all: []cond{noHeader("Server"), bodyRe(`<center>\s*<h1>5[0-9]{2} [A-Za-z -]+</h1>\s*</center>\s*</body>`)}, read: readALB},

	// --- other proxies ---

	// httpd modules/http/http_protocol.c, modules/proxy/proxy_util.c.
	{name: "apache-proxy-error-page", product: catalog.Apache, kind: wrote, conf: confHigh,
		all: []cond{anyOf(body("<h1>Proxy Error</h1>"),
			showsRe(`The proxy server received an invalid\s+response from an upstream server\.\s+The proxy server could not handle the request`))},
		read: readApache},
	{name: "apache-error-page", product: catalog.Apache, kind: wrote, conf: confHigh,
		all: []cond{apacheDoctype(),
			anyOf(bodyTo("<address>Apache", "</address>"), headerIs("Server", "Apache"), header("Server", "Apache/"))},
		read: readApache},
	// The signature line and the ErrorDocument sentence, as a browser shows
	// them (server/core.c ap_psignature, http_protocol.c).
	{name: "apache-error-text", product: catalog.Apache, kind: wrote, conf: confHigh,
		all: []cond{anyOf(showsRe(`(?m)^Apache(?:/[0-9][^ \n]*)?(?: \([^)\n]*\))? Server at [^\n]+ Port [0-9]+$`),
			shows("error was encountered while trying to use an ErrorDocument to handle the request"))},
		read: readApache},
	// httpd's 504 and 503 sentences (modules/http/http_protocol.c) and
	// mod_proxy's reason phrase "Proxy Error", as a browser or wget shows
	// them.
	{name: "apache-status-text", product: catalog.Apache, kind: wrote, conf: confMedium,
		all: []cond{anyOf(shows("The gateway did not receive a timely response from the upstream server or application"),
			shows("The server is temporarily unable to service your request due to maintenance downtime or capacity problems."),
			showsRe(`(?m)\b50[0-9]:? Proxy Error\b`))},
		read: readApache},
	// The doctype is shared with other servers' pages: only with httpd's
	// wording does it name Apache.
	{name: "apache-error-page-unsigned", product: catalog.Apache, kind: wrote, conf: confMedium,
		all:  []cond{apacheDoctype(), status(500, 502, 503, 504), apacheWording()},
		read: readApache},
	// haproxy src/http.c http_err_msgs.
	{name: "haproxy-error-page", product: catalog.HAProxy, kind: wrote, conf: confHigh,
		all: []cond{body("<html><body><h1>"), haproxySentence()}, read: readHAProxy},
	// IIS before HAProxy's text: ARR's 502.4 shares HAProxy's 503 sentence.
	{name: "iis-detailed-error", product: catalog.IIS, kind: wrote, conf: confHigh,
		all:  []cond{body("Detailed Error - "), anyOf(body("<title>IIS "), header("Server", "Microsoft-IIS"))},
		read: readIIS},
	{name: "iis-error-page", product: catalog.IIS, kind: wrote, conf: confHigh,
		all: []cond{header("Server", "Microsoft-IIS"),
			body("Web server received an invalid response while acting as a gateway or proxy server")},
		read: readIIS},
	// An IIS substatus heading as a browser shows it, or quoted without
	// its "HTTP Error" ("502.3 - Bad Gateway": the substatus is IIS's
	// notation), and the sentences of IIS's CGI and ASP.NET Core module
	// errors (Microsoft Learn, "HTTP status codes in IIS"; observed,
	// aspnet/Hosting#1195 and #983).
	{name: "iis-substatus-text", product: catalog.IIS, kind: wrote, conf: confMedium,
		all: []cond{anyOf(showsRe(`(?m)^HTTP Error 50[0-9]\.[0-9]+ - `),
			showsRe(`(?:^|\s)50[0-9]\.[0-9]{1,2} - (?:Bad Gateway|Service Unavailable|Gateway Timeout|Internal Server Error)\b`),
			shows("The specified CGI application encountered an error and the server terminated the process"),
			shows("The CGI application did not return a valid set of HTTP"))}, read: readIIS},
	// The text of IIS's custom 502 page (%SystemDrive%\inetpub\custerr). It
	// is sent by IIS with ARR, by App Service's front ends and by App Gateway
	// v1 alike; without a header, IIS is what the page proves.
	// HTTP.sys's own 503 when the application pool is stopped or
	// overloaded: "HTTP Error 503. The service is unavailable."
	{name: "iis-httpsys-503", product: catalog.IIS, kind: wrote, conf: confMedium,
		all: []cond{shows("HTTP Error 503. The service is unavailable.")}, read: readPlain},
	{name: "iis-502-text", product: catalog.IIS, kind: wrote, conf: confMedium,
		all: []cond{shows("Web server received an invalid response while acting as a gateway or proxy server")}, read: readIIS},
	// HAProxy's pages as a browser shows them: the status, then its sentence.
	{name: "haproxy-error-text", product: catalog.HAProxy, kind: wrote, conf: confMedium,
		all:  []cond{showsRe(`\A[1-5][0-9]{2} [A-Za-z -]+?(?: [-/] |\n)(?:The server returned an invalid or incomplete response|No server is available to handle this request|The server didn't respond in time)\.\z`)},
		read: readHAProxy},
	// envoy source/common/router/router.cc local replies.
	// The sentence is matched in any case: people retype it capitalised.
	// A JSON string quotes it with an escaped slash ("disconnect\/reset").
	{name: "envoy-reset-reply", product: catalog.Envoy, kind: wrote, conf: confHigh,
		all: []cond{bodyRe(`(?i)upstream connect error or disconnect\\?/reset before headers`)}, read: readEnvoy},
	// Its two short replies, the whole body, or quoted at the end of a
	// client's message ("API Error: 504 upstream request timeout").
	{name: "envoy-local-reply", product: catalog.Envoy, kind: wrote, conf: confMedium,
		all: []cond{anyOf(bodyIs("no healthy upstream"), bodyIs("upstream request timeout"),
			showsRe(`(?m)\b50[34]:? (?:no healthy upstream|upstream request timeout)$`))}, read: readEnvoy},
	// nghttpx src/shrpx_http.cc create_error_html: a footer names the
	// server ("nghttpx nghttp2/1.0.3-DEV") and its port (observed,
	// nghttp2/nghttp2#262).
	{name: "nghttpx-error-page", product: catalog.Nghttpx, kind: wrote, conf: confHigh,
		all: []cond{anyOf(body("<footer>nghttpx"), showsRe(`(?m)^nghttpx(?: nghttp2/[0-9][^ \n]*)? at port [0-9]+$`))}, read: readNghttpx},
	// squid src/errorpage.cc: X-Squid-Error is set only on squid's own pages.
	// The title is matched in any case: Squid 2's templates write <TITLE>.
	{name: "squid-error-page", product: catalog.Squid, kind: wrote, conf: confHigh,
		all:  []cond{anyOf(header("X-Squid-Error", ""), bodyRe(`(?i)<title>ERROR: The requested URL could not be retrieved</title>`))},
		read: readSquid},
	// The sentence of every squid error template (errors/templates), as a
	// browser shows the page; Squid 2's templates (errors/English) put the
	// URL first: "While trying to retrieve the URL: ... The following error
	// was encountered:".
	{name: "squid-error-text", product: catalog.Squid, kind: wrote, conf: confMedium,
		all: []cond{anyOf(shows("The following error was encountered while trying to retrieve the URL:"),
			showsRe(`While trying to retrieve the URL:[^\n]*\n?[^\n]*\n?The following error was encountered:`))},
		read: readSquid},
	// varnish bin/varnishd/builtin.vcl vcl_backend_error and vcl_synth.
	{name: "varnish-guru-meditation", product: catalog.Varnish, kind: wrote, conf: confHigh,
		all: []cond{body("Guru Meditation:")}, read: readVarnish},
	// The same page's title alone, as people quote it: builtin.vcl's
	// vcl_backend_error writes "Error 503 Backend fetch failed".
	{name: "varnish-backend-fetch-failed", product: catalog.Varnish, kind: wrote, conf: confMedium,
		all: []cond{showsRe(`\bError 503 Backend fetch failed\b`)}, read: readVarnish},
	// LiteSpeed Web Server's own 503 page (observed, Osclass#725).
	{name: "litespeed-error-page", product: catalog.LiteSpeed, kind: wrote, conf: confMedium,
		all: []cond{anyOf(shows("The server is temporarily busy, try again later!"),
			shows("Proudly powered by LiteSpeed Web Server"))},
		read: readLiteSpeed},
	// lighttpd src/response.c: an XHTML page with the status as title and h1.
	{name: "lighttpd-error-page", product: catalog.Lighttpd, kind: wrote, conf: confMedium,
		all: []cond{body(`<?xml version="1.0" encoding="iso-8859-1"?>`),
			body(`<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">`)},
		read: readLighttpd},
	// caddy modules/caddyhttp/server.go: errors are answered with the status only.
	{name: "caddy-empty-error", product: catalog.Caddy, kind: wrote, conf: confHigh,
		all: []cond{headerIs("Server", "Caddy"), emptyBody(), status(502, 503, 504)}, read: readCaddy},
	// traefik pkg/proxy/httputil/proxy.go writes the status text; its load
	// balancer writes "no available server". A plain Go handler can write the
	// same text, hence medium.
	{name: "traefik-status-text", product: catalog.Traefik, kind: wrote, conf: confMedium,
		all:  []cond{status(502, 503, 504), anyOf(bodyIs("Bad Gateway"), bodyIs("Gateway Timeout"), bodyIs("no available server"))},
		read: readTraefik},
	// net/http/httputil.ReverseProxy's default ErrorHandler: rw.WriteHeader(502)
	// and nothing else; Go adds no Server header. Medium: an absence proves
	// less, and it is a fallback: a hop that the headers name outranks it.
	{name: "go-reverse-proxy-empty", product: catalog.Go, kind: wrote, conf: confMedium, fallback: true,
		all: []cond{status(502), emptyBody(), noHeader("Server")}, read: readGo},
	// php-fpm sapi/fpm/fpm/fpm_main.c: a script it cannot find or may not run.
	{name: "php-fpm-script-error", product: catalog.PHPFPM, kind: wrote, conf: confHigh,
		all:  []cond{header("X-Powered-By", "PHP"), anyOf(bodyIs("File not found."), bodyIs("Access denied.")), status(403, 404)},
		read: readPHPFPM},
	{name: "php-fpm-script-error-bare", product: catalog.PHPFPM, kind: wrote, conf: confMedium,
		all: []cond{anyOf(bodyIs("File not found."), bodyIs("Access denied.")), status(403, 404)}, read: readPHPFPM},
	// The message php-fpm writes to stderr with that 404, as a raw FastCGI
	// answer or a log line shows it (sapi/fpm/fpm/fpm_main.c).
	{name: "php-fpm-primary-script-unknown", product: catalog.PHPFPM, kind: wrote, conf: confMedium,
		all: []cond{shows("Primary script unknown")}, read: readPHPFPM},
	// The body PHP's CGI and FastCGI SAPIs send when they cannot open the
	// script they were given (main/fopen_wrappers.c, php_fopen_primary_script).
	{name: "php-no-input-file", product: catalog.PHPFPM, kind: wrote, conf: confMedium,
		all: []cond{shows("No input file specified.")}, read: readPHPFPM},
	{name: "cloudflare-status", product: catalog.Cloudflare, kind: answered, conf: confMedium,
		all:  []cond{status(520, 521, 522, 523, 524, 525, 526, 527, 530), anyOf(header("Cf-Ray", ""), headerIs("Server", "cloudflare"))},
		read: readCloudflare},

	// --- the applications' own pages, as their frameworks write them ---

	// Spring Boot's ErrorMvcAutoConfiguration, Rails' public/500.html (its
	// markup, or its two sentences as a browser shows them, in Rails 4 and
	// later or before), Django's default server_error page ("<h1>Server
	// Error (500)</h1>", django/views/defaults.py), Werkzeug's
	// (Flask's) InternalServerError description, Elasticsearch's error
	// object (its docs, "Common options: error").
	{name: "application-framework-page", product: catalog.Application, kind: wrote, conf: confHigh,
		all: []cond{anyOf(shows("Whitelabel Error Page"), body(`class="rails-default-error-page"`),
			showsRe(`The server encountered an internal error and was unable to complete your request\.\s+Either the server is overloaded or there is an error in the application\.`),
			shows("We're sorry, but something went wrong.\nIf you are the application owner check the logs for more information."),
			shows("We're sorry, but something went wrong.\nWe've been notified about this issue and we'll take a look at it shortly."),
			showsRe(`(?m)^Server Error \(500\)$`),
			bodyRe(`"root_cause"\s*:\s*\[[\s\S]*"status"\s*:\s*[45][0-9]{2}\s*\}\s*\z`))},
		read: readApplication},
}

// apacheDoctype matches the doctype of Apache's built-in error pages: HTML
// 2.0 up to 2.4.5x, HTML 4.01 strict in later releases (2.4.71 as shipped
// by Debian, recorded by the lab).
func apacheDoctype() cond {
	return anyOf(body(`<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">`),
		body(`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">`))
}

// apacheWording matches the headings and sentences of httpd's built-in
// pages for the gateway statuses (modules/http/http_protocol.c).
func apacheWording() cond {
	return anyOf(body("<h1>Bad Gateway</h1>"), body("<h1>Service Unavailable</h1>"), body("<h1>Gateway Timeout</h1>"),
		body("<h1>Internal Server Error</h1>"), body("<h1>Proxy Error</h1>"))
}

// haproxySentence matches the sentence of one of HAProxy's error pages.
func haproxySentence() cond {
	return anyOf(body("The server returned an invalid or incomplete response."),
		body("No server is available to handle this request."),
		body("The server didn't respond in time."))
}
