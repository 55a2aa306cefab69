package probe

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Server is an HTTP/2 server on 127.0.0.1 with net/http's own HTTP/2,
// offering h2 and http/1.1 as most TLS sites do.
func h2Server(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	s := httptest.NewUnstartedServer(h)
	s.EnableHTTP2 = true
	s.StartTLS()
	t.Cleanup(s.Close)
	return s.URL + "/"
}

// selfSignedCert makes a certificate for 127.0.0.1.
func selfSignedCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// rawH2Server accepts TLS connections on 127.0.0.1 that choose h2, reads the
// client preface, exchanges SETTINGS and waits for the request's HEADERS,
// then hands the connection's framer to script: an HTTP/2 edge that
// misbehaves on purpose, frame by frame.
func rawH2Server(t *testing.T, script func(fr *http2.Framer)) string {
	t.Helper()
	cfg := &tls.Config{Certificates: []tls.Certificate{selfSignedCert(t)}, NextProtos: []string{"h2"}}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
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
				if fr := h2Accept(c); fr != nil {
					script(fr)
				}
			}()
		}
	}()
	return "https://" + ln.Addr().String() + "/"
}

// h2Accept runs the server's side of an HTTP/2 connection up to the
// client's first HEADERS frame; nil when the client did not get there.
func h2Accept(c net.Conn) *http2.Framer {
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(c, preface); err != nil || string(preface) != http2.ClientPreface {
		return nil
	}
	fr := http2.NewFramer(c, c)
	if fr.WriteSettings() != nil {
		return nil
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return nil
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() && fr.WriteSettingsAck() != nil {
				return nil
			}
		case *http2.HeadersFrame:
			return fr
		}
	}
}

// h2Head writes a response head on stream 1.
func h2Head(fr *http2.Framer, endStream bool, fields ...string) {
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		enc.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]})
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: buf.Bytes(), EndHeaders: true, EndStream: endStream})
}

