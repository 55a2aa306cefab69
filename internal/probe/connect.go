package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// The IP families of Options.Family, Result.Family and Attempt.Family.
const (
	FamilyAny = ""  // both, IPv6 first when a name has both (RFC 8305)
	Family4   = "4" // IPv4 only
	Family6   = "6" // IPv6 only
)

// Attempt is one connection attempt to one address. A probe that had
// addresses of both families records each attempt, so that an IPv6 address
// that failed before IPv4 connected is not lost.
type Attempt struct {
	Addr   string `json:"addr"`
	Family string `json:"family,omitempty"`
	// Connected is set for the attempt whose connection the probe used.
	Connected bool `json:"connected,omitempty"`
	// Abandoned is set for an attempt stopped because another address
	// connected first; it had not failed by then.
	Abandoned bool          `json:"abandoned,omitempty"`
	Class     Class         `json:"class,omitempty"`
	Error     string        `json:"error,omitempty"`
	Took      time.Duration `json:"-"`
}

// MarshalJSON writes Took as took_ms, as Timings does.
func (a Attempt) MarshalJSON() ([]byte, error) {
	type plain Attempt
	return json.Marshal(struct {
		plain
		TookMS float64 `json:"took_ms"`
	}{plain(a), millis(a.Took)})
}

// UnmarshalJSON reads an Attempt as MarshalJSON writes it.
func (a *Attempt) UnmarshalJSON(b []byte) error {
	type plain Attempt
	var in struct {
		plain
		TookMS float64 `json:"took_ms"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*a = Attempt(in.plain)
	a.Took = fromMillis(in.TookMS)
	return nil
}

// dialError is the failure of one connection attempt. It carries how long
// the attempt took, which tells this machine's own refusal to send (at
// once) from an answer of the network (see classifyConnect).
type dialError struct {
	addr string
	took time.Duration
	err  error
}

func (e *dialError) Error() string { return fmt.Sprintf("connecting to %s: %v", e.addr, e.err) }
func (e *dialError) Unwrap() error { return e.err }

// errRaceWon stops the attempts still running once one address connected.
var errRaceWon = errors.New("another address connected first")

// hostPort returns the URL's host and port with the scheme's default port.
func hostPort(u *url.URL) (string, string) {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return u.Hostname(), port
}

// connect resolves (unless an address is given) and dials, trying each
// address in turn as a browser would.
func (p *httpProbe) connect(ctx context.Context, u *url.URL) (net.Conn, error) {
	host, port := hostPort(u)
	if strings.HasPrefix(p.opts.ConnectTo, "unix:") {
		return p.dial(ctx, "unix", [][]string{{strings.TrimPrefix(p.opts.ConnectTo, "unix:")}})
	}
	if p.opts.ConnectTo != "" {
		h, pt, err := net.SplitHostPort(p.opts.ConnectTo)
		if err != nil {
			h, pt = p.opts.ConnectTo, port
		}
		host, port = h, pt
	}
	if alt, ok := p.opts.Resolve[net.JoinHostPort(host, port)]; ok {
		host = alt
	}
	addrs, err := p.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	lanes := familyLanes(addrs, port, p.opts.Family)
	if len(lanes) == 0 {
		err := fmt.Errorf("%s has no IPv%s address (%s): %w", host, p.opts.Family, strings.Join(addrs, ", "), errNoFamilyAddress)
		p.fail(PhaseDNS, err)
		return nil, err
	}
	return p.dial(ctx, "tcp", lanes)
}

func (p *httpProbe) resolve(ctx context.Context, host string) ([]string, error) {
	if net.ParseIP(host) != nil {
		p.res.Addrs = []string{host}
		return p.res.Addrs, nil
	}
	start := p.opts.Now()
	dctx, cancel := context.WithTimeout(ctx, p.opts.PhaseTimeout)
	defer cancel()
	addrs, err := p.opts.Resolver.LookupHost(dctx, host)
	p.res.Timings.DNS = p.opts.Now().Sub(start)
	if err == nil && len(addrs) == 0 {
		err = &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	if err != nil {
		p.fail(PhaseDNS, fmt.Errorf("resolving %s: %w", host, err))
		return nil, p.res.Err
	}
	p.res.Addrs = addrs
	p.res.Reached = PhaseDNS
	return addrs, nil
}

// familyOf returns the IP family of an address or host:port, "" for
// anything else (a unix socket path).
func familyOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		addr = h
	}
	ip, err := netip.ParseAddr(addr)
	switch {
	case err != nil:
		return ""
	case ip.Unmap().Is4():
		return Family4
	}
	return Family6
}

// familyLanes orders the addresses to dial into lanes, each tried in turn.
// Addresses of both families give two lanes, IPv6 first as RFC 8305
// section 4 prefers; one family gives one lane in the resolver's order.
// The result is empty when no address is of the family asked for.
func familyLanes(addrs []string, port, family string) [][]string {
	var v6, v4 []string
	for _, a := range addrs {
		t := net.JoinHostPort(a, port)
		if familyOf(a) == Family6 {
			v6 = append(v6, t)
		} else {
			v4 = append(v4, t)
		}
	}
	switch {
	case family == Family4 && len(v4) > 0:
		return [][]string{v4}
	case family == Family6 && len(v6) > 0:
		return [][]string{v6}
	case family != FamilyAny:
		return nil
	case len(v6) > 0 && len(v4) > 0:
		return [][]string{v6, v4}
	}
	targets := make([]string, len(addrs))
	for i, a := range addrs {
		targets[i] = net.JoinHostPort(a, port)
	}
	return [][]string{targets}
}

// dial connects to the first address that answers and records every
// attempt; failures are recorded in p.res.
func (p *httpProbe) dial(ctx context.Context, network string, lanes [][]string) (net.Conn, error) {
	start := p.opts.Now()
	results := p.race(ctx, network, lanes)
	p.res.Timings.Connect = p.opts.Now().Sub(start)
	var attempts []Attempt
	var errs []error
	var conn net.Conn
	for _, r := range results {
		attempts = append(attempts, r.attempts...)
		if r.conn != nil {
			conn = r.conn
			p.res.Addr, p.res.Family = r.addr, familyOf(r.addr)
		}
		errs = append(errs, r.err)
	}
	if len(attempts) > 1 {
		// One attempt says nothing that Addr and Error do not.
		p.res.Attempts = attempts
	}
	if conn != nil {
		p.res.Reached = PhaseConnect
		return conn, nil
	}
	err := pickDialError(errs)
	var de *dialError
	if errors.As(err, &de) {
		p.res.Addr, p.res.Family = de.addr, familyOf(de.addr)
	}
	p.fail(PhaseConnect, err)
	return nil, err
}

// laneResult is how one lane of addresses ended: a connection, or the
// first error of the lane.
type laneResult struct {
	conn     net.Conn
	addr     string
	err      error
	attempts []Attempt
}

// race runs the lanes as RFC 8305 section 5 does with two families: the
// first alone, the second once FallbackDelay has passed or the first has
// failed, whichever comes first. The first connection wins and the other
// lane is stopped. It returns the lanes' results in lane order, the winner
// (if any) with a connection.
func (p *httpProbe) race(ctx context.Context, network string, lanes [][]string) []laneResult {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type done struct {
		i int
		r laneResult
	}
	ch := make(chan done, len(lanes))
	started := 0
	start := func() {
		i := started
		started++
		go func() { ch <- done{i, p.lane(ctx, network, lanes[i])} }()
	}
	start()
	fallback := time.NewTimer(p.opts.FallbackDelay)
	defer fallback.Stop()
	results := make([]laneResult, len(lanes))
	won := false
	for running := 1; running > 0; {
		select {
		case <-fallback.C:
			if started < len(lanes) && !won {
				start()
				running++
			}
		case d := <-ch:
			running--
			results[d.i] = d.r
			switch {
			case d.r.conn != nil && won:
				// Connected as it was being stopped: not the one used.
				d.r.conn.Close()
				results[d.i].conn = nil
				last := &results[d.i].attempts[len(d.r.attempts)-1]
				last.Connected, last.Abandoned = false, true
			case d.r.conn != nil:
				won = true
				cancel(errRaceWon)
			case started < len(lanes) && !won:
				start()
				running++
			}
		}
	}
	return results
}

// lane tries each address in turn, as a browser does, until one connects.
func (p *httpProbe) lane(ctx context.Context, network string, targets []string) laneResult {
	var r laneResult
	for _, t := range targets {
		start := p.opts.Now()
		dctx, cancel := context.WithTimeout(ctx, p.opts.PhaseTimeout)
		conn, err := p.opts.Dialer.DialContext(dctx, network, t)
		cancel()
		a := Attempt{Addr: t, Family: familyOf(t), Took: p.opts.Now().Sub(start)}
		if err == nil {
			a.Connected = true
			r.attempts = append(r.attempts, a)
			r.conn, r.addr = conn, t
			return r
		}
		if errors.Is(context.Cause(ctx), errRaceWon) {
			a.Abandoned = true
			r.attempts = append(r.attempts, a)
			break
		}
		derr := &dialError{addr: t, took: a.Took, err: err}
		a.Class, a.Error = Classify(PhaseConnect, derr), derr.Error()
		r.attempts = append(r.attempts, a)
		if r.err == nil {
			r.err, r.addr = derr, t
		}
		if ctx.Err() != nil {
			break
		}
	}
	return r
}
