package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
	"github.com/gwdoctor/gwdoctor/internal/report"
)

type configFlags struct {
	nginx, haproxy, apache, caddy, varnish, squid, lighttpd, phpFPM, phpINI string
	url                                                                     string
	json                                                                    bool
}

const configExitHelp = `Exit codes:
  0  no finding of severity warning or error
  1  findings of severity warning or error
  2  the command was used wrongly (bad flag, bad URL, no configuration given)
  3  a configuration could not be read or parsed (the error names file:line)`

func newConfigCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Read gateway configurations: lint them, and route a URL through them",
	}
	cmd.AddCommand(newConfigCheckCmd(s))
	return cmd
}

func newConfigCheckCmd(s streams) *cobra.Command {
	var f configFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Lint nginx, HAProxy, Apache, Caddy, Varnish, Squid, lighttpd and PHP-FPM settings that cause 502, 503 and 504",
		Long: `check reads the given gateway configurations with their includes and reports
the settings that make requests fail with 502, 503 or 504: short or very
long timeouts, header buffers that large cookies overflow, "localhost"
upstreams, upstream names resolved only at start-up, variables in proxy_pass
without a resolver, PHP-FPM killing workers before the gateway times out.
Each finding names the file and line and the line to write instead.

With --url it also shows the route of that URL: the server block and
location (or frontend and backend, ProxyPass, Caddy's site and
reverse_proxy, Varnish's backend_hint, Squid's accel http_port and
cache_peer, or lighttpd's conditionals and proxy.server or fastcgi.server)
that handle it, the
upstreams behind them, and the effective timeouts and buffers with the file
and line that set each, or "default".

` + configExitHelp,
		Example: `  gwdoctor config check --nginx-config /etc/nginx/nginx.conf
  gwdoctor config check --nginx-config auto --php-fpm-config /etc/php/8.2/fpm/php-fpm.conf
  gwdoctor config check --nginx-config auto --url https://shop.example/checkout
  gwdoctor config check --haproxy-config /etc/haproxy/haproxy.cfg --json
  gwdoctor config check --caddy-config /etc/caddy/Caddyfile --url https://shop.example/
  gwdoctor config check --varnish-config /etc/varnish/default.vcl --url https://shop.example/
  gwdoctor config check --squid-config /etc/squid/squid.conf --url https://shop.example/
  gwdoctor config check --lighttpd-config /etc/lighttpd/lighttpd.conf --url https://shop.example/`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("config check takes no arguments, got %q", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfigCheck(cmd.Context(), s, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.nginx, "nginx-config", "", `nginx.conf to read with its includes, or "auto" to read "nginx -T" of the nginx on PATH`)
	fl.StringVar(&f.haproxy, "haproxy-config", "", "haproxy.cfg to read")
	fl.StringVar(&f.apache, "apache-config", "", "apache2.conf, httpd.conf or a site file to read with its includes")
	fl.StringVar(&f.caddy, "caddy-config", "", "a Caddyfile to read with its imports, or Caddy's JSON configuration")
	fl.StringVar(&f.varnish, "varnish-config", "", "a VCL file such as default.vcl to read with its includes")
	fl.StringVar(&f.squid, "squid-config", "", "squid.conf of a reverse proxy (accel) to read with its includes")
	fl.StringVar(&f.lighttpd, "lighttpd-config", "", "lighttpd.conf to read with its includes (include_shell is not run)")
	fl.StringVar(&f.phpFPM, "php-fpm-config", "", "php-fpm.conf or a pool file such as www.conf")
	fl.StringVar(&f.phpINI, "php-ini", "", "php.ini, for max_execution_time")
	fl.StringVar(&f.url, "url", "", "also show the route of this URL through the configurations")
	fl.BoolVar(&f.json, "json", false, "print the routes and findings as JSON (schema_version 1)")
	return cmd
}

// configDocument is the JSON output of config check.
type configDocument struct {
	SchemaVersion int                `json:"schema_version"`
	Routes        []*gwconfig.Route  `json:"routes,omitempty"`
	Findings      []gwconfig.Finding `json:"findings"`
}

func runConfigCheck(ctx context.Context, s streams, f configFlags) error {
	src := gwconfig.Sources{Nginx: f.nginx, HAProxy: f.haproxy, Apache: f.apache, Caddy: f.caddy, Varnish: f.varnish, Squid: f.squid, Lighttpd: f.lighttpd, PHPFPM: f.phpFPM, PHPINI: f.phpINI}
	if src == (gwconfig.Sources{}) {
		return usagef("config check needs at least one of --nginx-config, --haproxy-config, --apache-config, --caddy-config, --varnish-config, --squid-config, --lighttpd-config, --php-fpm-config")
	}
	var u *url.URL
	if f.url != "" {
		var err error
		u, err = url.Parse(f.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			return usagef("bad --url %q: want an absolute http:// or https:// URL", f.url)
		}
	}
	cfg, err := gwconfig.Load(ctx, src)
	if err != nil {
		return fmt.Errorf("reading the configuration: %w", err)
	}
	doc := configDocument{SchemaVersion: 1, Findings: gwconfig.Check(cfg)}
	if u != nil {
		if doc.Routes, err = cfg.Routes(u); err != nil {
			return err
		}
	}
	if f.json {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		err = enc.Encode(doc)
	} else {
		err = writeConfigText(s.out, doc)
	}
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if w, ok := gwconfig.Worst(doc.Findings); ok && w >= gwconfig.Warning {
		return errFailureFound
	}
	return nil
}

// writeConfigText prints routes, then findings as a table.
func writeConfigText(w io.Writer, doc configDocument) error {
	ew := &errWriter{w: w}
	for _, r := range doc.Routes {
		_ = report.Route(ew, r, shortPath) // errors surface through the errWriter underneath
		fmt.Fprintln(ew)
	}
	if len(doc.Findings) == 0 {
		fmt.Fprintln(ew, "No findings.")
		return ew.err
	}
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tWHERE\tFINDING")
	for _, f := range doc.Findings {
		msg := shortPath(f.Message)
		if f.Cause != "" {
			msg += " [" + string(f.Cause) + "]"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Severity, shortPath(f.Where()), msg)
		if f.Fix != "" {
			fmt.Fprintf(tw, "\t\tfix: %s\n", strings.ReplaceAll(f.Fix, "\n", "; "))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return ew.err
}

// shortPath makes absolute paths under the working directory relative, for
// shorter lines.
func shortPath(s string) string {
	wd, err := os.Getwd()
	if err != nil || wd == "/" {
		return s
	}
	return strings.ReplaceAll(s, wd+string(filepath.Separator), "")
}

// errWriter remembers the first write error so a report is checked once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}
