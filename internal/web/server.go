package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultAddr is where the server listens unless told otherwise: loopback
// only, so that nothing is exposed until someone decides to.
const DefaultAddr = "127.0.0.1:8502"

// Options configures a Server. A zero field takes its default.
type Options struct {
	// Addr is the listen address (default DefaultAddr). On any address
	// that is not loopback, everything beyond the public status page needs
	// the read token.
	Addr string
	// Store is what the pages and the API read; required.
	Store Store
	// ReadToken lets a client see incidents, evidence, checks, metrics and
	// the API, as "Authorization: Bearer" or through the login form.
	// Default none: only a loopback listener shows them.
	ReadToken string
	// AdminToken lets a client change state (POST requests of the API), as
	// "Authorization: Bearer" only; it also reads. Default none: nothing
	// can be changed through the server.
	AdminToken string
	// PublicGroups are the groups whose state and uptime the status page
	// shows to visitors without the read token (the empty name is the
	// targets without a group). Default none.
	PublicGroups []string
	// Title heads the status page (default "Status").
	Title string
	// UptimeDays is how many days the uptime bars show (default 90).
	UptimeDays int
	// GroupRows is how many targets the status page lists in each group,
	// the failing ones first; a link leads to the rest (default
	// DefaultGroupRows).
	GroupRows int
	// PageCache is how long a rendered status page is served before it
	// is rendered again, unless Changed is called first (default
	// DefaultPageCache; negative: rendered for each request).
	PageCache time.Duration
	// Metrics is served at /metrics; nil serves 404 there.
	Metrics *Metrics
	// Ready reports whether the store can be reached, for /readyz; nil is
	// always ready.
	Ready func(ctx context.Context) error
	// CheckNow runs a check of a target at once and returns it, for POST
	// /api/v1/targets/{id}/check, with the diagnosis of a failure when
	// diagnose is set; ErrNotFound for an unknown target. ctx ends before
	// the server's WriteTimeout. nil answers 501.
	CheckNow func(ctx context.Context, target string, diagnose bool) (CheckRun, error)
	// Maintenance keeps the maintenance windows of /api/v1/maintenance;
	// nil answers 501.
	Maintenance Maintenance
	// Now is the clock of relative times and uptime days (default time.Now).
	Now func() time.Time
	// Logger receives the errors that requests ran into (default: none).
	Logger *slog.Logger
	// StoreTimeout bounds the store's work for one request (default 10 s).
	StoreTimeout time.Duration
	// The limits of the HTTP server, against slow or greedy clients:
	// ReadHeaderTimeout (default 5 s), ReadTimeout (10 s), WriteTimeout
	// (30 s), IdleTimeout (2 min) and MaxHeaderBytes (64 KiB).
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	MaxHeaderBytes                                            int
}

func (o Options) withDefaults() Options {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Title == "" {
		o.Title = "Status"
	}
	if o.UptimeDays <= 0 {
		o.UptimeDays = 90
	}
	if o.GroupRows <= 0 {
		o.GroupRows = DefaultGroupRows
	}
	if o.PageCache == 0 {
		o.PageCache = DefaultPageCache
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	defDur(&o.StoreTimeout, 10*time.Second)
	defDur(&o.ReadHeaderTimeout, 5*time.Second)
	defDur(&o.ReadTimeout, 10*time.Second)
	defDur(&o.WriteTimeout, 30*time.Second)
	defDur(&o.IdleTimeout, 2*time.Minute)
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = 64 << 10
	}
	return o
}

