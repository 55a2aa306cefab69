package watch

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/lab"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// TestServeKilled kills gwdoctor serve with SIGKILL while it writes the
// checks of 120 targets every second to a SQLite file, two of them
// failing and opening incidents, and starts it again on the same file:
// every check and incident that the API had returned before the kill is
// still there, and checking resumes.
func TestServeKilled(t *testing.T) {
	bin := buildGwdoctor(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gwdoctor.yaml")
	writeFile(t, cfg, manyTargets(t, filepath.Join(dir, "gwdoctor.db"), 118))
	first := startServe(t, bin, cfg)
	var before apiState
	deadline := time.Now().Add(60 * time.Second)
	for len(before.incidents) < 2 || before.checks() < 600 {
		if time.Now().After(deadline) {
			t.Fatalf("after 60s: %d checks, %d incidents; want 600 and 2\n%s", before.checks(), len(before.incidents), first.log())
		}
		time.Sleep(500 * time.Millisecond)
		before = readAPI(t, first.base)
	}
	first.kill(t)
	restarted := time.Now()
	second := startServe(t, bin, cfg)
	stillThere(t, before, readAPI(t, second.base))
	waitNewCheck(t, second.base, watchconfig.TargetID("ok-0"), restarted)
}

// apiState is what the API returned: each target's check times, and the
// incidents' IDs.
type apiState struct {
	times     map[string][]string
	incidents map[string]bool
}

func (s apiState) checks() int {
	n := 0
	for _, ts := range s.times {
		n += len(ts)
	}
	return n
}

// readAPI reads every target's newest checks (up to 1,000) and the
// incidents through the API.
func readAPI(t *testing.T, base string) apiState {
	t.Helper()
	var targets struct{ Targets []struct{ ID string } }
	getJSON(t, base+"/api/v1/targets", &targets)
	s := apiState{times: map[string][]string{}, incidents: map[string]bool{}}
	for _, tg := range targets.Targets {
		var page struct{ Checks []struct{ Time string } }
		getJSON(t, base+"/api/v1/targets/"+tg.ID+"/checks?limit=1000", &page)
		for _, c := range page.Checks {
			s.times[tg.ID] = append(s.times[tg.ID], c.Time)
		}
	}
	var incs struct{ Incidents []struct{ ID string } }
	getJSON(t, base+"/api/v1/incidents?limit=500", &incs)
	for _, inc := range incs.Incidents {
		s.incidents[inc.ID] = true
	}
	return s
}

// waitNewCheck waits until the API lists a check of target made after since.
func waitNewCheck(t *testing.T, base, target string, since time.Time) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var page struct{ Checks []struct{ Time time.Time } }
		getJSON(t, base+"/api/v1/targets/"+target+"/checks?limit=1", &page)
		if len(page.Checks) > 0 && page.Checks[0].Time.After(since) {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("no check of %s after %s within 30s", target, since.Format(time.RFC3339Nano))
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	body := get(t, url)
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v in %.300s", url, err, body)
	}
}

// manyTargets is a configuration of n healthy targets (ok-0, ok-1, ...)
// on one server and two whose upstream refuses, behind the lab's Go
// gateway, all checked every second.
func manyTargets(t *testing.T, db string, n int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "fine\n")
	}))
	t.Cleanup(srv.Close)
	bad := startScenario(t, lab.Refused)
	var b strings.Builder
	fmt.Fprintf(&b, "db: %q\nlisten: 127.0.0.1:0\ninterval: 1s\ntargets:\n", db)
	for i := range n {
		fmt.Fprintf(&b, "  - {name: ok-%d, url: \"%s/t/%d\"}\n", i, srv.URL, i)
	}
	for i := range 2 {
		fmt.Fprintf(&b, "  - {name: bad-%d, url: \"%sbad/%d\", upstream: \"%s\"}\n", i, bad.Gateway.URL(), i, bad.Upstream.URL())
	}
	return b.String()
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// buildGwdoctor builds the gwdoctor command into the test's directory.
func buildGwdoctor(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gwdoctor")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/gwdoctor/gwdoctor/cmd/gwdoctor").CombinedOutput()
	if err != nil {
		t.Fatalf("building gwdoctor: %v\n%s", err, out)
	}
	return bin
}

// served is a gwdoctor serve process.
type served struct {
	cmd  *exec.Cmd
	base string
	mu   sync.Mutex
	logs strings.Builder
	done chan struct{}
}

var pagesLine = regexp.MustCompile(`pages on (http://[^/\s]+)/`)

// startServe runs gwdoctor serve --config cfg and waits until it serves
// its pages; the process is killed when the test ends.
func startServe(t *testing.T, bin, cfg string, args ...string) *served {
	t.Helper()
	s := &served{cmd: exec.Command(bin, append([]string{"serve", "--config", cfg}, args...)...), done: make(chan struct{})}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.kill(t) })
	ready := make(chan string, 1)
	go s.read(stderr, ready)
	select {
	case s.base = <-ready:
		return s
	case <-s.done:
		t.Fatalf("gwdoctor serve ended at start:\n%s", s.log())
	case <-time.After(60 * time.Second):
		t.Fatalf("gwdoctor serve did not serve its pages within 60s:\n%s", s.log())
	}
	return nil
}

// read keeps the process's log and sends the address of its pages.
func (s *served) read(r io.Reader, ready chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		s.mu.Lock()
		s.logs.WriteString(line + "\n")
		s.mu.Unlock()
		if m := pagesLine.FindStringSubmatch(line); m != nil {
			ready <- m[1]
		}
	}
	s.cmd.Wait()
	close(s.done)
}

func (s *served) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// kill sends SIGKILL, once, and waits for the process to end.
func (s *served) kill(t *testing.T) {
	select {
	case <-s.done:
		return
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Logf("killing gwdoctor serve: %v", err)
	}
	<-s.done
}
