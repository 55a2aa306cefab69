package logscan

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// The lines are from testdata/world (their pages are beside them) unless a
// case says otherwise; CRI, <PRI> and s6 lines are built from their
// documented formats around a line the lab's nginx wrote, since no
// published one was found.
func TestStripWrapper(t *testing.T) {
	const ngx = `2026/11/26 04:11:37 [error] 21640#21640: *10 limiting requests, excess: 0.953 by zone "perip", client: 127.0.0.1, server: lab.test, request: "GET / HTTP/1.1", host: "127.0.0.1:37889"`
	tests := []struct {
		name      string
		kind      wrapKind
		line      string
		inner, ts string
		partial   bool
	}{
		{"docker", wrapDocker, "2024-04-09T17:33:12.238986028Z nginx: [emerg] host not found in upstream in /etc/nginx/conf.d/proxy.conf:6", "nginx: [emerg] host not found in upstream in /etc/nginx/conf.d/proxy.conf:6", "2024-04-09T17:33:12.238986028Z", false},
		{"compose v1", wrapCompose, "nginx_1    | " + ngx, ngx, "", false},
		{"compose v2", wrapCompose, "nginx-1       | " + ngx, ngx, "", false},
		{"swarm service", wrapCompose, `edgeone_reverse-proxy.1.si3c4s8mwvd6@ip-172-31-35-113    | time="2019-07-11T14:13:53Z" level=debug`, `time="2019-07-11T14:13:53Z" level=debug`, "", false},
		{"compose, empty", wrapCompose, "app-fluent-bit-1  |", "", "", false},
		{"cri full", wrapCRI, "2026-11-26T04:11:37.123456789Z stderr F " + ngx, ngx, "2026-11-26T04:11:37.123456789Z", false},
		{"cri partial", wrapCRI, "2026-11-26T04:11:37.123456789Z stdout P 2026/11/26", "2026/11/26", "2026-11-26T04:11:37.123456789Z", true},
		{"rfc3164", wrapSyslog, "Nov  3 22:22:19 localhost haproxy[44]: 10.42.0.1:12558 [03/Nov/2016:22:22:19.363] 900 900/<NOSRV> -1/-1/4 213 SC 0/0/0/0/0 0/0", "10.42.0.1:12558 [03/Nov/2016:22:22:19.363] 900 900/<NOSRV> -1/-1/4 213 SC 0/0/0/0/0 0/0", "Nov  3 22:22:19", false},
		{"rfc3164, tag without pid", wrapSyslog, "May 13 16:00:58 megaman error.log: " + ngx, ngx, "May 13 16:00:58", false},
		{"rfc3164, no host", wrapSyslog, "Oct 05 21:55:08 caddy[832]: {\"level\":\"info\"}", "{\"level\":\"info\"}", "Oct 05 21:55:08", false},
		{"rfc5424 without pri", wrapSyslog, `2023-02-21T18:08:29+01:00 opnsense.<redacted> lighttpd 58826 - [meta sequenceId="1"] (gw_backend.c.274) establishing connection failed`, "(gw_backend.c.274) establishing connection failed", "2023-02-21T18:08:29+01:00", false},
		{"pri and rfc5424", wrapSyslog, "<27>1 2026-11-26T04:11:37.123Z lb nginx 812 - - " + ngx, ngx, "2026-11-26T04:11:37.123Z", false},
		{"pri and rfc3164", wrapSyslog, "<134>Nov 26 04:11:37 lb haproxy[812]: Proxy fe started.", "Proxy fe started.", "Nov 26 04:11:37", false},
		{"s6 tai64n", wrapTAI64N, "@400000006925ffb9075bcd15 " + ngx, ngx, "@400000006925ffb9075bcd15", false},
		{"quote", wrapQuote, "> " + ngx, ngx, "", false},
		{"logplex", wrapLogplex, `2016-08-26T16:44:51.092317+00:00 heroku[router]: at=info method=GET path="/" status=503`, `at=info method=GET path="/" status=503`, "2016-08-26T16:44:51.092317+00:00", false},
		{"logplex, a dyno", wrapLogplex, "2016-08-26T16:44:51.093536+00:00 app[web.1]: [26-Aug-2016 16:44:51] WARNING: [pool www] child 97 exited on signal 4 (SIGILL)", "[26-Aug-2016 16:44:51] WARNING: [pool www] child 97 exited on signal 4 (SIGILL)", "2016-08-26T16:44:51.093536+00:00", false},
		{"not logplex", wrapLogplex, "2024-04-09T17:33:12.238986028Z nginx: [emerg] host not found", "2024-04-09T17:33:12.238986028Z nginx: [emerg] host not found", "", false},
		{"quote, empty line", wrapQuote, ">", "", "", false},
		{"not quote", wrapQuote, ">> " + ngx, ">> " + ngx, "", false},
		{"markup, code block", wrapMarkup, "    " + ngx, ngx, "", false},
		{"markup, inline code", wrapMarkup, "`" + ngx + "`", ngx, "", false},
		{"markup, single quotes", wrapMarkup, "'" + ngx + "'", ngx, "", false},
		{"not markup", wrapMarkup, ngx, ngx, "", false},
		{"not syslog", wrapSyslog, ngx, ngx, "", false},
		{"not compose", wrapCompose, "2026/12/05 06:41:59 kid1| WARNING: HTTP", "2026/12/05 06:41:59 kid1| WARNING: HTTP", "", false},
		{"not docker", wrapDocker, "[2026-08-21T10:15:02.310Z] \"GET / HTTP/1.1\" 503 UH", "[2026-08-21T10:15:02.310Z] \"GET / HTTP/1.1\" 503 UH", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inner, ts, partial, ok := tc.kind.strip([]byte(tc.line))
			if wantOK := tc.inner != tc.line; ok != wantOK {
				t.Fatalf("ok = %v, want %v", ok, wantOK)
			}
			if string(inner) != tc.inner || string(ts) != tc.ts || partial != tc.partial {
				t.Errorf("got %q, %q, %v; want %q, %q, %v", inner, ts, partial, tc.inner, tc.ts, tc.partial)
			}
		})
	}
}

