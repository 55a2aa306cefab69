package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// A Setup is a lab arrangement beyond one faulty upstream behind one
// gateway: PHP-FPM behind nginx, nginx's upstream groups and resolver, a
// custom error page, a chain of two gateways.
type Setup struct {
	// Name identifies the setup, such as "php_killed".
	Name string
	// Description says what happens, in a sentence.
	Description string
	// Product is the gateway that answers the client.
	Product string
	// Want is the cause ID that a correct diagnosis reaches when it can
	// also probe Stack.Upstream; WantOutside from the responses alone.
	Want, WantOutside string
	// WantPersistence is "persistent" or "intermittent"; "" when it
	// depends on timing (an overloaded pool fails some requests, or all).
	WantPersistence string
	// GeneratedBy is the product that writes the failing response.
	GeneratedBy string

	start func(ctx context.Context, dir string) (*Stack, error)
}

// Stack is a started Setup.
type Stack struct {
	// Gateway is the outermost gateway, the one clients request.
	Gateway Gateway
	// Upstream is what a diagnosis may probe directly, in the form of
	// --upstream; "" when there is nothing it can speak to.
	Upstream string
	// FastCGIScript is the SCRIPT_FILENAME to ask a FastCGI Upstream for.
	FastCGIScript string
	// Origin, when set, is the host:port of the inner gateway of a chain,
	// in the form of --origin.
	Origin string
	// Resolver, when set, is the host:port of the DNS server that the
	// gateway resolves Upstream's name with.
	Resolver string
	// Logs are the log files of every program in the stack.
	Logs []string
	// Limits are the timeouts in force along the chain.
	Timeouts GatewayTimeouts

	closers []func() error
	once    sync.Once
	err     error
	dir     string // removed by Close when not ""
}

// Close stops every program of the stack, outermost first.
func (s *Stack) Close() error {
	s.once.Do(func() {
		var errs []error
		for _, c := range s.closers {
			errs = append(errs, c())
		}
		if s.dir != "" {
			os.RemoveAll(s.dir)
		}
		s.err = errors.Join(errs...)
	})
	return s.err
}

// Start starts the setup with its files in dir, or in a new temporary
// directory removed by Close when dir is "". ctx bounds the start only.
func (s Setup) Start(ctx context.Context, dir string) (*Stack, error) {
	owned := dir == ""
	if owned {
		var err error
		if dir, err = os.MkdirTemp("", "gwdoctor-lab-"+s.Name+"-"); err != nil {
			return nil, fmt.Errorf("starting setup %s: %w", s.Name, err)
		}
	}
	st, err := s.start(ctx, dir)
	if err != nil {
		if owned {
			os.RemoveAll(dir)
		}
		return nil, fmt.Errorf("starting setup %s: %w", s.Name, err)
	}
	if owned {
		st.dir = dir
	}
	return st, nil
}

// LookupSetup returns the setup called name.
func LookupSetup(name string) (Setup, bool) {
	for _, s := range Setups() {
		if s.Name == name {
			return s, true
		}
	}
	return Setup{}, false
}

