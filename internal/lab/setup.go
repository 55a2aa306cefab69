package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
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
	// WantPersistence is "persistent" or "intermittent".
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
			Want: "upstream", WantOutside: "upstream", WantPersistence: "persistent",
			Description: "the PHP script runs 3 s; PHP-FPM kills it at request_terminate_timeout 1 s and nginx reports the closed connection",
			start:       startPHPKilled},
		{Name: "php_overload", Product: "nginx", GeneratedBy: "nginx",
			Want: "upstream", WantOutside: "upstream", WantPersistence: "intermittent",
			Description: "PHP-FPM has pm.max_children = 1 and a listen backlog of 1 while four clients keep it busy with 1 s requests",
			start:       startPHPOverload},
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
	return &Stack{Gateway: g, Upstream: "unix:" + sock, Logs: []string{g.LogPath()}, Timeouts: t,
		closers: []func() error{g.Close}}, nil
}

// startPHPKilled: PHP-FPM with request_terminate_timeout 1 s behind nginx
// with fastcgi_read_timeout 5 s, running a script that sleeps 3 s.
func startPHPKilled(ctx context.Context, dir string) (*Stack, error) {
	pdir, err := sub(dir, "php")
	if err != nil {
		return nil, err
	}
	php, err := startPHP(ctx, pdir, PHPOptions{Script: "<?php sleep(3); echo \"done\\n\";", MaxChildren: 4, TerminateTimeout: time.Second})
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
		return nginxConf(ndir, port, "", "", nginxFastCGILocation(pdir, php.socket, t.Response))
	})
	if err != nil {
		php.Close()
		return nil, err
	}
	return &Stack{Gateway: g, Logs: []string{g.LogPath(), php.LogPath()}, Timeouts: t,
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
	php, err := startPHP(ctx, pdir, PHPOptions{Script: "<?php usleep(1000000); echo \"done\\n\";", MaxChildren: 1, Backlog: 1})
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
		return nginxConf(ndir, port, "", "", nginxFastCGILocation(pdir, php.socket, t.Response))
	})
	if err != nil {
		php.Close()
		return nil, err
	}
	stop := startLoad(g.URL()+"busy", 4)
	return &Stack{Gateway: g, Logs: []string{g.LogPath(), php.LogPath()}, Timeouts: t,
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
