package watchconfig

import (
	"log/slog"
	"time"
)

// The defaults of a configuration, applied where a key is left out.
const (
	// DefaultListen is where the web page and API listen: loopback only,
	// so that nothing is exposed until it is asked for.
	DefaultListen = "127.0.0.1:8502"
	// DefaultDBName is the SQLite file's name in the state directory.
	DefaultDBName = "gwdoctor.db"
	// DefaultInterval is the time between two routine checks of a target.
	DefaultInterval = 30 * time.Second
	// DefaultTimeout is the hard deadline of one check.
	DefaultTimeout = 10 * time.Second
	// DefaultCheckRetention is how long raw checks are kept (14 days).
	DefaultCheckRetention = 14 * 24 * time.Hour
	// DefaultRollupRetention is how long hourly rollups are kept (400 days).
	DefaultRollupRetention = 400 * 24 * time.Hour
	// DefaultReminder is how often an alert route repeats the alert of an
	// incident that stays open.
	DefaultReminder = 4 * time.Hour
	// MinInterval is the shortest interval accepted: a check a second is
	// already more than a site should have to answer for being watched.
	MinInterval = time.Second
)

// Config is the configuration of gwdoctor serve, as read from a file (Load,
// Parse) or built from flags (FromFlags), with every default filled in.
// It is plain data: Targets turns its targets into what the scheduler
// runs, and Redacted makes a copy whose secrets are masked.
type Config struct {
	// Listen is the address of the web page and API (default
	// 127.0.0.1:8502).
	Listen string `yaml:"listen" json:"listen"`
	// DB is the SQLite file, or a postgres:// URL (default gwdoctor.db in
	// the state directory, see StateDir).
	DB string `yaml:"db" json:"db"`
	// Interval is the time between two checks of a target that sets none
	// (default 30s, at least 1s).
	Interval time.Duration `yaml:"interval" json:"interval"`
	// Timeout is the deadline of one check of a target that sets none
	// (default 10s, or the interval when that is shorter; at most the
	// interval).
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Retention says how long history is kept.
	Retention Retention `yaml:"retention" json:"retention"`
	// Log is the server's own logging.
	Log Log `yaml:"log" json:"log"`
	// Tokens are the secrets that open the API and the incident pages.
	Tokens Tokens `yaml:"tokens" json:"tokens"`
	// Groups describe the groups that targets name; a group that no entry
	// describes is private.
	Groups map[string]Group `yaml:"groups" json:"groups,omitempty"`
	// Alerts are the alert routes, by name.
	Alerts map[string]Route `yaml:"alerts" json:"alerts,omitempty"`
	// Maintenance are the windows that mute alerts.
	Maintenance []Window `yaml:"maintenance" json:"maintenance,omitempty"`
	// TargetSpecs are the targets as written; Targets returns them ready
	// to run.
	TargetSpecs []TargetSpec `yaml:"targets" json:"targets"`

	// Source is the file the configuration was read from, "" when it was
	// built from flags.
	Source string `yaml:"-" json:"-"`
	// Hash identifies the configuration's content after substitution and
	// defaults (hex SHA-256): two configurations with the same Hash run the
	// same way, whatever their comments or layout.
	Hash string `yaml:"-" json:"-"`
}

// Retention says how long history is kept. In the file each is a number of
// days (14), a number with a d (14d), or a duration (336h).
type Retention struct {
	// Checks is how long raw checks are kept (default 14 days).
	Checks time.Duration `yaml:"checks,days" json:"checks"`
	// Rollups is how long hourly rollups are kept (default 400 days).
	Rollups time.Duration `yaml:"rollups,days" json:"rollups"`
}

// Log is the server's own logging, through log/slog.
type Log struct {
	// Format is "text" (default) or "json".
	Format string `yaml:"format" json:"format"`
	// Level is debug, info (default), warn or error.
	Level slog.Level `yaml:"level" json:"level"`
}

// Tokens are the secrets that open the server. Write them as ${ENV} rather
// than in the file.
type Tokens struct {
	// Read opens incident details, evidence and the API when the listener
	// is not loopback (default none).
	Read string `yaml:"read" json:"read,omitempty"`
	// Admin allows what changes state (default none: nothing can).
	Admin string `yaml:"admin" json:"admin,omitempty"`
}

