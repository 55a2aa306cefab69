package lab

import (
	"context"
	"net"
)

// staleHost is the site's name in the stale-DNS setup.
const staleHost = "shop.lab.test"

// startStaleDNS: the site moved to a new address, and this machine's
// resolver still answers the old one, where nothing listens any more;
// another DNS server answers the new address, where the site works.
func startStaleDNS(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Healthy, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	g, err := StartGateway(ctx, "go", u.URL(), GatewayOptions{Dir: dir})
	if err != nil {
		u.Close()
		return nil, err
	}
	t, _ := targetOf(g.URL())
	stale, err := startDNS(ctx, "lab.test.", map[string]string{staleHost: "127.0.0.2"})
	if err != nil {
		g.Close()
		u.Close()
		return nil, err
	}
	fresh, err := startDNS(ctx, "lab.test.", map[string]string{staleHost: t.host})
	if err != nil {
		stale.Close()
		g.Close()
		u.Close()
		return nil, err
	}
	site := "http://" + net.JoinHostPort(staleHost, itoa(t.port)) + "/"
	return &Stack{Gateway: g, SiteURL: site, Resolver: stale.addr, CompareDNS: fresh.addr, Logs: []string{g.LogPath()},
		Timeouts: g.Timeouts(), closers: []func() error{g.Close, u.Close, stale.Close, fresh.Close}}, nil
}
