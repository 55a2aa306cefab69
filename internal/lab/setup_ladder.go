package lab

import (
	"context"
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
