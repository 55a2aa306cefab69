package lab

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Gateway is a reverse proxy in front of an upstream. StartGo starts one in
// process; real gateway programs are other implementations.
type Gateway interface {
	// Product is the gateway's product slug as in docs/causes.md ("go",
	// "nginx", ...).
	Product() string
	// URL is what a client requests: http://127.0.0.1:port/.
	URL() string
	// Timeouts is what the gateway is configured with, for the report.
	Timeouts() GatewayTimeouts
	// LogPath is the gateway's error log file, "" if it has none. Read it
	// before Close: a log in a directory the gateway created is removed.
	LogPath() string
	// Close stops the gateway and waits for it.
	Close() error
}

// GatewayTimeouts are the limits a gateway applies to its upstream.
type GatewayTimeouts struct {
	Connect        time.Duration // to establish the connection (TCP, and TLS for StartGo)
	Response       time.Duration // from the request sent to the response head received
	MaxHeaderBytes int           // the largest response head accepted
	// ConnectSetting, ResponseSetting and HeaderSetting name the
	// configuration settings behind Connect, Response and MaxHeaderBytes in
	// the product's own words, such as "proxy_read_timeout"; "" means the
	// lab's Go names.
	ConnectSetting, ResponseSetting, HeaderSetting string
}

// Defaults of GatewayOptions.
const (
	DefaultConnect        = time.Second
	DefaultResponse       = 2 * time.Second
	DefaultMaxHeaderBytes = 16 << 10
)

// GatewayOptions configures a gateway. The zero value gives the defaults.
type GatewayOptions struct {
	// Product names the gateway that StartScenario starts (see Gateways).
	// Default "go".
	Product string
	// Dir holds the gateway's logs (and, for real programs, its
	// configuration). Default: a new directory from os.MkdirTemp, removed
	// by Close.
	Dir string
	// Connect bounds connecting to the upstream. Default DefaultConnect (1 s).
	Connect time.Duration
	// Response bounds waiting for the upstream's response head. Default
	// DefaultResponse (2 s).
	Response time.Duration
	// MaxHeaderBytes caps the upstream's response head. Default
	// DefaultMaxHeaderBytes (16 KiB).
	MaxHeaderBytes int
}

