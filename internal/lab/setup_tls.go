package lab

import (
	"context"
	"path/filepath"
	"strings"
	"time"
)

// startEdgeSelfSigned: nginx serves the site over HTTPS with a self-signed
// certificate, as after a reinstall that left the package's placeholder
// certificate in place: no browser trusts it, though everything behind
// nginx works.
func startEdgeSelfSigned(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Healthy, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	certPEM, keyPEM, err := selfSignedPEM(time.Now())
	if err != nil {
		u.Close()
		return nil, err
	}
	if err := writeFiles(dir, map[string]string{"tls/site.crt": string(certPEM), "tls/site.key": string(keyPEM)}); err != nil {
		u.Close()
		return nil, err
	}
	server := "        ssl_certificate " + filepath.Join(dir, "tls", "site.crt") + ";\n" +
		"        ssl_certificate_key " + filepath.Join(dir, "tls", "site.key") + ";\n"
	t, _ := targetOf(u.URL())
	loc := nginxProxyLocation(t, GatewayOptions{}.withDefaults())
	var port int
	g, err := startNginx(ctx, dir, nginxTimeouts, func(p int) string {
		port = p
		conf := nginxConf(dir, p, "", server, loc)
		return strings.Replace(conf, "listen 127.0.0.1:"+itoa(p)+";", "listen 127.0.0.1:"+itoa(p)+" ssl;", 1)
	})
	if err != nil {
		u.Close()
		return nil, err
	}
	return &Stack{Gateway: g, SiteURL: "https://127.0.0.1:" + itoa(port) + "/", Logs: []string{g.LogPath()}, Timeouts: nginxTimeouts,
		closers: []func() error{g.Close, u.Close}}, nil
}
