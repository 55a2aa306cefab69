package report

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromium finds the browser the HTML report is checked in, or fails the
// test with the command that installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium is not installed; install it with: apt-get install -y chromium")
	return ""
}

// TestHTMLInChromium opens the HTML report in a real headless Chromium: at
// a desktop and a phone width the page must not scroll sideways (wide
// tables scroll inside their own box), the verdict must be on screen, dark
// mode must change the colours, and the page must print.
func TestHTMLInChromium(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := HTML(&b, withConfig(literal(true))); err != nil {
		t.Fatal(err)
	}
	page1 := b.Bytes()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page1)
	}))
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-gpu", true),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to sandbox as root
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()

	for _, vp := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 800}, {"phone", 375, 740}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(srv.URL)); err != nil {
			t.Fatalf("%s: %v", vp.name, err)
		}
		title, err1 := chromedp.Run(ctx, chromedp.Title())
		cause, err2 := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".verdict .cause")))
		widths, err3 := chromedp.Run(ctx, chromedp.Evaluate[[2]float64](`[document.documentElement.scrollWidth, window.innerWidth]`))
		top, err4 := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector(".verdict").getBoundingClientRect().top`))
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			t.Fatalf("%s: %v", vp.name, err)
		}
		if !strings.HasPrefix(title, "gwdoctor diagnosis of ") {
			t.Errorf("%s: title %q", vp.name, title)
		}
		if !strings.Contains(cause, "upstream.refused") {
			t.Errorf("%s: verdict reads %q, want upstream.refused", vp.name, cause)
		}
		if widths[0] > widths[1] {
			t.Errorf("%s: the page is %v px wide in a %v px window: it scrolls sideways", vp.name, widths[0], widths[1])
		}
		if top < 0 || top > float64(vp.height) {
			t.Errorf("%s: the verdict starts at %v px, off the first screen", vp.name, top)
		}
	}

	background := func(scheme string) string {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		if err != nil {
			t.Fatalf("%s scheme: %v", scheme, err)
		}
		bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
		if err != nil {
			t.Fatalf("%s scheme: %v", scheme, err)
		}
		return bg
	}
	if light, dark := background("light"), background("dark"); light == dark {
		t.Errorf("the background is %s in light and dark mode alike", light)
	}

	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF())
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("printing: %d bytes, %v; want a PDF", len(pdf), err)
	}
}
