package probe

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rawServer accepts connections on 127.0.0.1 and hands each to handle after
// reading the request head, the way a misbehaving upstream would.
func rawServer(t *testing.T, handle func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				br := bufio.NewReader(c)
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				handle(c)
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/"
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestHTTP(t *testing.T) {
	t.Parallel()
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "test")
		fmt.Fprint(w, "hello")
	}))
	t.Cleanup(healthy.Close)
	_, healthyPort, _ := net.SplitHostPort(healthy.Listener.Addr().String())
	selfSigned := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(selfSigned.Close)

	tests := []struct {
		name      string
		url       string
		opts      Options
		wantClass Class
		wantIn    Phase
		wantReach Phase
		check     func(t *testing.T, r *Result)
	}{
		{name: "healthy", url: healthy.URL, wantReach: PhaseComplete, check: func(t *testing.T, r *Result) {
			if got := string(r.Response.Body); got != "hello" {
				t.Errorf("body = %q, want hello", got)
			}
		}},
		{name: "refused", url: "http://" + freePort(t) + "/", wantClass: ClassRefused, wantIn: PhaseConnect},
		{name: "closed", url: rawServer(t, func(c net.Conn) {}), wantClass: ClassClosed, wantIn: PhaseHeaders, wantReach: PhaseRequest},
		{name: "reset", url: rawServer(t, func(c net.Conn) { c.(*net.TCPConn).SetLinger(0) }), wantClass: ClassReset, wantIn: PhaseHeaders},
		{name: "invalid", url: rawServer(t, func(c net.Conn) { fmt.Fprint(c, "SSH-2.0-OpenSSH_9.2\r\n\r\n") }), wantClass: ClassMalformed, wantIn: PhaseHeaders},
		{name: "header timeout", url: rawServer(t, func(c net.Conn) { time.Sleep(3 * time.Second) }),
			opts: Options{Timeout: 300 * time.Millisecond}, wantClass: ClassHeaderTimeout, wantIn: PhaseHeaders},
		{name: "slowloris head", url: rawServer(t, func(c net.Conn) {
			fmt.Fprint(c, "HTTP/1.1 200 OK\r\n")
			for i := 0; i < 50; i++ {
				if _, err := c.Write([]byte("X")); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}), opts: Options{Timeout: 500 * time.Millisecond}, wantClass: ClassHeaderTimeout, wantIn: PhaseHeaders},
		{name: "endless body capped", url: rawServer(t, func(c net.Conn) {
			fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
			chunk := []byte(strings.Repeat("x", 4096))
			for {
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		}), opts: Options{MaxBodyBytes: 10000}, wantReach: PhaseComplete, check: func(t *testing.T, r *Result) {
			if !r.Response.BodyTruncated || r.Response.BodyBytes != 10000 {
				t.Errorf("body = %d truncated=%v, want 10000 truncated", r.Response.BodyBytes, r.Response.BodyTruncated)
			}
		}},
		{name: "slow endless body", url: rawServer(t, func(c net.Conn) {
			fmt.Fprint(c, "HTTP/1.1 200 OK\r\n\r\n")
			for {
				if _, err := c.Write([]byte("x")); err != nil {
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}), opts: Options{Timeout: 400 * time.Millisecond}, wantClass: ClassBodyTimeout, wantIn: PhaseBody},
		{name: "truncated body", url: rawServer(t, func(c net.Conn) {
			fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
		}), wantClass: ClassBodyTruncated, wantIn: PhaseBody},
		{name: "header too big", url: rawServer(t, func(c net.Conn) {
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nSet-Cookie: a=%s\r\n\r\n", strings.Repeat("b", 5000))
		}), opts: Options{MaxHeaderBytes: 1024}, wantClass: ClassHeaderTooBig, wantIn: PhaseHeaders},
		{name: "self-signed rejected but recorded", url: selfSigned.URL, wantClass: ClassTLSCert, wantIn: PhaseTLS,
			check: func(t *testing.T, r *Result) {
				if r.TLS == nil || r.TLS.Verified || r.TLS.VerifyError == "" || len(r.TLS.Chain) == 0 {
					t.Errorf("TLS = %+v, want a recorded verification failure with chain", r.TLS)
				}
			}},
		{name: "self-signed insecure", url: selfSigned.URL, opts: Options{Insecure: true}, wantReach: PhaseComplete,
			check: func(t *testing.T, r *Result) {
				if r.TLS.Verified || r.TLS.Version == "" {
					t.Errorf("TLS = %+v, want unverified with a version", r.TLS)
				}
			}},
		{name: "TLS to plain port", url: strings.Replace(healthy.URL, "http:", "https:", 1), wantClass: ClassNotTLS, wantIn: PhaseTLS},
		{name: "unknown host", url: "http://nowhere.invalid/", opts: Options{Resolver: fakeResolver{}}, wantClass: ClassDNSNotFound, wantIn: PhaseDNS},
		{name: "missing unix socket", url: "http://app/", opts: Options{ConnectTo: "unix:" + filepath.Join(t.TempDir(), "php.sock")}, wantClass: ClassNoSocket, wantIn: PhaseConnect},
		{name: "connect to", url: "http://shop.example/", opts: Options{ConnectTo: strings.TrimPrefix(healthy.URL, "http://")}, wantReach: PhaseComplete},
		{name: "resolve", url: "http://shop.example:" + healthyPort + "/",
			opts: Options{Resolve: map[string]string{"shop.example:" + healthyPort: "127.0.0.1"}}, wantReach: PhaseComplete},
		{name: "bad url", url: "ftp://x", wantClass: ClassOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			r := HTTP(context.Background(), tc.url, tc.opts)
			if r.Class != tc.wantClass {
				t.Fatalf("class = %q (err %v), want %q", r.Class, r.Err, tc.wantClass)
			}
			if r.FailedIn != tc.wantIn {
				t.Errorf("failed in %q, want %q", r.FailedIn, tc.wantIn)
			}
			if tc.wantReach != "" && r.Reached != tc.wantReach {
				t.Errorf("reached %q, want %q", r.Reached, tc.wantReach)
			}
			if tc.wantClass != ClassNone && (r.Err == nil || r.Error == "") {
				t.Errorf("err = %v, want an error", r.Err)
			}
			if limit := tc.opts.Timeout; limit > 0 && time.Since(start) > limit+time.Second {
				t.Errorf("took %v, more than the timeout %v", time.Since(start), limit)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

type fakeResolver struct{}

func (fakeResolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func TestClassifyNil(t *testing.T) {
	if got := Classify(PhaseConnect, nil); got != ClassNone {
		t.Errorf("Classify(nil) = %q", got)
	}
	if got := Classify(PhaseHeaders, errors.New("weird")); got != ClassOther {
		t.Errorf("Classify(weird) = %q", got)
	}
	// A connection attempt that the caller stopped waiting for went
	// unanswered all that time.
	canceled := fmt.Errorf("connecting to 192.0.2.1:80: %w", &net.OpError{Op: "dial", Net: "tcp", Err: context.Canceled})
	if got := Classify(PhaseConnect, canceled); got != ClassConnectTimeout {
		t.Errorf("Classify(connect canceled) = %q, want %q", got, ClassConnectTimeout)
	}
}

// TestSummarizeSelfSigned: a certificate signed by its own key is
// self-signed even without the CA flag, as server placeholders often are.
func TestSummarizeSelfSigned(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, ca := range []bool{false, true} {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "shop.example"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			BasicConstraintsValid: true, IsCA: ca, DNSNames: []string{"shop.example"}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		if s := summarize(c); !s.SelfSigned {
			t.Errorf("CA %v: SelfSigned false for %s issued by %s", ca, s.Subject, s.Issuer)
		}
	}
}
