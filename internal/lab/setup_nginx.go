package lab

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"
)

// nginxTimeouts are the limits of the nginx setups' proxy locations.
var nginxTimeouts = GatewayTimeouts{Connect: time.Second, Response: 2 * time.Second, MaxHeaderBytes: nginxPageSize,
	ConnectSetting: "proxy_connect_timeout", ResponseSetting: "proxy_read_timeout", HeaderSetting: "proxy_buffer_size"}

// customPage is the shop's own error page: it names neither nginx nor a status.
const customPage = "<!doctype html>\n<title>We will be right back</title>\n<h1>We will be right back</h1>\n<p>Our shop is taking a short break. Please try again in a few minutes.</p>\n"

// startNoLive: an upstream block of two refusing servers, max_fails=1.
func startNoLive(ctx context.Context, dir string) (*Stack, error) {
	a, err := StartUpstream(ctx, Refused, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	b, err := StartUpstream(ctx, Refused, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	group := "    upstream app {\n        server " + a.Addr + " max_fails=1 fail_timeout=30s;\n        server " + b.Addr + " max_fails=1 fail_timeout=30s;\n    }\n"
	opts := GatewayOptions{}.withDefaults()
	loc := strings.Replace(nginxProxyLocation(target{host: "app"}, opts), "proxy_pass http://app:0;", "proxy_pass http://app;", 1)
	g, err := startNginx(ctx, dir, nginxTimeouts, func(port int) string { return nginxConf(dir, port, group, "", loc) })
	if err != nil {
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: a.URL(), Logs: []string{g.LogPath()}, Timeouts: nginxTimeouts,
		closers: []func() error{g.Close}}, nil
}

// startResolverNXDomain: proxy_pass with a variable, so nginx resolves
// app.lab.test for each request through a resolver that answers NXDOMAIN.
func startResolverNXDomain(ctx context.Context, dir string) (*Stack, error) {
	d, err := startDNS(ctx, "lab.test.", nil)
	if err != nil {
		return nil, err
	}
	opts := GatewayOptions{}.withDefaults()
	loc := "            set $backend app.lab.test;\n" +
		strings.Replace(nginxProxyLocation(target{host: "app.lab.test", port: 8080}, opts), "proxy_pass http://app.lab.test:8080;", "proxy_pass http://$backend:8080;", 1)
	extra := "    resolver " + d.addr + " valid=10s ipv6=off;\n    resolver_timeout 2s;\n"
	g, err := startNginx(ctx, dir, nginxTimeouts, func(port int) string { return nginxConf(dir, port, extra, "", loc) })
	if err != nil {
		d.Close()
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: "http://app.lab.test:8080", Resolver: d.addr, Logs: []string{g.LogPath()}, Timeouts: nginxTimeouts,
		closers: []func() error{g.Close, d.Close}}, nil
}

// startCustomPage: server_tokens off and error_page for the 5xx statuses.
func startCustomPage(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Refused, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	if err := writeFiles(dir, map[string]string{"errors/50x.html": customPage}); err != nil {
		return nil, err
	}
	server := "        server_tokens off;\n        error_page 500 502 503 504 /50x.html;\n" +
		"        location = /50x.html {\n            root " + filepath.Join(dir, "errors") + ";\n            internal;\n        }\n"
	t, _ := targetOf(u.URL())
	loc := nginxProxyLocation(t, GatewayOptions{}.withDefaults())
	g, err := startNginx(ctx, dir, nginxTimeouts, func(port int) string { return nginxConf(dir, port, "", server, loc) })
	if err != nil {
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: u.URL(), Logs: []string{g.LogPath()}, Timeouts: nginxTimeouts,
		closers: []func() error{g.Close}}, nil
}

// startChain: HAProxy → nginx → a refused upstream.
func startChain(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Refused, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	ndir, err := sub(dir, "nginx")
	if err != nil {
		return nil, err
	}
	inner, err := StartGateway(ctx, "nginx", u.URL(), GatewayOptions{Dir: ndir})
	if err != nil {
		return nil, err
	}
	hdir, err := sub(dir, "haproxy")
	if err != nil {
		inner.Close()
		return nil, err
	}
	// HAProxy waits longer than nginx, as an outer hop should.
	outer, err := StartGateway(ctx, "haproxy", strings.TrimSuffix(inner.URL(), "/"), GatewayOptions{Dir: hdir, Response: 5 * time.Second})
	if err != nil {
		inner.Close()
		return nil, err
	}
	return &Stack{Gateway: outer, Upstream: u.URL(), Origin: strings.TrimSuffix(strings.TrimPrefix(inner.URL(), "http://"), "/"), Logs: []string{outer.LogPath(), inner.LogPath()}, Timeouts: inner.Timeouts(),
		closers: []func() error{outer.Close, inner.Close}}, nil
}

// startKeepAliveRace: an upstream block with keepalive and nginx's 60 s
// keepalive_timeout, in front of an upstream that closes idle connections
// after 1 s.
func startKeepAliveRace(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Healthy, UpstreamOptions{IdleTimeout: time.Second})
	if err != nil {
		return nil, err
	}
	group := "    upstream app {\n        server " + u.Addr + ";\n        keepalive 8;\n        keepalive_timeout 60s;\n    }\n"
	loc := strings.Replace(nginxProxyLocation(target{host: "app"}, GatewayOptions{}.withDefaults()), "proxy_pass http://app:0;", "proxy_pass http://app;", 1) +
		"            proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n"
	g, err := startNginx(ctx, dir, nginxTimeouts, func(port int) string { return nginxConf(dir, port, group, "", loc) })
	if err != nil {
		u.Close()
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: u.URL(), Logs: []string{g.LogPath()}, Timeouts: nginxTimeouts,
		closers: []func() error{g.Close, u.Close}}, nil
}

// startLimitReq: nginx limits each client to one request a minute
// (limit_req, which answers 503 by default) in front of a healthy
// upstream; the setup spends the minute's request itself, so every
// request of a diagnosis is turned away.
func startLimitReq(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Healthy, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	t, _ := targetOf(u.URL())
	zone := "    limit_req_zone $binary_remote_addr zone=perip:1m rate=1r/m;\n"
	loc := "            limit_req zone=perip;\n" + nginxProxyLocation(t, GatewayOptions{}.withDefaults())
	g, err := startNginx(ctx, dir, nginxTimeouts, func(port int) string { return nginxConf(dir, port, zone, "", loc) })
	if err != nil {
		u.Close()
		return nil, err
	}
	if err := spendOne(ctx, g.URL()); err != nil {
		g.Close()
		u.Close()
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: u.URL(), Logs: []string{g.LogPath()}, Timeouts: nginxTimeouts,
		closers: []func() error{g.Close, u.Close}}, nil
}

// spendOne sends one request to url and reads its answer.
func spendOne(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return fmt.Errorf("spending the rate limit's request: %w", err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.Body.Close()
}
