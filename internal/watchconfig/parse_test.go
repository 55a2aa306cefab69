package watchconfig

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/logscan"
)

// envOf makes an Env from a map.
func envOf(m map[string]string) Env {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// exampleEnv sets the variables that testdata/example.yaml uses.
var exampleEnv = map[string]string{
	"GWDOCTOR_READ_TOKEN":  "r3ad-t0ken-0123456789",
	"GWDOCTOR_ADMIN_TOKEN": "adm1n-t0ken-9876543210",
	"SLACK_HOOK":           "T000-B000-XXXXXXXXXXXXXXXXXXXXXXXX",
	"NTFY_TOPIC":           "shop-alerts-4f2a",
	"ONCALL_TOKEN":         "oncall-secret",
	"SHOP_TOKEN":           "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
	"SHOP_API_KEY":         "k3y",
}

// minimal is the smallest valid configuration.
const minimal = "targets:\n  - url: shop.example\n"

// home is an environment with only HOME set.
var home = envOf(map[string]string{"HOME": "/home/ops"})

func TestExample(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "example.yaml"), envOf(exampleEnv))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"listen", c.Listen, "0.0.0.0:8502"},
		{"db", c.DB, "postgres://gwdoctor@localhost/gwdoctor"},
		{"interval", c.Interval, 30 * time.Second},
		{"retention.checks", c.Retention.Checks, 14 * 24 * time.Hour},
		{"retention.rollups", c.Retention.Rollups, 400 * 24 * time.Hour},
		{"log", c.Log, Log{Format: "json", Level: slog.LevelInfo}},
		{"tokens.read", c.Tokens.Read, exampleEnv["GWDOCTOR_READ_TOKEN"]},
		{"groups.shop", c.Groups["shop"], Group{Public: true, Description: "The web shop and its API"}},
		{"alerts.ops.urls[0]", c.Alerts["ops"].URLs[0], "slack://hook:T000-B000-XXXXXXXXXXXXXXXXXXXXXXXX@webhook"},
		{"alerts.ops.reminder", c.Alerts["ops"].Reminder, 2 * time.Hour},
		{"alerts.oncall.reminder", c.Alerts["oncall"].Reminder, time.Duration(-1)},
		{"maintenance[0].groups", c.Maintenance[0].Groups, []string{"internal"}},
		{"targets", len(c.TargetSpecs), 3},
		{"targets[0] merged group", c.TargetSpecs[0].Group, "shop"},
		{"targets[0] merged logs", c.TargetSpecs[0].Logs, []string{"/var/log/nginx/error.log", "php-fpm:/var/log/php8.2-fpm.log"}},
		{"targets[1] own alerts", c.TargetSpecs[1].Alerts, []string{"oncall"}},
		{"targets[1].expect.body_regexp", c.TargetSpecs[1].Expect.BodyRegexp, `"status":\s*"ok"`},
		{"targets[2].name", c.TargetSpecs[2].Name, "https://intranet.example/login"},
		{"targets[2].follow_redirects", *c.TargetSpecs[2].FollowRedirects, false},
		{"targets[2].alerts", c.TargetSpecs[2].Alerts, []string{}},
	}
	for _, tc := range checks {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		name   string
		env    Env
		wantDB string
	}{
		{"XDG_STATE_HOME", envOf(map[string]string{"XDG_STATE_HOME": "/var/state", "HOME": "/home/ops"}), "/var/state/gwdoctor/gwdoctor.db"},
		{"HOME", home, "/home/ops/.local/state/gwdoctor/gwdoctor.db"},
		{"relative XDG_STATE_HOME is ignored", envOf(map[string]string{"XDG_STATE_HOME": "state", "HOME": "/home/ops"}), "/home/ops/.local/state/gwdoctor/gwdoctor.db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("/etc/gwdoctor.yaml", []byte(minimal), tc.env)
			if err != nil {
				t.Fatal(err)
			}
			want := Config{
				Listen: DefaultListen, DB: tc.wantDB, Interval: 30 * time.Second, Timeout: 10 * time.Second,
				Retention: Retention{Checks: 14 * 24 * time.Hour, Rollups: 400 * 24 * time.Hour},
				Log:       Log{Format: "text", Level: slog.LevelInfo},
			}
			got := *c
			got.TargetSpecs, got.Source, got.Hash = nil, "", ""
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
			if s := c.TargetSpecs[0]; s.Name != "shop.example" || s.FollowRedirects == nil || !*s.FollowRedirects {
				t.Errorf("target %+v: want the name shop.example and follow_redirects true", s)
			}
		})
	}
	if _, err := Parse("x.yaml", []byte(minimal), nil); err == nil || !strings.Contains(err.Error(), "no state directory") {
		t.Errorf("without HOME: got %v, want an error about the state directory", err)
	}
}

