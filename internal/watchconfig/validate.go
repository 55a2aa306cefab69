package watchconfig

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// checker checks a decoded configuration, before its defaults are filled
// in: a zero value is one left out, unless at says it was written.
type checker struct {
	c     *Config
	at    map[string]pos
	keys  map[string]pos
	bad   map[string]bool
	probs *problems
	// flags names the settings as the flags of FromFlags set them.
	flags bool
}

// check records every problem of c.
func check(c *Config, d *decoder, probs *problems) {
	v := &checker{c: c, at: d.at, keys: d.keys, bad: d.bad, probs: probs}
	v.top()
	v.routes()
	v.targets()
	v.maintenance()
}

// where is the place of path, or of the nearest enclosing value that was
// read.
func (v *checker) where(path string) pos {
	for {
		if p, ok := v.at[path]; ok {
			return p
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return v.at[""]
		}
		path = path[:i]
	}
}

// set reports whether path was written in the file and could be read.
func (v *checker) set(path string) bool {
	_, ok := v.at[path]
	return ok && !v.bad[path]
}

// errorf records a problem of the value at path.
func (v *checker) errorf(path string, err error, format string, args ...any) {
	name := describe(path)
	if v.flags {
		name = "--" + path
	}
	v.probs.add(v.where(path), err, "%s: %s", name, fmt.Sprintf(format, args...))
}

// top checks the top-level settings.
func (v *checker) top() {
	c := v.c
	if c.Listen != "" {
		if err := checkListen(c.Listen); err != nil {
			v.errorf("listen", err, "%q: %v", c.Listen, err)
		}
	}
	if c.DB != "" {
		if err := checkDB(c.DB); err != nil {
			v.errorf("db", err, "%v", err)
		}
	}
	v.interval("interval", c.Interval)
	if v.set("timeout") && c.Timeout == 0 {
		v.errorf("timeout", nil, "a check needs a timeout above 0")
	}
	if interval := or(c.Interval, DefaultInterval); c.Timeout > interval {
		v.errorf("timeout", nil, "%v is longer than the interval, %v", c.Timeout, interval)
	}
	if v.set("retention.checks") && c.Retention.Checks < 24*time.Hour {
		v.errorf("retention.checks", nil, "history is kept for a day at least")
	}
	if v.set("retention.rollups") && c.Retention.Rollups < 24*time.Hour {
		v.errorf("retention.rollups", nil, "history is kept for a day at least")
	}
	if f := c.Log.Format; f != "" && f != "text" && f != "json" {
		v.errorf("log.format", nil, "%q: want text or json", f)
	}
	if c.Tokens.Read != "" && c.Tokens.Read == c.Tokens.Admin {
		v.errorf("tokens.admin", nil, "the admin token is the read token: give them different values")
	}
}

// interval checks an interval that was written.
func (v *checker) interval(path string, d time.Duration) {
	if v.set(path) && d < MinInterval {
		v.errorf(path, nil, "%v is shorter than %v", d, MinInterval)
	}
}

// routes checks the alert routes.
func (v *checker) routes() {
	for _, name := range sortedKeys(v.c.Alerts) {
		r := v.c.Alerts[name]
		path := join("alerts", name)
		if len(r.URLs) == 0 {
			v.errorf(path, nil, "a route needs urls, for example [\"ntfy://ntfy.sh/topic\"]")
		}
		for i, u := range r.URLs {
			if err := checkAlertURL(u); err != nil {
				v.errorf(fmt.Sprintf("%s.urls[%d]", path, i), err, "%v", err)
			}
		}
		if v.set(path+".reminder") && r.Reminder == 0 {
			v.errorf(path+".reminder", nil, "write off for no reminders")
		}
	}
}

// maintenance checks the windows, and that they name existing targets
// and groups: a misspelt name would mute nothing.
func (v *checker) maintenance() {
	targets, groups := map[string]bool{}, map[string]bool{}
	for _, t := range v.c.TargetSpecs {
		targets[or(t.Name, strings.TrimSpace(t.URL))] = true
		groups[t.Group] = true
	}
	for g := range v.c.Groups {
		groups[g] = true
	}
	for i, w := range v.c.Maintenance {
		path := fmt.Sprintf("maintenance[%d]", i)
		switch {
		case w.Start.IsZero() || w.End.IsZero():
			v.errorf(path, nil, "a window needs a start and an end")
		case !w.End.After(w.Start):
			v.errorf(path+".end", nil, "%s is not after the start, %s", w.End.Format(time.RFC3339), w.Start.Format(time.RFC3339))
		}
		for j, t := range w.Targets {
			if !targets[t] {
				v.errorf(fmt.Sprintf("%s.targets[%d]", path, j), nil, "no target is named %q", t)
			}
		}
		for j, g := range w.Groups {
			if !groups[g] || g == "" {
				v.errorf(fmt.Sprintf("%s.groups[%d]", path, j), nil, "no group is named %q", g)
			}
		}
	}
}

// checkListen accepts HOST:PORT and :PORT.
func checkListen(s string) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("want HOST:PORT, such as 127.0.0.1:8502: %w", err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("bad port %q", port)
	}
	return nil
}

// isPostgres reports whether db names a PostgreSQL database.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// checkDB accepts a file path or a postgres:// URL.
func checkDB(db string) error {
	if !isPostgres(db) {
		if strings.Contains(db, "://") {
			return fmt.Errorf("%q: want a file or a postgres:// URL", redactURL(db, service{}))
		}
		return nil
	}
	u, err := url.Parse(db)
	if err != nil {
		return fmt.Errorf("%q does not parse as a URL: %w", redactURL(db, service{}), errNotURL)
	}
	if u.Host == "" && u.Query().Get("host") == "" {
		return fmt.Errorf("%q names no host", redactURL(db, service{}))
	}
	return nil
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
