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

// dualHost is the site's name in the dual-stack setup.
const dualHost = "dual.lab.test"

// startIPv6Broken: the site's name has an A record, where the site works,
// and an AAAA record, where nothing listens: a browser here falls back to
// IPv4 and gets the page, and every visitor on IPv6 alone does not.
func startIPv6Broken(ctx context.Context, dir string) (*Stack, error) {
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
	d, err := startDNS(ctx, "lab.test.", map[string]string{dualHost: t.host + ",::1"})
	if err != nil {
		g.Close()
		u.Close()
		return nil, err
	}
	site := "http://" + net.JoinHostPort(dualHost, itoa(t.port)) + "/"
	return &Stack{Gateway: g, SiteURL: site, Resolver: d.addr, Logs: []string{g.LogPath()},
		Timeouts: g.Timeouts(), closers: []func() error{g.Close, u.Close, d.Close}}, nil
}
