package lab

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// startPHPSocketMissing: nginx with fastcgi_pass to a socket nobody serves.
func startPHPSocketMissing(ctx context.Context, dir string) (*Stack, error) {
	sock := filepath.Join(dir, "php-fpm.sock")
	ndir, err := sub(dir, "nginx")
	if err != nil {
		return nil, err
	}
	t := fastCGITimeouts(2 * time.Second)
	g, err := startNginx(ctx, ndir, t, func(port int) string {
		return nginxConf(ndir, port, "", "", nginxFastCGILocation(dir, sock, t.Response))
	})
	if err != nil {
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: "fcgi:unix:" + sock, FastCGIScript: filepath.Join(dir, "www", "app.php"), Logs: []string{g.LogPath()}, Timeouts: t,
		closers: []func() error{g.Close}}, nil
}

// fastCGITimeouts are the limits of the nginx setups that run PHP.
func fastCGITimeouts(read time.Duration) GatewayTimeouts {
	return GatewayTimeouts{Connect: time.Second, Response: read, MaxHeaderBytes: nginxPageSize,
		ConnectSetting: "fastcgi_connect_timeout", ResponseSetting: "fastcgi_read_timeout", HeaderSetting: "fastcgi_buffer_size"}
}

// phpBehindNginx starts a PHP-FPM pool with opts in dir/php and nginx in
// dir/nginx passing every request to it with fastcgi_read_timeout read.
func phpBehindNginx(ctx context.Context, dir string, opts PHPOptions, read time.Duration) (*Stack, error) {
	t := fastCGITimeouts(read)
	st, php, err := phpAndNginx(ctx, dir, opts, t, func(pdir string, php *PHP) string {
		return nginxFastCGILocation(pdir, php.Socket, t.Response)
	})
	if err != nil {
		return nil, err
	}
	st.Upstream, st.FastCGIScript = "fcgi:unix:"+php.Socket, php.Script
	return st, nil
}

// phpAndNginx starts a PHP-FPM pool with opts in dir/php and nginx in
// dir/nginx with the location body loc writes for that pool. The stack's
// Upstream is left for the caller to say.
func phpAndNginx(ctx context.Context, dir string, opts PHPOptions, t GatewayTimeouts, loc func(pdir string, php *PHP) string) (*Stack, *PHP, error) {
	pdir, err := sub(dir, "php")
	if err != nil {
		return nil, nil, err
	}
	php, err := StartPHP(ctx, pdir, opts)
	if err != nil {
		return nil, nil, err
	}
	ndir, err := sub(dir, "nginx")
	if err != nil {
		php.Close()
		return nil, nil, err
	}
	g, err := startNginx(ctx, ndir, t, func(port int) string {
		return nginxConf(ndir, port, "", "", loc(pdir, php))
	})
	if err != nil {
		php.Close()
		return nil, nil, err
	}
	return &Stack{Gateway: g, Logs: []string{g.LogPath(), php.LogPath()}, Timeouts: t,
		closers: []func() error{g.Close, php.Close}}, php, nil
}

// startPHPKilled: PHP-FPM with request_terminate_timeout 1 s behind nginx
// with fastcgi_read_timeout 5 s, running a script that sleeps 3 s.
func startPHPKilled(ctx context.Context, dir string) (*Stack, error) {
	opts := PHPOptions{Script: "<?php sleep(3); echo \"done\\n\";", MaxChildren: 4, TerminateTimeout: time.Second}
	return phpBehindNginx(ctx, dir, opts, 5*time.Second)
}

// startPHPOverload: one PHP-FPM child with a tiny listen queue behind nginx,
// kept busy by eight clients that each send a 1 s request after another
// until Close.
func startPHPOverload(ctx context.Context, dir string) (*Stack, error) {
	opts := PHPOptions{Script: "<?php usleep(1000000); echo \"done\\n\";", MaxChildren: 1, Backlog: 1}
	st, err := phpBehindNginx(ctx, dir, opts, 5*time.Second)
	if err != nil {
		return nil, err
	}
	stop := startLoad(st.Gateway.URL()+"busy", 8)
	st.closers = append([]func() error{stop}, st.closers...)
	return st, nil
}

// startLoad keeps n clients requesting url one request after another, each
// with a 10 s deadline, until the returned function is called.
func startLoad(url string, n int) func() error {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 10 * time.Second}
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				resp, err := c.Do(req)
				if err == nil {
					io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
					resp.Body.Close()
				}
				if err != nil || resp.StatusCode >= 500 {
					// Back off as a browser's user would, so that the
					// quick failures do not turn into a flood.
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}
	return func() error {
		cancel()
		wg.Wait()
		return nil
	}
}

