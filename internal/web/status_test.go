package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestStatusGroups: with 1,000 targets in 20 groups the status page lists
// the first GroupRows of each, the failing first, with a link to the
// group's own page, which lists them all.
func TestStatusGroups(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Store: bigStore(1000), Now: func() time.Time { return fixtureNow }})
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile(`<li class="target">`)
	rec := get(t, s, "/")
	body := rec.Body.String()
	if n := len(rows.FindAllString(body, -1)); rec.Code != 200 || n != 20*DefaultGroupRows {
		t.Fatalf("GET /: %d with %d rows, want 200 with %d", rec.Code, n, 20*DefaultGroupRows)
	}
	// 200 targets listed: the groups' bars stand for theirs.
	if n := strings.Count(body, `<svg class="bars"`); n != 20 {
		t.Errorf("GET /: %d sets of bars, want the 20 groups'", n)
	}
	if g := get(t, s, "/?group=group-00").Body.String(); strings.Count(g, `<svg class="bars"`) != 51 {
		t.Errorf("GET /?group=group-00: %d sets of bars, want the group's and its 50 targets'", strings.Count(g, `<svg class="bars"`))
	}
	for _, want := range []string{`<a href="/?group=group-00">All 50 targets of group-00</a>`, `<span class="pill s-down">10 down</span><span class="pill s-up">40 up</span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /: no %q", want)
		}
	}
	// site-0000, the first of the 10 failing targets of group-00, comes first.
	first := body[strings.Index(body, "<h2>group-00</h2>"):]
	first = first[strings.Index(first, `<li class="target">`):]
	if !strings.Contains(first[:200], "s-down") || !strings.Contains(first[:400], "Site 0000") {
		t.Errorf("group-00's first row is not its failing target:\n%.400s", first)
	}
	tests := []struct {
		path string
		code int
		rows int
	}{
		{"/?group=group-00", 200, 50},
		{"/?group=group-00&page=2", 404, 0},
		{"/?group=nope", 404, 0},
		{"/?group=group-00&page=0", 400, 0},
		{"/?group=group-00&page=x", 400, 0},
	}
	for _, tt := range tests {
		rec := get(t, s, tt.path)
		if n := len(rows.FindAllString(rec.Body.String(), -1)); rec.Code != tt.code || n != tt.rows {
			t.Errorf("GET %s: %d with %d rows, want %d with %d", tt.path, rec.Code, n, tt.code, tt.rows)
		}
	}
}

// TestPageCache: the status page is served from the cache until it is
// PageCache old or Changed is called; then the page before is served
// once more while the new one renders.
func TestPageCache(t *testing.T) {
	t.Parallel()
	s, st := newTestServer(t, Options{PageCache: time.Hour})
	before := get(t, s, "/").Body.String()
	st.mu.Lock()
	st.targets = append(st.targets, Target{ID: "blog", Name: "Blog", URL: "https://blog.example/"})
	st.mu.Unlock()
	if got := get(t, s, "/").Body.String(); got != before {
		t.Errorf("the page changed within PageCache without Changed")
	}
	s.Changed()
	time.Sleep(minRender)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if strings.Contains(get(t, s, "/").Body.String(), ">Blog<") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the page did not show the new target within 5s of Changed")
		}
	}
	off, st2 := newTestServer(t, Options{PageCache: -1})
	get(t, off, "/")
	st2.mu.Lock()
	st2.targets = append(st2.targets, Target{ID: "blog", Name: "Blog", URL: "https://blog.example/"})
	st2.mu.Unlock()
	if !strings.Contains(get(t, off, "/").Body.String(), ">Blog<") {
		t.Error("with PageCache negative, the page is not rendered for each request")
	}
}

// TestGzip: pages and API answers come gzipped to the clients that take
// gzip, and the same as plain to the others.
func TestGzip(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, Options{})
	tests := []struct {
		path, accept string
		gzip         bool
	}{
		{"/", "gzip, deflate, br", true},
		{"/", "", false},
		{"/", "gzip;q=0, identity", false},
		{"/targets/api", "gzip", true},
		{"/api/v1/incidents", "x-gzip", true},
		{"/healthz", "gzip", false}, // too small to be worth it
	}
	for _, tt := range tests {
		plain := get(t, s, tt.path)
		r := httptest.NewRequest("GET", "http://127.0.0.1:8502"+tt.path, nil)
		r.Header.Set("Accept-Encoding", tt.accept)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if got := rec.Header().Get("Content-Encoding") == "gzip"; got != tt.gzip {
			t.Errorf("GET %s with %q: gzipped %v, want %v", tt.path, tt.accept, got, tt.gzip)
			continue
		}
		if tt.gzip {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("GET %s: %v", tt.path, err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatalf("GET %s: %v", tt.path, err)
			}
			if !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
				t.Errorf("GET %s: Vary %q, want Accept-Encoding", tt.path, rec.Header().Get("Vary"))
			}
		}
		if rec.Code != http.StatusOK || !bytes.Equal(body, plain.Body.Bytes()) {
			t.Errorf("GET %s with %q: %d, and the body differs from the plain one", tt.path, tt.accept, rec.Code)
		}
	}
}

// TestPageCacheKeepsPages: a page that does not exist is not kept, so
// that asking for many is not a way to fill the memory.
func TestPageCacheKeepsPages(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, Options{})
	for i := range 50 {
		if rec := get(t, s, "/?group=nope"+strconv.Itoa(i)); rec.Code != http.StatusNotFound {
			t.Fatalf("GET /?group=nope%d: %d, want 404", i, rec.Code)
		}
	}
	get(t, s, "/")
	get(t, s, "/?group=shop")
	s.cache.mu.Lock()
	n := len(s.cache.pages)
	s.cache.mu.Unlock()
	if n != 2 {
		t.Errorf("%d variants kept, want 2 (/ and shop's)", n)
	}
}