func TestHTTP2(t *testing.T) {
	t.Parallel()
	healthy := h2Server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "test")
		fmt.Fprintf(w, "hello over %s", r.Proto)
	})
	tests := []struct {
		name      string
		url       string
		opts      Options
		wantClass Class
		wantIn    Phase
		wantReach Phase
		wantProto string // Result.Protocol
		wantCode  string // Result.H2Code
		check     func(t *testing.T, r *Result)
	}{
		{name: "h2 chosen", url: healthy, wantReach: PhaseComplete, wantProto: ALPNH2, check: func(t *testing.T, r *Result) {
			if got, want := string(r.Response.Body), "hello over HTTP/2.0"; got != want {
				t.Errorf("body = %q, want %q", got, want)
			}
			if r.Response.Proto != "HTTP/2.0" || r.TLS.ALPN != ALPNH2 || !r.IsHTTP2() {
				t.Errorf("proto = %q, ALPN %q, want HTTP/2.0 over h2", r.Response.Proto, r.TLS.ALPN)
			}
			if r.Response.Header.Get("Server") != "test" || r.Response.HeaderBytes < len("Server: test\r\n") {
				t.Errorf("header = %v (%d bytes), want Server: test", r.Response.Header, r.Response.HeaderBytes)
			}
			if r.Timings.TTFB <= 0 || r.Timings.TLS <= 0 || r.Timings.Connect <= 0 {
				t.Errorf("timings = %+v, want connect, TLS and TTFB", r.Timings)
			}
		}},
		{name: "h2 asked", url: healthy, opts: Options{Protocol: ProtocolH2}, wantReach: PhaseComplete, wantProto: ALPNH2},
		{name: "http/1.1 forced", url: healthy, opts: Options{Protocol: ProtocolHTTP1}, wantReach: PhaseComplete, wantProto: ALPNHTTP1,
			check: func(t *testing.T, r *Result) {
				if got, want := string(r.Response.Body), "hello over HTTP/1.1"; got != want {
					t.Errorf("body = %q, want %q", got, want)
				}
			}},
		{name: "server without h2", url: h2ServerHTTP1(t), wantReach: PhaseComplete, wantProto: ALPNHTTP1},
		{name: "h2 asked over plain http", url: plainServer(t), opts: Options{Protocol: ProtocolH2}, wantReach: PhaseComplete, wantProto: ALPNHTTP1},
		{name: "handler aborts: RST_STREAM", url: h2Server(t, func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) }),
			wantClass: ClassH2StreamReset, wantIn: PhaseHeaders, wantProto: ALPNH2, wantCode: "INTERNAL_ERROR"},
		{name: "handler aborts mid-body", url: h2Server(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "partial")
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}), wantClass: ClassH2StreamReset, wantIn: PhaseBody, wantProto: ALPNH2, wantCode: "INTERNAL_ERROR", check: func(t *testing.T, r *Result) {
			if r.Response == nil || r.Response.Status != 200 || string(r.Response.Body) != "partial" {
				t.Errorf("response = %+v, want 200 with the partial body", r.Response)
			}
		}},
		{name: "RST_STREAM PROTOCOL_ERROR", url: rawH2Server(t, func(fr *http2.Framer) { fr.WriteRSTStream(1, http2.ErrCodeProtocol) }),
			wantClass: ClassH2StreamReset, wantIn: PhaseHeaders, wantCode: "PROTOCOL_ERROR"},
		{name: "RST_STREAM REFUSED_STREAM", url: rawH2Server(t, func(fr *http2.Framer) { fr.WriteRSTStream(1, http2.ErrCodeRefusedStream) }),
			wantClass: ClassH2StreamReset, wantIn: PhaseHeaders, wantCode: "REFUSED_STREAM"},
		{name: "GOAWAY before the stream", url: rawH2Server(t, func(fr *http2.Framer) {
			fr.WriteGoAway(0, http2.ErrCodeEnhanceYourCalm, []byte("too many requests"))
			time.Sleep(200 * time.Millisecond)
		}), wantClass: ClassH2GoAway, wantIn: PhaseHeaders, wantCode: "ENHANCE_YOUR_CALM", check: wantDebug("too many requests")},
		{name: "graceful GOAWAY before the stream", url: rawH2Server(t, func(fr *http2.Framer) {
			fr.WriteGoAway(0, http2.ErrCodeNo, nil)
			time.Sleep(200 * time.Millisecond)
		}), wantClass: ClassH2GoAway, wantIn: PhaseHeaders, wantCode: "NO_ERROR"},
		{name: "GOAWAY then close", url: rawH2Server(t, func(fr *http2.Framer) {
			fr.WriteGoAway(1, http2.ErrCodeInternal, []byte("upstream gone"))
		}), wantClass: ClassH2GoAway, wantIn: PhaseHeaders, wantCode: "INTERNAL_ERROR", check: wantDebug("upstream gone")},
		{name: "DATA on stream 0", url: rawH2Server(t, func(fr *http2.Framer) {
			fr.AllowIllegalWrites = true
			fr.WriteData(0, true, []byte("x"))
			time.Sleep(200 * time.Millisecond)
		}), wantClass: ClassH2Protocol, wantIn: PhaseHeaders, wantCode: "PROTOCOL_ERROR"},
		{name: "uppercase field name", url: rawH2Server(t, func(fr *http2.Framer) {
			// Field names must be lowercase in HTTP/2 (RFC 9113 section 8.2.1).
			h2Head(fr, true, ":status", "200", "Server", "edge")
			time.Sleep(200 * time.Millisecond)
		}), wantClass: ClassH2Protocol, wantIn: PhaseHeaders, wantCode: "PROTOCOL_ERROR"},
		{name: "gateway error over h2", url: rawH2Server(t, func(fr *http2.Framer) {
			h2Head(fr, false, ":status", "502", "server", "nginx", "content-type", "text/html")
			fr.WriteData(1, true, []byte("<h1>502 Bad Gateway</h1>"))
			time.Sleep(200 * time.Millisecond)
		}), wantReach: PhaseComplete, check: func(t *testing.T, r *Result) {
			if r.Response.Status != 502 || r.Response.Header.Get("Server") != "nginx" || r.Response.BodyBytes != 24 {
				t.Errorf("response = %+v, want nginx's 502 with its body", r.Response)
			}
		}},
		{name: "header too big", url: rawH2Server(t, func(fr *http2.Framer) {
			h2Head(fr, true, ":status", "200", "set-cookie", strings.Repeat("b", 5000))
			time.Sleep(200 * time.Millisecond)
		}), opts: Options{MaxHeaderBytes: 1024}, wantClass: ClassHeaderTooBig, wantIn: PhaseHeaders},
		{name: "no answer", url: rawH2Server(t, func(fr *http2.Framer) { time.Sleep(3 * time.Second) }),
			opts: Options{Timeout: time.Second}, wantClass: ClassHeaderTimeout, wantIn: PhaseHeaders},
		{name: "endless body", url: rawH2Server(t, func(fr *http2.Framer) {
			h2Head(fr, false, ":status", "200")
			for fr.WriteData(1, false, []byte("x")) == nil {
				time.Sleep(20 * time.Millisecond)
			}
		}), opts: Options{Timeout: time.Second}, wantClass: ClassBodyTimeout, wantIn: PhaseBody},
		{name: "closed without GOAWAY", url: rawH2Server(t, func(fr *http2.Framer) {}),
			wantClass: ClassClosed, wantIn: PhaseHeaders},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.opts.Insecure = true
			if tc.wantProto == "" && strings.HasPrefix(tc.url, "https:") {
				tc.wantProto = ALPNH2
			}
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
			if r.Protocol != tc.wantProto {
				t.Errorf("protocol = %q, want %q", r.Protocol, tc.wantProto)
			}
			if r.H2Code != tc.wantCode {
				t.Errorf("h2 code = %q (err %v), want %q", r.H2Code, r.Err, tc.wantCode)
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

// h2ServerHTTP1 is a TLS server on 127.0.0.1 that offers only http/1.1.
func h2ServerHTTP1(t *testing.T) string {
	t.Helper()
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(s.Close)
	return s.URL + "/"
}

// plainServer is a plain HTTP server on 127.0.0.1.
func plainServer(t *testing.T) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(s.Close)
	return s.URL + "/"
}