func defDur(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

// Server serves the status page, the incident and target pages, the JSON
// API and the metrics.
type Server struct {
	o       Options
	public  map[string]bool
	handler http.Handler
	srv     *http.Server
	// loopback is true while every listener is on loopback: reading then
	// needs no token.
	loopback atomic.Bool
	// sizes are the pages' sizes last rendered (*atomic.Int64 by name).
	sizes sync.Map
	// checking holds a token per check on demand running.
	checking chan struct{}
	cache    *pageCache
}

// New returns a server; it listens once ListenAndServe or Serve is called.
func New(o Options) (*Server, error) {
	if o.Store == nil {
		return nil, errors.New("web: Options.Store is required")
	}
	o = o.withDefaults()
	s := &Server{o: o, public: map[string]bool{}, checking: make(chan struct{}, maxCheckNow)}
	for _, g := range o.PublicGroups {
		s.public[g] = true
	}
	s.loopback.Store(loopbackAddr(o.Addr))
	s.cache = newPageCache(o.PageCache, o.StoreTimeout, func(err error) { o.Logger.Warn("rendering the status page; the last one stays", "err", err) })
	s.handler = secure(&gzipper{next: s.routes()})
	s.srv = &http.Server{
		Addr: o.Addr, Handler: s.handler,
		ReadHeaderTimeout: o.ReadHeaderTimeout, ReadTimeout: o.ReadTimeout,
		WriteTimeout: o.WriteTimeout, IdleTimeout: o.IdleTimeout,
		MaxHeaderBytes: o.MaxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// routes maps every path to its handler and the access it needs.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.statusPage)
	mux.HandleFunc("GET /incidents/{id}", s.readPage(s.incidentPage))
	mux.HandleFunc("GET /incidents/{id}/diagnosis", s.readPage(s.diagnosisPage))
	mux.HandleFunc("GET /targets/{id}", s.readPage(s.targetPage))
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)

	mux.HandleFunc("GET /api/v1/targets", s.readAPI(s.apiTargets))
	mux.HandleFunc("GET /api/v1/targets/{id}/checks", s.readAPI(s.apiChecks))
	mux.HandleFunc("GET /api/v1/incidents", s.readAPI(s.apiIncidents))
	mux.HandleFunc("GET /api/v1/incidents/{id}", s.readAPI(s.apiIncident))
	mux.HandleFunc("POST /api/v1/targets/{id}/check", s.adminAPI(s.apiCheckNow))
	mux.HandleFunc("GET /api/v1/maintenance", s.readAPI(s.apiMaintenanceList))
	mux.HandleFunc("POST /api/v1/maintenance", s.adminAPI(s.apiMaintenance))
	mux.HandleFunc("DELETE /api/v1/maintenance/{id}", s.adminAPI(s.apiMaintenanceDelete))

	mux.HandleFunc("GET /metrics", s.readAPI(s.metrics))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	return mux
}

// Changed tells the server that a state has changed (a target's, an
// incident's): the status page is rendered anew for the next request,
// which is still served the page before.
func (s *Server) Changed() { s.cache.changed() }

// Handler is the server's handler, for tests and for mounting it in
// another server.
func (s *Server) Handler() http.Handler { return s.handler }

// ListenAndServe listens on Options.Addr and serves until Shutdown; it
// returns nil after a Shutdown.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.o.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", s.o.Addr, err)
	}
	return s.Serve(ln)
}

// Serve serves on ln until Shutdown; it returns nil after a Shutdown. A
// listener that is not on loopback makes reading need the read token.
func (s *Server) Serve(ln net.Listener) error {
	if !loopbackAddr(ln.Addr().String()) {
		s.loopback.Store(false)
	}
	if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	}
	return nil
}

// Shutdown stops accepting connections and waits for the requests in
// flight to end, until ctx is done.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutting down the web server: %w", err)
	}
	return nil
}

// secure sets the headers that every answer carries: no scripts, styles
// only inline, frames only of this site, no referrer leaving it.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "+
			"frame-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// storeCtx bounds the store's work for one request.
func (s *Server) storeCtx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.o.StoreTimeout)
}

// healthz answers while the process is alive.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}

// readyz answers 200 when the store can be reached, 503 otherwise; the
// reason goes to the log, not to anyone who asks.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.o.Ready != nil {
		ctx, cancel := s.storeCtx(r)
		defer cancel()
		if err := s.o.Ready(ctx); err != nil {
			s.o.Logger.Warn("not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "store unreachable\n")
			return
		}
	}
	io.WriteString(w, "ok\n")
}

// metrics serves Options.Metrics.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	if s.o.Metrics == nil {
		http.NotFound(w, r)
		return
	}
	s.o.Metrics.Handler().ServeHTTP(w, r)
}