func TestRelativePaths(t *testing.T) {
	src := `db: data/gw.db
targets:
  - url: shop.example
    nginx_config: auto
    haproxy_config: haproxy.cfg
    php_ini: /etc/php.ini
    logs: [logs/error.log, "nginx-error:logs/e.log"]
`
	c, err := Parse("/srv/gw/gwdoctor.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := c.TargetSpecs[0]
	got := []string{c.DB, s.NginxConfig, s.HAProxyConfig, s.PHPIni, s.Logs[0], s.Logs[1]}
	want := []string{"/srv/gw/data/gw.db", "auto", "/srv/gw/haproxy.cfg", "/etc/php.ini", "/srv/gw/logs/error.log", "nginx-error:/srv/gw/logs/e.log"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // the lines of the error, after "f.yaml:"; "…: " for a prefix
	}{
		{"syntax", "targets: [\n", []string{"1:10: "}},
		{"duplicate key", "listen: a:1\nlisten: b:2\n" + minimal, []string{`2:1: mapping key "listen" already defined at [1:1]`}},
		{"unknown key suggested", "intervall: 30s\n" + minimal, []string{`1:1: unknown key "intervall" in the top level (did you mean "interval"?)`}},
		{"unknown key listed", "log:\n  colour: red\n" + minimal, []string{`2:3: unknown key "colour" in log; known keys: format, level`}},
		{"unknown target key", "targets:\n  - url: a.example\n    header: {a: b}\n", []string{`3:5: unknown key "header" in targets[0] (did you mean "headers"?)`}},
		{"no targets", "listen: 127.0.0.1:1\n", []string{"1:1: targets: nothing to watch: list targets, such as - url: https://shop.example/"}},
		{"a list for a value", "listen: [a]\n" + minimal, []string{"1:9: listen: want a single value, not a list"}},
		{"a value for a mapping", "log: json\n" + minimal, []string{"1:6: log: want a mapping of keys, not a string"}},
		{"a mapping for a list", "targets:\n  url: a.example\n", []string{"2:3: targets: want a list, not a mapping"}},
		{"bool", "groups:\n  g: {public: yes}\n" + minimal, []string{`2:15: groups.g.public: "yes": want true or false`}},
		{"duration without unit", "interval: 30\n" + minimal, []string{`1:11: interval: "30" has no unit: write 30s`}},
		{"bad duration", "interval: soon\n" + minimal, []string{`1:11: interval: "soon" is not a duration (such as 30s, 1m30s, 2h)`}},
		{"interval under 1s", "interval: 500ms\n" + minimal, []string{"1:11: interval: 500ms is shorter than 1s"}},
		{"timeout over interval", "interval: 5s\ntimeout: 6s\n" + minimal, []string{"2:10: timeout: 6s is longer than the interval, 5s"}},
		{"target timeout over its interval", "targets:\n  - url: a.example\n    interval: 5s\n    timeout: 1m\n", []string{"4:14: targets[0].timeout: 1m0s is longer than the interval, 5s"}},
		{"zero timeout", "targets:\n  - url: a.example\n    timeout: 0s\n", []string{"3:14: targets[0].timeout: a check needs a timeout above 0"}},
		{"retention", "retention: {checks: 1h, rollups: soon}\n" + minimal, []string{
			"1:21: retention.checks: history is kept for a day at least",
			`1:34: retention.rollups: "soon": want a number of days (14, 14d) or a duration (336h)`,
		}},
		{"log", "log: {format: xml, level: loud}\n" + minimal, []string{
			`1:15: log.format: "xml": want text or json`,
			`1:27: log.level: "loud": want debug, info, warn or error`,
		}},
		{"listen", "listen: localhost\n" + minimal, []string{`1:9: listen: "localhost": want HOST:PORT, such as 127.0.0.1:8502: address localhost: missing port in address`}},
		{"db scheme", "db: mysql://u:pw@h/db\n" + minimal, []string{`1:5: db: "mysql://u:[redacted:2]@h/db": want a file or a postgres:// URL`}},
		{"same tokens", "tokens: {read: abc, admin: abc}\n" + minimal, []string{"1:28: tokens.admin: the admin token is the read token: give them different values"}},
		{"no url", "targets:\n  - name: x\n", []string{"2:5: targets[0]: a target needs a url"}},
		{"bad url", "targets:\n  - url: ftp://x\n", []string{`2:10: targets[0].url: "ftp://x" is not a web address: scheme "ftp": only http and https`}},
		{"duplicate names", "targets:\n  - url: a.example\n  - url: b.example\n    name: a.example\n", []string{
			`4:11: targets[1].name: the name "a.example" is already targets[0]'s, on line 2: names are unique`,
		}},
		{"duplicate urls", "targets:\n  - url: a.example\n  - url: a.example\n", []string{
			`3:10: targets[1].url: the name "a.example" is already targets[0]'s, on line 2: names are unique`,
		}},
		{"status", "targets:\n  - url: a.example\n    expect:\n      status: [200, 200-99, 6xx, 2xx]\n", []string{
			`4:21: targets[0].expect.status[1]: status "200-99": want a status (200), a range (200-399) or a class (2xx) within 100-599`,
			`4:29: targets[0].expect.status[2]: status "6xx": want a status (200), a range (200-399) or a class (2xx) within 100-599`,
		}},
		{"status reversed", "targets:\n  - url: a.example\n    expect: {status: 399-200}\n", []string{
			`3:22: targets[0].expect.status[0]: status "399-200": 399 is above 200`,
		}},
		{"regexp", "targets:\n  - url: a.example\n    expect: {body_regexp: 'a(b'}\n", []string{
			"3:27: targets[0].expect.body_regexp: error parsing regexp: missing closing ): `a(b`",
		}},
		{"header", "targets:\n  - url: a.example\n    headers: {'X Y': z}\n", []string{`3:15: targets[0].headers.X Y: "X Y" is not a header name`}},
		{"cookie", "targets:\n  - url: a.example\n    cookies: [session]\n", []string{`3:15: targets[0].cookies[0]: "session": want name=value`}},
		{"upstream", "targets:\n  - url: a.example\n    upstream: localhost\n", []string{
			`3:15: targets[0].upstream: "localhost": want HOST:PORT, https://HOST:PORT, unix:/path, fcgi://HOST:PORT or fcgi:unix:/path`,
		}},
		{"origin", "targets:\n  - url: a.example\n    origin: 'a:99999'\n", []string{`3:13: targets[0].origin: "a:99999": bad port "99999"`}},
		{"log format", "targets:\n  - url: a.example\n    logs: ['ngnix-error:/var/log/e.log']\n", []string{
			`3:12: targets[0].logs[0]: "ngnix-error" is not a log format; known: ` + strings.Join(logscan.Formats(), ", "),
		}},
		{"unknown route", "alerts:\n  ops: {urls: ['ntfy://ntfy.sh/t']}\ntargets:\n  - url: a.example\n    alerts: [ops, pager]\n", []string{
			`5:19: targets[0].alerts[1]: no alert route is named "pager" (routes: ops)`,
		}},
		{"route without urls", "alerts:\n  ops: {reminder: 1h}\n" + minimal, []string{`2:8: alerts.ops: a route needs urls, for example ["ntfy://ntfy.sh/topic"]`}},
		{"alert service", "alerts:\n  ops:\n    urls: ['slak://a/b/c', 'https://x', 'generic+ftp://x', 'not a url']\n" + minimal, []string{
			`3:12: alerts.ops.urls[0]: unknown alert service "slak"; known: bark, discord, generic, googlechat, gotify, hangouts, ifttt, join, lark, logger, matrix, mattermost, mqtt, mqtts, notifiarr, ntfy, opsgenie, pagerduty, pushbullet, pushover, rocketchat, signal, slack, smtp, teams, telegram, twilio, wecom, zulip`,
			`3:28: alerts.ops.urls[1]: unknown alert service "https"; known: bark, discord, generic, googlechat, gotify, hangouts, ifttt, join, lark, logger, matrix, mattermost, mqtt, mqtts, notifiarr, ntfy, opsgenie, pagerduty, pushbullet, pushover, rocketchat, signal, slack, smtp, teams, telegram, twilio, wecom, zulip`,
			`3:41: alerts.ops.urls[2]: "generic+ftp": only generic takes a +http or +https scheme`,
			`3:60: alerts.ops.urls[3]: "not a url" is not a shoutrrr URL such as slack://… or generic+https://…`,
		}},
		{"alert URL that does not parse keeps its secret", "alerts:\n  ops: {urls: ['slack://hook:a/b@webhook']}\n" + minimal, []string{
			`2:16: alerts.ops.urls[0]: "slack://[redacted:6]/[redacted:9]" does not parse as a URL (RFC 3986): check its punctuation, and percent-encode any @ / : in a user name or password`,
		}},
		{"zero reminder", "alerts:\n  ops: {urls: ['logger://'], reminder: 0s}\n" + minimal, []string{"2:40: alerts.ops.reminder: write off for no reminders"}},
		{"maintenance", `maintenance:
  - start: 2025-06-01T02:00:00Z
    end: 2025-06-01T01:00:00Z
    targets: [b.example]
    groups: [shop]
  - start: tomorrow
` + minimal, []string{
			"3:10: maintenance[0].end: 2025-06-01T01:00:00Z is not after the start, 2025-06-01T02:00:00Z",
			`4:15: maintenance[0].targets[0]: no target is named "b.example"`,
			`5:14: maintenance[0].groups[0]: no group is named "shop"`,
			"6:5: maintenance[1]: a window needs a start and an end",
			`6:12: maintenance[1].start: "tomorrow" is not an RFC 3339 time (such as 2025-06-01T02:00:00Z)`,
		}},
		{"unset variable", "listen: ${LISTEN}\ntargets:\n  - url: 'https://a.example/${P}'\n", []string{
			"1:9: listen: ${LISTEN} is not set (write ${LISTEN:-default} for a default)",
			"3:29: targets[0].url: ${P} is not set (write ${P:-default} for a default)",
		}},
		{"unknown alias", "listen: *nowhere\n" + minimal, []string{"1:9: *nowhere names no anchor"}},
		{"second document", minimal + "---\nlisten: x:1\n", []string{"4:1: a second document: the configuration is one document"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tc.src), home)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			got := strings.Split(err.Error(), "\n")
			if len(got) != len(tc.want) {
				t.Fatalf("got %d lines, want %d:\n%s", len(got), len(tc.want), err)
			}
			for i, line := range got {
				want := "f.yaml:" + tc.want[i]
				if line != want && !(strings.HasSuffix(want, ": ") && strings.HasPrefix(line, want)) {
					t.Errorf("line %d:\n got %s\nwant %s", i, line, want)
				}
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.File != "f.yaml" {
				t.Errorf("errors.As(*Error) = %v, %+v; want the first problem", errors.As(err, &ce), ce)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.yaml"), nil)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want an error wrapping os.ErrNotExist", err)
	}
}

func TestAnchorsAndExtensions(t *testing.T) {
	src := `x-common: &common
  interval: 1m
  headers: {User-Agent: probe}
x-auth: &auth
  headers: {Authorization: Basic abc}
  cookies: [a=b]
targets:
  - url: a.example
    <<: [*common, *auth]
  - url: b.example
    <<: *common
    interval: 2m
    cookies: *nolist
`
	_, err := Parse("f.yaml", []byte(src), home)
	if err == nil || err.Error() != "f.yaml:13:14: *nolist names no anchor" {
		t.Fatalf("got %v, want the unknown alias named", err)
	}
	c, err := Parse("f.yaml", []byte(strings.Replace(src, "    cookies: *nolist\n", "", 1)), home)
	if err != nil {
		t.Fatal(err)
	}
	a, b := c.TargetSpecs[0], c.TargetSpecs[1]
	if a.Interval != time.Minute || a.Headers["User-Agent"] != "probe" || !reflect.DeepEqual(a.Cookies, []string{"a=b"}) {
		t.Errorf("a: %+v: want the merged interval, headers of the first merge and cookies of the second", a)
	}
	if b.Interval != 2*time.Minute {
		t.Errorf("b: interval %v, want its own 2m over the merged 1m", b.Interval)
	}
}

func TestHash(t *testing.T) {
	base, err := Parse("f.yaml", []byte(minimal), home)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		src  string
		same bool
	}{
		{"comments and layout", "# watched\ntargets: [{url: shop.example}]   # one\n", true},
		{"a default written out", "interval: 30s\n" + minimal, true},
		{"another interval", "interval: 31s\n" + minimal, false},
		{"another target", minimal + "  - url: b.example\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("f.yaml", []byte(tc.src), home)
			if err != nil {
				t.Fatal(err)
			}
			if same := c.Hash == base.Hash; same != tc.same {
				t.Errorf("same hash = %v, want %v", same, tc.same)
			}
		})
	}
}

func TestParseWithoutName(t *testing.T) {
	_, err := Parse("", []byte("listen: x\n"+minimal), home)
	if want := `configuration:1:9: listen: "x"`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %v, want it to start with %q", err, want)
	}
}
