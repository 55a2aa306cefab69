package lab

import (
	"context"
	"errors"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// TestUpstreamCloseUnblocks checks that Close ends connections that would
// otherwise hang forever, promptly, and that the port is closed after.
func TestUpstreamCloseUnblocks(t *testing.T) {
	for _, f := range []Fault{Timeout, Tarpit, EndlessBody, Slow} {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			u, err := StartUpstream(context.Background(), f, UpstreamOptions{Delay: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			c := sendHead(t, u.Addr)
			waitRequests(t, u, 1)

			start := time.Now()
			if err := u.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if took := time.Since(start); took > time.Second {
				t.Errorf("Close took %v, want under 1s", took)
			}
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			buf := make([]byte, 64<<10)
			for {
				if _, err := c.Read(buf); err != nil {
					if errors.Is(err, os.ErrDeadlineExceeded) {
						t.Errorf("client still connected after Close: %v", err)
					}
					break
				}
			}
			if _, err := net.DialTimeout("tcp", u.Addr, time.Second); !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("dial after Close: got %v, want ECONNREFUSED", err)
			}
			if err := u.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

// waitRequests waits until u has read n requests.
func waitRequests(t *testing.T, u *Upstream, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for u.Requests() < n {
		if time.Now().After(deadline) {
			t.Fatalf("Requests() = %d after 2s, want %d", u.Requests(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestStartUpstreamUnknownFault(t *testing.T) {
	if u, err := StartUpstream(context.Background(), "bogus", UpstreamOptions{}); err == nil {
		u.Close()
		t.Errorf("StartUpstream(bogus): got nil error, want one")
	}
}

func TestFaults(t *testing.T) {
	seen := map[Fault]bool{}
	for _, f := range Faults() {
		if seen[f] {
			t.Errorf("Faults(): %s twice", f)
		}
		seen[f] = true
	}
	if got := len(seen); got != 16 {
		t.Errorf("Faults(): got %d faults, want 16", got)
	}
	if Faults()[0] != Healthy {
		t.Errorf("Faults()[0] = %s, want %s", Faults()[0], Healthy)
	}
}

// TestNoGoroutineLeak runs every fault through a gateway, closes both and
// checks that the goroutine count returns to where it was.
func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, f := range Faults() {
		u, err := StartUpstream(context.Background(), f, UpstreamOptions{Delay: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		opts := testGateway
		opts.Dir = t.TempDir()
		g, err := StartGo(context.Background(), u.URL(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if f == EndlessBody {
			// Only the head: the body would take the client's whole deadline.
			sendHead(t, u.Addr)
			waitRequests(t, u, 1)
		} else {
			get(g.URL(), nil, nil)
		}
		if err := errors.Join(g.Close(), u.Close()); err != nil {
			t.Errorf("%s: Close: %v", f, err)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
