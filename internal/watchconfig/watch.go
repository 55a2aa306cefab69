package watchconfig

import (
	"context"
	"os"
	"time"
)

// DefaultPoll is how often Watch looks at the file's modification time and
// size.
const DefaultPoll = time.Second

// WatchOptions says what Watch reloads and whom it tells.
type WatchOptions struct {
	// Env looks up the variables of ${ENV}, as Load's env.
	Env func(string) (string, bool)
	// Reload asks for a reload at each receive: the server passes a
	// channel given to signal.Notify for SIGHUP. Nil for none.
	Reload <-chan os.Signal
	// Poll is how often the file is looked at (default 1s).
	Poll time.Duration
	// Current is the configuration running, from Load: a reload that
	// gives the same (same Hash) is not delivered. Nil makes Watch load the
	// file at once and deliver it.
	Current *Config
	// OnChange receives each new configuration, once.
	OnChange func(*Config)
	// OnError receives why a reload failed; the configuration running
	// stays as it is.
	OnError func(error)
}

// fileState is what Watch sees of the file without reading it.
type fileState struct {
	info os.FileInfo
	err  string
}

// same reports whether two looks at the file saw the same file, unchanged.
func (s fileState) same(o fileState) bool {
	if s.info == nil || o.info == nil {
		return s.info == nil && o.info == nil && s.err == o.err
	}
	return os.SameFile(s.info, o.info) && s.info.ModTime().Equal(o.info.ModTime()) && s.info.Size() == o.info.Size()
}

// look stats the file at path.
func look(path string) fileState {
	fi, err := os.Stat(path)
	if err != nil {
		return fileState{err: err.Error()}
	}
	return fileState{info: fi}
}

// Watch reloads the configuration at path on each receive from
// opts.Reload, and when the file changes: its modification time, size or
// inode, looked at every opts.Poll, once they have stayed the same for one
// poll, so that a file being written is not read half-way. A configuration
// that fails keeps the one running and is reported through opts.OnError;
// a good one is delivered through opts.OnChange once, unless its Hash is
// the running one's (a comment changed, the file was touched). Callbacks
// run on Watch's goroutine, one at a time. Watch returns when ctx is done.
func Watch(ctx context.Context, path string, opts WatchOptions) {
	w := &watcher{path: path, opts: opts}
	if opts.Poll <= 0 {
		w.opts.Poll = DefaultPoll
	}
	if opts.Current != nil {
		w.hash = opts.Current.Hash
	} else {
		w.loaded = look(path)
		w.reload()
	}
	w.seen = w.loaded
	tick := time.NewTicker(w.opts.Poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-opts.Reload:
			w.loaded = look(path)
			w.reload()
		case <-tick.C:
			w.poll()
		}
	}
}

// watcher is the state of one Watch.
type watcher struct {
	path string
	opts WatchOptions
	// hash is the Hash of the configuration running.
	hash string
	// loaded is the file as it was at the last reload, seen at the last
	// poll.
	loaded, seen fileState
}

// poll reloads when the file differs from the last reload's and has
// stayed the same since the previous poll. An empty file is taken for one
// being written (truncated, its content still to come): it never settles,
// and the configuration running stays.
func (w *watcher) poll() {
	cur := look(w.path)
	settled := cur.same(w.seen) && (cur.info == nil || cur.info.Size() > 0)
	w.seen = cur
	if settled && !cur.same(w.loaded) {
		w.loaded = cur
		w.reload()
	}
}

// reload loads the file and delivers it when it differs from the running
// configuration.
func (w *watcher) reload() {
	c, err := Load(w.path, w.opts.Env)
	if err != nil {
		if w.opts.OnError != nil {
			w.opts.OnError(err)
		}
		return
	}
	if c.Hash == w.hash {
		return
	}
	w.hash = c.Hash
	if w.opts.OnChange != nil {
		w.opts.OnChange(c)
	}
}
