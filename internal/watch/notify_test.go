package watch

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/lab"
	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// hook is a webhook receiver on 127.0.0.1, behind a shoutrrr generic URL.
// Its answer is decided per request by answer (nil answers 200); each
// request's body comes out of got.
type hook struct {
	srv     *httptest.Server
	got     chan delivery
	release chan struct{} // closed at cleanup: unblocks hanging answers
}

type delivery struct {
	at     time.Time
	body   string
	status int
}

// newHook starts a receiver; answer returns the status of the n-th
// request (from 1), or 0 to hang until the client gives up or the test
// ends, as an endpoint whose server is stuck does.
func newHook(t *testing.T, answer func(n int) int) *hook {
	t.Helper()
	h := &hook{got: make(chan delivery, 64), release: make(chan struct{})}
	var mu sync.Mutex
	n := 0
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		n++
		status := http.StatusOK
		if answer != nil {
			status = answer(n)
		}
		mu.Unlock()
		h.got <- delivery{at: time.Now(), body: string(b), status: status}
		if status == 0 {
			select {
			case <-r.Context().Done():
			case <-h.release:
			}
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(func() { close(h.release); h.srv.Close() })
	return h
}

// url is the route's shoutrrr URL.
func (h *hook) url() string { return "generic+" + h.srv.URL + "/hook" }

// next waits for the next delivery.
func (h *hook) next(t *testing.T, within time.Duration) delivery {
	t.Helper()
	select {
	case d := <-h.got:
		return d
	case <-time.After(within):
		t.Fatalf("no alert reached the receiver within %v", within)
		return delivery{}
	}
}

// checkLog notes the checks of a Serve run: when the first failed one
// ended, and how many ran.
type checkLog struct {
	mu        sync.Mutex
	firstFail time.Time
	checks    int
}

func (c *checkLog) Record(_ context.Context, ev monitor.Event) error {
	if ev.Kind != monitor.EventCheck || ev.Check == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checks++
	if !ev.Check.OK && c.firstFail.IsZero() {
		c.firstFail = ev.Check.Start.Add(ev.Check.Duration)
	}
	return nil
}

func (c *checkLog) count() (int, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checks, c.firstFail
}

// serveAlerting runs Serve on a target whose upstream refuses, behind
// the lab's Go gateway, with one alert route to h; it returns the pages'
// base URL and the log of checks.
func serveAlerting(t *testing.T, h *hook, ao AlertOptions, log *slog.Logger) (string, *checkLog) {
	t.Helper()
	bad := startScenario(t, lab.Refused)
	yaml := `
db: ` + filepath.Join(t.TempDir(), "gwdoctor.db") + `
interval: 1s
alerts:
  hook:
    urls: [` + h.url() + `]
targets:
  - name: shop
    url: ` + bad.Gateway.URL() + `checkout
    upstream: ` + bad.Upstream.URL() + `
`
	cfg, err := watchconfig.Parse("test.yaml", []byte(yaml), nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	checks := &checkLog{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{Listener: ln, Sinks: []monitor.Sink{checks}, Alerts: ao, Logger: log})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("Serve did not stop within 15s of its context")
		}
	})
	return "http://" + ln.Addr().String(), checks
}

// TestServeAlertOnset: the receiver behind a generic webhook URL gets the
// opening alert, with the cause ID, who produced the error, the first
// steps and a link to the incident's page, within 5 s of the first failed
// check.
func TestServeAlertOnset(t *testing.T) {
	t.Parallel()
	h := newHook(t, nil)
	base, checks := serveAlerting(t, h, AlertOptions{}, nil)
	d := h.next(t, 30*time.Second)
	_, onset := checks.count()
	took := d.at.Sub(onset)
	t.Logf("onset to alert: %v (first failed check ended %s, alert received %s)",
		took.Round(time.Millisecond), onset.Format("15:04:05.000"), d.at.Format("15:04:05.000"))
	if onset.IsZero() || took > 5*time.Second {
		t.Errorf("onset to alert %v, want under 5s", took)
	}
	for _, want := range []string{"FAILING shop: ", "(upstream.refused)", "Produced by: go (reverse_proxy)", "What to do:\n  1. Start the upstream", "Incident: " + base + "/incidents/"} {
		if !strings.Contains(d.body, want) {
			t.Errorf("alert lacks %q:\n%s", want, d.body)
		}
	}
	link := d.body[strings.Index(d.body, "Incident: ")+len("Incident: "):]
	link = strings.TrimSpace(link)
	if page := get(t, link); !strings.Contains(page, "upstream.refused") {
		t.Errorf("the alert's link %s does not show the incident:\n%.400s", link, page)
	}
}

