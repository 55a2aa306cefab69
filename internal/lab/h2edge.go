package lab

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Edge is an HTTPS edge that serves HTTP/1.1 by passing requests to its
// upstream and answers every HTTP/2 stream with RST_STREAM PROTOCOL_ERROR,
// as an edge whose HTTP/2 stack rejects what its HTTP/1.1 accepts does
// (the browser shows ERR_HTTP2_PROTOCOL_ERROR).
type h2Edge struct {
	url  string
	ln   net.Listener
	srv  *http.Server
	once sync.Once
	err  error
	done chan struct{}
}

// startH2Edge starts the edge on a free port of 127.0.0.1 in front of
// upstream, with a self-signed certificate.
func startH2Edge(ctx context.Context, upstream string) (*h2Edge, error) {
	target, err := url.Parse(upstream)
	if err != nil {
		return nil, fmt.Errorf("starting the HTTP/2 edge: %w", err)
	}
	cert, _, err := selfSigned(time.Now())
	if err != nil {
		return nil, fmt.Errorf("starting the HTTP/2 edge: %w", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the HTTP/2 edge: %w", err)
	}
	e := &h2Edge{url: "https://" + ln.Addr().String() + "/", ln: ln, done: make(chan struct{})}
	e.srv = &http.Server{
		Handler:           httputil.NewSingleHostReverseProxy(target),
		ReadHeaderTimeout: 5 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}},
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){
			"h2": func(_ *http.Server, c *tls.Conn, _ http.Handler) { resetStreams(c) },
		},
	}
	go func() {
		defer close(e.done)
		e.srv.ServeTLS(ln, "", "")
	}()
	return e, nil
}

// resetStreams speaks just enough HTTP/2 on c to refuse every stream: the
// server's SETTINGS, the client's acknowledged, and RST_STREAM with
// PROTOCOL_ERROR for each HEADERS frame.
func resetStreams(c *tls.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(c, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	if fr.WriteSettings() != nil {
		return
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() && fr.WriteSettingsAck() != nil {
				return
			}
		case *http2.MetaHeadersFrame:
			if fr.WriteRSTStream(f.StreamID, http2.ErrCodeProtocol) != nil {
				return
			}
		}
	}
}

func (e *h2Edge) Product() string           { return "go" }
func (e *h2Edge) URL() string               { return e.url }
func (e *h2Edge) Timeouts() GatewayTimeouts { return GatewayTimeouts{} }
func (e *h2Edge) LogPath() string           { return "" }

// Close stops the edge and waits for it.
func (e *h2Edge) Close() error {
	e.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := e.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.err = err
		}
		<-e.done
	})
	return e.err
}

// startH2Only: an edge that serves the site over HTTP/1.1 and resets every
// HTTP/2 stream, in front of a healthy upstream.
func startH2Only(ctx context.Context, _ string) (*Stack, error) {
	u, err := StartUpstream(ctx, Healthy, UpstreamOptions{})
	if err != nil {
		return nil, err
	}
	e, err := startH2Edge(ctx, u.URL())
	if err != nil {
		u.Close()
		return nil, err
	}
	return &Stack{Gateway: e, SiteURL: e.URL(), Insecure: true, closers: []func() error{e.Close, u.Close}}, nil
}
