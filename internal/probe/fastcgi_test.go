package probe

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fcgiServer listens on 127.0.0.1 (network "tcp") or on a socket in a
// temporary directory ("unix"), reads each request up to its empty STDIN
// record, as PHP-FPM does before it runs a script, and hands the
// connection and the request's params to handle. It returns the address in
// the probe's syntax.
func fcgiServer(t testing.TB, network string, handle func(c net.Conn, params map[string]string)) string {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "fpm.sock")
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if params, err := readFCGIRequest(c); err == nil {
					handle(c, params)
				}
			}()
		}
	}()
	if network == "unix" {
		return "unix:" + addr
	}
	return "fcgi://" + ln.Addr().String()
}

// readFCGIRequest reads records up to the empty STDIN record and decodes
// the params (FastCGI spec 3.4).
func readFCGIRequest(r io.Reader) (map[string]string, error) {
	var enc []byte
	buf := make([]byte, fcgiMaxContent+fcgiMaxPadding)
	for {
		h, content, err := readRecord(r, buf)
		if err != nil {
			return nil, err
		}
		if h.Type == fcgiParams {
			enc = append(enc, content...)
		}
		if h.Type == fcgiStdin && len(content) == 0 {
			return decodeParams(enc)
		}
	}
}

func decodeParams(b []byte) (map[string]string, error) {
	m := map[string]string{}
	size := func() int {
		if len(b) > 0 && b[0] < 128 {
			n := int(b[0])
			b = b[1:]
			return n
		}
		if len(b) < 4 {
			return -1
		}
		n := int(binary.BigEndian.Uint32(b) &^ (1 << 31))
		b = b[4:]
		return n
	}
	for len(b) > 0 {
		nl, vl := size(), size()
		if nl < 0 || vl < 0 || nl+vl > len(b) {
			return nil, errors.New("bad params")
		}
		m[string(b[:nl])] = string(b[nl : nl+vl])
		b = b[nl+vl:]
	}
	return m, nil
}

func stdout(s string) []byte { return appendRecord(nil, fcgiStdout, fcgiRequestID, []byte(s)) }

func endRequest(app uint32, proto byte) []byte {
	body := binary.BigEndian.AppendUint32(nil, app)
	return appendRecord(nil, fcgiEndRequest, fcgiRequestID, append(body, proto, 0, 0, 0))
}

// answer writes a complete response as PHP-FPM frames it: STDOUT, the
// STDOUT end, END_REQUEST.
func answer(stdoutText string) []byte {
	b := appendStream(nil, fcgiStdout, fcgiRequestID, []byte(stdoutText))
	return append(b, endRequest(0, fcgiRequestComplete)...)
}

// endless writes rec until the probe hangs up.
func endless(c net.Conn, rec []byte) {
	for {
		if _, err := c.Write(rec); err != nil {
			return
		}
	}
}

func echoParams(c net.Conn, p map[string]string) {
	body := p["SCRIPT_FILENAME"] + " " + p["QUERY_STRING"] + " " + p["HTTP_HOST"] + " " + p["HTTP_X_TRACE"]
	resp := appendRecord(nil, fcgiStderr, fcgiRequestID, []byte("PHP message: hi"))
	c.Write(append(resp, answer("Content-Type: text/plain\r\n\r\n"+body)...))
}

// deniedDialer returns what connect(2) returns for a unix socket without
// write permission for the caller. A socket of mode 000 cannot produce it
// when the tests run as root, whom no file mode stops.
type deniedDialer struct{}

func (deniedDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.EACCES)}
}

// refusedAddr returns a port of 127.0.0.1 that refuses connections: its
// socket is bound but does not listen, so, unlike a port closed again, no
// server started by a parallel test can take it.
func refusedAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}

// unknownHostDialer returns what net.Dialer returns for a name that does
// not resolve, such as a container name that no longer exists.
type unknownHostDialer struct{}

func (unknownHostDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "php", IsNotFound: true}}
}

