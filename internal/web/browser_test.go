package web

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds the browser the pages are checked in, or fails the test
// naming the package that brings it.
func chromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium is not installed: the pages are checked in it; install Debian's package chromium (apt-get install -y chromium)")
	return ""
}

// browser starts a headless Chromium with a profile of its own, kept off
// the network except for the pages the test opens.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	return ctx
}

// TestPagesOnAPhone opens the pages in Chromium at 375 px wide: none may
// scroll sideways, whatever the names in them, and an incident's cause ID
// must be on the first screen.
func TestPagesOnAPhone(t *testing.T) {
	t.Parallel()
	// One row per group: the groups show their summaries and links.
	s, _ := newTestServer(t, Options{GroupRows: 1})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	ctx := browser(t)
	const width, height = 375, 667
	pages := []struct {
		path, cause string // cause: the selector of the cause ID that must be on the first screen
	}{
		{"/", ""},
		{"/?group=shop", ""},
		{"/?group=" + url.QueryEscape(hostile), ""},
		{"/incidents/1741607000000-bbbb", "#cause code.cause"},
		{"/incidents/1741608000000-aaaa", "#cause code.cause"},
		{"/targets/api", ""},
		{"/targets/evil", ""},
		{"/login", ""},
	}
	for _, p := range pages {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height), chromedp.Navigate(srv.URL+p.path)); err != nil {
			t.Fatalf("%s: %v", p.path, err)
		}
		scroll, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatalf("%s: %v", p.path, err)
		}
		if scroll > width {
			t.Errorf("%s: the page is %v px wide at %d px: it scrolls sideways", p.path, scroll, width)
		}
		if p.cause == "" {
			continue
		}
		top, err1 := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("`+p.cause+`").getBoundingClientRect().top`))
		inner, err2 := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.innerHeight`))
		text, err3 := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(p.cause)))
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatalf("%s: %v", p.path, err)
		}
		if top < 0 || top >= inner {
			t.Errorf("%s: the cause starts at %v px, off the first screen of %v px", p.path, top, inner)
		}
		if text == "" {
			t.Errorf("%s: the cause reads nothing", p.path)
		}
		// The captured diagnosis is in its frame, rendered, not a blank box.
		frame, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("iframe.diagnosis").contentDocument.title`))
		if err != nil || !strings.HasPrefix(frame, "gwdoctor diagnosis of ") {
			t.Errorf("%s: the diagnosis frame shows %q (%v)", p.path, frame, err)
		}
	}
}
