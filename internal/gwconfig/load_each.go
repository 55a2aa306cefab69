package gwconfig

import (
	"bytes"
	"cmp"
	"context"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// SourceError is a configuration source that could not be read: which
// flag's file, and why (a *ParseError with its file and line, or the
// error of running nginx -T).
type SourceError struct {
	Product string // "nginx", "haproxy", "apache", "php_fpm", "caddy", "varnish", "squid", "lighttpd"
	File    string // the file as given, or AutoNginx
	Err     error
}

// Error returns the reason with the file it is about.
func (e *SourceError) Error() string { return e.Err.Error() }

// Unwrap returns the reason.
func (e *SourceError) Unwrap() error { return e.Err }

// LoadEach reads every configuration named in s and goes on past one that
// cannot be read: the Config holds those it could read (nil when none),
// and each source it could not read is a *SourceError.
func LoadEach(ctx context.Context, s Sources) (*Config, []*SourceError) {
	c := &Config{}
	var errs []*SourceError
	fail := func(product, file string, err error) {
		errs = append(errs, &SourceError{Product: product, File: file, Err: err})
	}
	var err error
	switch s.Nginx {
	case "":
	case AutoNginx:
		var dump []byte
		if dump, err = DumpNginx(ctx, "", ""); err == nil {
			c.Nginx, err = ParseNginxDump(bytes.NewReader(dump))
		}
	default:
		c.Nginx, err = ParseNginx(s.Nginx)
	}
	if err != nil {
		fail(string(catalog.Nginx), s.Nginx, err)
	}
	if s.HAProxy != "" {
		if c.HAProxy, err = ParseHAProxy(s.HAProxy); err != nil {
			fail(string(catalog.HAProxy), s.HAProxy, err)
		}
	}
	if s.Apache != "" {
		if c.Apache, err = ParseApache(s.Apache); err != nil {
			fail(string(catalog.Apache), s.Apache, err)
		}
	}
	if s.Caddy != "" {
		if c.Caddy, err = ParseCaddy(s.Caddy); err != nil {
			fail(string(catalog.Caddy), s.Caddy, err)
		}
	}
	if s.Varnish != "" {
		if c.Varnish, err = ParseVarnish(s.Varnish); err != nil {
			fail(string(catalog.Varnish), s.Varnish, err)
		}
	}
	if s.Squid != "" {
		if c.Squid, err = ParseSquid(s.Squid); err != nil {
			fail(string(catalog.Squid), s.Squid, err)
		}
	}
	if s.Lighttpd != "" {
		if c.Lighttpd, err = ParseLighttpd(s.Lighttpd); err != nil {
			fail(string(catalog.Lighttpd), s.Lighttpd, err)
		}
	}
	if s.PHPFPM != "" || s.PHPINI != "" {
		if c.PHPFPM, err = ParsePHPFPM(s.PHPFPM, s.PHPINI); err != nil {
			fail(string(catalog.PHPFPM), cmp.Or(s.PHPFPM, s.PHPINI), err)
		}
	}
	if c.Nginx == nil && c.HAProxy == nil && c.Apache == nil && c.PHPFPM == nil && c.Caddy == nil && c.Varnish == nil && c.Squid == nil && c.Lighttpd == nil {
		return nil, errs
	}
	return c, errs
}