// Group describes a group of targets on the status page.
type Group struct {
	// Public shows the group's state and uptime without a token (default
	// false).
	Public bool `yaml:"public" json:"public"`
	// Description is shown under the group's name.
	Description string `yaml:"description" json:"description,omitempty"`
}

// Route is a named alert route: where alerts of the targets that name it
// are sent.
type Route struct {
	// URLs are shoutrrr service URLs ("slack://…", "ntfy://…",
	// "generic+https://…"); each alert goes to all of them.
	URLs []string `yaml:"urls" json:"urls"`
	// Reminder is how often the alert of an incident still open is
	// repeated (default 4h); "off" for never, stored as a negative
	// duration as monitor.AlertPolicy takes it.
	Reminder time.Duration `yaml:"reminder,off" json:"reminder"`
}

// Window is a maintenance window: alerts of the targets and groups it names
// (of every target when it names none) are muted from Start until End.
type Window struct {
	// Start and End are RFC 3339 times; End is after Start.
	Start time.Time `yaml:"start" json:"start"`
	End   time.Time `yaml:"end" json:"end"`
	// Targets and Groups name what is muted.
	Targets []string `yaml:"targets" json:"targets,omitempty"`
	Groups  []string `yaml:"groups" json:"groups,omitempty"`
	// Description says why, for the status page.
	Description string `yaml:"description" json:"description,omitempty"`
}

// TargetSpec is one target as written in the configuration. Every field
// but URL may be left out.
type TargetSpec struct {
	// Name names the target on pages and in alerts, and keys its history
	// (default the URL as written). Names are unique.
	Name string `yaml:"name" json:"name"`
	// URL is what is checked: a URL or a bare host as a browser takes it
	// ("shop.example" tries https, then http).
	URL string `yaml:"url" json:"url"`
	// Group gathers targets on the status page (default none).
	Group string `yaml:"group" json:"group,omitempty"`
	// Interval and Timeout override the top-level ones.
	Interval time.Duration `yaml:"interval" json:"interval,omitempty"`
	Timeout  time.Duration `yaml:"timeout" json:"timeout,omitempty"`
	// Expect says what a healthy answer is.
	Expect Expect `yaml:"expect" json:"expect"`
	// Headers are sent with every check and diagnosis.
	Headers map[string]string `yaml:"headers" json:"headers,omitempty"`
	// Cookies are sent as "name=value".
	Cookies []string `yaml:"cookies" json:"cookies,omitempty"`
	// Upstream is the server behind the gateway, asked directly by a
	// diagnosis: HOST:PORT, https://HOST:PORT, unix:/path, fcgi://HOST:PORT
	// or fcgi:unix:/path.
	Upstream string `yaml:"upstream" json:"upstream,omitempty"`
	// Origin is the origin server past a CDN: ADDR or ADDR:PORT.
	Origin string `yaml:"origin" json:"origin,omitempty"`
	// The gateway's configuration files, for routing the URL through them
	// (nginx_config may be "auto").
	NginxConfig   string `yaml:"nginx_config" json:"nginx_config,omitempty"`
	HAProxyConfig string `yaml:"haproxy_config" json:"haproxy_config,omitempty"`
	ApacheConfig  string `yaml:"apache_config" json:"apache_config,omitempty"`
	PHPFPMConfig  string `yaml:"php_fpm_config" json:"php_fpm_config,omitempty"`
	PHPIni        string `yaml:"php_ini" json:"php_ini,omitempty"`
	// Logs are gateway and PHP-FPM logs, FILE or FORMAT:FILE.
	Logs []string `yaml:"logs" json:"logs,omitempty"`
	// Alerts name the routes of the target's alerts: every route when left
	// out, none when an empty list.
	Alerts []string `yaml:"alerts" json:"alerts"`
	// FollowRedirects follows redirects as a browser does (default true).
	FollowRedirects *bool `yaml:"follow_redirects" json:"follow_redirects"`
}

// Expect says what a healthy answer is. A zero Expect leaves it to the
// check: any answer that is not a gateway failure.
type Expect struct {
	// Status lists the statuses accepted: codes, ranges ("200-399") or
	// classes ("2xx").
	Status []StatusRange `yaml:"status" json:"status,omitempty"`
	// BodyContains is text the body must contain.
	BodyContains string `yaml:"body_contains" json:"body_contains,omitempty"`
	// BodyRegexp is a regular expression (RE2 syntax) the body must match.
	BodyRegexp string `yaml:"body_regexp" json:"body_regexp,omitempty"`
}