// Setups returns every setup, in a stable order.
func Setups() []Setup {
	return []Setup{
		{Name: "php_socket_missing", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.refused", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "nginx passes requests to a PHP-FPM socket that does not exist (PHP-FPM stopped)",
			start:       startPHPSocketMissing},
		{Name: "php_killed", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.timeout", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "the PHP script runs 3 s; PHP-FPM kills it at request_terminate_timeout 1 s and nginx reports the closed connection",
			start:       startPHPKilled},
		{Name: "apache_php_killed", Product: "apache", GeneratedBy: "apache",
			Want: "upstream.timeout", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "Apache's mod_proxy_fcgi in front of PHP-FPM, which kills the 3 s script at request_terminate_timeout 1 s",
			start:       startApachePHPKilled},
		{Name: "php_overload", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.overloaded", WantOutside: "upstream", WantPersistence: "",
			Description: "PHP-FPM has pm.max_children = 1 and a listen backlog of 1 while eight clients keep it busy with 1 s requests",
			start:       startPHPOverload},
		{Name: "nginx_no_live_upstreams", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.refused", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "both servers of an nginx upstream group refuse connections; after the first failures nginx marks them down and answers \"no live upstreams\"",
			start:       startNoLive},
		{Name: "nginx_resolver_nxdomain", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.dns", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "nginx resolves its upstream's name at request time, and its resolver answers NXDOMAIN",
			start:       startResolverNXDomain},
		{Name: "nginx_custom_page", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream.refused", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "nginx with server_tokens off and its own 502 page, which never says nginx, in front of a refused upstream",
			start:       startCustomPage},
		{Name: "nginx_keepalive_race", Product: "nginx", GeneratedBy: "nginx",
			Want: "ok", WantOutside: "ok", WantPersistence: "none",
			Description: "nginx keeps idle upstream connections for 60 s (keepalive in an upstream block) while the upstream closes them after 1 s: a keep-alive race waiting to happen",
			start:       startKeepAliveRace},
		{Name: "chain_haproxy_nginx", Product: "haproxy", GeneratedBy: "nginx",
			Want: "upstream.refused", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "HAProxy in front of nginx in front of a refused upstream: the 502 page the client sees is the inner nginx's",
			start:       startChain},
	}
}

// sub returns dir/name, created.
func sub(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	return p, os.MkdirAll(p, 0o755)
}

// startPHPSocketMissing: nginx with fastcgi_pass to a socket nobody serves.
func startPHPSocketMissing(ctx context.Context, dir string) (*Stack, error) {
	sock := filepath.Join(dir, "php-fpm.sock")
	ndir, err := sub(dir, "nginx")
	if err != nil {
		return nil, err
	}
	t := GatewayTimeouts{Connect: time.Second, Response: 2 * time.Second, MaxHeaderBytes: nginxPageSize,
		ResponseSetting: "fastcgi_read_timeout", HeaderSetting: "fastcgi_buffer_size"}
	g, err := startNginx(ctx, ndir, t, func(port int) string {
		return nginxConf(ndir, port, "", "", nginxFastCGILocation(dir, sock, t.Response))
	})
	if err != nil {
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: "fcgi:unix:" + sock, FastCGIScript: filepath.Join(dir, "www", "app.php"), Logs: []string{g.LogPath()}, Timeouts: t,
		closers: []func() error{g.Close}}, nil
}

// startPHPKilled: PHP-FPM with request_terminate_timeout 1 s behind nginx
// with fastcgi_read_timeout 5 s, running a script that sleeps 3 s.
func startPHPKilled(ctx context.Context, dir string) (*Stack, error) {
	pdir, err := sub(dir, "php")
	if err != nil {
		return nil, err
	}
	php, err := StartPHP(ctx, pdir, PHPOptions{Script: "<?php sleep(3); echo \"done\\n\";", MaxChildren: 4, TerminateTimeout: time.Second})
	if err != nil {
		return nil, err
	}
	ndir, err := sub(dir, "nginx")
	if err != nil {
		php.Close()
		return nil, err
	}
	t := GatewayTimeouts{Connect: time.Second, Response: 5 * time.Second, MaxHeaderBytes: nginxPageSize,
		ResponseSetting: "fastcgi_read_timeout", HeaderSetting: "fastcgi_buffer_size"}
	g, err := startNginx(ctx, ndir, t, func(port int) string {
		return nginxConf(ndir, port, "", "", nginxFastCGILocation(pdir, php.Socket, t.Response))
	})
	if err != nil {
		php.Close()
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: "fcgi:unix:" + php.Socket, FastCGIScript: php.Script,
		Logs: []string{g.LogPath(), php.LogPath()}, Timeouts: t,
		closers: []func() error{g.Close, php.Close}}, nil
}

