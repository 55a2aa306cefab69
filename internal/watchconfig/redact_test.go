package watchconfig

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestRedactHeader(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{"Authorization", "Bearer abc.def", "Bearer [redacted:7]"},
		{"authorization", "Basic dXNlcjpwYXNz", "Basic [redacted:12]"},
		{"Authorization", "opaque", "[redacted:6]"},
		{"Proxy-Authorization", "Basic dXNlcjpwYXNz", "Basic [redacted:12]"},
		{"Cookie", "sid=abc; theme=dark", "sid=[redacted:3]; theme=[redacted:4]"},
		{"X-Api-Key", "k", "[redacted:1]"},
		{"X-Auth-Token", "short", "[redacted:5]"},
		{"CF-Access-Client-Secret", "s3", "[redacted:2]"},
		{"X-Session", "abc", "[redacted:3]"},
		{"X-Custom", "ghp_0123456789abcdefABCDEF0123", "[redacted:30]"},
		{"X-Custom", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "[redacted:41]"},
		{"X-Request-Id", "123e4567-e89b-12d3-a456-426614174000", "[redacted:36]"},
		{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0"},
		{"Accept", "text/html,application/xhtml+xml", "text/html,application/xhtml+xml"},
		{"Host", "shop.example", "shop.example"},
		{"X-Forwarded-For", "203.0.113.7", "203.0.113.7"},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.value, func(t *testing.T) {
			if got := redactHeader(tc.name, tc.value); got != tc.want {
				t.Errorf("redactHeader(%q, %q) = %q, want %q", tc.name, tc.value, got, tc.want)
			}
		})
	}
}

func TestRedactAlertURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"slack://token-a/token-b/token-c", "slack://[redacted:7]/[redacted:7]/[redacted:7]"},
		{"slack://hook:T0-B0-XYZ@webhook", "slack://[redacted:4]:[redacted:9]@[redacted:7]"},
		{"slack://gwdoctor@xoxb-123-456/C0123", "slack://[redacted:8]@[redacted:12]/[redacted:5]"},
		{"discord://tok3n@123456/?color=red", "discord://[redacted:5]@123456/?color=red"},
		{"telegram://110201543:AAHdqTcv@telegram/?chats=@ops", "telegram://110201543:[redacted:8]@telegram/?chats=@ops"},
		{"ntfy://ntfy.sh/my-topic?title=gw", "ntfy://ntfy.sh/[redacted:8]?title=gw"},
		{"ntfy://user:pw@ntfy.example/topic", "ntfy://user:[redacted:2]@ntfy.example/[redacted:5]"},
		{"generic+https://hooks.example/in?token=abc&channel=ops", "generic+https://hooks.example/in?token=[redacted:3]&channel=ops"},
		{"generic+https://hooks.example/T0/a1b2c3d4e5f6a7b8c9d0e1f2", "generic+https://hooks.example/T0/[redacted:24]"},
		{"generic://hooks.example/in?@Authorization=Bearer%20x", "generic://hooks.example/in?@Authorization=[redacted:8]"},
		{"smtp://ops@example.com:pw@smtp.example:587/?to=a@example.com", "smtp://ops@example.com:[redacted:2]@smtp.example:587/?to=a@example.com"},
		{"gotify://gotify.example/AbCdEf", "gotify://gotify.example/[redacted:6]"},
		{"pushover://shoutrrr:apptoken@userkey/", "pushover://shoutrrr:[redacted:8]@[redacted:7]/"},
		{"teams://group@tenant/altid/owner?host=x.webhook.office.com", "teams://[redacted:5]@tenant/[redacted:5]/[redacted:5]?host=x.webhook.office.com"},
		{"googlechat://chat.googleapis.com/v1/spaces/FOO/messages?key=k&token=t", "googlechat://chat.googleapis.com/v1/spaces/FOO/messages?key=[redacted:1]&token=[redacted:1]"},
		{"logger://", "logger://"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := redactAlertURL(tc.in); got != tc.want {
				t.Errorf("redactAlertURL(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"postgres://gw:s3cret@db.example:5432/gw?sslmode=require", "postgres://gw:[redacted:6]@db.example:5432/gw?sslmode=require"},
		{"postgres://gw@/gw?host=/run/postgresql&password=pw", "postgres://gw@/gw?host=/run/postgresql&password=[redacted:2]"},
		{"/var/lib/gwdoctor/gwdoctor.db", "/var/lib/gwdoctor/gwdoctor.db"},
		{"https://shop.example/health?api_key=abc", "https://shop.example/health?api_key=[redacted:3]"},
		{"https://admin:hunter2@shop.example/", "https://admin:[redacted:7]@shop.example/"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := redactURL(tc.in, service{}); got != tc.want {
				t.Errorf("redactURL(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
	if got, want := redactURL("admin:pw@shop.example/x", service{bare: true}), "admin:[redacted:2]@shop.example/x"; got != want {
		t.Errorf("a bare address: got %q, want %q", got, want)
	}
}

func TestRedacted(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "example.yaml"), envOf(exampleEnv))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := json.Marshal(c)
	r := c.Redacted()
	checks := []struct {
		name, got, want string
	}{
		{"tokens.read", r.Tokens.Read, "[redacted:21]"},
		{"tokens.admin", r.Tokens.Admin, "[redacted:22]"},
		{"alerts.ops.urls[0]", r.Alerts["ops"].URLs[0], "slack://[redacted:4]:[redacted:34]@[redacted:7]"},
		{"alerts.ops.urls[1]", r.Alerts["ops"].URLs[1], "ntfy://ntfy.sh/[redacted:16]?title=gwdoctor"},
		{"alerts.oncall.urls[0]", r.Alerts["oncall"].URLs[0], "generic+https://hooks.example.com/gwdoctor?token=[redacted:13]"},
		{"targets[0].headers.Authorization", r.TargetSpecs[0].Headers["Authorization"], "Bearer [redacted:41]"},
		{"targets[0].headers.User-Agent", r.TargetSpecs[0].Headers["User-Agent"], "gwdoctor"},
		{"targets[0].cookies[0]", r.TargetSpecs[0].Cookies[0], "consent=[redacted:3]"},
		{"targets[1].headers.X-Api-Key", r.TargetSpecs[1].Headers["X-Api-Key"], "[redacted:3]"},
		{"hash", r.Hash, c.Hash},
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	shown, _ := json.Marshal(r)
	for name, secret := range exampleEnv {
		if strings.Contains(string(shown), secret) {
			t.Errorf("the redacted configuration shows %s", name)
		}
	}
	if after, _ := json.Marshal(c); string(after) != string(before) {
		t.Errorf("Redacted changed the configuration itself")
	}
}