// startApachePHPKilled: Apache hands every request to app.php on the
// PHP-FPM socket with SetHandler, as Debian's php-fpm configuration does.
func startApachePHPKilled(ctx context.Context, dir string) (*Stack, error) {
	return startApachePHP(ctx, dir, PHPOptions{Script: "<?php sleep(3); echo \"done\\n\";", MaxChildren: 4, TerminateTimeout: time.Second})
}

// startApachePHP starts PHP-FPM with o and Apache in front of it, handing
// every request to its script with SetHandler.
func startApachePHP(ctx context.Context, dir string, o PHPOptions) (*Stack, error) {
	pdir, err := sub(dir, "php")
	if err != nil {
		return nil, err
	}
	php, err := StartPHP(ctx, pdir, o)
	if err != nil {
		return nil, err
	}
	adir, err := sub(dir, "apache")
	if err != nil {
		php.Close()
		return nil, err
	}
	t := GatewayTimeouts{Connect: time.Second, Response: 5 * time.Second, MaxHeaderBytes: apacheMaxHeader,
		ResponseSetting: "ProxyTimeout", HeaderSetting: "LimitRequestFieldSize"}
	body := "ProxyTimeout 5\nDocumentRoot " + filepath.Dir(php.Script) + "\n" +
		"<Directory " + filepath.Dir(php.Script) + ">\n    Require all granted\n    FallbackResource /app.php\n</Directory>\n" +
		"<FilesMatch \\.php$>\n    SetHandler \"proxy:unix:" + php.Socket + "|fcgi://localhost\"\n</FilesMatch>\n"
	g, err := startApache(ctx, adir, t, body)
	if err != nil {
		php.Close()
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: "fcgi:unix:" + php.Socket, FastCGIScript: php.Script,
		Logs: []string{g.LogPath(), php.LogPath()}, Timeouts: t,
		closers: []func() error{g.Close, php.Close}}, nil
}

// startFastCGIToHTTP: nginx's fastcgi_pass points at a port that speaks
// HTTP, a common slip when PHP-FPM moves from a socket to TCP, or when
// the port belongs to another service. The HTTP server answers the
// FastCGI records with "HTTP/1.1 400", which nginx reads as a FastCGI
// record of version 72 ('H').
func startFastCGIToHTTP(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Healthy, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	t := fastCGITimeouts(2 * time.Second)
	loc := strings.Replace(nginxFastCGILocation(dir, "", t.Response), "fastcgi_pass unix:;", "fastcgi_pass "+u.Addr+";", 1)
	g, err := startNginx(ctx, dir, t, func(port int) string { return nginxConf(dir, port, "", "", loc) })
	if err != nil {
		u.Close()
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: "fcgi://" + u.Addr, FastCGIScript: filepath.Join(dir, "www", "app.php"), Logs: []string{g.LogPath()}, Timeouts: t,
		closers: []func() error{g.Close, u.Close}}, nil
}

// startHTTPToFPM: nginx's proxy_pass speaks HTTP to PHP-FPM's socket, the
// mirror slip of startFastCGIToHTTP. PHP-FPM closes every connection whose
// first bytes are not a FastCGI record.
func startHTTPToFPM(ctx context.Context, dir string) (*Stack, error) {
	st, php, err := phpAndNginx(ctx, dir, PHPOptions{}, nginxTimeouts, func(_ string, php *PHP) string {
		return strings.Replace(nginxProxyLocation(target{host: "unix", port: 1}, GatewayOptions{}.withDefaults()),
			"proxy_pass http://unix:1;", "proxy_pass http://unix:"+php.Socket+":;", 1)
	})
	if err != nil {
		return nil, err
	}
	st.Upstream = "unix:" + php.Socket
	return st, nil
}

// bigCookiesScript sets eight cookies of 1000 bytes each, as plugins that
// keep state in cookies do: about 8.3 KiB of response head, more than
// nginx's default fastcgi_buffer_size of one memory page (4 KiB).
const bigCookiesScript = `<?php
for ($i = 0; $i < 8; $i++) {
    setcookie("wp_plugin_state_$i", str_repeat("x", 1000), 0, "/");
}
echo "ok\n";
`

// startPHPBigHeaders: a PHP script whose cookies outgrow nginx's default
// fastcgi_buffer_size, the classic 502 "upstream sent too big header" of a
// WordPress site.
func startPHPBigHeaders(ctx context.Context, dir string) (*Stack, error) {
	return phpBehindNginx(ctx, dir, PHPOptions{Script: bigCookiesScript}, 2*time.Second)
}
