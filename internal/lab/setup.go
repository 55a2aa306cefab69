package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// A Setup is a lab arrangement beyond one faulty upstream behind one
// gateway: PHP-FPM behind nginx, nginx's upstream groups and resolver, a
// custom error page, a chain of two gateways.
type Setup struct {
	// Name identifies the setup, such as "php_killed".
	Name string
	// Description says what happens, in a sentence.
	Description string
	// Product is the gateway that answers the client.
	Product string
	// Want is the cause ID that a correct diagnosis reaches when it can
	// also probe Stack.Upstream; WantOutside from the responses alone;
	// WantWithConfig with the gateway's configuration and logs (default
	// Want).
	Want, WantOutside, WantWithConfig catalog.Cause
	// WantPersistence is "persistent" or "intermittent"; "" when it
	// depends on timing (an overloaded pool fails some requests, or all).
	WantPersistence string
	// GeneratedBy is the product that writes the failing response.
	GeneratedBy string

	start func(ctx context.Context, dir string) (*Stack, error)
}

// Stack is a started Setup.
type Stack struct {
	// Gateway is the outermost gateway, the one clients request.
	Gateway Gateway
	// Upstream is what a diagnosis may probe directly, in the form of
	// --upstream; "" when there is nothing it can speak to.
	Upstream string
	// FastCGIScript is the SCRIPT_FILENAME to ask a FastCGI Upstream for.
	FastCGIScript string
	// Origin, when set, is the host:port of the inner gateway of a chain,
	// in the form of --origin.
	Origin string
	// Resolver, when set, is the host:port of the DNS server that the
	// gateway resolves Upstream's name with, or, with SiteURL, the one this
	// machine resolves the site's name with.
	Resolver string
	// SiteURL, when set, is the URL to diagnose, by a name, instead of the
	// gateway's address.
	SiteURL string
	// CompareDNS, when set, is the host:port of a DNS server to compare the
	// site's name with (--dns-compare).
	CompareDNS string
	// Follow says that the site redirects: a diagnosis follows its
	// redirects as a browser does, to the page the visitor ends on.
	Follow bool
	// Insecure says that the site's certificate is self-signed: a
	// diagnosis goes on past it (--insecure).
	Insecure bool
	// Logs are the log files of every program in the stack.
	Logs []string
	// Limits are the timeouts in force along the chain.
	Timeouts GatewayTimeouts

	closers []func() error
	once    sync.Once
	err     error
	dir     string // removed by Close when not ""
}

// Close stops every program of the stack, outermost first.
func (s *Stack) Close() error {
	s.once.Do(func() {
		var errs []error
		for _, c := range s.closers {
			errs = append(errs, c())
		}
		if s.dir != "" {
			os.RemoveAll(s.dir)
		}
		s.err = errors.Join(errs...)
	})
	return s.err
}

// Start starts the setup with its files in dir, or in a new temporary
// directory removed by Close when dir is "". ctx bounds the start only.
func (s Setup) Start(ctx context.Context, dir string) (*Stack, error) {
	owned := dir == ""
	if owned {
		var err error
		if dir, err = os.MkdirTemp("", "gwdoctor-lab-"+s.Name+"-"); err != nil {
			return nil, fmt.Errorf("starting setup %s: %w", s.Name, err)
		}
	}
	st, err := s.start(ctx, dir)
	if err != nil {
		if owned {
			os.RemoveAll(dir)
		}
		return nil, fmt.Errorf("starting setup %s: %w", s.Name, err)
	}
	if owned {
		st.dir = dir
	}
	return st, nil
}

// LookupSetup returns the setup called name.
func LookupSetup(name string) (Setup, bool) {
	for _, s := range Setups() {
		if s.Name == name {
			return s, true
		}
	}
	return Setup{}, false
}

