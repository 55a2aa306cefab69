package logscan

import "github.com/gwdoctor/gwdoctor/internal/catalog"

// nCauses is how many causes a log line can show.
const nCauses = 14

// allCauses lists the causes in the order reports show ties and tables.
var allCauses = [nCauses]catalog.Cause{
	catalog.UpstreamRefused, catalog.UpstreamPermission, catalog.UpstreamUnreachable, catalog.UpstreamDNS, catalog.UpstreamTimeout,
	catalog.UpstreamClosed, catalog.UpstreamInvalid, catalog.UpstreamHeaderTooBig, catalog.UpstreamTLS,
	catalog.UpstreamNoneHealthy, catalog.UpstreamOverloaded, catalog.UpstreamTruncated, catalog.UpstreamAppError, catalog.Upstream,
}

// causeIndex returns the position of c in allCauses, or -1.
func causeIndex(c catalog.Cause) int {
	for i, x := range allCauses {
		if x == c {
			return i
		}
	}
	return -1
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
	case catalog.UpstreamRefused:
		switch product {
		case catalog.Apache, catalog.HAProxy, catalog.Envoy, catalog.Lighttpd, catalog.Squid:
			return 503
		}
	}
	return 502
}
