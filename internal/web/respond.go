package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
)

// readPage lets h answer only requests that may read; the others get the
// login form with 401.
func (s *Server) readPage(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.levelOf(r) < levelRead {
			w.Header().Set("WWW-Authenticate", `Bearer realm="gwdoctor"`)
			s.render(w, r, http.StatusUnauthorized, "login", s.loginView(r.URL.RequestURI(), ""))
			return
		}
		h(w, r)
	}
}

// readAPI lets h answer only requests that may read; the others get 401.
func (s *Server) readAPI(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.levelOf(r) < levelRead {
			w.Header().Set("WWW-Authenticate", `Bearer realm="gwdoctor"`)
			s.apiError(w, http.StatusUnauthorized, "this needs the read token: Authorization: Bearer TOKEN")
			return
		}
		h(w, r)
	}
}

// adminAPI lets h answer only requests with the admin token.
func (s *Server) adminAPI(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case s.o.AdminToken == "":
			s.apiError(w, http.StatusForbidden, "no admin token is configured: nothing can be changed through this server")
		case !s.canChange(r):
			w.Header().Set("WWW-Authenticate", `Bearer realm="gwdoctor admin"`)
			s.apiError(w, http.StatusUnauthorized, "this needs the admin token: Authorization: Bearer TOKEN")
		default:
			h(w, r)
		}
	}
}

// apiErrorDoc is the body of every API error.
type apiErrorDoc struct {
	Error string `json:"error"`
}

func (s *Server) apiError(w http.ResponseWriter, code int, msg string) {
	s.writeJSON(w, code, apiErrorDoc{Error: msg})
}

func (s *Server) writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.o.Logger.Error("encoding JSON", "err", err)
		code, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// storeFailed answers an error of the store: 404 for ErrNotFound, else
// 500, with the reason in the log only.
func (s *Server) storeFailed(w http.ResponseWriter, r *http.Request, api bool, err error) {
	code, msg := http.StatusInternalServerError, "the store could not answer"
	if errors.Is(err, ErrNotFound) {
		code, msg = http.StatusNotFound, "not found"
	} else {
		s.o.Logger.Error("reading the store", "path", r.URL.Path, "err", err)
	}
	if api {
		s.apiError(w, code, msg)
		return
	}
	s.render(w, r, code, "error", errorView{pageView: s.page(msg), Code: code, Message: msg})
}

// render executes the named page into a buffer first, so that a failing
// template is a clean 500 and not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, view any) {
	b, err := s.renderBytes(name, view)
	if err != nil {
		s.o.Logger.Error("rendering a page", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(b)
}

// renderBytes executes the named page.
func (s *Server) renderBytes(name string, view any) ([]byte, error) {
	// The buffer starts at the size this page had last time: growing to a
	// large page by doubling would allocate twice its size.
	hint, _ := s.sizes.LoadOrStore(name, new(atomic.Int64))
	b := bytes.NewBuffer(make([]byte, 0, hint.(*atomic.Int64).Load()))
	if err := pages.ExecuteTemplate(b, name, view); err != nil {
		return nil, fmt.Errorf("rendering the %s page: %w", name, err)
	}
	hint.(*atomic.Int64).Store(int64(b.Len()) + int64(b.Len())/8)
	return b.Bytes(), nil
}