func TestFastCGI(t *testing.T) {
	t.Parallel()
	echoOpts := FastCGIOptions{URL: "http://shop.example/cart.php?id=7", DocumentRoot: "/srv/www", Header: http.Header{"X-Trace": {"abc"}}}
	wantEcho := func(t *testing.T, r *Result) {
		if got, want := string(r.Response.Body), "/srv/www/cart.php id=7 shop.example abc"; got != want {
			t.Errorf("body = %q, want %q", got, want)
		}
		if got := r.FastCGI.Stderr; got != "PHP message: hi" {
			t.Errorf("stderr = %q, want PHP message: hi", got)
		}
	}
	tests := []struct {
		name      string
		addr      string
		opts      FastCGIOptions
		wantClass Class
		wantIn    Phase
		wantReach Phase
		check     func(t *testing.T, r *Result)
	}{
		{name: "tcp", addr: fcgiServer(t, "tcp", echoParams), opts: echoOpts, wantReach: PhaseComplete, check: wantEcho},
		{name: "unix", addr: fcgiServer(t, "unix", echoParams), opts: echoOpts, wantReach: PhaseComplete, check: wantEcho},
		{name: "redirect with bare LF", addr: fcgiServer(t, "tcp", func(c net.Conn, _ map[string]string) {
			c.Write(answer("Location: /login\n\n"))
		}), wantReach: PhaseComplete, check: wantStatus(http.StatusFound)},
		{name: "refused", addr: refusedAddr(t), wantClass: ClassRefused, wantIn: PhaseConnect},
		{name: "no socket", addr: "unix:" + filepath.Join(t.TempDir(), "php-fpm.sock"), wantClass: ClassNoSocket, wantIn: PhaseConnect},
		{name: "permission", addr: "unix:/run/php/php8.2-fpm.sock", opts: FastCGIOptions{Dialer: deniedDialer{}}, wantClass: ClassPermission, wantIn: PhaseConnect},
		{name: "unknown host", addr: "fcgi://php:9000", opts: FastCGIOptions{Dialer: unknownHostDialer{}}, wantClass: ClassDNSNotFound, wantIn: PhaseDNS},
		{name: "bad address", addr: "http://127.0.0.1:9000/", wantClass: ClassOther},
		{name: "accept and close", addr: fcgiServer(t, "tcp", func(net.Conn, map[string]string) {}),
			wantClass: ClassClosed, wantIn: PhaseHeaders, wantReach: PhaseRequest},
		{name: "reset", addr: fcgiServer(t, "tcp", func(c net.Conn, _ map[string]string) { c.(*net.TCPConn).SetLinger(0) }),
			wantClass: ClassReset, wantIn: PhaseHeaders, wantReach: PhaseRequest},
		{name: "HTTP on the FastCGI port", addr: fcgiServer(t, "tcp", func(c net.Conn, _ map[string]string) {
			fmt.Fprint(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
		}), wantClass: ClassMalformed, wantIn: PhaseHeaders, check: func(t *testing.T, r *Result) {
			if !strings.Contains(r.Error, "the port speaks HTTP, not FastCGI") {
				t.Errorf("error %q does not say the port speaks HTTP", r.Error)
			}
		}},
		{name: "bad Status", addr: fcgiServer(t, "tcp", func(c net.Conn, _ map[string]string) {
			c.Write(answer("Status: fine\r\n\r\n"))
		}), wantClass: ClassMalformed, wantIn: PhaseHeaders},
		{name: "other request id", addr: fcgiServer(t, "tcp", func(c net.Conn, _ map[string]string) {
			c.Write(appendRecord(nil, fcgiStdout, 2, []byte("Status: 200\r\n\r\n")))
		}), wantClass: ClassMalformed, wantIn: PhaseHeaders},
		{name: "END_REQUEST before the head", addr: fcgiServer(t, "tcp", func(c net.Conn, _ map[string]string) {
			c.Write(append(stdout("Content-Type: text/html\r\n"), endRequest(255, fcgiRequestComplete)...))
		}), wantClass: ClassClosed, wantIn: PhaseHeaders, check: func(t *testing.T, r *Result) {
			if !r.FastCGI.Ended || r.FastCGI.AppStatus != 255 {
				t.Errorf("ended = %v app status = %d, want true 255", r.FastCGI.Ended, r.FastCGI.AppStatus)
			}
		}},
		{name: "overloaded", addr: fcgiServer(t, "tcp", func(c net.Conn, _ map[string]string) {
			c.Write(endRequest(0, fcgiOverloaded))
		}), wantClass: ClassOverloaded, wantIn: PhaseHeaders, check: wantProtocolStatus("overloaded")},
		{name: "cant mpx conn", addr: fcgiServer(t, "tcp", func(c net.Conn, _ map[string]string) {
			c.Write(endRequest(0, fcgiCantMpxConn))
		}), wantClass: ClassOther, wantIn: PhaseHeaders, check: wantProtocolStatus("cant_mpx_conn")},
		{name: "never answers", addr: fcgiServer(t, "unix", func(c net.Conn, _ map[string]string) { io.Copy(io.Discard, c) }),
			opts: FastCGIOptions{Timeout: 300 * time.Millisecond}, wantClass: ClassHeaderTimeout, wantIn: PhaseHeaders, check: wantWithin(time.Second)},
		{name: "endless head", addr: fcgiServer(t, "tcp", func(c net.Conn, _ map[string]string) {
			endless(c, stdout("X-Fill: "+strings.Repeat("a", 1000)+"\r\n"))
		}), opts: FastCGIOptions{MaxHeaderBytes: 4096}, wantClass: ClassHeaderTooBig, wantIn: PhaseHeaders},
		{name: "endless empty records", addr: fcgiServer(t, "tcp", func(c net.Conn, _ map[string]string) {
			endless(c, bytes.Repeat(appendRecord(nil, fcgiStderr, fcgiRequestID, nil), 512))
		}), wantClass: ClassHeaderTooBig, wantIn: PhaseHeaders, check: func(t *testing.T, r *Result) {
			if r.FastCGI.Records != fcgiMaxRecords {
				t.Errorf("records = %d, want %d", r.FastCGI.Records, fcgiMaxRecords)
			}
		}},
		{name: "endless body capped", addr: fcgiServer(t, "tcp", func(c net.Conn, _ map[string]string) {
			c.Write(stdout("Content-Type: text/plain\r\n\r\n"))
			endless(c, stdout(strings.Repeat("x", 4096)))
		}), opts: FastCGIOptions{MaxBodyBytes: 10000}, wantReach: PhaseComplete, check: func(t *testing.T, r *Result) {
			if !r.Response.BodyTruncated || r.Response.BodyBytes != 10000 {
				t.Errorf("body = %d truncated=%v, want 10000 truncated", r.Response.BodyBytes, r.Response.BodyTruncated)
			}
		}},
		{name: "closed in the body", addr: fcgiServer(t, "tcp", func(c net.Conn, _ map[string]string) {
			c.Write(stdout("Status: 200\r\n\r\npartial"))
		}), wantClass: ClassBodyTruncated, wantIn: PhaseBody, wantReach: PhaseHeaders},
		{name: "slow endless body", addr: fcgiServer(t, "tcp", func(c net.Conn, _ map[string]string) {
			c.Write(stdout("Status: 200\r\n\r\n"))
			for {
				if _, err := c.Write(stdout("x")); err != nil {
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}), opts: FastCGIOptions{Timeout: 400 * time.Millisecond}, wantClass: ClassBodyTimeout, wantIn: PhaseBody, check: wantWithin(time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := FastCGI(context.Background(), tt.addr, tt.opts)
			if r.Class != tt.wantClass || r.FailedIn != tt.wantIn {
				t.Fatalf("class = %q in %q, want %q in %q (err: %v)", r.Class, r.FailedIn, tt.wantClass, tt.wantIn, r.Err)
			}
			if tt.wantReach != "" && r.Reached != tt.wantReach {
				t.Errorf("reached = %q, want %q", r.Reached, tt.wantReach)
			}
			if (r.Err == nil) != (r.Error == "") {
				t.Errorf("Err = %v but Error = %q", r.Err, r.Error)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func wantStatus(code int) func(t *testing.T, r *Result) {
	return func(t *testing.T, r *Result) {
		t.Helper()
		if r.Response == nil || r.Response.Status != code || r.Response.Proto != FastCGIProto {
			t.Fatalf("response = %+v, want status %d over %s", r.Response, code, FastCGIProto)
		}
	}
}

func wantProtocolStatus(s string) func(t *testing.T, r *Result) {
	return func(t *testing.T, r *Result) {
		t.Helper()
		if r.FastCGI.ProtocolStatus != s || !strings.Contains(r.Error, strings.ToUpper(s)) && !strings.Contains(r.Error, s) {
			t.Errorf("protocol status = %q, error %q; want %q named in both", r.FastCGI.ProtocolStatus, r.Error, s)
		}
	}
}

func wantWithin(d time.Duration) func(t *testing.T, r *Result) {
	return func(t *testing.T, r *Result) {
		t.Helper()
		if r.Timings.Total > d {
			t.Errorf("total = %v, want at most %v", r.Timings.Total, d)
		}
	}
}

func TestFastCGITarget(t *testing.T) {
	tests := []struct{ addr, network, target string }{
		{"unix:/run/php/php8.2-fpm.sock", "unix", "/run/php/php8.2-fpm.sock"},
		{"unix:///run/php/php8.2-fpm.sock", "unix", "/run/php/php8.2-fpm.sock"},
		{"unix:/run/php/php8.2-fpm.sock|fcgi://localhost/", "unix", "/run/php/php8.2-fpm.sock"},
		{"/run/php/php8.2-fpm.sock", "unix", "/run/php/php8.2-fpm.sock"},
		{"fcgi://127.0.0.1:9000", "tcp", "127.0.0.1:9000"},
		{"fcgi://php:9000/", "tcp", "php:9000"},
		{"[::1]:9000", "tcp", "[::1]:9000"},
		{"unix:", "", ""},
		{"9000", "", ""},
	}
	for _, tt := range tests {
		network, target, err := fastcgiTarget(tt.addr)
		if network != tt.network || target != tt.target || (err != nil) != (tt.network == "") {
			t.Errorf("fastcgiTarget(%q) = %q, %q, %v; want %q, %q", tt.addr, network, target, err, tt.network, tt.target)
		}
	}
}

// FuzzFastCGIResponse feeds arbitrary bytes to the response reader: it must
// return, keep to its caps and fill the result consistently.
func FuzzFastCGIResponse(f *testing.F) {
	f.Add(answer("Status: 404 Not Found\r\nContent-Type: text/html\r\n\r\nFile not found.\n"))
	f.Add(append(appendRecord(nil, fcgiStderr, fcgiRequestID, []byte("Primary script unknown")), answer("\n\nbody")...))
	f.Add(append(stdout("Location: http://x/\r\n\r\n"), endRequest(0, fcgiOverloaded)...))
	f.Add([]byte("HTTP/1.1 200 OK\r\n\r\n"))
	f.Add(stdout(strings.Repeat("X: y\r\n", 100)))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &fcgiProbe{opts: FastCGIOptions{MaxHeaderBytes: 512, MaxBodyBytes: 256}, res: &Result{FastCGI: &FastCGIInfo{}}}
		p.opts.defaults()
		p.receive(context.Background(), bytes.NewReader(data))
		r := p.res
		if (r.Response == nil) != (r.FailedIn == PhaseHeaders) {
			t.Fatalf("response %v with failure in %q", r.Response, r.FailedIn)
		}
		if r.Response != nil && (r.Response.HeaderBytes > 512 || r.Response.BodyBytes > 256 || r.Response.Status < 100) {
			t.Fatalf("response beyond its caps or without a status: %+v", r.Response)
		}
		if len(r.FastCGI.Stderr) > fcgiMaxStderr {
			t.Fatalf("stderr of %d bytes kept", len(r.FastCGI.Stderr))
		}
	})
}

// goFastCGI serves handler over FastCGI with Go's net/http/fcgi, a second
// implementation of the protocol.
func goFastCGI(t testing.TB, handler http.HandlerFunc) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go fcgi.Serve(ln, handler)
	return "fcgi://" + ln.Addr().String()
}

func TestFastCGIGoServer(t *testing.T) {
	addr := goFastCGI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Big", strings.Repeat("b", 20<<10))
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "%s %s %s", r.Method, r.Host, r.URL.RequestURI())
	})
	r := FastCGI(context.Background(), addr, FastCGIOptions{Method: "HEAD", URL: "https://shop.example/a/b?c=d"})
	if r.Err != nil || r.Response.Status != http.StatusServiceUnavailable {
		t.Fatalf("status %v err %v, want 503", r.Response, r.Err)
	}
	if got, want := string(r.Response.Body), "HEAD shop.example /a/b?c=d"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	if got := r.Response.HeaderBytes; got < 20<<10 || got > 21<<10 {
		t.Errorf("header bytes = %d, want 20-21 KiB", got)
	}
}

func BenchmarkFastCGI(b *testing.B) {
	addr := goFastCGI(b, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	for b.Loop() {
		if r := FastCGI(context.Background(), addr, FastCGIOptions{}); r.Err != nil {
			b.Fatal(r.Err)
		}
	}
}

// A FastCGI application that answers 503 for maintenance (Go's
// net/http/fcgi here, standing in for PHP-FPM): the status is the script's
// own, so the failing hop is the application, not the gateway.
func ExampleFastCGI() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	go fcgi.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "down for maintenance")
	}))
	r := FastCGI(context.Background(), "fcgi://"+ln.Addr().String(), FastCGIOptions{
		URL:            "http://shop.example/index.php",
		ScriptFilename: "/var/www/shop/index.php",
		Timeout:        5 * time.Second,
	})
	fmt.Println(r.Reached, r.Class == ClassNone, r.Response.Status, string(r.Response.Body))
	// Output: complete true 503 down for maintenance
}
