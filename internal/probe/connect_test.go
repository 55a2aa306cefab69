package probe

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"
)

// stubResolver answers every name with the same addresses, as a name with
// A and AAAA records does.
type stubResolver []string

func (s stubResolver) LookupHost(context.Context, string) ([]string, error) { return s, nil }

// familyDialer dials IPv4 for real and answers IPv6 as told: with an error
// at once (a host without IPv6), or never (a black hole, until the
// attempt's deadline).
type familyDialer struct {
	v6Err  error
	v6Hole bool
}

func (d familyDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if familyOf(addr) == Family6 {
		if d.v6Hole {
			<-ctx.Done()
			return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
		}
		if d.v6Err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", d.v6Err)}
		}
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, addr)
}

// listenOn serves a small page on addr ("127.0.0.1:0" or "[::1]:0") and
// returns its port.
func listenOn(t *testing.T, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }),
		ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// needIPv6Loopback skips the test on a machine without ::1.
func needIPv6Loopback(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("this machine has no IPv6 loopback (::1): %v", err)
	}
	ln.Close()
}

// TestFamilies dials names with A and AAAA records on loopback, where one
// family has nothing listening.
func TestFamilies(t *testing.T) {
	t.Parallel()
	needIPv6Loopback(t)
	only4 := listenOn(t, "127.0.0.1:0")
	only6 := listenOn(t, "[::1]:0")
	both := stubResolver{"::1", "127.0.0.1"}
	tests := []struct {
		name       string
		port       string
		opts       Options
		wantClass  Class
		wantFamily string
		wantTries  []string // Attempts, as "family:class" or "family:connected"
	}{
		// IPv6 is refused at once: IPv4 starts then, not after the delay.
		{name: "IPv6 refused, IPv4 answers", port: only4, opts: Options{Resolver: both, FallbackDelay: 3 * time.Second},
			wantFamily: Family4, wantTries: []string{"6:connect.refused", "4:connected"}},
		{name: "IPv6 first even when listed second", port: only6, opts: Options{Resolver: stubResolver{"127.0.0.1", "::1"}},
			wantFamily: Family6},
		{name: "IPv4 only", port: only6, opts: Options{Resolver: both, Family: Family4}, wantClass: ClassRefused, wantFamily: Family4},
		{name: "IPv6 only", port: only6, opts: Options{Resolver: both, Family: Family6}, wantFamily: Family6},
		{name: "IPv6 only, name without AAAA", port: only6, opts: Options{Resolver: stubResolver{"127.0.0.1"}, Family: Family6},
			wantClass: ClassNoFamilyAddress},
		{name: "neither answers", port: freePortOf(t), opts: Options{Resolver: both}, wantClass: ClassRefused, wantFamily: Family6,
			wantTries: []string{"6:connect.refused", "4:connect.refused"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			r := HTTP(context.Background(), "http://shop.example:"+tc.port+"/", tc.opts)
			if r.Class != tc.wantClass {
				t.Fatalf("class = %q (err %v), want %q", r.Class, r.Err, tc.wantClass)
			}
			if r.Family != tc.wantFamily || (tc.wantFamily != "" && familyOf(r.Addr) != tc.wantFamily) {
				t.Errorf("family = %q (addr %q), want %q", r.Family, r.Addr, tc.wantFamily)
			}
			if got := tries(r); !slices.Equal(got, tc.wantTries) {
				t.Errorf("attempts = %q, want %q", got, tc.wantTries)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v: the fallback waited for its delay", took)
			}
		})
	}
}