// TestServeAlertRetried: an endpoint that answers 500 gets the alert
// again, and the failed try is logged.
func TestServeAlertRetried(t *testing.T) {
	t.Parallel()
	h := newHook(t, func(n int) int {
		if n == 1 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	var logs syncBuffer
	serveAlerting(t, h, AlertOptions{Retry: monitor.RetryPolicy{First: 200 * time.Millisecond}},
		slog.New(slog.NewTextHandler(&logs, nil)))
	first, second := h.next(t, 30*time.Second), h.next(t, 10*time.Second)
	if first.status != 500 || second.status != 200 || first.body != second.body {
		t.Errorf("deliveries answered %d then %d, bodies equal %v; want 500, then 200 with the same alert",
			first.status, second.status, first.body == second.body)
	}
	if l := logs.String(); !strings.Contains(l, "alert not sent") || !strings.Contains(l, "500") {
		t.Errorf("the failed try is not logged:\n%s", l)
	}
}

// TestServeAlertHangs: while the endpoint hangs, checks go on.
func TestServeAlertHangs(t *testing.T) {
	t.Parallel()
	h := newHook(t, func(int) int { return 0 })
	var logs syncBuffer
	_, checks := serveAlerting(t, h, AlertOptions{Retry: monitor.RetryPolicy{Timeout: 2 * time.Second, First: 100 * time.Millisecond}},
		slog.New(slog.NewTextHandler(&logs, nil)))
	h.next(t, 30*time.Second)
	before, _ := checks.count()
	time.Sleep(4 * time.Second)
	after, _ := checks.count()
	if after < before+3 {
		t.Errorf("checks while the alert endpoint hangs: %d, then %d 4s later; want them to go on", before, after)
	}
	if l := logs.String(); !strings.Contains(l, "no answer") {
		t.Errorf("the hanging try is not logged:\n%s", l)
	}
}

// syncBuffer is a strings.Builder safe for the log's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAlertingRoutes: an alert goes to its target's routes only, under
// the target's name and with its link; a retry goes only to the URLs of a
// route that failed; errors mask the URLs' secrets; a maintenance window
// mutes.
func TestAlertingRoutes(t *testing.T) {
	t.Parallel()
	ok, other := newHook(t, nil), newHook(t, nil)
	failing := newHook(t, func(n int) int {
		if n == 1 {
			return http.StatusBadGateway
		}
		return http.StatusOK
	})
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // its port now refuses
	const secret = "s3cr3tT0kenValue42"
	yaml := `
db: /nonexistent/gwdoctor.db
alerts:
  ops:
    urls: [` + ok.url() + `, ` + failing.url() + `?token=` + secret + `]
  other:
    urls: [` + other.url() + `]
  dead:
    urls: [generic+` + dead.URL + `/hook?token=` + secret + `]
maintenance:
  - start: 2020-01-01T00:00:00Z
    end: 2100-01-01T00:00:00Z
    targets: [muted]
targets:
  - {name: shop, url: "http://127.0.0.1:1/", alerts: [ops, dead]}
  - {name: muted, url: "http://127.0.0.1:2/"}
  - {name: quiet, url: "http://127.0.0.1:3/", alerts: []}
`
	cfg, err := watchconfig.Parse("test.yaml", []byte(yaml), nil)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	a, err := NewAlerting(cfg, AlertOptions{
		BaseURL: "http://status.example:8502/", Retry: monitor.RetryPolicy{Attempts: 3, First: 50 * time.Millisecond},
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		page:   func(id string) (string, bool) { return map[string]string{"i-shop": "7"}[id], id == "i-shop" },
	})
	if err != nil {
		t.Fatal(err)
	}
	stop := a.Start(t.Context())
	for _, name := range []string{"shop", "muted", "quiet"} {
		if err := a.Record(t.Context(), opened("i-"+name, watchconfig.TargetID(name))); err != nil {
			t.Fatal(err)
		}
	}
	d := ok.next(t, 5*time.Second)
	for _, want := range []string{"FAILING shop: ", "(upstream.refused)", "  2. check the port", "Incident: http://status.example:8502/incidents/7\n"} {
		if !strings.Contains(d.body, want) {
			t.Errorf("alert lacks %q:\n%s", want, d.body)
		}
	}
	if f1, f2 := failing.next(t, 5*time.Second), failing.next(t, 5*time.Second); f1.status != 502 || f2.status != 200 {
		t.Errorf("the failing URL answered %d then %d, want 502 then 200", f1.status, f2.status)
	}
	waitFor(t, func() bool { return a.Stats()["dead"].Failed == 1 && a.Stats()["ops"].Sent == 1 })
	stop()
	for name, h := range map[string]*hook{"ops' first URL": ok, "other": other, "ops' second URL": failing} {
		if n := len(h.got); n != 0 {
			t.Errorf("%s got %d more alerts, want none (one per route, the muted and the quiet target's none)", name, n)
		}
	}
	l := logs.String()
	if strings.Contains(l, secret) || !strings.Contains(l, "token=[redacted:") || !strings.Contains(l, "connection refused") {
		t.Errorf("the log of the dead route must say why and mask its token:\n%s", l)
	}
}

// opened is the event of an incident opened on target, with its diagnosis.
func opened(id, target string) monitor.Event {
	now := time.Now()
	inc := &monitor.Incident{
		ID: id, Target: target, Start: now, Cause: "upstream.refused", Persistence: "persistent",
		OpenedBy: monitor.OpenedConfirmed, Latest: &monitor.Diagnosis{Steps: []string{"start the upstream", "check the port", "third"}},
	}
	return monitor.Event{Kind: monitor.EventIncidentOpened, Time: now, Target: target, IncidentID: id, Incident: inc}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 10s")
}

func TestScrub(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in       string
		keepHost bool
		want     string
	}{
		{`Post "https://hooks.slack.com/services/T0/B0/XYZ": EOF`, true, `Post "https://hooks.slack.com…": EOF`},
		{`Post "http://127.0.0.1:9/hook?token=abc": dial tcp 127.0.0.1:9: connect: connection refused`, true,
			`Post "http://127.0.0.1:9…": dial tcp 127.0.0.1:9: connect: connection refused`},
		{`bad URL pushbullet://api-token/device`, false, `bad URL pushbullet://…`},
		{`user smtp://me:pw@mail.example:25/?to=x`, true, `user smtp://mail.example:25…`},
		{`no URL here`, true, `no URL here`},
	}
	for _, c := range cases {
		if got := scrub(c.in, c.keepHost); got != c.want {
			t.Errorf("scrub(%q, %v) = %q, want %q", c.in, c.keepHost, got, c.want)
		}
	}
}

func TestLinkBase(t *testing.T) {
	t.Parallel()
	if got, want := linkBase("127.0.0.1:8502"), "http://127.0.0.1:8502"; got != want {
		t.Errorf("linkBase = %q, want %q", got, want)
	}
	if got := linkBase("0.0.0.0:8502"); strings.Contains(got, "0.0.0.0") || !strings.HasSuffix(got, ":8502") {
		t.Errorf("linkBase(0.0.0.0:8502) = %q, want this machine's name", got)
	}
	if got := linkBase("[::1]:80"); got != "http://[::1]:80" {
		t.Errorf("linkBase([::1]:80) = %q", got)
	}
}
