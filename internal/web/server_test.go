package web

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

func TestServerLimits(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, Options{})
	limits := []struct {
		name string
		got  time.Duration
	}{
		{"ReadHeaderTimeout", s.srv.ReadHeaderTimeout}, {"ReadTimeout", s.srv.ReadTimeout},
		{"WriteTimeout", s.srv.WriteTimeout}, {"IdleTimeout", s.srv.IdleTimeout},
	}
	for _, l := range limits {
		if l.got <= 0 {
			t.Errorf("%s is %v: a slow client could hold a connection for ever", l.name, l.got)
		}
	}
	if s.srv.MaxHeaderBytes <= 0 || s.srv.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes %d", s.srv.MaxHeaderBytes)
	}
	if s.srv.Addr != DefaultAddr || !s.loopback.Load() {
		t.Errorf("listens on %q (loopback %v), want %s", s.srv.Addr, s.loopback.Load(), DefaultAddr)
	}
	if _, err := New(Options{}); err == nil {
		t.Error("New without a store: no error")
	}
}

// TestGracefulShutdown: Shutdown lets a request in flight finish, then
// Serve returns nil.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	s, _ := newTestServer(t, Options{Ready: func(context.Context) error {
		close(entered)
		<-release
		return nil
	}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/readyz")
		if err != nil {
			got <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- resp.Status + " " + strings.TrimSpace(string(b))
	}()
	<-entered
	shut := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() { shut <- s.Shutdown(ctx) }()
	time.Sleep(50 * time.Millisecond) // Shutdown is waiting for the request
	close(release)
	if g := <-got; g != "200 OK ok" {
		t.Errorf("the request in flight got %q, want 200 OK ok", g)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve after Shutdown: %v", err)
	}
}

// otherAddr is a listener that says it listens on a public address.
type otherAddr struct{ net.Listener }

func (otherAddr) Addr() net.Addr { return &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 8502} }

// TestServeOffLoopback: a server configured for loopback but handed a
// listener elsewhere asks for the read token.
func TestServeOffLoopback(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, Options{ReadToken: readTok})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(otherAddr{ln})
	defer s.Shutdown(context.Background())
	for _, tt := range []struct {
		token string
		code  int
	}{{"", 401}, {readTok, 200}} {
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/api/v1/incidents", nil)
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.code {
			t.Errorf("token %q: %d, want %d", tt.token, resp.StatusCode, tt.code)
		}
	}
}

// TestLogIncident: an incident of a log, which no target is, shows on the
// status page for readers and has its own page.
func TestLogIncident(t *testing.T) {
	t.Parallel()
	s, st := newTestServer(t, Options{})
	st.mu.Lock()
	st.incidents = append(st.incidents, Incident{ID: "1741590000000-dddd", Target: "/var/log/nginx/error.log",
		Start: fixtureNow.Add(-3 * time.Hour), Cause: string(diagnose.UpstreamNoneHealthy), Persistence: string(diagnose.Intermittent)})
	st.mu.Unlock()
	for path, want := range map[string]string{
		"/":                             `<span class="name">/var/log/nginx/error.log</span>`,
		"/incidents/1741590000000-dddd": `› /var/log/nginx/error.log</p>`,
	} {
		rec := get(t, s, path)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s: %d, want 200 with %s", path, rec.Code, want)
		}
	}
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		ready func(context.Context) error
		code  int
	}{
		{nil, 200},
		{func(context.Context) error { return nil }, 200},
		{func(context.Context) error { return errors.New("dial unix /run/postgresql: no such file") }, 503},
	} {
		s, _ := newTestServer(t, Options{Ready: tt.ready})
		rec := get(t, s, "/readyz")
		if rec.Code != tt.code || strings.Contains(rec.Body.String(), "postgresql") {
			t.Errorf("readyz: %d %q, want %d without the error", rec.Code, rec.Body, tt.code)
		}
	}
}
