package lab

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startUpstream starts an upstream that the test closes at cleanup.
func startUpstream(t *testing.T, f Fault, opts UpstreamOptions) *Upstream {
	t.Helper()
	u, err := StartUpstream(context.Background(), f, opts)
	if err != nil {
		t.Fatalf("StartUpstream(%s): %v", f, err)
	}
	t.Cleanup(func() {
		if err := u.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return u
}

// sendHead dials addr and sends a GET head with extra "Name: value" lines,
// as a plain HTTP/1.1 client does.
func sendHead(t *testing.T, addr string, header ...string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	head := "GET / HTTP/1.1\r\nHost: " + addr + "\r\n"
	for _, h := range header {
		head += h + "\r\n"
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, head+"\r\n"); err != nil {
		t.Fatalf("writing request: %v", err)
	}
	return c
}

// firstRead reads once from c, waiting at most d.
func firstRead(c net.Conn, d time.Duration) (int, error) {
	c.SetReadDeadline(time.Now().Add(d))
	return c.Read(make([]byte, 512))
}

// get does one request on a fresh connection with a 5 s deadline.
func get(url string, h http.Header, roots *x509.CertPool) (*http.Response, []byte, error) {
	tr := &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{RootCAs: roots}}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header = h
	resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// wantOK checks that a get returned 200 with HealthyBody.
func wantOK(t *testing.T, resp *http.Response, body []byte, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("get: %v, want 200", err)
	}
	if resp.StatusCode != http.StatusOK || string(body) != HealthyBody {
		t.Fatalf("got %d %q, want 200 %q", resp.StatusCode, body, HealthyBody)
	}
}

func TestUpstreamDirect(t *testing.T) {
	tests := []struct {
		fault Fault
		opts  UpstreamOptions
		check func(t *testing.T, u *Upstream)
	}{
		{Healthy, UpstreamOptions{}, checkHealthy},
		{Refused, UpstreamOptions{}, func(t *testing.T, u *Upstream) {
			_, err := net.DialTimeout("tcp", u.Addr, time.Second)
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("dial: got %v, want ECONNREFUSED", err)
			}
			// The port stays held: a server started beside cannot take
			// it, even with SO_REUSEADDR as Go and the gateways set it.
			if ln, err := net.Listen("tcp", u.Addr); err == nil {
				ln.Close()
				t.Errorf("listening on the refused upstream's %s succeeded; the port must stay held", u.Addr)
			}
		}},
		{Closed, UpstreamOptions{}, func(t *testing.T, u *Upstream) {
			n, err := firstRead(sendHead(t, u.Addr), 2*time.Second)
			if n != 0 || err != io.EOF {
				t.Errorf("read: got %d bytes, %v; want 0, EOF", n, err)
			}
		}},
		{Reset, UpstreamOptions{}, func(t *testing.T, u *Upstream) {
			_, err := firstRead(sendHead(t, u.Addr), 2*time.Second)
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("read: got %v, want ECONNRESET", err)
			}
		}},
		{Invalid, UpstreamOptions{}, func(t *testing.T, u *Upstream) {
			_, err := http.ReadResponse(bufio.NewReader(sendHead(t, u.Addr)), nil)
			// net/http has no typed error for a bad status line.
			if err == nil || !strings.Contains(err.Error(), "malformed HTTP status code") {
				t.Errorf("ReadResponse: got %v, want a malformed status code error", err)
			}
		}},
		{HeaderTooBig, UpstreamOptions{}, func(t *testing.T, u *Upstream) {
			head, err := readHead(sendHead(t, u.Addr))
			if err != nil {
				t.Fatalf("reading head: %v", err)
			}
			if !strings.HasPrefix(head, "HTTP/1.1 200 ") || len(head) <= 60<<10 {
				t.Errorf("got head of %d bytes starting %.20q, want 200 with more than 60 KiB", len(head), head)
			}
		}},
		{Timeout, UpstreamOptions{}, func(t *testing.T, u *Upstream) {
			_, err := firstRead(sendHead(t, u.Addr), 300*time.Millisecond)
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("read: got %v, want the client deadline", err)
			}
			if got := u.Requests(); got != 1 {
				t.Errorf("Requests() = %d, want 1", got)
			}
		}},
		{Slow, UpstreamOptions{Delay: 200 * time.Millisecond}, func(t *testing.T, u *Upstream) {
			start := time.Now()
			resp, body, err := get(u.URL(), nil, nil)
			wantOK(t, resp, body, err)
			if took := time.Since(start); took < 200*time.Millisecond {
				t.Errorf("answered after %v, want at least 200ms", took)
			}
		}},
		{Intermittent, UpstreamOptions{}, func(t *testing.T, u *Upstream) {
			for i := 1; i <= 4; i++ {
				_, _, err := get(u.URL(), nil, nil)
				if failed := err != nil; failed != (i%2 == 0) {
					t.Errorf("request %d: got error %v, want failure %v", i, err, i%2 == 0)
				}
			}
		}},
		{AppError, UpstreamOptions{}, func(t *testing.T, u *Upstream) {
			resp, body, err := get(u.URL(), nil, nil)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			if resp.StatusCode != 502 || resp.Header.Get("Content-Type") != "application/json" || string(body) != AppErrorBody {
				t.Errorf("got %d %s %q, want 502 application/json %q", resp.StatusCode, resp.Header.Get("Content-Type"), body, AppErrorBody)
			}
		}},
		{CookieBomb, UpstreamOptions{}, checkCookieBomb},
		{TLS, UpstreamOptions{}, checkTLS},
		{Truncated, UpstreamOptions{}, func(t *testing.T, u *Upstream) {
			resp, body, err := get(u.URL(), nil, nil)
			if !errors.Is(err, io.ErrUnexpectedEOF) || resp == nil || resp.StatusCode != 200 ||
				resp.ContentLength != truncatedLength || len(body) != truncatedSent {
				t.Errorf("got %v, %d body bytes, %v; want 200 announcing %d bytes, %d of them, then an unexpected EOF",
					resp, len(body), err, truncatedLength, truncatedSent)
			}
		}},
		{Unreachable, UpstreamOptions{}, func(t *testing.T, u *Upstream) {
			for range 2 {
				_, err := net.DialTimeout("tcp", u.Addr, 300*time.Millisecond)
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Errorf("dial: got %v, want a timeout", err)
				}
			}
		}},
		{Tarpit, UpstreamOptions{}, func(t *testing.T, u *Upstream) {
			c := sendHead(t, u.Addr)
			c.SetReadDeadline(time.Now().Add(1200 * time.Millisecond))
			got, err := io.ReadAll(c)
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("read: got %v, want the client deadline", err)
			}
			rest, ok := strings.CutPrefix(string(got), "HTTP/1.1 200 OK\r\n")
			if !ok || len(rest) < 1 || len(rest) > 3 {
				t.Errorf("got %q in 1.2s, want the status line and 1 to 3 header bytes", got)
			}
		}},
		{EndlessBody, UpstreamOptions{}, func(t *testing.T, u *Upstream) {
			resp, err := http.Get(u.URL())
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			defer resp.Body.Close()
			n, err := io.CopyN(io.Discard, resp.Body, 20<<10)
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("got %d and %d body bytes (%v), want 200 and 20 KiB", resp.StatusCode, n, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			t.Parallel()
			tt.check(t, startUpstream(t, tt.fault, tt.opts))
		})
	}
}

