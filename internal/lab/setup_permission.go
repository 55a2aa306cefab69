package lab

import (
	"context"
	"os"
	"strings"
	"time"
)

// deniedSocketMode is the listen.mode of a PHP-FPM socket that the
// gateway's workers may not connect to. As root, the lab's PHP-FPM owns its
// socket as root and the gateway's workers run as nobody, so 0600 keeps
// them out, as a wrong listen.owner or listen.mode does on a real host
// (www-data's socket, nginx's workers). As another user, PHP-FPM and the
// gateway run as the same user, and only a mode that denies the owner
// too, 0000, keeps the workers out: only root bypasses file permissions.
func deniedSocketMode() string {
	if os.Geteuid() == 0 {
		return "0600"
	}
	return "0000"
}

// nginxWorkersAs makes the workers of nginx configuration conf run as
// user (such as "nobody nogroup") when nginx starts as root, where the
// lab's configurations keep them root. nginx's master opens the logs and
// creates the temporary directories for them.
func nginxWorkersAs(conf, user string) string {
	return strings.Replace(conf, "user root root;\n", "user "+user+";\n", 1)
}

// startPHPSocketDenied: nginx passes every request to a PHP-FPM socket
// whose mode its workers may not connect with: connect() fails with
// EACCES, "13: Permission denied".
func startPHPSocketDenied(ctx context.Context, dir string) (*Stack, error) {
	pdir, err := sub(dir, "php")
	if err != nil {
		return nil, err
	}
	php, err := StartPHP(ctx, pdir, PHPOptions{ListenMode: deniedSocketMode()})
	if err != nil {
		return nil, err
	}
	ndir, err := sub(dir, "nginx")
	if err != nil {
		php.Close()
		return nil, err
	}
	t := fastCGITimeouts(2 * time.Second)
	g, err := startNginx(ctx, ndir, t, func(port int) string {
		return nginxWorkersAs(nginxConf(ndir, port, "", "", nginxFastCGILocation(pdir, php.Socket, t.Response)), "nobody nogroup")
	})
	if err != nil {
		php.Close()
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: "fcgi:unix:" + php.Socket, FastCGIScript: php.Script,
		Logs: []string{g.LogPath(), php.LogPath()}, Timeouts: t,
		closers: []func() error{g.Close, php.Close}}, nil
}

// startApacheSocketDenied: the same socket behind Apache's mod_proxy_fcgi,
// whose children run as nobody (its User) while the socket is root's. Apache
// logs "(13)Permission denied: AH02454: FCGI: attempt to connect to Unix
// domain socket ... failed" and answers 503 at once, trying the socket
// again on every request.
func startApacheSocketDenied(ctx context.Context, dir string) (*Stack, error) {
	return startApachePHP(ctx, dir, PHPOptions{ListenMode: deniedSocketMode()})
}
