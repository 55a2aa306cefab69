package watchconfig

import (
	"net/http"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
)

func TestTargets(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "example.yaml"), envOf(exampleEnv))
	if err != nil {
		t.Fatal(err)
	}
	ts := c.Targets()
	if len(ts) != 3 {
		t.Fatalf("got %d targets, want 3", len(ts))
	}
	shop, api, intranet := ts[0], ts[1], ts[2]
	checks := []struct {
		name      string
		got, want any
	}{
		{"shop.ID", shop.ID, TargetID("shop")},
		{"shop.URL", shop.URL, "https://shop.example/"},
		{"shop.Candidates", shop.Candidates, []string{"https://shop.example/", "http://shop.example/"}},
		{"shop.Interval inherited", shop.Interval, 30 * time.Second},
		{"shop.Timeout inherited", shop.Timeout, 10 * time.Second},
		{"shop.Header", shop.Header, http.Header{"Authorization": {"Bearer " + exampleEnv["SHOP_TOKEN"]}, "User-Agent": {"gwdoctor"}}},
		{"shop.Gateway", shop.Gateway, gwconfig.Sources{Nginx: "/etc/nginx/nginx.conf", PHPFPM: "/etc/php/8.2/fpm/pool.d/www.conf"}},
		{"shop.Logs", shop.Logs, []LogFile{{Name: "/var/log/nginx/error.log"}, {Name: "/var/log/php8.2-fpm.log", Format: "php-fpm"}}},
		{"shop.Alerts sorted", shop.Alerts, []string{"oncall", "ops"}},
		{"shop.FollowRedirects", shop.FollowRedirects, true},
		{"api.Interval own", api.Interval, 15 * time.Second},
		{"api.Timeout inherited", api.Timeout, 10 * time.Second},
		{"api.BodyRegexp", api.BodyRegexp.String(), `"status":\s*"ok"`},
		{"intranet.Name", intranet.Name, "https://intranet.example/login"},
		{"intranet.Timeout own", intranet.Timeout, 20 * time.Second},
		{"intranet.Alerts none", intranet.Alerts, []string(nil)},
		{"intranet.FollowRedirects", intranet.FollowRedirects, false},
	}
	for _, tc := range checks {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
}

func TestTargetInheritance(t *testing.T) {
	tests := []struct {
		name         string
		src          string
		interval     time.Duration
		timeout      time.Duration
		alerts       []string
		wantSameHash bool
	}{
		{"defaults", minimal, 30 * time.Second, 10 * time.Second, nil, true},
		{"short interval cuts the default timeout", "interval: 5s\n" + minimal, 5 * time.Second, 5 * time.Second, nil, false},
		{"target interval cuts the inherited timeout", "targets:\n  - url: shop.example\n    interval: 2s\n", 2 * time.Second, 2 * time.Second, nil, false},
		{"every route when none named", "alerts:\n  b: {urls: ['logger://']}\n  a: {urls: ['logger://']}\n" + minimal, 30 * time.Second, 10 * time.Second, []string{"a", "b"}, false},
	}
	base, err := Parse("f.yaml", []byte(minimal), home)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("f.yaml", []byte(tc.src), home)
			if err != nil {
				t.Fatal(err)
			}
			got := c.Targets()[0]
			if got.Interval != tc.interval || got.Timeout != tc.timeout || !reflect.DeepEqual(got.Alerts, tc.alerts) {
				t.Errorf("interval %v, timeout %v, alerts %q; want %v, %v, %q", got.Interval, got.Timeout, got.Alerts, tc.interval, tc.timeout, tc.alerts)
			}
			if same := got.Hash == base.Targets()[0].Hash; same != tc.wantSameHash {
				t.Errorf("same hash as the defaults' = %v, want %v", same, tc.wantSameHash)
			}
			if got.ID != base.Targets()[0].ID {
				t.Errorf("ID %s changed with the settings, want it kept (it hashes the name)", got.ID)
			}
		})
	}
}

func TestTargetOK(t *testing.T) {
	src := "targets:\n  - url: a.example\n    expect: {status: [200-299, 304], body_contains: ok, body_regexp: 'v[0-9]+'}\n  - url: b.example\n"
	c, err := Parse("f.yaml", []byte(src), home)
	if err != nil {
		t.Fatal(err)
	}
	strict, open := c.Targets()[0], c.Targets()[1]
	tests := []struct {
		target *Target
		status int
		body   string
		want   bool
	}{
		{&strict, 200, "ok v2", true},
		{&strict, 304, "ok v2", true},
		{&strict, 301, "ok v2", false},
		{&strict, 200, "v2", false},
		{&strict, 200, "ok", false},
		{&open, 404, "", true},
	}
	for _, tc := range tests {
		if got := tc.target.OK(tc.status, []byte(tc.body)); got != tc.want {
			t.Errorf("%s.OK(%d, %q) = %v, want %v", tc.target.Name, tc.status, tc.body, got, tc.want)
		}
	}
}

func TestTargetID(t *testing.T) {
	if a, b := TargetID("shop"), TargetID("shop"); a != b || len(a) != 16 {
		t.Errorf("TargetID(shop) = %q then %q, want the same 16 hex digits", a, b)
	}
	if TargetID("shop") == TargetID("shop-api") {
		t.Errorf("two names, one ID")
	}
}
