package watchconfig

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// watching runs Watch on a file in a temporary directory and collects
// what it delivers.
type watching struct {
	t       *testing.T
	path    string
	reload  chan os.Signal
	changes chan *Config
	errs    chan error
	env     *syncEnv
}

// syncEnv is an environment that a test changes while Watch reads it.
type syncEnv struct {
	mu sync.Mutex
	m  map[string]string
}

func (e *syncEnv) lookup(k string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.m[k]
	return v, ok
}

func (e *syncEnv) set(k, v string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.m[k] = v
}

// startWatch writes content, loads it and watches it, polling every poll.
func startWatch(t *testing.T, content string, poll time.Duration) *watching {
	t.Helper()
	w := &watching{
		t: t, path: filepath.Join(t.TempDir(), "gwdoctor.yaml"),
		reload: make(chan os.Signal), changes: make(chan *Config, 10), errs: make(chan error, 10),
		env: &syncEnv{m: map[string]string{"HOME": "/home/ops", "PORT": "8502"}},
	}
	w.write(content)
	current, err := Load(w.path, w.env.lookup)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Watch(ctx, w.path, WatchOptions{
			Env: w.env.lookup, Reload: w.reload, Poll: poll, Current: current,
			OnChange: func(c *Config) { w.changes <- c },
			OnError:  func(err error) { w.errs <- err },
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

// write replaces the file's content, with a modification time of its own
// so that a change within the file system's time resolution is seen.
func (w *watching) write(content string) {
	w.t.Helper()
	if err := os.WriteFile(w.path, []byte(content), 0o600); err != nil {
		w.t.Fatal(err)
	}
	stamp := time.Now().Add(time.Duration(len(content)) * time.Second)
	if err := os.Chtimes(w.path, stamp, stamp); err != nil {
		w.t.Fatal(err)
	}
}

// next waits for the next delivery or error.
func (w *watching) next() (*Config, error) {
	w.t.Helper()
	select {
	case c := <-w.changes:
		return c, nil
	case err := <-w.errs:
		return nil, err
	case <-time.After(5 * time.Second):
		w.t.Fatal("nothing delivered within 5s")
		return nil, nil
	}
}

const (
	watchedV1 = "listen: 127.0.0.1:${PORT}\ntargets:\n  - url: shop.example\n"
	watchedV2 = "listen: 127.0.0.1:${PORT}\ntargets:\n  - url: shop.example\n  - url: api.shop.example\n"
)

func TestWatchChange(t *testing.T) {
	w := startWatch(t, watchedV1, 5*time.Millisecond)
	w.write(watchedV2)
	c, err := w.next()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TargetSpecs) != 2 {
		t.Errorf("delivered %d targets, want the new 2", len(c.TargetSpecs))
	}
}

func TestWatchBadChangeKeepsTheOld(t *testing.T) {
	w := startWatch(t, watchedV1, 5*time.Millisecond)
	w.write(watchedV1 + "    intervall: 1m\n")
	c, err := w.next()
	if c != nil || err == nil || !strings.Contains(err.Error(), `gwdoctor.yaml:4:5: unknown key "intervall"`) {
		t.Fatalf("got %v, %v; want the error with its place", c, err)
	}
	// Fixing it back to the configuration running changes nothing; a
	// real change is the next thing delivered.
	w.write(watchedV1)
	w.write(watchedV2)
	if c, err = w.next(); err != nil || len(c.TargetSpecs) != 2 {
		t.Errorf("got %v, %v; want the new configuration, and nothing for the old one", c, err)
	}
}

func TestWatchReloadSignal(t *testing.T) {
	w := startWatch(t, watchedV1, time.Hour)
	// The same configuration: not delivered again. The second send is
	// taken only once the first reload is over.
	w.reload <- syscall.SIGHUP
	w.reload <- syscall.SIGHUP
	// The environment changed: the same file gives another configuration.
	w.env.set("PORT", "9000")
	w.reload <- syscall.SIGHUP
	c, err := w.next()
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9000" {
		t.Errorf("delivered listen %q, want 127.0.0.1:9000 (and nothing for the first reloads)", c.Listen)
	}
}

func TestWatchSameContent(t *testing.T) {
	tests := []struct {
		name   string
		change func(w *watching)
	}{
		{"touched", func(w *watching) {
			stamp := time.Now().Add(time.Hour)
			if err := os.Chtimes(w.path, stamp, stamp); err != nil {
				t.Error(err)
			}
		}},
		{"a comment added", func(w *watching) { w.write("# watched\n" + watchedV1) }},
		{"the default interval written out", func(w *watching) { w.write("interval: 30s\n" + watchedV1) }},
		{"replaced by a copy", func(w *watching) {
			tmp := w.path + ".new"
			if err := os.WriteFile(tmp, []byte(watchedV1), 0o600); err != nil {
				t.Error(err)
			}
			if err := os.Rename(tmp, w.path); err != nil {
				t.Error(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := startWatch(t, watchedV1, 5*time.Millisecond)
			tc.change(w)
			// Time for several polls to see the file settle and reload it.
			time.Sleep(60 * time.Millisecond)
			w.write(watchedV2)
			c, err := w.next()
			if err != nil || len(c.TargetSpecs) != 2 {
				t.Errorf("got %v, %v; want the real change to be the first delivered", c, err)
			}
		})
	}
}

func TestWatchWithoutCurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gwdoctor.yaml")
	if err := os.WriteFile(path, []byte(minimal), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan *Config, 1)
	go Watch(ctx, path, WatchOptions{Env: home, OnChange: func(c *Config) { got <- c; cancel() }})
	select {
	case c := <-got:
		if c.Source != path {
			t.Errorf("delivered %q, want %q", c.Source, path)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first configuration was not delivered")
	}
}

// TestWatchEmptyFile checks that a file caught truncated, its content still
// to come, is not reloaded: the configuration running stays, without an
// error, until the content is there.
func TestWatchEmptyFile(t *testing.T) {
	w := startWatch(t, watchedV1, 5*time.Millisecond)
	w.write("")
	time.Sleep(60 * time.Millisecond) // several polls of the empty file
	select {
	case err := <-w.errs:
		t.Fatalf("an empty file was reloaded: %v", err)
	case c := <-w.changes:
		t.Fatalf("an empty file delivered %+v", c)
	default:
	}
	w.write(watchedV2)
	if c, err := w.next(); err != nil || len(c.TargetSpecs) != 2 {
		t.Errorf("got %v, %v; want the content written after", c, err)
	}
}
