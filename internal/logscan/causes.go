package logscan

// Cause IDs of the project's cause catalog (docs/causes.md) that a log line
// can show. They are a public contract: TestCausesAreCatalogued checks every
// one against the catalog.
const (
	causeUpstream        = "upstream"
	causeRefused         = "upstream.refused"
	causePermission      = "upstream.permission"
	causeUnreachable     = "upstream.unreachable"
	causeDNS             = "upstream.dns"
	causeTimeout         = "upstream.timeout"
	causeClosed          = "upstream.closed"
	causeInvalidResponse = "upstream.invalid_response"
	causeHeaderTooBig    = "upstream.header_too_big"
	causeTLS             = "upstream.tls"
	causeNoneHealthy     = "upstream.none_healthy"
	causeOverloaded      = "upstream.overloaded"
	causeTruncated       = "upstream.truncated"
	causeAppError        = "upstream.app_error"
)

// nCauses is how many causes a log line can show.
const nCauses = 14

// allCauses lists the causes in the order reports show ties and tables.
var allCauses = [nCauses]string{
	causeRefused, causePermission, causeUnreachable, causeDNS, causeTimeout,
	causeClosed, causeInvalidResponse, causeHeaderTooBig, causeTLS,
	causeNoneHealthy, causeOverloaded, causeTruncated, causeAppError, causeUpstream,
}

// causeIndex returns the position of c in allCauses, or -1.
func causeIndex(c string) int {
	for i, x := range allCauses {
		if x == c {
			return i
		}
	}
	return -1
}

// Product slugs (docs/causes.md, generated_by.product).
const (
	productNginx    = "nginx"
	productApache   = "apache"
	productHAProxy  = "haproxy"
	productEnvoy    = "envoy"
	productCaddy    = "caddy"
	productTraefik  = "traefik"
	productSquid    = "squid"
	productLighttpd = "lighttpd"
	productPHPFPM   = "php_fpm"
	productALB      = "aws_alb"
)

// isFailureStatus reports whether an HTTP status is one a gateway answers
// for an upstream failure.
func isFailureStatus(status int) bool {
	return status >= 502 && status <= 504
}

// statusFor is the status nginx-like gateways give the client for a cause,
// used when a line names the cause but not the status (error logs).
func statusFor(product, cause string) int {
	switch cause {
	case causeTimeout:
		if product == productApache || product == productPHPFPM {
			return 502 // mod_proxy_http answers a read timeout with 502; FPM kills the worker
		}
		return 504
	case causeUnreachable:
		if product == productNginx {
			return 504
		}
	case causeNoneHealthy, causeOverloaded:
		if product != productNginx {
			return 503
		}
	case causeRefused:
		switch product {
		case productApache, productHAProxy, productEnvoy, productLighttpd, productSquid:
			return 503
		}
	}
	return 502
}
