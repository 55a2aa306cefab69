package logscan

import "github.com/gwdoctor/gwdoctor/internal/catalog"

// nCauses is how many causes a log line can show.
const nCauses = 15

// allCauses lists the causes in the order reports show ties and tables.
var allCauses = [nCauses]catalog.Cause{
	catalog.UpstreamRefused, catalog.UpstreamPermission, catalog.UpstreamUnreachable, catalog.UpstreamDNS, catalog.UpstreamTimeout,
	catalog.UpstreamClosed, catalog.UpstreamInvalid, catalog.UpstreamHeaderTooBig, catalog.UpstreamTLS,
	catalog.UpstreamNoneHealthy, catalog.UpstreamOverloaded, catalog.UpstreamTruncated, catalog.UpstreamAppError, catalog.Upstream,
	catalog.Unknown,
}

// causeIndex returns the position of c in allCauses, or -1. The length
// and the byte after "upstream." tell the causes apart; one comparison
// then confirms the cause.
func causeIndex(c catalog.Cause) int {
	if len(c) <= 9 {
		switch c {
		case catalog.Upstream:
			return 13
		case catalog.Unknown:
			return 14 // a failure of the gateway's own, such as a temporary file it cannot write
		}
		return -1
	}
	i := -1
	switch len(c)<<8 | int(c[9]) {
	case 16<<8 | 'r':
		i = 0 // upstream.refused
	case 19<<8 | 'p':
		i = 1 // upstream.permission
	case 20<<8 | 'u':
		i = 2 // upstream.unreachable
	case 12<<8 | 'd':
		i = 3 // upstream.dns
	case 16<<8 | 't':
		i = 4 // upstream.timeout
	case 15<<8 | 'c':
		i = 5 // upstream.closed
	case 25<<8 | 'i':
		i = 6 // upstream.invalid_response
	case 23<<8 | 'h':
		i = 7 // upstream.header_too_big
	case 12<<8 | 't':
		i = 8 // upstream.tls
	case 21<<8 | 'n':
		i = 9 // upstream.none_healthy
	case 19<<8 | 'o':
		i = 10 // upstream.overloaded
	case 18<<8 | 't':
		i = 11 // upstream.truncated
	case 18<<8 | 'a':
		i = 12 // upstream.app_error
	}
	if i < 0 || allCauses[i] != c {
		return -1
	}
	return i
}

// statusFor is the status nginx-like gateways give the client for a cause,
// used when a line names the cause but not the status (error logs).
func statusFor(product catalog.Product, cause catalog.Cause) int {
	switch cause {
	case catalog.UpstreamTimeout:
		if product == catalog.Apache || product == catalog.PHPFPM {
			return 502 // mod_proxy_http answers a read timeout with 502; FPM kills the worker
		}
		return 504
	case catalog.UpstreamUnreachable:
		if product == catalog.Nginx {
			return 504
		}
	case catalog.UpstreamNoneHealthy, catalog.UpstreamOverloaded:
		if product != catalog.Nginx {
			return 503
		}
	case catalog.UpstreamRefused, catalog.UpstreamPermission:
		// A connection that could not be made, refused or not allowed:
		// mod_proxy and the others answer it as unavailable.
		switch product {
		case catalog.Apache, catalog.HAProxy, catalog.Envoy, catalog.Lighttpd, catalog.Squid:
			return 503
		}
	}
	return 502
}
