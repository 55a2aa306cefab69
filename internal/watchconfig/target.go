package watchconfig

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
	"github.com/gwdoctor/gwdoctor/internal/target"
)

// Target is a target ready for the scheduler: its URL normalised, its
// interval and timeout inherited, its alert routes resolved.
type Target struct {
	// ID is a stable identifier: the first 16 hex digits of the SHA-256
	// of Name, so that it survives reloads, edits and restarts.
	ID string `json:"id"`
	// Name is the target's unique name.
	Name string `json:"name"`
	// Input is the URL as written; URL is the first URL to try, and
	// Candidates all of them in the order a browser tries them (https,
	// then http, for a bare host).
	Input      string   `json:"input"`
	URL        string   `json:"url"`
	Candidates []string `json:"candidates"`
	// Group is the target's group, "" for none.
	Group string `json:"group,omitempty"`
	// Interval and Timeout are the target's own, or the configuration's;
	// an inherited timeout is cut to the interval.
	Interval time.Duration `json:"interval"`
	Timeout  time.Duration `json:"timeout"`
	// Status, BodyContains and BodyRegexp say what a healthy answer is;
	// all empty leave it to the check.
	Status       []StatusRange  `json:"status,omitempty"`
	BodyContains string         `json:"body_contains,omitempty"`
	BodyRegexp   *regexp.Regexp `json:"body_regexp,omitempty"`
	// Header holds the headers to send, Cookies the "name=value" cookies.
	Header  http.Header `json:"header,omitempty"`
	Cookies []string    `json:"cookies,omitempty"`
	// Upstream and Origin are asked directly by a diagnosis.
	Upstream string `json:"upstream,omitempty"`
	Origin   string `json:"origin,omitempty"`
	// Gateway names the gateway's configuration files.
	Gateway gwconfig.Sources `json:"gateway"`
	// Logs are the gateway and PHP-FPM logs to read.
	Logs []LogFile `json:"logs,omitempty"`
	// Alerts name the routes of its alerts, sorted; nil for none.
	Alerts []string `json:"alerts,omitempty"`
	// FollowRedirects follows redirects as a browser does.
	FollowRedirects bool `json:"follow_redirects"`
	// Hash identifies the target's configuration (hex SHA-256), to notice
	// a change across reloads.
	Hash string `json:"-"`
}

// OK reports whether an answer is what the target expects: a status in
// Status (any, when empty) and a body that contains BodyContains and
// matches BodyRegexp, when they are set.
func (t *Target) OK(status int, body []byte) bool {
	if len(t.Status) > 0 && !slices.ContainsFunc(t.Status, func(r StatusRange) bool { return r.Contains(status) }) {
		return false
	}
	if t.BodyContains != "" && !strings.Contains(string(body), t.BodyContains) {
		return false
	}
	return t.BodyRegexp == nil || t.BodyRegexp.Match(body)
}

// TargetID is the stable ID of the target named name.
func TargetID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:8])
}

// Targets returns the targets ready to run, in the order of the
// configuration. c must come from Load, Parse or FromFlags, which have
// checked it.
func (c *Config) Targets() []Target {
	out := make([]Target, 0, len(c.TargetSpecs))
	for _, s := range c.TargetSpecs {
		out = append(out, c.target(s))
	}
	return out
}

// target makes one target ready to run.
func (c *Config) target(s TargetSpec) Target {
	parsed, _ := target.Parse(s.URL) // checked when c was made
	t := Target{
		ID: TargetID(s.Name), Name: s.Name, Input: s.URL,
		Candidates: parsed.Candidates, Group: s.Group,
		Interval: or(s.Interval, c.Interval),
		Status:   slices.Clone(s.Expect.Status), BodyContains: s.Expect.BodyContains,
		Cookies: slices.Clone(s.Cookies), Upstream: s.Upstream, Origin: s.Origin,
		Gateway: gwconfig.Sources{
			Nginx: s.NginxConfig, HAProxy: s.HAProxyConfig, Apache: s.ApacheConfig,
			PHPFPM: s.PHPFPMConfig, PHPINI: s.PHPIni,
		},
		FollowRedirects: s.FollowRedirects == nil || *s.FollowRedirects,
	}
	if len(t.Candidates) > 0 {
		t.URL = t.Candidates[0]
	}
	t.Timeout = or(s.Timeout, min(c.Timeout, t.Interval))
	if s.Expect.BodyRegexp != "" {
		t.BodyRegexp = regexp.MustCompile(s.Expect.BodyRegexp) // checked when c was made
	}
	if len(s.Headers) > 0 {
		t.Header = http.Header{}
		for _, k := range sortedKeys(s.Headers) {
			t.Header.Set(k, s.Headers[k])
		}
	}
	for _, l := range s.Logs {
		t.Logs = append(t.Logs, parseLog(l))
	}
	t.Alerts = slices.Clone(s.Alerts)
	if s.Alerts == nil {
		t.Alerts = sortedKeys(c.Alerts)
	}
	slices.Sort(t.Alerts)
	if len(t.Alerts) == 0 {
		t.Alerts = nil
	}
	t.Hash = targetHash(t)
	return t
}

// targetHash is the hex SHA-256 of t's JSON form.
func targetHash(t Target) string {
	b, err := json.Marshal(t)
	if err != nil {
		panic("watchconfig: encoding a target: " + err.Error()) // plain data always encodes
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