func TestWrapTime(t *testing.T) {
	tests := []struct{ ts, want string }{
		{"2024-04-09T17:33:12.238986028Z", "2024-04-09T17:33:12.238986028Z"},
		{"2023-02-21T18:08:29+01:00", "2023-02-21T17:08:29Z"},
		{"@400000006925ffb9075bcd15", "2025-11-25T19:12:20.123456789Z"},
	}
	for _, tc := range tests {
		got := wrapTime([]byte(tc.ts), time.UTC).UTC().Format(time.RFC3339Nano)
		if got != tc.want {
			t.Errorf("wrapTime(%q) = %s, want %s", tc.ts, got, tc.want)
		}
	}
}

// TestWrappedScan reads a CRI file whose line the runtime split in two,
// and reports its wrapper, second format and unread lines.
func TestWrappedScan(t *testing.T) {
	const ngx = `2026/11/26 04:11:37 [error] 21640#21640: *10 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: lab.test, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:9/", host: "lab.test"`
	const acc = `127.0.0.1 - - [26/Nov/2026:04:11:37 +0000] "GET / HTTP/1.1" 502 157 "-" "curl/7.88.1"`
	cut := strings.Index(ngx, "while")
	in := strings.Join([]string{
		"2026-11-26T04:11:36.000000000Z stdout F /docker-entrypoint.sh: Configuration complete; ready for start up",
		"2026-11-26T04:11:37.100000000Z stderr P " + ngx[:cut],
		"2026-11-26T04:11:37.100000001Z stderr F " + ngx[cut:],
		"2026-11-26T04:11:37.200000000Z stdout F " + acc,
	}, "\n") + "\n"
	r, err := Scan(context.Background(), []Source{{Name: "0.log", Reader: strings.NewReader(in)}}, Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	f := r.Files[0]
	if f.Format != "nginx-error" || f.Also != "nginx-access" || f.Wrapper != "cri" || f.Malformed != 1 {
		t.Errorf("file = %+v; want nginx-error also nginx-access in cri, 1 malformed", f)
	}
	if r.Failures != 1 || r.Joined != 1 || len(r.Causes) != 1 || r.Causes[0].Cause != catalog.UpstreamRefused {
		t.Errorf("failures %d, joined %d, causes %+v; want one refused, joined", r.Failures, r.Joined, r.Causes)
	}
}