// TestKeepAliveOverH2Site: the keep-alive probe speaks HTTP/1.1 by hand,
// so it must not be handed a connection on which the server chose h2.
func TestKeepAliveOverH2Site(t *testing.T) {
	t.Parallel()
	u := h2Server(t, func(w http.ResponseWriter, r *http.Request) {})
	res := KeepAlive(context.Background(), u, KeepAliveOptions{Insecure: true, Wait: 100 * time.Millisecond})
	if res.Status != 200 || res.Class != ClassNone {
		t.Errorf("keep-alive = %+v, want 200 over HTTP/1.1", res)
	}
}

func wantDebug(want string) func(t *testing.T, r *Result) {
	return func(t *testing.T, r *Result) {
		t.Helper()
		if r.H2Debug != want {
			t.Errorf("h2 debug = %q, want %q", r.H2Debug, want)
		}
	}
}

func TestHTTP2ClassOf(t *testing.T) {
	if !ClassH2GoAway.IsHTTP2() || ClassReset.IsHTTP2() {
		t.Errorf("IsHTTP2: h2.goaway %v, http.reset %v; want true, false", ClassH2GoAway.IsHTTP2(), ClassReset.IsHTTP2())
	}
}

func TestOptionsCheck(t *testing.T) {
	for _, o := range []Options{{Protocol: "h3"}, {Family: "ipv6"}} {
		r := HTTP(context.Background(), "http://127.0.0.1:1/", o)
		if r.Class != ClassOther || r.FailedIn != PhaseNone || r.Addr != "" {
			t.Errorf("%+v: class %q in %q, addr %q; want other before any phase", o, r.Class, r.FailedIn, r.Addr)
		}
	}
}
