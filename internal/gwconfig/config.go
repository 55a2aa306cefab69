package gwconfig

import (
	"context"
	"errors"
	"fmt"
	"net/url"
)

// AutoNginx as Sources.Nginx reads the configuration of the nginx on PATH
// through `nginx -T`.
const AutoNginx = "auto"

// Sources names the configuration files to read; empty fields are skipped.
type Sources struct {
	Nginx   string // nginx.conf, or AutoNginx
	HAProxy string // haproxy.cfg
	Apache  string // apache2.conf, httpd.conf or a single site file
	PHPFPM  string // php-fpm.conf or one pool file such as www.conf
	PHPINI  string // php.ini, for max_execution_time
	Caddy   string // a Caddyfile, or Caddy's JSON configuration
	Varnish string // a VCL file such as default.vcl
	Squid   string // squid.conf
	// Lighttpd is lighttpd.conf.
	Lighttpd string
}

// Config holds the configurations read by Load; a field is nil when its
// source was not given.
type Config struct {
	Nginx   *Nginx
	HAProxy *HAProxy
	Apache  *Apache
	PHPFPM  *PHPFPM
	Caddy   *Caddy
	Varnish *Varnish
	Squid   *Squid
	// Lighttpd is lighttpd's configuration.
	Lighttpd *Lighttpd
}

// ErrNoConfig is returned by Load when Sources names nothing to read.
var ErrNoConfig = errors.New("no configuration given")

// Load reads the configurations named in s and stops at the first that
// cannot be read at all (*ParseError with its file). Parts of a file that
// cannot be read are left out and listed in each model's Problems, which
// Check reports. LoadEach goes on past a file that cannot be read.
func Load(ctx context.Context, s Sources) (*Config, error) {
	c, errs := LoadEach(ctx, s)
	if len(errs) > 0 {
		return nil, errs[0].Err
	}
	if c == nil {
		return nil, ErrNoConfig
	}
	return c, nil
}

// Routes returns the route of u through each gateway configuration loaded,
// in the order nginx, HAProxy, Apache, Caddy, Varnish, Squid, lighttpd. A gateway that cannot route u (no
// server on the port) is left out; the error tells why when none can.
func (c *Config) Routes(u *url.URL) ([]*Route, error) {
	var out []*Route
	var errs []error
	try := func(r *Route, err error) {
		if err != nil {
			errs = append(errs, err)
			return
		}
		c.attachPool(r)
		out = append(out, r)
	}
	if c.Nginx != nil {
		try(c.Nginx.Route(u))
	}
	if c.HAProxy != nil {
		try(c.HAProxy.Route(u))
	}
	if c.Apache != nil {
		try(c.Apache.Route(u))
	}
	if c.Caddy != nil {
		try(c.Caddy.Route(u))
	}
	if c.Varnish != nil {
		try(c.Varnish.Route(u))
	}
	if c.Squid != nil {
		try(c.Squid.Route(u))
	}
	if c.Lighttpd != nil {
		try(c.Lighttpd.Route(u))
	}
	if len(out) == 0 {
		if len(errs) == 0 {
			return nil, fmt.Errorf("routing %s: no gateway configuration loaded", u)
		}
		return nil, fmt.Errorf("routing %s: %w", u, errors.Join(errs...))
	}
	return out, nil
}

// Route returns the first of Routes: the route through nginx when its
// configuration was loaded, else HAProxy, else Apache, else Caddy, else
// Varnish, else Squid, else lighttpd.
func (c *Config) Route(u *url.URL) (*Route, error) {
	rs, err := c.Routes(u)
	if err != nil {
		return nil, err
	}
	return rs[0], nil
}

// attachPool sets r.Pool to the PHP-FPM pool listening where r's FastCGI
// upstream points.
func (c *Config) attachPool(r *Route) {
	if c.PHPFPM == nil || r.Protocol != ProtoFastCGI {
		return
	}
	for _, u := range r.Upstreams {
		if p := c.PHPFPM.PoolAt(u); p != nil {
			r.Pool = p
			return
		}
	}
}
