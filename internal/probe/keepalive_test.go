package probe

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestKeepAlive measures how long servers keep an idle connection open.
func TestKeepAlive(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	closing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		w.Write([]byte("bye\n"))
	})
	for _, tc := range []struct {
		name     string
		handler  http.Handler
		idle     time.Duration // the server's IdleTimeout
		wait     time.Duration
		reusable bool
		closed   bool
	}{
		{"closes after its idle timeout", ok, 300 * time.Millisecond, 3 * time.Second, true, true},
		{"keeps it longer than the wait", ok, 10 * time.Second, 400 * time.Millisecond, true, false},
		{"closes after every response", closing, 10 * time.Second, time.Second, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewUnstartedServer(tc.handler)
			srv.Config.IdleTimeout = tc.idle
			srv.Start()
			defer srv.Close()
			res := KeepAlive(context.Background(), srv.URL+"/x", KeepAliveOptions{Wait: tc.wait})
			if res.Status != 200 || res.Reusable != tc.reusable || res.Closed != tc.closed || res.Error != "" {
				t.Fatalf("result %+v, want status 200, reusable %v, closed %v", res, tc.reusable, tc.closed)
			}
			if tc.closed && (res.Idle < tc.idle/2 || res.Idle > tc.idle+2*time.Second) {
				t.Errorf("idle %s, want about %s", res.Idle, tc.idle)
			}
		})
	}
}

// TestKeepAliveFailures: the probe reports refused connections and bad
// URLs as classes, and honours ctx.
func TestKeepAliveFailures(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if res := KeepAlive(context.Background(), "http://"+addr+"/", KeepAliveOptions{}); res.Class != ClassRefused {
		t.Errorf("refused: %+v, want class %s", res, ClassRefused)
	}
	if res := KeepAlive(context.Background(), "no url", KeepAliveOptions{}); res.Error == "" {
		t.Errorf("bad URL: %+v, want an error", res)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := KeepAlive(ctx, srv.URL, KeepAliveOptions{Wait: 10 * time.Second})
	if time.Since(start) > 3*time.Second || res.Closed {
		t.Errorf("ctx ignored: %+v after %s", res, time.Since(start))
	}
}
