package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The status page is rendered for many readers at once from a snapshot of
// the whole store; rendering it per request cost 100 ms of CPU at 1,000
// targets. The cache keeps each variant rendered, plain and gzipped, and
// serves it until it is PageCache old or a state has changed (Changed);
// then the next request serves it once more while one render runs behind
// it, so no reader waits for a render but the very first.

// Defaults of the page cache.
const (
	DefaultPageCache = 5 * time.Second
	// minRender is the least time between two renders of one variant,
	// however often states change.
	minRender = time.Second
)

// pageKey names one variant of the status page.
type pageKey struct {
	reader, signedIn bool
	// all is set for a group's own page, group and page say which.
	all   bool
	group string
	page  int
}

// renderFunc renders a page: its status and body.
type renderFunc func(ctx context.Context) (int, []byte, error)

// pageCache holds the rendered variants of the status page.
type pageCache struct {
	ttl     time.Duration // 0: no caching
	timeout time.Duration
	onError func(error)

	mu      sync.Mutex
	changes uint64 // counts the calls of Changed
	pages   map[pageKey]*cachedPage
}

// cachedPage is one variant; ready is closed once it holds a render.
type cachedPage struct {
	ready      chan struct{}
	code       int
	body, gz   []byte
	at         time.Time
	changes    uint64 // pageCache.changes when the render began
	err        error  // of the first render, when it failed
	refreshing bool
}

func newPageCache(ttl, timeout time.Duration, onError func(error)) *pageCache {
	return &pageCache{ttl: max(ttl, 0), timeout: timeout, onError: onError, pages: map[pageKey]*cachedPage{}}
}

// changed makes every variant stale.
func (c *pageCache) changed() {
	c.mu.Lock()
	c.changes++
	c.mu.Unlock()
}

// serve answers r with the variant key, rendered by render when the cache
// has none (the request waits) or has a stale one (it does not). A render
// that fails is not kept: the requests waiting for it get fail; later
// ones see the last good render.
func (c *pageCache) serve(w http.ResponseWriter, r *http.Request, key pageKey, render renderFunc, fail func(error)) {
	if c.ttl == 0 {
		code, body, err := render(r.Context())
		if err != nil {
			fail(err)
			return
		}
		write(w, r, code, body, nil)
		return
	}
	c.mu.Lock()
	p := c.pages[key]
	switch {
	case p == nil:
		p = &cachedPage{ready: make(chan struct{}), refreshing: true, changes: c.changes}
		c.pages[key] = p
		c.mu.Unlock()
		c.render(p, key, render)
	case p.ready != nil:
		ready := p.ready
		c.mu.Unlock()
		select {
		case <-ready:
		case <-r.Context().Done():
			return
		}
	default:
		if !p.refreshing && (time.Since(p.at) >= c.ttl || p.changes != c.changes) && time.Since(p.at) >= minRender {
			p.refreshing = true
			go c.render(p, key, render)
		}
		c.mu.Unlock()
	}
	c.mu.Lock()
	code, body, gz, err := p.code, p.body, p.gz, p.err
	c.mu.Unlock()
	if err != nil {
		fail(err)
		return
	}
	write(w, r, code, body, gz)
}

// render renders p anew, with a deadline of its own: a render in the
// background outlives the request that started it.
func (c *pageCache) render(p *cachedPage, key pageKey, render renderFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	c.mu.Lock()
	changes := c.changes
	c.mu.Unlock()
	began := time.Now()
	code, body, err := render(ctx)
	var gz []byte
	if err == nil {
		gz, err = gzipped(body)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p.refreshing = false
	first := p.ready != nil
	if first {
		defer close(p.ready)
		p.ready = nil
	}
	if err != nil {
		if first {
			p.err = err
			delete(c.pages, key) // the next request tries again
		} else if c.onError != nil {
			c.onError(err)
		}
		return
	}
	p.code, p.body, p.gz, p.err, p.at, p.changes = code, body, gz, nil, began, changes
	if code != http.StatusOK {
		// Served to the requests that waited for it, not kept: the
		// variants kept are the pages that exist, not every ?group=
		// anyone asks for.
		delete(c.pages, key)
	}
}

// gzipped is body compressed with gzip.
func gzipped(body []byte) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(body) / 6)
	zw, err := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(body); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// write answers with a rendered page, gzipped when the client takes it.
func write(w http.ResponseWriter, r *http.Request, code int, body, gz []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if h.Get("Vary") == "" {
		h.Set("Vary", "Accept-Encoding")
	}
	if gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
