package report

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/logscan"
)

// siteFormat is the log_format of testdata/site-access.log.
const siteFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $upstream_status $upstream_addr $upstream_response_time $connection`

// siteReport scans the synthetic shop of logscan's testdata (copied here):
// nginx in front of two HTTP upstreams and PHP-FPM, with a burst of refused
// connections at 10:12. Times are read in UTC.
func siteReport(t *testing.T) *logscan.Report {
	t.Helper()
	var srcs []logscan.Source
	for _, n := range []string{"testdata/site-access.log", "testdata/site-error.log", "testdata/site-php-fpm.log"} {
		srcs = append(srcs, logscan.Source{Name: n})
	}
	r, err := logscan.Scan(context.Background(), srcs, logscan.Options{NginxLogFormat: siteFormat, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestLogsGolden(t *testing.T) {
	r := siteReport(t)
	opt := LogsOptions{Location: time.UTC}
	for _, tc := range []struct {
		file   string
		render func(*bytes.Buffer) error
	}{
		{"logs_site.golden.txt", func(b *bytes.Buffer) error { return LogsText(b, r, opt) }},
		{"logs_site.golden.md", func(b *bytes.Buffer) error { return LogsMarkdown(b, r, opt) }},
		{"logs_site.golden.json", func(b *bytes.Buffer) error { return LogsJSON(b, r) }},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, b.Bytes())
		})
	}
}

func TestLogsJSONSchema(t *testing.T) {
	var b bytes.Buffer
	if err := LogsJSON(&b, siteReport(t)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		SchemaVersion int `json:"schema_version"`
		Causes        []struct {
			Cause string        `json:"cause"`
			Fixes []logscan.Fix `json:"fixes"`
		} `json:"causes"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SchemaVersion != 1 || len(doc.Causes) == 0 {
		t.Fatalf("schema_version %d, %d causes", doc.SchemaVersion, len(doc.Causes))
	}
	for _, c := range doc.Causes {
		if len(c.Fixes) == 0 {
			t.Errorf("%s has no fixes", c.Cause)
		}
	}
}

func TestCutRunes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"/checkout/very/long", 10, "/checkout…"},
		{"→→→→→", 5, "→→→→→"},
		{"→→→→→→", 5, "→→→→…"},
		{"ab", 1, "ab"},
	} {
		if got := cutRunes(tc.in, tc.n); got != tc.want {
			t.Errorf("cutRunes(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