func (o GatewayOptions) withDefaults() GatewayOptions {
	if o.Connect <= 0 {
		o.Connect = DefaultConnect
	}
	if o.Response <= 0 {
		o.Response = DefaultResponse
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	return o
}

// dir returns o.Dir, or creates a temporary directory and reports that the
// caller owns it.
func (o GatewayOptions) dir(product string) (dir string, owned bool, err error) {
	if o.Dir != "" {
		return o.Dir, false, os.MkdirAll(o.Dir, 0o755)
	}
	dir, err = os.MkdirTemp("", "gwdoctor-lab-"+product+"-")
	return dir, err == nil, err
}

// goGateway is net/http/httputil.ReverseProxy behind an http.Server.
type goGateway struct {
	url      string
	timeouts GatewayTimeouts
	logPath  string
	logFile  *os.File
	dir      string // removed by Close when not ""
	srv      *http.Server
	tr       *http.Transport
	cancel   context.CancelFunc // cancels every request's context
	served   chan error
	once     sync.Once
	err      error

	mu       sync.Mutex
	closing  bool
	inflight sync.WaitGroup // Add only under mu and before closing
}

var _ Gateway = (*goGateway)(nil)

// StartGo starts Go's net/http/httputil.ReverseProxy in front of upstream
// (a URL such as Upstream.URL), configured as a careful production
// deployment would be: server timeouts, a Transport with the connect,
// response and header limits of opts, and upstream certificates verified
// against the system roots, so a self-signed upstream fails as it does in
// production. Errors get the ReverseProxy's default answer, a bare 502 with
// an empty body, and are logged to LogPath as "http: proxy error: <err>".
// ctx bounds the start only.
func StartGo(ctx context.Context, upstream string, opts GatewayOptions) (Gateway, error) {
	target, err := url.Parse(upstream)
	if err != nil {
		return nil, fmt.Errorf("starting go gateway: %w", err)
	}
	if (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return nil, fmt.Errorf("starting go gateway: upstream %q is not an http or https URL", upstream)
	}
	opts = opts.withDefaults()
	dir, owned, err := opts.dir("go")
	if err != nil {
		return nil, fmt.Errorf("starting go gateway: %w", err)
	}
	g := &goGateway{
		timeouts: GatewayTimeouts{Connect: opts.Connect, Response: opts.Response, MaxHeaderBytes: opts.MaxHeaderBytes},
		logPath:  filepath.Join(dir, "go-error.log"),
		served:   make(chan error, 1),
	}
	if owned {
		g.dir = dir
	}
	if err := g.start(ctx, target); err != nil {
		g.cleanup()
		return nil, fmt.Errorf("starting go gateway: %w", err)
	}
	return g, nil
}

// start opens the log, builds the proxy and serves it.
func (g *goGateway) start(ctx context.Context, target *url.URL) error {
	f, err := os.OpenFile(g.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	g.logFile = f
	errorLog := log.New(f, "", log.LstdFlags)
	g.tr = &http.Transport{
		DialContext:            (&net.Dialer{Timeout: g.timeouts.Connect, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:    g.timeouts.Connect,
		ResponseHeaderTimeout:  g.timeouts.Response,
		MaxResponseHeaderBytes: int64(g.timeouts.MaxHeaderBytes),
		MaxIdleConnsPerHost:    32,
		IdleConnTimeout:        90 * time.Second,
		ExpectContinueTimeout:  time.Second,
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.SetXForwarded()
		},
		Transport: g.tr,
		ErrorLog:  errorLog,
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	g.url = "http://" + ln.Addr().String() + "/"
	base, cancel := context.WithCancel(context.Background())
	g.cancel = cancel
	g.srv = &http.Server{
		Handler:           g.track(proxy),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Longer than Response so that the proxy, not the server, decides
		// when a slow upstream has failed.
		WriteTimeout: g.timeouts.Response + 60*time.Second,
		IdleTimeout:  120 * time.Second,
		ErrorLog:     errorLog,
		BaseContext:  func(net.Listener) context.Context { return base },
	}
	go func() { g.served <- g.srv.Serve(ln) }()
	return nil
}

// track counts running handlers so that Close can wait for them.
func (g *goGateway) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		if g.closing {
			g.mu.Unlock()
			http.Error(w, "gateway closing", http.StatusServiceUnavailable)
			return
		}
		g.inflight.Add(1)
		g.mu.Unlock()
		defer g.inflight.Done()
		h.ServeHTTP(w, r)
	})
}

// Product returns "go", the slug of net/http/httputil in docs/causes.md.
func (g *goGateway) Product() string { return "go" }

// URL returns http://127.0.0.1:port/.
func (g *goGateway) URL() string { return g.url }

// Timeouts returns the limits the Transport was configured with.
func (g *goGateway) Timeouts() GatewayTimeouts { return g.timeouts }

// LogPath returns the file that ErrorLog writes to.
func (g *goGateway) LogPath() string { return g.logPath }

// Close cancels in-flight requests, closes every connection and waits for
// the handlers, so nothing writes to the log after it returns.
func (g *goGateway) Close() error {
	g.once.Do(func() {
		g.mu.Lock()
		g.closing = true
		g.mu.Unlock()
		g.cancel()
		err := g.srv.Close()
		if serr := <-g.served; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		g.inflight.Wait()
		g.tr.CloseIdleConnections()
		if err != nil {
			g.err = fmt.Errorf("closing go gateway: %w", err)
		}
		g.cleanup()
	})
	return g.err
}

// cleanup closes the log and removes a directory the gateway created.
func (g *goGateway) cleanup() {
	if g.logFile != nil {
		g.logFile.Close()
	}
	if g.dir != "" {
		os.RemoveAll(g.dir)
	}
}