// startPHPOverload: one PHP-FPM child with a tiny listen queue behind nginx,
// kept busy by four clients that each send a 1 s request after another
// until Close.
func startPHPOverload(ctx context.Context, dir string) (*Stack, error) {
	pdir, err := sub(dir, "php")
	if err != nil {
		return nil, err
	}
	php, err := StartPHP(ctx, pdir, PHPOptions{Script: "<?php usleep(1000000); echo \"done\\n\";", MaxChildren: 1, Backlog: 1})
	if err != nil {
		return nil, err
	}
	ndir, err := sub(dir, "nginx")
	if err != nil {
		php.Close()
		return nil, err
	}
	t := GatewayTimeouts{Connect: time.Second, Response: 5 * time.Second, MaxHeaderBytes: nginxPageSize,
		ResponseSetting: "fastcgi_read_timeout", HeaderSetting: "fastcgi_buffer_size"}
	g, err := startNginx(ctx, ndir, t, func(port int) string {
		return nginxConf(ndir, port, "", "", nginxFastCGILocation(pdir, php.Socket, t.Response))
	})
	if err != nil {
		php.Close()
		return nil, err
	}
	stop := startLoad(g.URL()+"busy", 8)
	return &Stack{Gateway: g, Upstream: "fcgi:unix:" + php.Socket, FastCGIScript: php.Script,
		Logs: []string{g.LogPath(), php.LogPath()}, Timeouts: t,
		closers: []func() error{stop, g.Close, php.Close}}, nil
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

// nginxTimeouts are the limits of the nginx setups' proxy locations.
var nginxTimeouts = GatewayTimeouts{Connect: time.Second, Response: 2 * time.Second, MaxHeaderBytes: nginxPageSize,
	ResponseSetting: "proxy_read_timeout", HeaderSetting: "proxy_buffer_size"}

// startNoLive: an upstream block of two refusing servers, max_fails=1.
func startNoLive(ctx context.Context, dir string) (*Stack, error) {
	a, err := StartUpstream(ctx, Refused, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	b, err := StartUpstream(ctx, Refused, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	group := "    upstream app {\n        server " + a.Addr + " max_fails=1 fail_timeout=30s;\n        server " + b.Addr + " max_fails=1 fail_timeout=30s;\n    }\n"
	opts := GatewayOptions{}.withDefaults()
	loc := strings.Replace(nginxProxyLocation(target{host: "app"}, opts), "proxy_pass http://app:0;", "proxy_pass http://app;", 1)
	g, err := startNginx(ctx, dir, nginxTimeouts, func(port int) string { return nginxConf(dir, port, group, "", loc) })
	if err != nil {
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: a.URL(), Logs: []string{g.LogPath()}, Timeouts: nginxTimeouts,
		closers: []func() error{g.Close}}, nil
}

// startResolverNXDomain: proxy_pass with a variable, so nginx resolves
// app.lab.test for each request through a resolver that answers NXDOMAIN.
func startResolverNXDomain(ctx context.Context, dir string) (*Stack, error) {
	d, err := startDNS(ctx, "lab.test.")
	if err != nil {
		return nil, err
	}
	opts := GatewayOptions{}.withDefaults()
	loc := "            set $backend app.lab.test;\n" +
		strings.Replace(nginxProxyLocation(target{host: "app.lab.test", port: 8080}, opts), "proxy_pass http://app.lab.test:8080;", "proxy_pass http://$backend:8080;", 1)
	extra := "    resolver " + d.addr + " valid=10s ipv6=off;\n    resolver_timeout 2s;\n"
	g, err := startNginx(ctx, dir, nginxTimeouts, func(port int) string { return nginxConf(dir, port, extra, "", loc) })
	if err != nil {
		d.Close()
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: "http://app.lab.test:8080", Resolver: d.addr, Logs: []string{g.LogPath()}, Timeouts: nginxTimeouts,
		closers: []func() error{g.Close, d.Close}}, nil
}

// customPage is the shop's own error page: it names neither nginx nor a status.
const customPage = "<!doctype html>\n<title>We will be right back</title>\n<h1>We will be right back</h1>\n<p>Our shop is taking a short break. Please try again in a few minutes.</p>\n"

// startCustomPage: server_tokens off and error_page for the 5xx statuses.
func startCustomPage(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Refused, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	if err := writeFiles(dir, map[string]string{"errors/50x.html": customPage}); err != nil {
		return nil, err
	}
	server := "        server_tokens off;\n        error_page 500 502 503 504 /50x.html;\n" +
		"        location = /50x.html {\n            root " + filepath.Join(dir, "errors") + ";\n            internal;\n        }\n"
	t, _ := targetOf(u.URL())
	loc := nginxProxyLocation(t, GatewayOptions{}.withDefaults())
	g, err := startNginx(ctx, dir, nginxTimeouts, func(port int) string { return nginxConf(dir, port, "", server, loc) })
	if err != nil {
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: u.URL(), Logs: []string{g.LogPath()}, Timeouts: nginxTimeouts,
		closers: []func() error{g.Close}}, nil
}

// startChain: HAProxy → nginx → a refused upstream.
func startChain(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Refused, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	ndir, err := sub(dir, "nginx")
	if err != nil {
		return nil, err
	}
	inner, err := StartGateway(ctx, "nginx", u.URL(), GatewayOptions{Dir: ndir})
	if err != nil {
		return nil, err
	}
	hdir, err := sub(dir, "haproxy")
	if err != nil {
		inner.Close()
		return nil, err
	}
	// HAProxy waits longer than nginx, as an outer hop should.
	outer, err := StartGateway(ctx, "haproxy", strings.TrimSuffix(inner.URL(), "/"), GatewayOptions{Dir: hdir, Response: 5 * time.Second})
	if err != nil {
		inner.Close()
		return nil, err
	}
	return &Stack{Gateway: outer, Upstream: u.URL(), Origin: strings.TrimSuffix(strings.TrimPrefix(inner.URL(), "http://"), "/"), Logs: []string{outer.LogPath(), inner.LogPath()}, Timeouts: inner.Timeouts(),
		closers: []func() error{outer.Close, inner.Close}}, nil
}

// startApachePHPKilled: Apache hands every request to app.php on the
// PHP-FPM socket with SetHandler, as Debian's php-fpm configuration does.
func startApachePHPKilled(ctx context.Context, dir string) (*Stack, error) {
	pdir, err := sub(dir, "php")
	if err != nil {
		return nil, err
	}
	php, err := StartPHP(ctx, pdir, PHPOptions{Script: "<?php sleep(3); echo \"done\\n\";", MaxChildren: 4, TerminateTimeout: time.Second})
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

// startKeepAliveRace: an upstream block with keepalive and nginx's 60 s
// keepalive_timeout, in front of an upstream that closes idle connections
// after 1 s.
func startKeepAliveRace(ctx context.Context, dir string) (*Stack, error) {
	u, err := StartUpstream(ctx, Healthy, UpstreamOptions{IdleTimeout: time.Second})
	if err != nil {
		return nil, err
	}
	group := "    upstream app {\n        server " + u.Addr + ";\n        keepalive 8;\n        keepalive_timeout 60s;\n    }\n"
	loc := strings.Replace(nginxProxyLocation(target{host: "app"}, GatewayOptions{}.withDefaults()), "proxy_pass http://app:0;", "proxy_pass http://app;", 1) +
		"            proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n"
	g, err := startNginx(ctx, dir, nginxTimeouts, func(port int) string { return nginxConf(dir, port, group, "", loc) })
	if err != nil {
		u.Close()
		return nil, err
	}
	return &Stack{Gateway: g, Upstream: u.URL(), Logs: []string{g.LogPath()}, Timeouts: nginxTimeouts,
		closers: []func() error{g.Close, u.Close}}, nil
}
