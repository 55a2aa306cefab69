package watchconfig

import (
	"strings"
	"testing"
	"time"
)

func TestFromFlags(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/var/state")
	c, err := FromFlags([]string{"https://shop.example/", " api.shop.example/health "}, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "/var/state/gwdoctor/gwdoctor.db" || c.Listen != DefaultListen || c.Interval != DefaultInterval || c.Timeout != DefaultTimeout {
		t.Errorf("got db %q, listen %q, interval %v, timeout %v; want the defaults", c.DB, c.Listen, c.Interval, c.Timeout)
	}
	ts := c.Targets()
	if len(ts) != 2 || ts[1].Name != "api.shop.example/health" || ts[1].URL != "https://api.shop.example/health" || !ts[1].FollowRedirects {
		t.Errorf("targets %+v: want two, named by their URLs, following redirects", ts)
	}
	file, err := Parse("f.yaml", []byte("targets:\n  - url: https://shop.example/\n  - url: api.shop.example/health\n"), envOf(map[string]string{"XDG_STATE_HOME": "/var/state"}))
	if err != nil {
		t.Fatal(err)
	}
	if file.Hash != c.Hash {
		t.Errorf("the same targets from a file and from flags hash differently")
	}

	c, err = FromFlags([]string{"shop.example"}, "postgres://gw@db/gw", "0.0.0.0:9000", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "postgres://gw@db/gw" || c.Listen != "0.0.0.0:9000" || c.Interval != time.Minute || c.Timeout != DefaultTimeout {
		t.Errorf("got db %q, listen %q, interval %v, timeout %v; want the flags'", c.DB, c.Listen, c.Interval, c.Timeout)
	}
}

func TestFromFlagsErrors(t *testing.T) {
	t.Setenv("HOME", "/home/ops")
	tests := []struct {
		name     string
		targets  []string
		db       string
		listen   string
		interval time.Duration
		want     string
	}{
		{"no target", nil, "", "", 0, "--target: nothing to watch: give --target URL or --config FILE"},
		{"bad target", []string{"ftp://x"}, "", "", 0, `--target: "ftp://x" is not a web address: scheme "ftp": only http and https`},
		{"twice", []string{"a.example", "a.example"}, "", "", 0, `--target "a.example" is given twice`},
		{"listen", []string{"a.example"}, "", "8502", 0, `--listen: "8502": want HOST:PORT, such as 127.0.0.1:8502: address 8502: missing port in address`},
		{"db", []string{"a.example"}, "mysql://x/y", "", 0, `--db: "mysql://x/y": want a file or a postgres:// URL`},
		{"interval", []string{"a.example"}, "", "", time.Millisecond, "--interval: 1ms is shorter than 1s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromFlags(tc.targets, tc.db, tc.listen, tc.interval)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}
