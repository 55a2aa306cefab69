package main

import (
	"github.com/spf13/pflag"

	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
)

// gatewayConfigFlags name the gateway configurations a diagnosis reads.
type gatewayConfigFlags struct {
	nginx, haproxy, apache, caddy, varnish, squid, lighttpd, phpFPM, phpINI string
}

func (c *gatewayConfigFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&c.nginx, "nginx-config", "", "read nginx's configuration (a file, or auto to run nginx -T), route the URL through it, probe its upstream and lint the settings on the way")
	fl.StringVar(&c.haproxy, "haproxy-config", "", "read HAProxy's configuration (haproxy.cfg) the same way")
	fl.StringVar(&c.apache, "apache-config", "", "read Apache's configuration (apache2.conf or a site file) the same way")
	fl.StringVar(&c.caddy, "caddy-config", "", "read Caddy's configuration (a Caddyfile, or its JSON) the same way")
	fl.StringVar(&c.varnish, "varnish-config", "", "read Varnish's configuration (a VCL file such as default.vcl) the same way")
	fl.StringVar(&c.squid, "squid-config", "", "read Squid's configuration (squid.conf of a reverse proxy) the same way")
	fl.StringVar(&c.lighttpd, "lighttpd-config", "", "read lighttpd's configuration (lighttpd.conf) the same way")
	fl.StringVar(&c.phpFPM, "php-fpm-config", "", "read a PHP-FPM pool configuration (www.conf or php-fpm.conf) to compare its timeouts")
	fl.StringVar(&c.phpINI, "php-ini", "", "read php.ini for max_execution_time")
}

func (c gatewayConfigFlags) sources() gwconfig.Sources {
	return gwconfig.Sources{Nginx: c.nginx, HAProxy: c.haproxy, Apache: c.apache, Caddy: c.caddy, Varnish: c.varnish, Squid: c.squid, Lighttpd: c.lighttpd, PHPFPM: c.phpFPM, PHPINI: c.phpINI}
}
