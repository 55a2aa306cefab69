package watch

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// TestServeLockedStore: while another connection holds a write
// transaction on the SQLite file for longer than the store's busy
// timeout (5 s), and while one alert endpoint answers 500 and another
// hangs, checks go on, the log says the database is locked and that
// alerts were not sent, and once the lock goes the checks made meanwhile
// are written; nothing written before is lost.
func TestServeLockedStore(t *testing.T) {
	db := filepath.Join(t.TempDir(), "gwdoctor.db")
	failing := newEndpoint(t, http.StatusInternalServerError)
	hanging := newEndpoint(t, 0)
	alerts := fmt.Sprintf("alerts:\n  failing: {urls: [\"generic+%s/hook\"]}\n  hanging: {urls: [\"generic+%s/hook\"]}\n", failing.URL(), hanging.URL())
	w := serveInProcess(t, strings.Replace(manyTargets(t, db, 20), "targets:\n", alerts+"targets:\n", 1))
	before := w.waitChecks(t, 60)
	conn := lockSQLite(t, db)
	locked := time.Now()
	n0 := w.checks.Load()
	time.Sleep(8 * time.Second)
	if n := w.checks.Load() - n0; n < 20*6 {
		t.Errorf("%d checks in the 8s the store was locked; want them to go on (at least 120)", n)
	}
	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	w.waitLog(t, "database is locked")
	waitCheckBetween(t, w.base, watchconfig.TargetID("ok-0"), locked.Add(time.Second), locked.Add(6*time.Second))
	w.waitLog(t, "the store takes checks again")
	stillThere(t, before, readAPI(t, w.base))
	if failing.calls.Load() == 0 || hanging.calls.Load() == 0 {
		t.Errorf("alert endpoints called: failing %d, hanging %d times; want both", failing.calls.Load(), hanging.calls.Load())
	}
	w.waitLog(t, "alert not sent")
	t.Logf("the log of the store and the alerts:\n%s", w.lines("store", "alert"))
}

// TestServeFullDisk puts the SQLite file on a 16 MB tmpfs and fills it:
// writes fail with a clear error, checks go on, and once space is freed
// the checks held meanwhile are written, and nothing written before is
// lost. It needs to mount a tmpfs, and is skipped where that is not
// permitted.
func TestServeFullDisk(t *testing.T) {
	mnt := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("a full disk is not tested: mounting a small tmpfs is not permitted here: %v: %s", err, out)
	}
	t.Cleanup(func() { // registered first, so that it runs after Serve has stopped
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("unmounting %s: %v: %s", mnt, err, out)
		}
	})
	w := serveInProcess(t, manyTargets(t, filepath.Join(mnt, "gwdoctor.db"), 20))
	before := w.waitChecks(t, 40)
	filler := filepath.Join(mnt, "filler")
	fillDisk(t, filler)
	full := time.Now()
	n0 := w.checks.Load()
	w.waitLog(t, "database or disk is full")
	time.Sleep(3 * time.Second)
	if n := w.checks.Load() - n0; n < 20*2 {
		t.Errorf("%d checks in the 3s after the disk filled; want them to go on (at least 40)", n)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	waitCheckBetween(t, w.base, watchconfig.TargetID("ok-0"), full.Add(time.Second), time.Now())
	w.waitLog(t, "the store takes checks again")
	stillThere(t, before, readAPI(t, w.base))
	t.Logf("the log of the store:\n%s", w.lines("store"))
}

// fillDisk writes path until its file system is full.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !strings.Contains(err.Error(), "no space left") {
				t.Fatalf("filling the disk: %v", err)
			}
			return
		}
	}
}

// lockSQLite begins a write transaction on the SQLite file db, from a
// connection of its own, and holds it until the test ends or its caller
// ends it.
func lockSQLite(t *testing.T, db string) *sql.Conn {
	t.Helper()
	other, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); other.Close() })
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	return conn
}

// stillThere reports the checks and incidents of before missing in after.
func stillThere(t *testing.T, before, after apiState) {
	t.Helper()
	for target, times := range before.times {
		have := map[string]bool{}
		for _, at := range after.times[target] {
			have[at] = true
		}
		for _, at := range times {
			if !have[at] {
				t.Errorf("target %s: the check of %s, returned before, is gone", target, at)
			}
		}
	}
	for id := range before.incidents {
		if !after.incidents[id] {
			t.Errorf("incident %s, returned before, is gone", id)
		}
	}
}

// waitCheckBetween waits until the API lists a check of target made
// between from and to.
func waitCheckBetween(t *testing.T, base, target string, from, to time.Time) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var page struct{ Checks []struct{ Time time.Time } }
		getJSON(t, base+"/api/v1/targets/"+target+"/checks?limit=200", &page)
		for _, c := range page.Checks {
			if c.Time.After(from) && c.Time.Before(to) {
				return
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("no check of %s made between %s and %s written within 30s", target, from.Format(time.TimeOnly), to.Format(time.TimeOnly))
}

// inProcess is a Serve running in the test: its pages, the count of its
// checks, and its log.
type inProcess struct {
	base   string
	checks atomic.Int64
	mu     sync.Mutex
	logs   strings.Builder
}

func (w *inProcess) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.logs.Write(p)
}

func (w *inProcess) log() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.logs.String()
}

// lines are the lines of the log that hold any of words.
func (w *inProcess) lines(words ...string) string {
	var out []string
	for _, l := range strings.Split(w.log(), "\n") {
		for _, word := range words {
			if strings.Contains(l, word) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// waitLog waits until the log holds text.
func (w *inProcess) waitLog(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(w.log(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("the log does not say %q within 20s:\n%s", text, w.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitChecks waits until the API has returned at least n checks and an
// incident, and returns what it returned.
func (w *inProcess) waitChecks(t *testing.T, n int) apiState {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s := readAPI(t, w.base)
		if s.checks() >= n && len(s.incidents) > 0 {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s: %d checks, %d incidents; want %d and one\n%s", s.checks(), len(s.incidents), n, w.log())
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// serveInProcess runs Serve on the configuration in yaml until the test ends.
func serveInProcess(t *testing.T, yaml string) *inProcess {
	t.Helper()
	cfg, err := watchconfig.Parse("test.yaml", []byte(yaml), nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &inProcess{base: "http://" + ln.Addr().String()}
	count := monitor.SinkFunc(func(_ context.Context, ev monitor.Event) error {
		if ev.Kind == monitor.EventCheck {
			w.checks.Add(1)
		}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{Listener: ln, Logger: slog.New(slog.NewTextHandler(w, nil)), Sinks: []monitor.Sink{count}})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("Serve did not stop within 20s of its context")
		}
	})
	return w
}

// endpoint is an alert endpoint on 127.0.0.1 that answers every request
// with one status, or hangs (status 0) until the test ends, as a stuck
// server does.
type endpoint struct {
	srv   *httptest.Server
	calls atomic.Int64
}

func newEndpoint(t *testing.T, status int) *endpoint {
	t.Helper()
	e := &endpoint{}
	release := make(chan struct{})
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.calls.Add(1)
		if status == 0 {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(func() { close(release); e.srv.Close() })
	return e
}

func (e *endpoint) URL() string { return e.srv.URL }