// TestFamiliesStubbed covers what loopback cannot show: an IPv6 address
// that never answers, and a machine without IPv6.
func TestFamiliesStubbed(t *testing.T) {
	t.Parallel()
	port := listenOn(t, "127.0.0.1:0")
	both := stubResolver{"2001:db8::1", "127.0.0.1"}
	tests := []struct {
		name       string
		port       string
		opts       Options
		wantClass  Class
		wantFamily string
		wantNoRt   string // Result.NoRouteFamily
		wantTries  []string
	}{
		{name: "IPv6 black hole: IPv4 after the delay", port: port,
			opts:       Options{Resolver: both, Dialer: familyDialer{v6Hole: true}, FallbackDelay: 100 * time.Millisecond},
			wantFamily: Family4, wantTries: []string{"6:abandoned", "4:connected"}},
		{name: "no IPv6 route, IPv4 answers", port: port, opts: Options{Resolver: both, Dialer: familyDialer{v6Err: syscall.ENETUNREACH}},
			wantFamily: Family4, wantTries: []string{"6:connect.no_route_family", "4:connected"}},
		{name: "no IPv6 route, IPv6 only", port: port,
			opts:      Options{Resolver: both, Dialer: familyDialer{v6Err: syscall.ENETUNREACH}, Family: Family6},
			wantClass: ClassNoRouteFamily, wantFamily: Family6, wantNoRt: Family6},
		{name: "no IPv6 address on this host", port: port,
			opts:      Options{Resolver: both, Dialer: familyDialer{v6Err: syscall.EADDRNOTAVAIL}, Family: Family6},
			wantClass: ClassNoRouteFamily, wantFamily: Family6, wantNoRt: Family6},
		{name: "no IPv6 route, IPv4 refused: the site's answer counts", port: freePortOf(t),
			opts:      Options{Resolver: both, Dialer: familyDialer{v6Err: syscall.ENETUNREACH}},
			wantClass: ClassRefused, wantFamily: Family4, wantTries: []string{"6:connect.no_route_family", "4:connect.refused"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := HTTP(context.Background(), "http://shop.example:"+tc.port+"/", tc.opts)
			if r.Class != tc.wantClass {
				t.Fatalf("class = %q (err %v), want %q", r.Class, r.Err, tc.wantClass)
			}
			if r.Family != tc.wantFamily {
				t.Errorf("family = %q (addr %q), want %q", r.Family, r.Addr, tc.wantFamily)
			}
			if got := r.NoRouteFamily(); got != tc.wantNoRt {
				t.Errorf("NoRouteFamily() = %q, want %q", got, tc.wantNoRt)
			}
			if got := tries(r); !slices.Equal(got, tc.wantTries) {
				t.Errorf("attempts = %q, want %q", got, tc.wantTries)
			}
			if d := tc.opts.FallbackDelay; d > 0 && r.Timings.Connect < d {
				t.Errorf("connect took %v, less than the fallback delay %v", r.Timings.Connect, d)
			}
		})
	}
}

func tries(r *Result) []string {
	var out []string
	for _, a := range r.Attempts {
		s := string(a.Class)
		switch {
		case a.Connected:
			s = "connected"
		case a.Abandoned:
			s = "abandoned"
		}
		out = append(out, a.Family+":"+s)
	}
	return out
}

// freePortOf returns a port that nothing listens on, on either loopback.
func freePortOf(t *testing.T) string {
	t.Helper()
	_, port, _ := net.SplitHostPort(freePort(t))
	return port
}

func TestFamilyLanes(t *testing.T) {
	tests := []struct {
		addrs  []string
		family string
		want   [][]string
	}{
		{[]string{"192.0.2.1", "192.0.2.2"}, FamilyAny, [][]string{{"192.0.2.1:80", "192.0.2.2:80"}}},
		{[]string{"192.0.2.1", "2001:db8::1", "2001:db8::2"}, FamilyAny, [][]string{{"[2001:db8::1]:80", "[2001:db8::2]:80"}, {"192.0.2.1:80"}}},
		{[]string{"192.0.2.1", "2001:db8::1"}, Family4, [][]string{{"192.0.2.1:80"}}},
		{[]string{"192.0.2.1", "::ffff:192.0.2.2"}, Family6, nil},
		{[]string{"fe80::1%eth0"}, Family6, [][]string{{"[fe80::1%eth0]:80"}}},
	}
	for _, tc := range tests {
		got := familyLanes(tc.addrs, "80", tc.family)
		if !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Errorf("familyLanes(%q, %q) = %q, want %q", tc.addrs, tc.family, got, tc.want)
		}
	}
}

func TestClassifyNoRoute(t *testing.T) {
	unreach := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}
	tests := []struct {
		name string
		err  error
		want Class
	}{
		{"at once", &dialError{addr: "[2001:db8::1]:443", took: time.Millisecond, err: unreach}, ClassNoRouteFamily},
		{"from a router", &dialError{addr: "[2001:db8::1]:443", took: 80 * time.Millisecond, err: unreach}, ClassUnreachable},
		{"unknown timing", unreach, ClassUnreachable},
		{"no source address", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.EADDRNOTAVAIL)}, ClassNoRouteFamily},
		{"no IPv6 in the kernel", &net.OpError{Op: "dial", Err: os.NewSyscallError("socket", syscall.EAFNOSUPPORT)}, ClassNoRouteFamily},
	}
	for _, tc := range tests {
		if got := Classify(PhaseConnect, tc.err); got != tc.want {
			t.Errorf("%s: Classify(%v) = %q, want %q", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestResultFamilies(t *testing.T) {
	tests := []struct {
		addrs []string
		want  []string
	}{
		{[]string{"192.0.2.1", "2001:db8::1"}, []string{Family6, Family4}},
		{[]string{"2001:db8::1", "2001:db8::2"}, []string{Family6}},
		{[]string{"192.0.2.1"}, []string{Family4}},
		{nil, nil},
	}
	for _, tc := range tests {
		r := &Result{Addrs: tc.addrs}
		if got := r.Families(); !slices.Equal(got, tc.want) {
			t.Errorf("Families() of %q = %q, want %q", tc.addrs, got, tc.want)
		}
	}
}
