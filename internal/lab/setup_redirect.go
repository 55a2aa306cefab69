package lab

import (
	"context"
	"path/filepath"
	"strings"
	"time"
)

// redirectServer is an nginx server block on 127.0.0.1:port that answers
// every request with a redirect to to, the request's URI appended.
func redirectServer(port int, status, to string) string {
	return "    server {\n        listen 127.0.0.1:" + itoa(port) + ";\n        server_name redirect.lab.test;\n" +
		"        return " + status + " " + to + "$request_uri;\n    }\n"
}

// startRedirectHTTPS: the site's http:// address redirects to https://,
// where nginx (with a self-signed certificate) fronts an upstream that
// refuses: the visitor ends on nginx's 502.
func startRedirectHTTPS(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Refused, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	plain, err := freePort(ctx)
	if err != nil {
		u.Close()
		return nil, err
	}
	certPEM, keyPEM, err := selfSignedPEM(time.Now())
	if err == nil {
		err = writeFiles(dir, map[string]string{"tls/site.crt": string(certPEM), "tls/site.key": string(keyPEM)})
	}
	if err != nil {
		u.Close()
		return nil, err
	}
	server := "        ssl_certificate " + filepath.Join(dir, "tls", "site.crt") + ";\n" +
		"        ssl_certificate_key " + filepath.Join(dir, "tls", "site.key") + ";\n"
	t, _ := targetOf(u.URL())
	loc := nginxProxyLocation(t, GatewayOptions{}.withDefaults())
	g, err := startNginx(ctx, dir, nginxTimeouts, func(p int) string {
		conf := nginxConf(dir, p, redirectServer(plain, "301", "https://127.0.0.1:"+itoa(p)), server, loc)
		return strings.Replace(conf, "listen 127.0.0.1:"+itoa(p)+";", "listen 127.0.0.1:"+itoa(p)+" ssl;", 1)
	})
	if err != nil {
		u.Close()
		return nil, err
	}
	return &Stack{Gateway: g, SiteURL: "http://127.0.0.1:" + itoa(plain) + "/shop", Upstream: u.URL(), Follow: true, Insecure: true,
		Logs: []string{g.LogPath()}, Timeouts: nginxTimeouts, closers: []func() error{g.Close, u.Close}}, nil
}

// startRedirectCrossHost: the address redirects to another host name
// (localhost instead of 127.0.0.1) and path, where nginx fronts an
// upstream that refuses.
func startRedirectCrossHost(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Refused, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	first, err := freePort(ctx)
	if err != nil {
		u.Close()
		return nil, err
	}
	t, _ := targetOf(u.URL())
	loc := nginxProxyLocation(t, GatewayOptions{}.withDefaults())
	g, err := startNginx(ctx, dir, nginxTimeouts, func(p int) string {
		return nginxConf(dir, p, redirectServer(first, "302", "http://localhost:"+itoa(p)+"/shop"), "", loc)
	})
	if err != nil {
		u.Close()
		return nil, err
	}
	return &Stack{Gateway: g, SiteURL: "http://127.0.0.1:" + itoa(first) + "/", Upstream: u.URL(), Follow: true,
		Logs: []string{g.LogPath()}, Timeouts: nginxTimeouts, closers: []func() error{g.Close, u.Close}}, nil
}

// startRedirectLoop: two nginx servers redirect to each other, as two
// layers that disagree on the canonical address do.
func startRedirectLoop(ctx context.Context, dir string) (*Stack, error) {
	other, err := freePort(ctx)
	if err != nil {
		return nil, err
	}
	g, err := startNginx(ctx, dir, nginxTimeouts, func(p int) string {
		loc := "            return 301 http://127.0.0.1:" + itoa(other) + "$request_uri;\n"
		return nginxConf(dir, p, redirectServer(other, "301", "http://127.0.0.1:"+itoa(p)), "", loc)
	})
	if err != nil {
		return nil, err
	}
	return &Stack{Gateway: g, Follow: true, Logs: []string{g.LogPath()}, Timeouts: nginxTimeouts, closers: []func() error{g.Close}}, nil
}
