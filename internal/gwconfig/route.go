package gwconfig

import (
	"fmt"
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
	Gateway  string // "nginx", "haproxy" or "apache"
	URL      string // the request routed
	Server   Block  // nginx server block, HAProxy frontend, Apache virtual host
	Location Block  // nginx location, HAProxy backend, Apache ProxyPass
	// Target is the upstream as the configuration writes it: the argument of
	// proxy_pass or fastcgi_pass, a backend name, a ProxyPass URL. Empty when
	// the gateway answers the request itself (static files, return).
	Target    string
	Protocol  string     // one of the Proto constants, or "" with no Target
	Upstreams []Upstream // the servers behind Target; none when Target has variables
	// Settings are the effective values of the settings that decide between
	// a 502 and a 504 for this request, in a fixed order per gateway.
	Settings []Setting
	Notes    []string // what else shapes the route: use_backend rules, internal redirects
	// Pool is the PHP-FPM pool that listens where a FastCGI Target points,
	// when a PHP-FPM configuration was loaded.
	Pool *Pool
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
	Name string // as written: "server_name shop.example", "location ~ \.php$", "backend app"
	File string
	Line int
}

// Where returns "file:line", or "" for a block that was not written (an
// implicit default server).
func (b Block) Where() string { return where(b.File, b.Line) }

// Upstream is one server a gateway may send a request to.
type Upstream struct {
	Name    string // the server's name in an upstream block or backend ("" when none)
	Group   string // the upstream block, backend or balancer it belongs to ("" when none)
	Network string // "tcp" or "unix"
	Addr    string // "host:port", or the socket path for unix
	Weight  int    // 1 unless set
	// MaxFails and FailTimeout are nginx's passive health check: after
	// MaxFails failures within FailTimeout the server is skipped for
	// FailTimeout (defaults 1 and 10s, https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server).
	MaxFails    int
	FailTimeout time.Duration
	Backup      bool
	Down        bool // marked down or disabled: never used
	Check       bool // HAProxy health-checks it
	TLS         bool
	File        string
	Line        int
}

// Setting is the effective value of one setting and where it came from.
type Setting struct {
	Name     string        // the directive: "proxy_read_timeout", "timeout server", "ProxyTimeout"
	Value    string        // as written, or the default: "60s"
	Duration time.Duration // Value as a time, for time settings
	Bytes    int64         // Value as a size, for size settings (the buffer size for "8 4k")
	File     string        // where it was set; "" when Default
	Line     int
	Default  bool // not set anywhere on the route: the product's default applies
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
