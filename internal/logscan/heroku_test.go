package logscan

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// TestParseHeroku reads router lines as Heroku's "Heroku Error Codes"
// and published heroku logs show them (the at=info line is
// testdata/world/heroku-router-apache-fcgi-reset-phpfpm-sigill's).
func TestParseHeroku(t *testing.T) {
	tests := []struct {
		name, line string
		want       verdict
		cause      catalog.Cause
		status     int
	}{
		{"H12", `at=error code=H12 desc="Request timeout" method=POST path="/poll" host=fast-depths-22674.herokuapp.com request_id=50a4bf5b-0932-45bd-89ff-95a4fb89cc3d fwd="36.71.232.235" dyno=web.1 connect=1ms service=30000ms status=503 bytes=0 protocol=https`, lineFailure, catalog.UpstreamTimeout, 503},
		{"H10, fields empty", `at=error code=H10 desc="App crashed" method=GET path="/" host=radiant-meadow-79425.herokuapp.com request_id=26fbf0fe-1352-4562-a26c-fb691d9d7623 fwd="72.20.67.198" dyno= connect= service= status=503 bytes= protocol=https`, lineFailure, catalog.UpstreamNoneHealthy, 503},
		{"H14", `at=error code=H14 desc="No web processes running" method=GET path="/favicon.ico" host=enrollyork.herokuapp.com request_id=a251b7b5 fwd="199.212.64.77" dyno= connect= service= status=503 bytes= protocol=https`, lineFailure, catalog.UpstreamNoneHealthy, 503},
		{"H13", `at=error code=H13 desc="Connection closed without response" method=GET path="/" host=app.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=3030ms service=9767ms status=503 bytes=0`, lineFailure, catalog.UpstreamClosed, 503},
		{"H27, the client's", `at=info code=H27 desc="Client Request Interrupted" method=POST path="/" host=app.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=1ms service=0ms status=499 bytes=0`, lineOK, "", 0},
		{"H99", `at=error code=H99 desc="Platform error" method=GET path="/" host=app.herokuapp.com fwd=17.17.17.17 dyno= connect= service= status=503 bytes=`, lineFailure, catalog.Unknown, 503},
		{"the dyno's 503", `at=info method=GET path="/" host=staging.kindex.org request_id=ba27157e-6ad9-4aeb-ab83-fcc571ff5572 fwd="74.194.77.47" dyno=web.1 connect=1ms service=21ms status=503 bytes=473`, lineFailure, catalog.UpstreamAppError, 503},
		{"ok", `at=info method=GET path="/" host=app.herokuapp.com request_id=1 fwd="74.194.77.47" dyno=web.1 connect=1ms service=21ms status=200 bytes=473 protocol=https`, lineOK, "", 0},
		{"not the router's", `at=info msg="hello"`, lineMalformed, "", 0},
		{"H18, the client's socket", `sock=client at=error code=H18 desc="Request Interrupted" method=GET path="/" host=app.herokuapp.com request_id=3d45 fwd="1.2.3.4" dyno=web.1 connect=1ms service=1009ms status=503 bytes=1`, lineOK, "", 0},
		{"H18, the backend's socket", `sock=backend at=error code=H18 desc="Server Request Interrupted" method=GET path="/" host=app.herokuapp.com request_id=3d45 fwd="1.2.3.4" dyno=web.1 connect=1ms service=1009ms status=503 bytes=1`, lineFailure, catalog.UpstreamClosed, 503},
		{"spaces in front", `  at=error code=H12 desc="Request timeout" method=GET path="/" host=app.herokuapp.com fwd="1.2.3.4" dyno=web.1 connect=1ms service=30000ms status=503 bytes=0`, lineFailure, catalog.UpstreamTimeout, 503},
		{"the 2012 form", `Error H12 (Request timeout) -> POST app.herokuapp.com/autoprovision/58 dyno=web.1 queue= wait= service=30000ms status=503 bytes=0`, lineFailure, catalog.UpstreamTimeout, 503},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e Entry
			v := newParser(t, "heroku", tc.line).parse([]byte(tc.line), &e)
			if v != tc.want || e.Cause != tc.cause || e.Status != tc.status {
				t.Errorf("verdict %d, cause %q, status %d; want %d, %q, %d", v, e.Cause, e.Status, tc.want, tc.cause, tc.status)
			}
		})
	}
}

// TestHerokuLogs scans heroku logs' output: the platform's and the app's
// lines behind Logplex's prefix, whose time the router's lines take.
func TestHerokuLogs(t *testing.T) {
	in := strings.Join([]string{
		"2019-03-29T14:46:44.457775+00:00 heroku[run.3861]: Awaiting client",
		"2019-03-29T14:46:48.747392+00:00 heroku[run.3861]: Process exited with status 127",
		`2019-03-29T15:47:27.622578+00:00 heroku[router]: at=error code=H14 desc="No web processes running" method=GET path="/" host=enrollyork.herokuapp.com request_id=bcd52fb1-df16-4bbb-8c51-55f19df2c3c0 fwd="199.212.64.77" dyno= connect= service= status=503 bytes= protocol=https`,
		`2019-03-29T15:47:28.134325+00:00 heroku[router]: at=error code=H14 desc="No web processes running" method=GET path="/favicon.ico" host=enrollyork.herokuapp.com request_id=a251b7b5-3ac4-4779-93a2-8a1e730ca037 fwd="199.212.64.77" dyno= connect= service= status=503 bytes= protocol=https`,
	}, "\n") + "\n"
	var got []Entry
	r, err := Scan(context.Background(), []Source{{Name: "heroku.log", Reader: strings.NewReader(in)}},
		Options{Location: time.UTC, OnEntry: func(e Entry) { got = append(got, e) }})
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Files[0]; f.Format != "heroku" || f.Wrapper != "logplex" {
		t.Errorf("read as %s in %q; want heroku in logplex", f.Format, f.Wrapper)
	}
	want := time.Date(2019, 3, 29, 15, 47, 27, 622578000, time.UTC)
	if len(got) != 2 || got[0].Cause != catalog.UpstreamNoneHealthy || !got[0].Time.Equal(want) || got[0].Path != "/" {
		t.Errorf("entries %+v; want two none_healthy, the first of / at %v", got, want)
	}
}
