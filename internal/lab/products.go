package lab

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// target is where a gateway forwards to, taken from an Upstream.
type target struct {
	host string // 127.0.0.1
	port int
	tls  bool // speak HTTPS and verify the certificate against the system roots
}

// addr returns host:port.
func (t target) addr() string { return net.JoinHostPort(t.host, strconv.Itoa(t.port)) }

// url returns http(s)://host:port.
func (t target) url() string {
	if t.tls {
		return "https://" + t.addr()
	}
	return "http://" + t.addr()
}

// targetOf parses an upstream URL such as Upstream.URL returns.
func targetOf(upstream string) (target, error) {
	scheme, hostport, ok := strings.Cut(upstream, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return target{}, fmt.Errorf("upstream %q is not an http or https URL", upstream)
	}
	host, port, err := net.SplitHostPort(strings.TrimSuffix(hostport, "/"))
	if err != nil {
		return target{}, fmt.Errorf("upstream %q: %w", upstream, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p <= 0 || p > 65535 {
		return target{}, fmt.Errorf("upstream %q: bad port", upstream)
	}
	return target{host: host, port: p, tls: scheme == "https"}, nil
}

// SystemRoots is the CA bundle of Debian's ca-certificates package, which
// the gateways use to verify upstream certificates.
const SystemRoots = "/etc/ssl/certs/ca-certificates.crt"

// builder turns a target into the launch of one product, configured with
// opts' limits, listening on port and keeping its files in dir.
type builder func(t target, dir string, port int, opts GatewayOptions) (launch, GatewayTimeouts, error)

// productInfo is what the lab knows about one gateway program.
type productInfo struct {
	program string // the executable
	pkg     string // the Debian package
	build   builder
	// noBackendTLS is set for products that cannot speak TLS to their
	// upstreams at all (Varnish and lighttpd's mod_proxy).
	noBackendTLS bool
}

// products maps a product slug (docs/causes.md) to its launcher.
var products = map[string]productInfo{
	"nginx":    {program: "nginx", pkg: "nginx", build: buildNginx},
	"haproxy":  {program: "haproxy", pkg: "haproxy", build: buildHAProxy},
	"apache":   {program: "apache2", pkg: "apache2", build: buildApache},
	"caddy":    {program: "caddy", pkg: "caddy", build: buildCaddy},
	"varnish":  {program: "varnishd", pkg: "varnish", build: buildVarnish, noBackendTLS: true},
	"squid":    {program: "squid", pkg: "squid", build: buildSquid},
	"lighttpd": {program: "lighttpd", pkg: "lighttpd", build: buildLighttpd, noBackendTLS: true},
}

// Gateways returns the product slugs that StartGateway accepts: "go" and
// every real program the lab can launch.
func Gateways() []string {
	names := []string{"go"}
	var real []string
	for name := range products {
		real = append(real, name)
	}
	sort.Strings(real)
	return append(names, real...)
}

// Supports reports whether the gateway product can reproduce fault f: the
// TLS fault needs a gateway that verifies upstream certificates, which
// Varnish and lighttpd cannot (they do not speak TLS to backends).
func Supports(product string, f Fault) bool {
	return f != TLS || !products[product].noBackendTLS
}

// absorbed lists the faults that a product hides from its clients with the
// lab's configuration, so that a correct diagnosis finds nothing wrong:
//   - Apache, Caddy, Squid and lighttpd accept the HeaderTooBig upstream's
//     64 KiB head: Apache limits each header line (8190 bytes), not their sum;
//     Caddy uses Go's 10 MB default; Squid's limit is 64 KiB and lighttpd's
//     is larger.
//   - lighttpd checks its read-timeout once a second and only after more
//     than the set seconds have passed, so the Slow upstream's 3 s answer
//     arrives before a 2 s read-timeout fires.
//   - Varnish retries a request whose reused backend connection closes, so
//     the Intermittent upstream's closes never reach the client.
var absorbed = map[string][]Fault{
	"apache":   {HeaderTooBig},
	"caddy":    {HeaderTooBig},
	"squid":    {HeaderTooBig},
	"lighttpd": {HeaderTooBig, Slow},
	"varnish":  {Intermittent},
}

// sometimes lists the faults that a product hides from its clients only
// at times, and the verdict it gives when it does not: Varnish retries a
// request whose reused backend connection closes, but not one on a fresh
// connection, so now and then an Intermittent close reaches the client as
// Varnish's 503.
var sometimes = map[string]map[Fault]struct {
	cause       catalog.Cause
	persistence string
}{
	"varnish": {Intermittent: {catalog.UpstreamClosed, "intermittent"}},
}

// AlsoExpect returns the other cause and persistence a correct diagnosis
// may reach for fault f behind product (see sometimes), and whether there
// is one.
func AlsoExpect(product string, f Fault) (cause catalog.Cause, persistence string, ok bool) {
	c, ok := sometimes[product][f]
	return c.cause, c.persistence, ok
}

// logSilent lists the faults whose cause a product's own log does not
// name with the lab's configuration, as the real programs write them:
//   - Varnish writes backend fetch failures to its shared-memory log
//     (varnishlog), and nothing to a file;
//   - lighttpd logs a connection its backend closes without a word of why,
//     and after a connect that timed out it holds the backend down for a
//     while and logs only that "all handlers ... are down" (the lab's
//     second look at a gateway comes within that while);
//   - Squid 5.7 writes nothing to cache.log when its peer refuses, fails the
//     TLS handshake or leaves the connection unanswered, and its access.log
//     says only TCP_MISS/502 (its page says ERR_READ_ERROR 0 for all three).
var logSilent = map[string][]Fault{
	"squid":    {Refused, TLS, Unreachable},
	"varnish":  {Refused, Closed, Reset, Invalid, HeaderTooBig, Unreachable, Timeout, Slow, Truncated},
	"lighttpd": {Closed, Unreachable},
}

// LogSilent reports whether product's log leaves the cause of fault f
// unnamed: a diagnosis with the log then knows what it knows from outside.
func LogSilent(product string, f Fault) bool {
	for _, g := range logSilent[product] {
		if g == f {
			return true
		}
	}
	return false
}

// Logs returns every log file of a running gateway: its error log, and
// beside it the access log when it writes one (Squid's access.log says how
// a request ended where its cache.log may say nothing).
func Logs(g Gateway) []string {
	if g.LogPath() == "" {
		return nil
	}
	out := []string{g.LogPath()}
	access := filepath.Join(filepath.Dir(g.LogPath()), "access.log")
	if access != g.LogPath() {
		if _, err := os.Stat(access); err == nil {
			out = append(out, access)
		}
	}
	return out
}

// Absorbs reports whether product hides fault f from its clients (see the
// list above): its diagnosis is then "ok" with persistence "none".
func Absorbs(product string, f Fault) bool {
	for _, g := range absorbed[product] {
		if g == f {
			return true
		}
	}
	return false
}

// StartGateway starts the gateway called product ("go", "nginx", ...; see
// Gateways) in front of upstream. A real program runs in the foreground on
// a free port of 127.0.0.1 with its configuration and logs in opts.Dir; a
// program missing from this machine gives a *NotInstalledError. ctx bounds
// the start only.
func StartGateway(ctx context.Context, product, upstream string, opts GatewayOptions) (Gateway, error) {
	if product == "go" {
		return StartGo(ctx, upstream, opts)
	}
	info, ok := products[product]
	if !ok {
		return nil, fmt.Errorf("starting gateway: unknown product %q; known: %s", product, strings.Join(Gateways(), ", "))
	}
	t, err := targetOf(upstream)
	if err == nil && t.tls && info.noBackendTLS {
		err = errNoBackendTLS
	}
	if err != nil {
		return nil, fmt.Errorf("starting %s gateway: %w", product, err)
	}
	opts = opts.withDefaults()
	dir, owned, err := opts.dir(product)
	if err != nil {
		return nil, fmt.Errorf("starting %s gateway: %w", product, err)
	}
	g, err := launchIn(ctx, product, dir, func(port int) (launch, GatewayTimeouts, error) {
		return info.build(t, dir, port, opts)
	})
	if err != nil {
		if owned {
			os.RemoveAll(dir)
		}
		return nil, fmt.Errorf("starting %s gateway: %w", product, err)
	}
	if owned {
		g.dir = dir
	}
	return g, nil
}

// launchIn starts program product (a key of products, or "php_fpm") with
// the launch that build returns for a free port, keeping its files in dir.
func launchIn(ctx context.Context, product, dir string, build func(port int) (launch, GatewayTimeouts, error)) (*procGateway, error) {
	var program string
	var err error
	if info, ok := products[product]; ok {
		program, err = lookProgram(info.program, info.pkg)
	} else if product == "php_fpm" {
		program, err = lookPHPFPM()
	} else {
		err = fmt.Errorf("unknown program %q", product)
	}
	if err != nil {
		return nil, err
	}
	if err := openPath(dir); err != nil {
		return nil, err
	}
	port, err := freePort(ctx)
	if err != nil {
		return nil, err
	}
	l, limits, err := build(port)
	if err != nil {
		return nil, err
	}
	l.product, l.program, l.port = product, program, port
	return startProcess(ctx, l, dir, false, limits)
}

// openPath lets programs that drop privileges (Apache's children, Squid,
// Varnish) reach dir: when running as root, dir and every ancestor that
// others cannot traverse, such as a test's temporary directory, get the
// search permission.
func openPath(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	for d := filepath.Dir(dir); d != "/" && d != "."; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(d, fi.Mode().Perm()|0o011); err != nil {
				return err
			}
		}
	}
	return nil
}

// seconds formats d as whole seconds, at least 1, for programs whose
// settings take seconds.
func seconds(d time.Duration) int {
	return max(int(d.Round(time.Second)/time.Second), 1)
}

// ms formats d as nginx and HAProxy time: "1500ms", or "2s" when whole.
func ms(d time.Duration) string {
	m := d.Milliseconds()
	if m%1000 == 0 {
		return strconv.FormatInt(m/1000, 10) + "s"
	}
	return strconv.FormatInt(m, 10) + "ms"
}

func itoa(i int) string { return strconv.Itoa(i) }
