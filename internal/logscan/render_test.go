package logscan

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.* from the current output")

// siteFormat is the log_format of testdata/site-access.log.
const siteFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $upstream_status $upstream_addr $upstream_response_time $connection`

// siteReport scans the synthetic shop: nginx in front of two HTTP upstreams
// and PHP-FPM, with a burst of refused connections at 10:12.
func siteReport(t *testing.T) *Report {
	t.Helper()
	return scanFiles(t, Options{NginxLogFormat: siteFormat},
		"testdata/site-access.log", "testdata/site-error.log", "testdata/site-php-fpm.log")
}

func TestSiteReport(t *testing.T) {
	r := siteReport(t)
	if r.Joined != 94 {
		t.Errorf("joined %d access lines, want all 94 error lines joined", r.Joined)
	}
	bursts := 0
	for _, m := range r.Timeline {
		if m.Burst {
			bursts++
			if m.Start.Minute() != 12 {
				t.Errorf("burst at %v, want 10:12", m.Start)
			}
		}
	}
	if bursts != 1 {
		t.Errorf("%d bursts, want 1", bursts)
	}
	if c := causeCounts(r); c[catalog.Upstream] != 0 || c[catalog.UpstreamOverloaded] != 3 || c[catalog.UpstreamRefused] != 30 {
		t.Errorf("causes %v", c)
	}
}

func TestRenderGolden(t *testing.T) {
	r := siteReport(t)
	opt := RenderOptions{Location: time.UTC}
	for _, tc := range []struct {
		file   string
		render func(*bytes.Buffer) error
	}{
		{"site.golden.txt", func(b *bytes.Buffer) error { return RenderText(b, r, opt) }},
		{"site.golden.md", func(b *bytes.Buffer) error { return RenderMarkdown(b, r, opt) }},
		{"site.golden.json", func(b *bytes.Buffer) error { return RenderJSON(b, r) }},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s differs from the output (run go test -update after a deliberate change):\n%s", path, b.String())
			}
		})
	}
}

func TestJSONSchema(t *testing.T) {
	var b bytes.Buffer
	if err := RenderJSON(&b, siteReport(t)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		SchemaVersion int `json:"schema_version"`
		Causes        []struct {
			Cause string `json:"cause"`
			Fixes []Fix  `json:"fixes"`
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

func TestFixesUseFastCGI(t *testing.T) {
	fx := fixesFor(catalog.UpstreamHeaderTooBig, []catalog.Product{catalog.Nginx}, 3, 3)
	if len(fx) == 0 || !bytes.Contains([]byte(fx[0].Text), []byte("fastcgi_buffer_size")) {
		t.Errorf("fixes %v, want fastcgi_buffer_size", fx)
	}
	fx = fixesFor(catalog.UpstreamHeaderTooBig, []catalog.Product{catalog.Nginx}, 0, 3)
	if len(fx) == 0 || !bytes.Contains([]byte(fx[0].Text), []byte("proxy_buffer_size")) {
		t.Errorf("fixes %v, want proxy_buffer_size", fx)
	}
	if fx = fixesFor(catalog.UpstreamHeaderTooBig, []catalog.Product{catalog.Nginx}, 1, 3); len(fx) != 2 {
		t.Errorf("mixed upstreams: fixes %v, want proxy and fastcgi", fx)
	}
}
