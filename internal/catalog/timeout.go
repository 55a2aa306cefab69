package catalog

import "time"

// Timeout is a limit a product applies when nobody set one: the values a
// failure's duration is compared against.
type Timeout struct {
	Product Product
	// Setting is the directive that sets it in the product's
	// configuration, "" when the catalog names none.
	Setting string
	// Name is the setting as the product calls it, and what the value is.
	Name    string
	Timeout time.Duration
	// Connect says that it limits the connect to the upstream, not the
	// wait for its answer.
	Connect bool
}

// timeouts are the products' default timeouts. Sources: nginx
// ngx_http_proxy_module docs (proxy_read_timeout 60s); Apache core docs
// (Timeout 60, ProxyTimeout inherits it); Cloudflare 524 docs (100 s,
// Enterprise up to 6000 s; 120 s for some plans); AWS ELB docs (idle
// timeout 60 s); API Gateway quotas (29 s integration timeout);
// CloudFront origin response timeout 30 s; PHP max_execution_time 30;
// Heroku router H12 after 30 s; GCP backend service timeout 30 s; Fastly
// first_byte_timeout 15 s; varnishd's parameters (connect_timeout 3.5 s,
// first_byte_timeout 60 s, between_bytes_timeout 60 s,
// https://varnish-cache.org/docs/7.1/reference/varnishd.html#connect-timeout);
// squid.conf's documentation (read_timeout 15 minutes, connect_timeout 1
// minute, peer_connect_timeout 30 seconds, forward_timeout 4 minutes, which
// bounds the connects of one request,
// http://www.squid-cache.org/Doc/config/read_timeout/ and its neighbours);
// Envoy route
// timeout 15 s; Akamai read timeout 120 s; Caddy reverse_proxy docs
// (dial_timeout 3 s since Caddy 2.5, caddyserver/caddy#4436; no read or
// response header timeout by default).
var timeouts = []Timeout{
	{Nginx, "proxy_read_timeout", "proxy_read_timeout / fastcgi_read_timeout (default)", 60 * time.Second, false},
	{OpenResty, "proxy_read_timeout", "proxy_read_timeout (default)", 60 * time.Second, false},
	{Apache, "Timeout", "Timeout / ProxyTimeout (default)", 60 * time.Second, false},
	{Cloudflare, "", "proxy read timeout (default)", 100 * time.Second, false},
	{Cloudflare, "", "proxy read timeout (some plans)", 120 * time.Second, false},
	{ALB, "idle_timeout.timeout_seconds", "idle timeout (default)", 60 * time.Second, false},
	{APIGateway, "", "integration timeout", 29 * time.Second, false},
	{CloudFront, "", "origin response timeout (default)", 30 * time.Second, false},
	{GCPLB, "", "backend service timeout (default)", 30 * time.Second, false},
	{Heroku, "", "router timeout (H12)", 30 * time.Second, false},
	{Fastly, "first_byte_timeout", "first_byte_timeout (default)", 15 * time.Second, false},
	{Varnish, "first_byte_timeout", "first_byte_timeout (default)", 60 * time.Second, false},
	{Varnish, "between_bytes_timeout", "between_bytes_timeout (default)", 60 * time.Second, false},
	{Varnish, "connect_timeout", "connect_timeout (default)", 3500 * time.Millisecond, true},
	{Squid, "read_timeout", "read_timeout (default)", 15 * time.Minute, false},
	{Squid, "peer_connect_timeout", "peer_connect_timeout (default)", 30 * time.Second, true},
	{Squid, "connect_timeout", "connect_timeout (default)", time.Minute, true},
	{Squid, "forward_timeout", "forward_timeout (default)", 4 * time.Minute, true},
	{Envoy, "timeout", "route timeout (default)", 15 * time.Second, false},
	{Akamai, "", "read timeout (default)", 120 * time.Second, false},
	{PHPFPM, "max_execution_time", "PHP max_execution_time (default)", 30 * time.Second, false},
	{Caddy, "dial_timeout", "dial_timeout (default)", 3 * time.Second, true},
}

// DefaultTimeouts returns the timeouts the catalog knows for every product,
// in a fixed order. The slice is the caller's own.
func DefaultTimeouts() []Timeout {
	return append([]Timeout(nil), timeouts...)
}

// Timeouts returns p's default timeouts, none when the catalog knows none.
func (p Product) Timeouts() []Timeout {
	var out []Timeout
	for _, t := range timeouts {
		if t.Product == p {
			out = append(out, t)
		}
	}
	return out
}

// DefaultTimeout returns p's default for a timeout setting, named as in
// its configuration ("proxy_read_timeout", "Timeout"), and whether the
// catalog has it.
func (p Product) DefaultTimeout(setting string) (time.Duration, bool) {
	for _, t := range timeouts {
		if t.Product == p && t.Setting == setting && setting != "" {
			return t.Timeout, true
		}
	}
	return 0, false
}
