package lab

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// haproxyTimeouts are the limits of the HAProxy setups.
var haproxyTimeouts = GatewayTimeouts{Connect: time.Second, Response: 2 * time.Second, MaxHeaderBytes: haproxyBufSize,
	ConnectSetting: "timeout connect", ResponseSetting: "timeout server", HeaderSetting: "tune.bufsize"}

// healthPath is the health-check endpoint of the HAProxy setup.
const healthPath = "/healthz"

// startHealthDown: HAProxy checks GET /healthz on its only server every
// 200 ms; the application answers its pages, but its health endpoint
// answers 503, so HAProxy marks the server DOWN and has no server left.
func startHealthDown(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Healthy, UpstreamOptions{UnhealthyPath: healthPath})
	if err != nil {
		return nil, err
	}
	g, err := launchIn(ctx, "haproxy", dir, func(port int) (launch, GatewayTimeouts, error) {
		conf := haproxyConf(port, haproxyTimeouts.Connect, haproxyTimeouts.Response, "",
			"    option httpchk GET "+healthPath+"\n"+
				"    http-check expect status 200\n"+
				"    server app "+u.Addr+" check inter 200ms fall 1 rise 2\n")
		return launch{
			args:    []string{"-db", "-f", filepath.Join(dir, "haproxy.cfg")},
			files:   map[string]string{"haproxy.cfg": conf},
			logPath: filepath.Join(dir, "haproxy.out"),
		}, haproxyTimeouts, nil
	})
	if err != nil {
		u.Close()
		return nil, err
	}
	// The first check runs at start; wait until it has marked the server
	// down, so that every request of a diagnosis meets the same state.
	if err := waitForLog(ctx, g.LogPath(), "is DOWN", 3*time.Second); err != nil {
		g.Close()
		u.Close()
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: u.URL(), Logs: []string{g.LogPath()}, Timeouts: haproxyTimeouts,
		closers: []func() error{g.Close, u.Close}}, nil
}

// waitForLog waits until the file at path contains needle, for at most
// wait.
func waitForLog(ctx context.Context, path, needle string, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := readCapped(path, 1<<20); err == nil && strings.Contains(string(b), needle) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %q in %s: %w", needle, path, ctx.Err())
		case <-tick.C:
		}
	}
}

// readCapped reads at most limit bytes of the file at path.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// startApacheHealthDown: an Apache balancer whose only member is checked by
// mod_proxy_hcheck (GET /healthz every second); the application answers
// its pages, but its health endpoint answers 503, so Apache puts the
// member in error state and has no worker left.
func startApacheHealthDown(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Healthy, UpstreamOptions{UnhealthyPath: healthPath})
	if err != nil {
		return nil, err
	}
	t := GatewayTimeouts{Connect: time.Second, Response: 2 * time.Second, MaxHeaderBytes: apacheMaxHeader,
		ConnectSetting: "ProxyPass connectiontimeout=", ResponseSetting: "ProxyPass timeout=", HeaderSetting: "LimitRequestFieldSize"}
	body := "<Proxy balancer://app>\n" +
		"    BalancerMember " + u.URL() + " connectiontimeout=1 timeout=2 hcmethod=GET hcuri=" + healthPath + " hcinterval=1 hcfails=1 hcpasses=1\n" +
		"</Proxy>\n" +
		"ProxyPass / balancer://app/\n" +
		"ProxyPassReverse / balancer://app/\n" +
		"LogLevel warn proxy_hcheck:info\n"
	g, err := startApache(ctx, dir, t, body, "proxy_balancer", "lbmethod_byrequests", "slotmem_shm", "proxy_hcheck")
	if err != nil {
		u.Close()
		return nil, err
	}
	if err := waitForLog(ctx, g.LogPath(), "Health check", 5*time.Second); err != nil {
		g.Close()
		u.Close()
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: u.URL(), Logs: []string{g.LogPath()}, Timeouts: t,
		closers: []func() error{g.Close, u.Close}}, nil
}
