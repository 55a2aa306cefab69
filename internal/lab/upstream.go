package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Upstream is a misbehaving HTTP server on 127.0.0.1. Its exported fields
// are set by StartUpstream and must not be changed.
type Upstream struct {
	// Fault is how this upstream misbehaves.
	Fault Fault
	// Addr is the host:port it listens on (for Refused: where nothing
	// listens).
	Addr string
	// Scheme is "https" for the TLS fault and "http" for every other.
	Scheme string
	// Cert is the self-signed certificate of the TLS fault, nil for the
	// others. Trust it to reach the upstream as a correctly configured
	// client would.
	Cert *x509.Certificate

	opts      UpstreamOptions
	start     time.Time // when it started, the origin of Flap's halves
	tlsConfig *tls.Config
	ln        net.Listener // nil for Refused
	reserved  int          // for Refused: the bound, never listening socket that holds Addr; -1 otherwise
	done      chan struct{}
	wg        sync.WaitGroup
	requests  atomic.Int64

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	once   sync.Once
	err    error
}

// StartUpstream starts an upstream that reproduces f on a free port of
// 127.0.0.1. ctx bounds the start only; the upstream runs until Close.
func StartUpstream(ctx context.Context, f Fault, opts UpstreamOptions) (*Upstream, error) {
	if !f.Valid() {
		return nil, fmt.Errorf("starting upstream: unknown fault %q", f)
	}
	u := &Upstream{
		Fault:    f,
		Scheme:   "http",
		opts:     opts.withDefaults(),
		start:    time.Now(),
		done:     make(chan struct{}),
		conns:    make(map[net.Conn]struct{}),
		reserved: -1,
	}
	if f == Refused {
		fd, addr, err := reservePort()
		if err != nil {
			return nil, fmt.Errorf("starting %s upstream: %w", f, err)
		}
		u.reserved, u.Addr = fd, addr
		return u, nil
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting %s upstream: %w", f, err)
	}
	u.Addr = ln.Addr().String()
	if f == Unreachable {
		u.ln = ln // Close closes it and the connections that fill its queue
		if err := u.fillQueue(ctx, ln); err != nil {
			u.Close()
			return nil, fmt.Errorf("starting %s upstream: %w", f, err)
		}
		return u, nil
	}
	if f == TLS {
		cert, leaf, err := selfSigned(time.Now())
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("starting %s upstream: %w", f, err)
		}
		u.Scheme = "https"
		u.Cert = leaf
		u.tlsConfig = &tls.Config{
			Certificates: []tls.Certificate{cert},
			NextProtos:   []string{"http/1.1"},
		}
	}
	u.ln = ln
	u.wg.Add(1)
	go u.acceptLoop()
	return u, nil
}

// fillQueue shrinks ln's accept queue to its minimum and fills it with
// connections that are never accepted. From then on the kernel drops the
// SYN of every new connection, and connecting times out. The filling
// connections stay open until Close.
func (u *Upstream) fillQueue(ctx context.Context, ln net.Listener) error {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return errors.New("not a TCP listener")
	}
	rc, err := tl.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	// Listening again on a listening socket only changes its backlog.
	if err := rc.Control(func(fd uintptr) { lerr = syscall.Listen(int(fd), 0) }); err != nil {
		return err
	}
	if lerr != nil {
		return fmt.Errorf("shrinking the accept queue: %w", lerr)
	}
	for range 8 {
		d := net.Dialer{Timeout: 200 * time.Millisecond}
		c, err := d.DialContext(ctx, "tcp", u.Addr)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil {
				return nil // full: the SYN went unanswered
			}
			return fmt.Errorf("filling the accept queue: %w", err)
		}
		u.mu.Lock()
		u.conns[c] = struct{}{}
		u.mu.Unlock()
	}
	return errors.New("filling the accept queue: it never filled up")
}

// URL returns scheme://addr, without a trailing slash.
func (u *Upstream) URL() string { return u.Scheme + "://" + u.Addr }

// Requests returns how many request heads the upstream has read, failed
// ones included (the Tarpit, Timeout and Closed faults count too). A TLS
// handshake that fails reads no request and is not counted.
func (u *Upstream) Requests() int { return int(u.requests.Load()) }

// Close stops the upstream: it closes the listener and every open
// connection, which unblocks hung ones, and waits for all its goroutines.
// It is safe to call more than once.
func (u *Upstream) Close() error {
	u.once.Do(func() {
		if u.reserved >= 0 {
			if err := syscall.Close(u.reserved); err != nil {
				u.err = fmt.Errorf("closing %s upstream: %w", u.Fault, err)
			}
			return
		}
		if u.ln == nil {
			return
		}
		u.mu.Lock()
		u.closed = true
		close(u.done)
		if err := u.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			u.err = fmt.Errorf("closing %s upstream: %w", u.Fault, err)
		}
		for c := range u.conns {
			c.Close()
		}
		u.mu.Unlock()
		u.wg.Wait()
	})
	return u.err
}

// acceptLoop hands every connection to its own goroutine until Close.
func (u *Upstream) acceptLoop() {
	defer u.wg.Done()
	for {
		c, err := u.ln.Accept()
		if err != nil {
			select {
			case <-u.done:
				return
			case <-time.After(10 * time.Millisecond):
				// A transient error such as EMFILE; net/http backs off too.
				continue
			}
		}
		if !u.track(c) {
			c.Close()
			return
		}
		u.wg.Add(1)
		go func() {
			defer u.wg.Done()
			defer u.forget(c)
			u.serveConn(c)
		}()
	}
}

// track records an open connection so that Close can close it. It reports
// false once Close has begun.
func (u *Upstream) track(c net.Conn) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return false
	}
	u.conns[c] = struct{}{}
	return true
}

// forget closes c and stops tracking it.
func (u *Upstream) forget(c net.Conn) {
	u.mu.Lock()
	delete(u.conns, c)
	u.mu.Unlock()
	c.Close()
}

// sleep waits for d and reports whether it did; false means Close began.
func (u *Upstream) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-u.done:
		return false
	}
}

// down reports whether a flapping upstream is in a half of its flap when
// it closes every request.
func (u *Upstream) down() bool {
	f := u.opts.Flap
	return f > 0 && time.Since(u.start)/f%2 == 1
}

// reservePort binds a TCP socket to a free port of 127.0.0.1 and never
// listens on it: a connection to the port is refused, and, since the socket
// is bound without SO_REUSEADDR, no other server (a gateway or upstream of a
// test running beside) can take the port while the socket is open.
func reservePort() (fd int, addr string, err error) {
	fd, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, "", fmt.Errorf("reserving a port: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return -1, "", fmt.Errorf("reserving a port: %w", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return -1, "", fmt.Errorf("reserving a port: %w", err)
	}
	in, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		syscall.Close(fd)
		return -1, "", fmt.Errorf("reserving a port: bound to %T", sa)
	}
	return fd, fmt.Sprintf("127.0.0.1:%d", in.Port), nil
}
