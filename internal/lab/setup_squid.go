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

// startSquidRefusedAfterStart: Squid starts in front of a healthy
// upstream and passes one request to it; then the upstream stops, and
// nothing listens at its port. Squid 5.7 answers the next requests with
// 503 ERR_CONNECT_FAIL 111 and logs "TCP connection to ... failed" for
// each.
//
// After connect-fail-limit failed connects (10 by default) Squid logs
// "Detected DEAD Parent" and answers 502 ERR_READ_ERROR 0 without trying
// the peer, as it does for a peer dead from its start (the refused
// scenario). The lab diagnoses a setup twice, five requests each, which
// is at that limit; the limit is raised so that every diagnosis meets the
// refusals themselves.
func startSquidRefusedAfterStart(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Healthy, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	st, err := squidStack(ctx, dir, u, "connect-fail-limit=1000")
	if err != nil {
		return nil, err
	}
	if err := getOK(ctx, st.Gateway.URL()+"warm-up"); err != nil {
		st.Close()
		return nil, err
	}
	if err := u.Close(); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// startSquidTimeout: Squid in front of an upstream that reads the request
// and never answers; Squid gives up at read_timeout (2 s) with 504
// ERR_READ_TIMEOUT and writes nothing to cache.log.
func startSquidTimeout(ctx context.Context, dir string) (*Stack, error) {
	return startSquidFault(ctx, dir, Timeout)
}

// startSquidClosed: Squid in front of an upstream that reads the request
// and closes the connection without a byte; Squid answers 502
// ERR_ZERO_SIZE_OBJECT and logs "No object data received".
func startSquidClosed(ctx context.Context, dir string) (*Stack, error) {
	return startSquidFault(ctx, dir, Closed)
}

// startSquidFault starts an upstream with fault f and Squid in front of it.
func startSquidFault(ctx context.Context, dir string, f Fault) (*Stack, error) {
	u, err := StartUpstream(ctx, f, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	return squidStack(ctx, dir, u, "")
}

// squidStack starts Squid with the lab's configuration in front of u, its
// files in dir, with peerOptions added to its cache_peer line; the stack's
// logs are cache.log and the access.log beside it. On failure u is closed.
func squidStack(ctx context.Context, dir string, u *Upstream, peerOptions string) (*Stack, error) {
	g, err := startSquidPeer(ctx, dir, u.URL(), peerOptions)
	if err != nil {
		u.Close()
		return nil, fmt.Errorf("starting squid gateway: %w", err)
	}
	logs := []string{g.LogPath(), filepath.Join(dir, "access.log")}
	return &Stack{Gateway: g, Upstream: u.URL(), Logs: logs, Timeouts: g.Timeouts(),
		closers: []func() error{g.Close, u.Close}}, nil
}

// startSquidPeer launches Squid as StartGateway does, with peerOptions
// (such as "connect-fail-limit=1000") added to its cache_peer line.
func startSquidPeer(ctx context.Context, dir, upstream, peerOptions string) (*procGateway, error) {
	t, err := targetOf(upstream)
	if err != nil {
		return nil, err
	}
	return launchIn(ctx, "squid", dir, func(port int) (launch, GatewayTimeouts, error) {
		l, limits, err := buildSquid(t, dir, port, GatewayOptions{}.withDefaults())
		if err != nil || peerOptions == "" {
			return l, limits, err
		}
		conf := l.files["squid.conf"]
		peer := " name=app "
		if !strings.Contains(conf, peer) {
			return l, limits, fmt.Errorf("squid.conf has no cache_peer with%q", peer)
		}
		l.files["squid.conf"] = strings.Replace(conf, peer, peer+peerOptions+" ", 1)
		return l, limits, nil
	})
}

// getOK requests url and wants a 200.
func getOK(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("requesting %s: %w", url, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("requesting %s: status %d, want 200", url, resp.StatusCode)
	}
	return nil
}
