package lab

import (
	"context"
	"strings"
	"time"
)

// startTLSPlainFlag: nginx verifies its upstream's certificate, and the
// upstream serves HTTPS with a self-signed one; the operator names the
// upstream as a plain HOST:PORT, as one does before knowing it speaks TLS.
func startTLSPlainFlag(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, TLS, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	g, err := StartGateway(ctx, "nginx", u.URL(), GatewayOptions{Dir: dir})
	if err != nil {
		u.Close()
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: u.Addr, Logs: []string{g.LogPath()}, Timeouts: g.Timeouts(),
		closers: []func() error{g.Close, u.Close}}, nil
}

// startChainNginxHAProxy: nginx in front of HAProxy in front of an
// upstream that refuses; HAProxy's 503 page reaches the client through
// nginx, which passes an upstream's error status on as it is.
func startChainNginxHAProxy(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Refused, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	hdir, err := sub(dir, "haproxy")
	if err != nil {
		return nil, err
	}
	inner, err := StartGateway(ctx, "haproxy", u.URL(), GatewayOptions{Dir: hdir})
	if err != nil {
		return nil, err
	}
	ndir, err := sub(dir, "nginx")
	if err != nil {
		inner.Close()
		return nil, err
	}
	// nginx waits longer than HAProxy's retries, as an outer hop should.
	outer, err := StartGateway(ctx, "nginx", strings.TrimSuffix(inner.URL(), "/"), GatewayOptions{Dir: ndir, Response: 10 * time.Second})
	if err != nil {
		inner.Close()
		return nil, err
	}
	return &Stack{Gateway: outer, Upstream: u.URL(), Origin: strings.TrimSuffix(strings.TrimPrefix(inner.URL(), "http://"), "/"),
		Logs: []string{outer.LogPath(), inner.LogPath()}, Timeouts: inner.Timeouts(), closers: []func() error{outer.Close, inner.Close}}, nil
}
