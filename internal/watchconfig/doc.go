// Package watchconfig reads the configuration of gwdoctor serve: a YAML
// file (goccy/go-yaml), read strictly, or the few flags of
// "gwdoctor serve --target URL" (FromFlags), both giving the same Config.
//
// Load and Parse report every problem at once, each on its own line as
// "file:line:col: message": a syntax error, an unknown key (with the
// closest known one), a value of the wrong kind, a bad duration, URL,
// status range or regular expression, a duplicate target name, an alert
// route that does not exist. Values may use ${NAME} and ${NAME:-default}
// (the default stands in for an unset or empty variable, as in a POSIX
// shell; "$${" is a literal "${"); an unset variable without a default is
// an error naming it. Substitution happens in values after parsing, so a
// value never changes the file's structure. Anchors, aliases and merge keys
// ("<<: *defaults") work as YAML says; a top-level key that starts with
// "x-" is ignored, as in Compose files, to hold anchors. Relative file
// paths (db, gateway configurations, logs) are taken from the
// configuration file's directory.
//
// Config.Targets gives the targets ready for the scheduler, with their
// inherited interval and timeout and a stable ID; Config.Redacted a copy
// whose secrets are masked, to show, store or send; Watch reloads the file
// on SIGHUP and when it changes, keeping the running configuration when
// the new one is bad.
//
// # The file
//
// Every key may be left out but targets, and each target's url. The
// defaults:
//
//	listen: 127.0.0.1:8502        # web page and API; loopback unless set
//	db: gwdoctor.db               # SQLite file, or postgres://user:pass@host/db;
//	                              # default $XDG_STATE_HOME/gwdoctor/gwdoctor.db,
//	                              # or ~/.local/state/gwdoctor/gwdoctor.db
//	interval: 30s                 # between two checks of a target; 1s at least
//	timeout: 10s                  # of one check; at most the interval
//	retention:
//	  checks: 14                  # days of raw checks (14, 14d or 336h)
//	  rollups: 400                # days of hourly rollups
//	log:
//	  format: text                # or json
//	  level: info                 # debug, info, warn or error
//	tokens:
//	  read: ${GWDOCTOR_READ_TOKEN:-}   # opens incidents and the API off loopback
//	  admin: ${GWDOCTOR_ADMIN_TOKEN:-} # allows what changes state
//	groups:                       # by name; a group not described is private
//	  shop:
//	    public: false             # state and uptime shown without a token
//	    description: ""
//	alerts:                       # routes, by name
//	  ops:
//	    urls: [slack://…, generic+https://…, ntfy://…]   # shoutrrr URLs
//	    reminder: 4h              # repeat while open; off for never
//	maintenance:                  # windows that mute alerts
//	  - start: 2025-06-01T02:00:00Z   # RFC 3339
//	    end: 2025-06-01T03:00:00Z
//	    targets: [shop]           # names; with groups: [...], or neither for all
//	    description: ""
//	targets:
//	  - url: shop.example         # a URL, or a host as a browser takes it
//	    name: shop                # default the url; unique
//	    group: ""
//	    interval: 30s             # default the top level's
//	    timeout: 10s              # default the top level's, cut to the interval
//	    expect:                   # default: any answer but a gateway failure
//	      status: [200-399]       # codes (200), ranges (200-399), classes (2xx)
//	      body_contains: ""
//	      body_regexp: ""         # RE2 syntax
//	    headers: {}               # name: value
//	    cookies: []               # "name=value"
//	    upstream: ""              # HOST:PORT, https://HOST:PORT, unix:/path,
//	                              # fcgi://HOST:PORT or fcgi:unix:/path
//	    origin: ""                # ADDR or ADDR:PORT past the CDN
//	    nginx_config: ""          # a file, or auto
//	    haproxy_config: ""
//	    apache_config: ""
//	    php_fpm_config: ""
//	    php_ini: ""
//	    logs: []                  # FILE or FORMAT:FILE
//	    alerts: [ops]             # routes; default all, [] for none
//	    follow_redirects: true
//
// testdata/example.yaml is a complete example.
//
// # Secrets
//
// Redacted replaces each secret with "[redacted:N]", N its length: the
// tokens; the values of Authorization, Proxy-Authorization, Cookie and
// X-Api-Key headers, of headers named like secrets (token, key, secret,
// auth, session…) and of values that look like tokens (JWTs, long runs of
// letters and digits); cookie values; the database password; user info
// and query parameters named like secrets in any URL; and the parts of an
// alert URL that hold a token for its service (Slack's host and path,
// Discord's and Telegram's paths, a ntfy topic, …).
package watchconfig
