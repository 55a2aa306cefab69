package doctor

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/experiment"
	"github.com/gwdoctor/gwdoctor/internal/logscan"
)

func TestParseLogArg(t *testing.T) {
	dir := t.TempDir()
	colon := filepath.Join(dir, "nginx-error:old.log") // a file whose own name has the form
	if err := os.WriteFile(colon, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   string
		want LogFile
	}{
		{"/var/log/nginx/error.log", LogFile{Name: "/var/log/nginx/error.log"}},
		{"nginx-error:/var/log/x.log", LogFile{Name: "/var/log/x.log", Format: "nginx-error"}},
		{"squid:cache.log", LogFile{Name: "cache.log", Format: "squid"}},
		{"nosuchformat:/var/log/x.log", LogFile{Name: "nosuchformat:/var/log/x.log"}},
		{"nginx-error:", LogFile{Name: "nginx-error:"}},
		{colon, LogFile{Name: colon}},
	} {
		if got := ParseLogArg(tc.in); got != tc.want {
			t.Errorf("ParseLogArg(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// TestUnreadable: each way a log cannot be opened gets its reason and a
// hint. Permission is checked from the error the system returns, since
// root may read any file.
func TestUnreadable(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.log")
	if err := os.WriteFile(ok, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, bad := unreadable(LogFile{Name: ok}); bad {
		t.Errorf("%s: unreadable, want readable", ok)
	}
	for _, tc := range []struct {
		l    LogFile
		want string
	}{
		{LogFile{Name: filepath.Join(dir, "missing.log")}, "missing"},
		{LogFile{Name: filepath.Join(dir, "missing.log"), FromConfig: true}, "missing (named by the configuration's error_log)"},
	} {
		in, bad := unreadable(tc.l)
		if !bad || in.Reason != tc.want || in.Hint == "" || in.Status != diagnose.InputUnusable {
			t.Errorf("%+v: %+v, want unusable with reason %q and a hint", tc.l, in, tc.want)
		}
	}
	in := openFailure(LogFile{Name: "/var/log/nginx/error.log"}, &fs.PathError{Op: "open", Path: "/var/log/nginx/error.log", Err: fs.ErrPermission})
	if in.Reason != "permission denied" || in.Hint == "" {
		t.Errorf("permission: %+v, want reason permission denied and a hint", in)
	}
}

// TestOurLines checks which logged lines count as the diagnosis's own: a
// file with lines tagged with its ID gives only those, a file without (a
// hop the tag does not reach) gives the lines of its path.
func TestOurLines(t *testing.T) {
	const id = "d41d8cd9"
	tag := experiment.TagParam + "=" + id + "-1"
	entries := []logscan.Entry{
		{File: "nginx/error.log", Line: 7, Path: "/checkout?" + tag, Product: catalog.Nginx, Cause: catalog.UpstreamRefused, Raw: "tagged"},
		{File: "nginx/error.log", Line: 3, Path: "/checkout", Product: catalog.Nginx, Cause: catalog.UpstreamRefused, Raw: "another visitor's"},
		{File: "squid/access.log", Line: 9, Path: "/checkout", Product: catalog.Squid, Cause: catalog.Upstream, Raw: "query cut"},
		{File: "squid/cache.log", Line: 2, Path: "/checkout?" + tag, Product: catalog.Squid, Cause: catalog.UpstreamRefused, Raw: "tagged too"},
		{File: "php/fpm.log", Line: 4, Product: catalog.PHPFPM, Cause: catalog.UpstreamOverloaded, Raw: "no request named"},
		{File: "nginx/error.log", Line: 8, Path: "/elsewhere", Product: catalog.Nginx, Cause: catalog.UpstreamRefused, Raw: "another path"},
	}
	var got []string
	for _, l := range ourLines(entries, id, "/checkout") {
		got = append(got, fmt.Sprintf("%s %s tagged=%v", l.Where, l.Raw, l.Tagged))
	}
	want := []string{
		"php/fpm.log:4 no request named tagged=false",
		"nginx/error.log:7 tagged tagged=true",
		"squid/cache.log:2 tagged too tagged=true",
		"squid/access.log:9 query cut tagged=false",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ourLines:\n got %q\nwant %q", got, want)
	}
}