// Setups returns every setup, in a stable order.
func Setups() []Setup {
	return []Setup{
		{Name: "php_socket_missing", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.refused", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "nginx passes requests to a PHP-FPM socket that does not exist (PHP-FPM stopped)",
			start:       startPHPSocketMissing},
		// As root, the diagnosis may open the socket that nginx's workers
		// may not: it answers, and the socket's owner and mode say why
		// nginx fails. As another user, the diagnosis is denied too.
		{Name: "php_socket_denied", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.permission", WantOutside: "upstream", WantWithConfig: "upstream.permission", WantPersistence: "persistent",
			Description: "PHP-FPM's socket is root's with listen.mode = 0600 while nginx's workers run as nobody (as another user than root: listen.mode = 0000), so their connect() is denied: 13: Permission denied",
			start:       startPHPSocketDenied},
		{Name: "apache_socket_denied", Product: "apache", GeneratedBy: "apache",
			Want: "upstream.permission", WantOutside: "upstream", WantWithConfig: "upstream.permission", WantPersistence: "persistent",
			Description: "the same socket behind Apache's mod_proxy_fcgi, whose children run as nobody: AH02454 (13)Permission denied, and an instant 503",
			start:       startApacheSocketDenied},
		{Name: "php_killed", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.timeout", WantOutside: "upstream.timeout", WantPersistence: "persistent",
			Description: "the PHP script runs 3 s; PHP-FPM kills it at request_terminate_timeout 1 s and nginx reports the closed connection",
			start:       startPHPKilled},
		{Name: "apache_php_killed", Product: "apache", GeneratedBy: "apache",
			Want: "upstream.timeout", WantOutside: "upstream.timeout", WantPersistence: "persistent",
			Description: "Apache's mod_proxy_fcgi in front of PHP-FPM, which kills the 3 s script at request_terminate_timeout 1 s",
			start:       startApachePHPKilled},
		{Name: "php_overload", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.overloaded", WantOutside: "upstream", WantPersistence: "",
			Description: "PHP-FPM has pm.max_children = 1 and a listen backlog of 1 while eight clients keep it busy with 1 s requests",
			start:       startPHPOverload},
		{Name: "php_big_headers", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.header_too_big", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "a PHP script sets eight 1000-byte cookies, about 8 KiB of headers, more than nginx's default 4 KiB fastcgi_buffer_size",
			start:       startPHPBigHeaders},
		{Name: "nginx_fastcgi_to_http", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.invalid_response", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "nginx's fastcgi_pass points at a port that speaks HTTP, not FastCGI (PHP-FPM moved, or another service took the port)",
			start:       startFastCGIToHTTP},
		// Asked directly, the socket answers FastCGI; that nginx speaks HTTP
		// to it only its configuration or log says.
		{Name: "nginx_http_to_fpm", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream", WantOutside: "upstream", WantWithConfig: "upstream.invalid_response", WantPersistence: "persistent",
			Description: "nginx's proxy_pass speaks HTTP to PHP-FPM's FastCGI socket, and PHP-FPM closes every connection",
			start:       startHTTPToFPM},
		{Name: "nginx_limit_req", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.overloaded", WantOutside: "upstream.overloaded", WantPersistence: "persistent",
			Description: "nginx's limit_req allows each client one request a minute and turns the rest away with its default 503, in front of a healthy upstream",
			start:       startLimitReq},
		{Name: "nginx_no_live_upstreams", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.refused", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "both servers of an nginx upstream group refuse connections; after the first failures nginx marks them down and answers \"no live upstreams\"",
			start:       startNoLive},
		{Name: "nginx_resolver_nxdomain", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.dns", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "nginx resolves its upstream's name at request time, and its resolver answers NXDOMAIN",
			start:       startResolverNXDomain},
		{Name: "nginx_custom_page", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.refused", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "nginx with server_tokens off and its own 502 page, which never says nginx, in front of a refused upstream",
			start:       startCustomPage},
		{Name: "nginx_keepalive_race", Product: "nginx", GeneratedBy: "nginx",
			Want: "ok", WantOutside: "ok", WantPersistence: "none",
			Description: "nginx keeps idle upstream connections for 60 s (keepalive in an upstream block) while the upstream closes them after 1 s: a keep-alive race waiting to happen",
			start:       startKeepAliveRace},
		{Name: "haproxy_health_down", Product: "haproxy", GeneratedBy: "haproxy",
			Want: "upstream.none_healthy", WantOutside: "upstream.none_healthy", WantPersistence: "persistent",
			Description: "HAProxy's health check (GET /healthz) gets 503 from an application that answers its pages, so HAProxy marks its only server DOWN",
			start:       startHealthDown},
		{Name: "apache_health_down", Product: "apache", GeneratedBy: "apache",
			Want: "upstream.none_healthy", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "Apache's mod_proxy_hcheck (GET /healthz) gets 503 from the only member of a balancer, whose pages work, and puts it in error state",
			start:       startApacheHealthDown},
		{Name: "stale_dns", Product: "go", GeneratedBy: "unknown",
			Want: "client.dns", WantOutside: "client.dns", WantPersistence: "persistent",
			Description: "the site moved; this machine's resolver still answers its old address, where nothing listens, while another DNS server answers the new one",
			start:       startStaleDNS},
		{Name: "edge_self_signed", Product: "nginx", GeneratedBy: "unknown",
			Want: "edge.tls", WantOutside: "edge.tls", WantPersistence: "persistent",
			Description: "nginx serves the site over HTTPS with a self-signed certificate, which no browser trusts, while everything behind it works",
			start:       startEdgeSelfSigned},
		{Name: "redirect_https", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.refused", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "the site's http:// address redirects to https:// (a self-signed certificate, taken with --insecure), where nginx's upstream refuses: the visitor ends on nginx's 502",
			start:       startRedirectHTTPS},
		{Name: "redirect_cross_host", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.refused", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "the address redirects to another host name and path, where nginx's upstream refuses",
			start:       startRedirectCrossHost},
		{Name: "redirect_loop", Product: "nginx", GeneratedBy: "nginx",
			Want: "edge.redirect_loop", WantOutside: "edge.redirect_loop", WantPersistence: "persistent",
			Description: "two nginx servers redirect to each other: the browser's \"too many redirects\"",
			start:       startRedirectLoop},
		{Name: "h2_only_fails", Product: "go", GeneratedBy: "unknown",
			Want: "edge.protocol", WantOutside: "edge.protocol", WantPersistence: "persistent",
			Description: "an HTTPS edge serves the site over HTTP/1.1 and resets every HTTP/2 stream with PROTOCOL_ERROR: a browser shows ERR_HTTP2_PROTOCOL_ERROR while curl --http1.1 works",
			start:       startH2Only},
		{Name: "tls_upstream_plain_flag", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.tls", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "nginx verifies the certificate of an upstream that serves HTTPS with a self-signed one; the upstream is named as a plain HOST:PORT, and answers plain HTTP as a TLS server does",
			start:       startTLSPlainFlag},
		{Name: "ipv6_broken", Product: "go", GeneratedBy: "application",
			Want: "ok", WantOutside: "ok", WantPersistence: "none",
			Description: "the site's name has an A record, where the site works, and an AAAA record (::1) where nothing listens: a browser here falls back to IPv4, a visitor on IPv6 alone gets nothing",
			start:       startIPv6Broken},
		{Name: "chain_nginx_haproxy", Product: "nginx", GeneratedBy: "haproxy",
			Want: "upstream.refused", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "nginx in front of HAProxy in front of a refused upstream: HAProxy's 503 page reaches the client through nginx",
			start:       startChainNginxHAProxy},
		{Name: "chain_haproxy_nginx", Product: "haproxy", GeneratedBy: "nginx",
			Want: "upstream.refused", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "HAProxy in front of nginx in front of a refused upstream: the 502 page the client sees is the inner nginx's",
			start:       startChain},
		{Name: "squid_refused_after_start", Product: "squid", GeneratedBy: "squid",
			Want: "upstream.refused", WantOutside: "upstream.refused", WantPersistence: "persistent",
			Description: "Squid's origin peer answers one request, then stops: nothing listens at its port and Squid's connections are refused (connect-fail-limit is raised, so Squid keeps trying the peer rather than declaring it dead)",
			start:       startSquidRefusedAfterStart},
		{Name: "squid_timeout", Product: "squid", GeneratedBy: "squid",
			Want: "upstream.timeout", WantOutside: "upstream.timeout", WantPersistence: "persistent",
			Description: "Squid's origin peer reads each request and never answers; Squid gives up at read_timeout 2 s",
			start:       startSquidTimeout},
		{Name: "squid_closed", Product: "squid", GeneratedBy: "squid",
			Want: "upstream.closed", WantOutside: "upstream.closed", WantPersistence: "persistent",
			Description: "Squid's origin peer reads each request and closes the connection without a byte",
			start:       startSquidClosed},
	}
}

// sub returns dir/name, created.
func sub(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	return p, os.MkdirAll(p, 0o755)
}
