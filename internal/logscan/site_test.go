package logscan

import (
	"bytes"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

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
