package web

import (
	"embed"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

// pages holds every page's template. Every value they are given is plain
// text, escaped by html/template where it lands, except the SVG charts,
// which are built from numbers and escaped text (see chart.go).
var pages = template.Must(template.New("").ParseFS(templateFiles, "templates/*.tmpl"))

// pageView is what every page's frame needs.
type pageView struct {
	Title string
	// Site is the status page's title, for the header's link home.
	Site string
	// Reader is true when the visitor may read incidents, checks and the API.
	Reader bool
	// SignedIn is true when the visitor has the login cookie.
	SignedIn bool
}

func (s *Server) page(title string) pageView {
	return pageView{Title: title, Site: s.o.Title}
}

func (s *Server) pageFor(r *http.Request, title string) pageView {
	v := s.page(title)
	v.Reader = s.levelOf(r) >= levelRead
	_, err := r.Cookie(cookieName)
	v.SignedIn = err == nil
	return v
}

type errorView struct {
	pageView
	Code    int
	Message string
}

type loginView struct {
	pageView
	Next, Problem string
	// NoToken is set when no read token is configured: logging in cannot work.
	NoToken bool
}

func (s *Server) loginView(next, problem string) loginView {
	return loginView{pageView: s.page("Sign in"), Next: localPath(next), Problem: problem,
		NoToken: s.o.ReadToken == "" && s.o.AdminToken == ""}
}

// loginForm asks for the read token.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", s.loginView(r.URL.Query().Get("next"), ""))
}

// login sets the read cookie when the form's token is the read or the
// admin token; the cookie grants reading only.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "login", s.loginView("/", "The form could not be read."))
		return
	}
	tok, next := r.PostForm.Get("token"), localPath(r.PostForm.Get("next"))
	var value string
	switch {
	case tokenMatches(tok, s.o.ReadToken):
		value = cookieFor(s.o.ReadToken)
	case tokenMatches(tok, s.o.AdminToken):
		value = cookieFor(s.o.AdminToken)
	default:
		s.render(w, r, http.StatusUnauthorized, "login", s.loginView(next, "That token is not valid."))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: value, Path: "/", MaxAge: cookieMaxAge,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout removes the read cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// stamp is a moment as the pages show it: RFC 3339 and relative to now.
type stamp struct {
	RFC3339, Relative string
}

func stampOf(t, now time.Time) stamp {
	if t.IsZero() {
		return stamp{}
	}
	return stamp{RFC3339: rfc3339(t), Relative: relative(t, now)}
}

// rfc3339 is t in UTC, in RFC 3339 with milliseconds.
func rfc3339(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// relative is how long before (or after) now t is, in words.
func relative(t, now time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		return "in " + span(-d)
	}
	if d < time.Second {
		return "just now"
	}
	return span(d) + " ago"
}

// span is a duration in its largest fitting unit, for people.
func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + " s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 48*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 || h >= 10 {
			return strconv.Itoa(h) + " h"
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " days"
}

// ms is a duration in milliseconds, for tables.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v >= 100 {
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// percent is a share as a percentage with at most two decimals, never
// rounding a failure up to 100.
func percent(v float64) string {
	p := math.Floor(v*10000) / 100
	return strconv.FormatFloat(p, 'f', -1, 64) + " %"
}

// causeTitle is a cause ID's title in the catalog, or "" for an ID it lacks.
func causeTitle(id string) string {
	if c, ok := catalog.Lookup(catalog.Cause(id)); ok {
		return c.Title
	}
	return ""
}

// producer says who produced an error, in words: "nginx (reverse_proxy)".
func producer(g diagnose.GeneratedBy) string {
	switch {
	case g.Product == "" && g.Role == "":
		return "unknown"
	case g.Role == "":
		return g.Product
	case g.Product == "":
		return g.Role
	}
	return g.Product + " (" + g.Role + ")"
}
