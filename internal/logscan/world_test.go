package logscan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// worldCase is one file of testdata/world and what a scan must make of it.
// lines has a word per line: a cause (without "upstream." when it has one),
// "." for a line read that is no failure, "x" for a line no format reads
// (a container's start-up chatter) and "j" for an error line that only
// explains an access line of the same request, which carries its cause.
type worldCase struct {
	file, format, lines string
}

var worldCases = []worldCase{
	{"compose-nginx-https-portal", "nginx-error", "refused refused"},
	{"compose-nginx-sylius", "nginx-error", "refused"},
	{"compose-nginx-vvveb", "nginx-error", "upstream refused"},
	{"compose-nginx-linkedpipes", "nginx-error", "j refused j refused"},
	{"docker-nginx-entrypoint-noise", "nginx-error", "x x x x x x x refused refused refused"},
	{"docker-nginx-startup-noise", "nginx-error", "x x x x x x x x x . . . . . . . . ."},
	{"docker-timestamps-nginx-emerg", "nginx-error", "."},
	{"nginx-closed-refused-npm", "nginx-error", "closed closed refused"},
	{"nginx-timeout-musl-lancache", "nginx-error", "timeout timeout timeout timeout"},
	{"nginx-too-big-header-sulu", "nginx-error", "header_too_big header_too_big"},
	{"nginx-php-fatal-ninjawars", "nginx-error", "app_error"},
	{"rsyslog-nginx-php-fatal-ninjawars", "nginx-error", "app_error"},
	{"haproxy-tcp-nosrv-rancher", "haproxy", ". none_healthy . . . . . ."},
	{"syslog-haproxy-connect-marathon", "haproxy", ". ."},
	{"caddy-v1-refused", "caddy", strings.Repeat("refused ", 14)},
	{"journald-caddy-json", "caddy", "refused"},
	{"journald-compose-caddy-searx", "caddy", "refused"},
	{"compose-caddy-tracecat", "caddy", "refused refused"},
	{"traefik-debug-eof", "traefik", "closed ."},
	{"swarm-traefik-debug-timeout", "traefik", "unreachable ."},
	{"swarm-traefik-clf", "traefik", "."},
	{"apache-fcgi-socket-nextcloud", "apache-error", ". refused . refused . refused ."},
	{"apache-fcgi-socket-partdb", "apache-error", ". refused ."},
	{"apache-fcgi-socket-nextcloud-vm", "apache-error", ". refused . refused . . . ."},
	{"apache22-proxy-refused-oddb", "apache-error", "refused"},
	{"apache22-proxy-disabled-openshift", "apache-error", "refused . none_healthy"},
	{"apache24-prefork-refused-freedombox", "apache-error", ". . refused . refused ."},
	{"rfc5424-lighttpd-opnsense", "lighttpd", ". . refused refused none_healthy ."},
	{"lighttpd-gw-backend-pmss", "lighttpd", "refused none_healthy . refused none_healthy . refused none_healthy ."},
	{"lighttpd-mod-fastcgi-wkhtmltox", "lighttpd", ". closed"},
	{"phpfpm-no-time-ddev", "php-fpm", "overloaded"},
	{"phpfpm-no-time-rutorrent", "php-fpm", "overloaded"},
	{"phpfpm-restarts-rutorrent", "php-fpm", ". . . overloaded overloaded . . . ."},
	{"compose-phpfpm-nginx-mixed", "php-fpm", ". . . . . . . . ."},
	{"squid4-cache-kid1", "squid-cache", ". . . . . . . . . ."},
	{"compose-squid35-haipproxy", "squid-cache", strings.Repeat(". ", 17)},
	{"docker-squid-parent-noise", "squid-cache", strings.Repeat(". ", 20)},
	{"squid-access-netdata", "squid", "."},
}

// worldResult is how well one file was read.
type worldResult struct {
	detected  string
	malformed int64
	right     int // lines read as worldCase.lines says
	lines     int
	got       map[int64]string // what each line was read as (its cause without "upstream.", or "j"), by line number
}

// scanWorld scans one file of testdata/world and compares it line by line.
func scanWorld(t *testing.T, c worldCase) worldResult {
	t.Helper()
	want := strings.Fields(c.lines)
	got := map[int64]string{}
	res := worldResult{lines: len(want), got: got}
	opt := Options{OnEntry: func(e Entry) {
		got[e.Line] = strings.TrimPrefix(string(e.Cause), "upstream.")
		if e.Joined != nil {
			got[e.Joined.Line] = "j"
		}
	}}
	r, err := scanReport(filepath.Join("testdata", "world", c.file+".log"), opt)
	if err != nil {
		return res
	}
	res.detected, res.malformed = r.Files[0].Format, r.Files[0].Malformed
	var unread int64
	for i, w := range want {
		g, ok := got[int64(i+1)]
		switch {
		case w == "x":
			unread++
			if !ok {
				res.right++
			}
		case w == ".":
			if !ok {
				res.right++
			}
		case g == w:
			res.right++
		}
	}
	if res.malformed > unread { // read lines counted as unreadable are wrong
		res.right -= int(min(res.malformed-unread, int64(res.right)))
	}
	return res
}

// scanReport scans one file with times read in UTC; an unknown format is
// an error, not a failed test, so that the corpus can be measured.
func scanReport(path string, opt Options) (*Report, error) {
	opt.Location = time.UTC
	return Scan(context.Background(), []Source{{Name: path}}, opt)
}

func TestWorldCorpus(t *testing.T) {
	var files, detected, lines, right int
	for _, c := range worldCases {
		t.Run(c.file, func(t *testing.T) {
			if _, err := os.Stat(filepath.Join("testdata", "world", c.file+".url")); err != nil {
				t.Errorf("no source URL beside %s.log", c.file)
			}
			r := scanWorld(t, c)
			files++
			lines += r.lines
			right += r.right
			if r.detected == c.format {
				detected++
			} else {
				t.Errorf("format = %q, want %q", r.detected, c.format)
			}
			if r.right != r.lines {
				t.Errorf("%d of %d lines read as expected (%d malformed)", r.right, r.lines, r.malformed)
			}
		})
	}
	t.Logf("world corpus: %d files, format detected in %d; %d lines, %d read as expected", files, detected, lines, right)
}