// readHead reads a response head up to and including its blank line.
func readHead(c net.Conn) (string, error) {
	br := bufio.NewReader(c)
	var head bytes.Buffer
	for !bytes.HasSuffix(head.Bytes(), []byte("\r\n\r\n")) {
		line, err := br.ReadSlice('\n')
		head.Write(line)
		if err != nil && err != bufio.ErrBufferFull {
			return head.String(), err
		}
	}
	return head.String(), nil
}

func checkHealthy(t *testing.T, u *Upstream) {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	for i := range 3 {
		var reused bool
		trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) { reused = ci.Reused }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", u.URL(), nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		wantOK(t, resp, body, err)
		if want := i > 0; reused != want {
			t.Errorf("request %d: connection reused %v, want %v", i, reused, want)
		}
	}
	if got := u.Requests(); got != 3 {
		t.Errorf("Requests() = %d, want 3", got)
	}
}

func checkCookieBomb(t *testing.T, u *Upstream) {
	tests := []struct {
		cookie string
		fail   bool
	}{
		{"", false},
		{"theme=dark; lang=en", false},
		{"theme=dark; session_blob=" + strings.Repeat("x", 2048) + "; lang=en", true},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.cookie != "" {
			h.Set("Cookie", tt.cookie)
		}
		resp, body, err := get(u.URL(), h, nil)
		if tt.fail {
			if err == nil {
				t.Errorf("cookie %.30q: got %d, want an error", tt.cookie, resp.StatusCode)
			}
			continue
		}
		wantOK(t, resp, body, err)
	}
}

func checkTLS(t *testing.T, u *Upstream) {
	if u.Scheme != "https" || u.Cert == nil {
		t.Fatalf("got scheme %q and cert %v, want https and a certificate", u.Scheme, u.Cert)
	}
	_, _, err := get(u.URL(), nil, nil)
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("get with system roots: got %v, want x509.UnknownAuthorityError", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(u.Cert)
	_, port, _ := net.SplitHostPort(u.Addr)
	for _, url := range []string{u.URL(), "https://localhost:" + port} {
		resp, body, err := get(url, nil, roots)
		wantOK(t, resp, body, err)
	}
}
