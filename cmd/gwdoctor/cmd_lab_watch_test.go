package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// TestLabWatch runs the demo with a 4 s flap behind the lab's gateway: an
// incident of the flapping site opens and closes, as the API shows and
// the terminal says, and Ctrl-C (the context's end) stops everything and
// removes the temporary store.
func TestLabWatch(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--flap", "1s"}, {"--every", "1"}, {"--gateway", "nginx,go"}} {
		if code, _, stderr := gwdoctor(t, append([]string{"lab", "watch"}, args...)...); code != exitUsage {
			t.Errorf("lab watch %v: exit %d (%s), want %d", args, code, stderr, exitUsage)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lockedWriter{w: &bytes.Buffer{}}
	text := func() string {
		out.mu.Lock()
		defer out.mu.Unlock()
		return out.w.(*bytes.Buffer).String()
	}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"lab", "watch", "--flap", "4s", "--interval", "1s"}, streams{in: strings.NewReader(""), out: out, err: io.Discard})
	}()
	page := regexp.MustCompile(`status page: (http://\S+)/`)
	var base string
	waitUntil(t, 30*time.Second, func() bool {
		m := page.FindStringSubmatch(text())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, text)
	flapping := watchconfig.TargetID("flapping")
	waitUntil(t, 40*time.Second, func() bool {
		for _, inc := range apiIncidents(t, base) {
			if inc.Target == flapping && !inc.Open && inc.End != nil && inc.Cause == "upstream.closed" {
				return true
			}
		}
		return false
	}, text)
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("lab watch exited %d after Ctrl-C, want 0", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("lab watch did not stop within 20s of Ctrl-C")
	}
	got := text()
	for _, want := range []string{"flapping      OPENED    ", "flapping      DIAGNOSED upstream.closed: ", "flapping      CLOSED    upstream.closed after "} {
		if !strings.Contains(got, want) {
			t.Errorf("the output lacks %q:\n%s", want, got)
		}
	}
	if m := regexp.MustCompile(`store: (\S+)`).FindStringSubmatch(got); m == nil {
		t.Errorf("the output does not name the store:\n%s", got)
	} else if _, err := os.Stat(filepath.Dir(m[1])); !os.IsNotExist(err) {
		t.Errorf("the temporary store %s is still there (%v)", m[1], err)
	}
}

type labIncident struct {
	Target string  `json:"target"`
	Cause  string  `json:"cause"`
	Open   bool    `json:"open"`
	End    *string `json:"end"`
}

func apiIncidents(t *testing.T, base string) []labIncident {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(base + "/api/v1/incidents")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct{ Incidents []labIncident }
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatalf("reading the incidents: %v", err)
	}
	return page.Incidents
}

// waitUntil polls cond every 200 ms until it holds, or fails the test with
// what the command printed.
func waitUntil(t *testing.T, within time.Duration, cond func() bool, printed func() string) {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("not within %v; the command printed:\n%s", within, printed())
}
