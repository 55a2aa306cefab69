package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// minGzip is the smallest answer worth compressing, in bytes.
const minGzip = 1024

// acceptsGzip reports whether the client takes gzip (RFC 9110, 12.5.3):
// "gzip" or "x-gzip" in Accept-Encoding, without q=0.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			q := strings.TrimSpace(params)
			if v, ok := strings.CutPrefix(q, "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil && f == 0 {
					continue
				}
			}
			return true
		}
	}
	return false
}

// gzipper compresses the answers of a handler for the clients that take
// gzip, when they are HTML or JSON of minGzip bytes or more and not
// compressed already (the status page's cache holds its own gzip).
type gzipper struct {
	next    http.Handler
	writers sync.Pool // *gzip.Writer
}

func (g *gzipper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !acceptsGzip(r) || r.Method == http.MethodHead {
		g.next.ServeHTTP(w, r)
		return
	}
	w.Header().Add("Vary", "Accept-Encoding")
	gw := &gzipWriter{ResponseWriter: w, pool: &g.writers}
	defer gw.close()
	g.next.ServeHTTP(gw, r)
}

// gzipWriter decides at the first Write whether to compress, from the
// answer's headers and the size of that first write.
type gzipWriter struct {
	http.ResponseWriter
	pool    *sync.Pool
	code    int
	decided bool
	zw      *gzip.Writer
}

func (w *gzipWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *gzipWriter) Write(p []byte) (int, error) {
	if !w.decided {
		w.decide(len(p))
	}
	if w.zw != nil {
		return w.zw.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

func (w *gzipWriter) decide(n int) {
	w.decided = true
	h := w.Header()
	ct := h.Get("Content-Type")
	if w.code == 0 {
		w.code = http.StatusOK
	}
	if n >= minGzip && h.Get("Content-Encoding") == "" && w.code != http.StatusNoContent &&
		(strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "application/json")) {
		h.Set("Content-Encoding", "gzip")
		h.Del("Content-Length")
		zw, _ := w.pool.Get().(*gzip.Writer)
		if zw == nil {
			zw, _ = gzip.NewWriterLevel(io.Discard, gzip.BestSpeed) // a valid level never fails
		}
		zw.Reset(w.ResponseWriter)
		w.zw = zw
	}
	w.ResponseWriter.WriteHeader(w.code)
}

// close ends the gzip stream, or sends a header that no Write sent.
func (w *gzipWriter) close() {
	if !w.decided {
		if w.code != 0 {
			w.ResponseWriter.WriteHeader(w.code)
		}
		return
	}
	if w.zw != nil {
		w.zw.Close()
		w.pool.Put(w.zw)
	}
}
