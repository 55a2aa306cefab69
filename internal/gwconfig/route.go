package gwconfig

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Protocols a gateway speaks to its upstream.
const (
	ProtoHTTP    = "http"
	ProtoHTTPS   = "https"
	ProtoFastCGI = "fastcgi"
	ProtoUWSGI   = "uwsgi"
	ProtoGRPC    = "grpc"
)

// Route is the path one request takes through a gateway's configuration.
type Route struct {
	Gateway  string `json:"gateway"`  // "nginx", "haproxy" or "apache"
	URL      string `json:"url"`      // the request routed
	Server   Block  `json:"server"`   // nginx server block, HAProxy frontend, Apache virtual host
	Location Block  `json:"location"` // nginx location, HAProxy backend, Apache ProxyPass
	// Target is the upstream as the configuration writes it: the argument of
	// proxy_pass or fastcgi_pass, a backend name, a ProxyPass URL. Empty when
	// the gateway answers the request itself (static files, return).
	Target    string     `json:"target,omitempty"`
	Protocol  string     `json:"protocol,omitempty"`  // one of the Proto constants, or "" with no Target
	Upstreams []Upstream `json:"upstreams,omitempty"` // the servers behind Target; none when Target has variables
	// Settings are the effective values of the settings that decide between
	// a 502 and a 504 for this request, in a fixed order per gateway.
	Settings []Setting `json:"settings"`
	Notes    []string  `json:"notes,omitempty"` // what else shapes the route: use_backend rules, internal redirects
	// Pool is the PHP-FPM pool that listens where a FastCGI Target points,
	// when a PHP-FPM configuration was loaded.
	Pool *Pool `json:"pool,omitempty"`
	// HealthCheck is how the gateway checks the Upstreams on its own, when
	// it does: HAProxy's option httpchk.
	HealthCheck *HealthCheck `json:"health_check,omitempty"`
}

// HealthCheck is the HTTP request a gateway sends its upstream servers to
// decide whether they are up, and what it expects back.
type HealthCheck struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Host   string `json:"host,omitempty"` // the Host header the check sends, when set
	// Expect is the expectation as written ("status 200", "rstatus ^2",
	// "string ok"); "" means any 2xx or 3xx status.
	Expect string `json:"expect,omitempty"`
	File   string `json:"file"`
	Line   int    `json:"line"`
}

// Accepts reports whether a check that got status would pass: "status" and
// "rstatus" expectations are checked, any other kind passes a 2xx or 3xx.
func (h *HealthCheck) Accepts(status int) bool {
	kind, arg, _ := strings.Cut(strings.TrimPrefix(h.Expect, "! "), " ")
	neg := strings.HasPrefix(h.Expect, "! ")
	ok := status >= 200 && status < 400
	switch kind {
	case "status":
		ok = false
		for _, part := range strings.Split(arg, ",") {
			lo, hi, isRange := strings.Cut(part, "-")
			if !isRange {
				hi = lo
			}
			l, err1 := strconv.Atoi(strings.TrimSpace(lo))
			h, err2 := strconv.Atoi(strings.TrimSpace(hi))
			if err1 == nil && err2 == nil && status >= l && status <= h {
				ok = true
			}
		}
	case "rstatus":
		re, err := regexp.Compile(arg)
		ok = err == nil && re.MatchString(strconv.Itoa(status))
	}
	return ok != neg
}

// Setting returns the effective setting with the given name.
func (r *Route) Setting(name string) (Setting, bool) {
	for _, s := range r.Settings {
		if s.Name == name {
			return s, true
		}
	}
	return Setting{}, false
}

// Block is a place in a configuration: a server block, a location, a backend.
type Block struct {
	Name string `json:"name,omitempty"` // as written: "server_name shop.example", "location ~ \.php$", "backend app"
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Where returns "file:line", or "" for a block that was not written (an
// implicit default server).
func (b Block) Where() string { return where(b.File, b.Line) }

// Upstream is one server a gateway may send a request to.
type Upstream struct {
	Name    string `json:"name,omitempty"`  // the server's name in an upstream block or backend ("" when none)
	Group   string `json:"group,omitempty"` // the upstream block, backend or balancer it belongs to ("" when none)
	Network string `json:"network"`         // "tcp" or "unix"
	Addr    string `json:"addr"`            // "host:port", or the socket path for unix
	Weight  int    `json:"weight"`          // 1 unless set
	// MaxFails and FailTimeout are nginx's passive health check: after
	// MaxFails failures within FailTimeout the server is skipped for
	// FailTimeout (defaults 1 and 10s, https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server).
	MaxFails    int           `json:"max_fails,omitempty"`
	FailTimeout time.Duration `json:"-"`
	Backup      bool          `json:"backup,omitempty"`
	Down        bool          `json:"down,omitempty"`  // marked down or disabled: never used
	Check       bool          `json:"check,omitempty"` // HAProxy health-checks it
	TLS         bool          `json:"tls,omitempty"`
	File        string        `json:"file,omitempty"`
	Line        int           `json:"line,omitempty"`
	resolvers   bool          // HAProxy resolves its name at run time ("resolvers NAME")
}

// Setting is the effective value of one setting and where it came from.
type Setting struct {
	Name     string        `json:"name"`           // the directive: "proxy_read_timeout", "timeout server", "ProxyTimeout"
	Value    string        `json:"value"`          // as written, or the default: "60s"
	Duration time.Duration `json:"-"`              // Value as a time, for time settings
	Bytes    int64         `json:"-"`              // Value as a size, for size settings (the buffer size for "8 4k")
	File     string        `json:"file,omitempty"` // where it was set; "" when Default
	Line     int           `json:"line,omitempty"`
	Default  bool          `json:"default,omitempty"` // not set anywhere on the route: the product's default applies
}

// Where returns "file:line", or "default" for a default value.
func (s Setting) Where() string {
	if s.Default {
		return "default"
	}
	return where(s.File, s.Line)
}

func where(file string, line int) string {
	if file == "" {
		return ""
	}
	if line == 0 {
		return file
	}
	return fmt.Sprintf("%s:%d", file, line)
}
