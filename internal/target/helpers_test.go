package target

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// redirectDialer sends connections for the addresses in its map to other
// addresses, so that a test can give "shop.example:443" and
// "shop.example:80" servers of their own on loopback.
type redirectDialer map[string]string

func (d redirectDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if to, ok := d[addr]; ok {
		addr = to
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, addr)
}

// loopbackResolver answers every name with 127.0.0.1.
type loopbackResolver struct{}

func (loopbackResolver) LookupHost(context.Context, string) ([]string, error) {
	return []string{"127.0.0.1"}, nil
}

// notFoundResolver answers every name with NXDOMAIN.
type notFoundResolver struct{}

func (notFoundResolver) LookupHost(_ context.Context, host string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// closedAddr returns a loopback address where nothing listens: a port
// that was just in use, so the kernel refuses connections to it.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// silentAddr returns a loopback address that accepts connections and
// never says a word, as a port behind a stuck process does.
func silentAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				<-done
				c.Close()
			}()
		}
	}()
	return l.Addr().String()
}

// statusServer starts a plain HTTP server that answers every request with
// status.
func statusServer(t *testing.T, status int) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
	}))
	t.Cleanup(s.Close)
	return s
}

// testTimeout bounds each request of a test: loopback answers in
// microseconds, so only the cases that wait for silence come near it.
const testTimeout = 2 * time.Second
