package target

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// site is a set of loopback servers for redirect chains. Every name
// resolves to 127.0.0.1, so the port picks the server: a.test, site.test
// and www.site.test on plain (A), b.test on a second server (B) for
// cross-host hops, and site.test on a TLS server (S).
type site struct {
	a, b, s string // ports
	closed  string // an address where nothing listens
	// short turns the absolute URLs of a chain into the names used in
	// the tests: A, B, P (http://site.test), W (www.site.test), S
	// (https://site.test).
	short *strings.Replacer
}

func newSite(t *testing.T) *site {
	t.Helper()
	a, b := httptest.NewUnstartedServer(nil), httptest.NewUnstartedServer(nil)
	s := httptest.NewUnstartedServer(nil)
	st := &site{a: portOf(a), b: portOf(b), s: portOf(s), closed: closedAddr(t)}
	st.short = strings.NewReplacer(
		"http://a.test:"+st.a, "A", "http://b.test:"+st.b, "B",
		"http://site.test:"+st.a, "P", "http://www.site.test:"+st.a, "W",
		"https://site.test:"+st.s, "S")
	h := st.handler()
	for _, srv := range []*httptest.Server{a, b, s} {
		srv.Config.Handler = h
		t.Cleanup(srv.Close)
	}
	a.Start()
	b.Start()
	s.StartTLS()
	return st
}

func portOf(srv *httptest.Server) string {
	_, p, _ := strings.Cut(srv.Listener.Addr().String(), "127.0.0.1:")
	return p
}

// redirect answers with status and a Location, as written (http.Redirect
// would make a relative one absolute).
func redirect(status int, loc string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", loc)
		w.WriteHeader(status)
	}
}

// cookieRoute redirects to yes when the request carries the cookie name,
// and otherwise to no; an empty target answers 200.
func cookieRoute(name, yes, no string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		to := no
		if _, err := r.Cookie(name); err == nil {
			to = yes
		}
		if to == "" {
			w.WriteHeader(http.StatusOK)
			return
		}
		redirect(http.StatusFound, to)(w, r)
	}
}

// setting sets a cookie and then redirects.
func setting(cookie string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", cookie)
		h(w, r)
	}
}

func (st *site) handler() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	for path, loc := range map[string]string{
		"/rel/a": "b", "/dots/x/y": "../z", "/abs": "/final", "/frag": "/final#section",
		"/scheme-rel": "//b.test:" + st.b + "/landing", "/abs-url": "http://b.test:" + st.b + "/landing",
		"/to-https": "https://site.test:" + st.s + "/final", "/to502": "/502", "/to-closed": "http://" + st.closed + "/",
		"/loop2/a": "b", "/loop2/b": "a", "/into": "/loop2/a",
		"/loop3/a": "b", "/loop3/b": "c", "/loop3/c": "a",
		"/badloc": "ftp://x/", "/badhost": "http://a..b/", "/space": " /final ",
		"/self": "https://site.test:" + st.s + "/self", "/ckx/a": "/ckx/b", "/ckx/b": "/ckx/a",
	} {
		m.Handle(path, redirect(http.StatusFound, loc))
	}
	for _, code := range []int{301, 302, 303, 307, 308} {
		m.Handle(fmt.Sprintf("/m/%d", code), redirect(code, "/echo"))
	}
	m.HandleFunc("/noloc", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusFound) })
	m.HandleFunc("/502", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	m.HandleFunc("/404", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) })
	m.Handle("/300", redirect(http.StatusMultipleChoices, "/final"))
	m.HandleFunc("/query", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "" {
			redirect(http.StatusFound, "?page=2")(w, r)
		}
	})
	m.HandleFunc("/count/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		redirect(http.StatusFound, strconv.Itoa(n+1))(w, r)
	})
	m.HandleFunc("/twenty/{n}", func(w http.ResponseWriter, r *http.Request) {
		if n, _ := strconv.Atoi(r.PathValue("n")); n < 20 {
			redirect(http.StatusFound, strconv.Itoa(n+1))(w, r)
		}
	})
	// A CDN that reaches the origin over http while the origin sends
	// visitors to https, seen from the visitor as the two alternating.
	m.HandleFunc("/flip", func(w http.ResponseWriter, r *http.Request) {
		to := "https://site.test:" + st.s + "/flip"
		if r.TLS != nil {
			to = "http://site.test:" + st.a + "/flip"
		}
		redirect(http.StatusMovedPermanently, to)(w, r)
	})
	m.HandleFunc("/www", func(w http.ResponseWriter, r *http.Request) {
		to := "http://www.site.test:" + st.a + "/www"
		if strings.HasPrefix(r.Host, "www.") {
			to = "http://site.test:" + st.a + "/www"
		}
		redirect(http.StatusMovedPermanently, to)(w, r)
	})
	m.Handle("/ck/start", setting("s=1", redirect(http.StatusFound, "/ck/a")))
	m.Handle("/ck/a", cookieRoute("s", "/ck/b", ""))
	m.Handle("/ck/b", redirect(http.StatusFound, "/ck/a"))
	m.Handle("/cc", setting("c=1", cookieRoute("c", "", "/cc")))
	m.Handle("/ckx/start", setting("s=1", redirect(http.StatusFound, "/ckx/a")))
	m.Handle("/setc", setting("x=1", redirect(http.StatusFound, "http://b.test:"+st.b+"/seec")))
	return m
}

func (st *site) options() FollowOptions {
	return FollowOptions{
		Send:       ProbeWith(probe.Options{Resolver: loopbackResolver{}, Insecure: true}),
		HopTimeout: testTimeout,
	}
}

// hops summarises a chain's hops as "METHOD URL STATUS", with short names.
func (st *site) hops(ch Chain) []string {
	var out []string
	for _, h := range ch.Hops {
		out = append(out, fmt.Sprintf("%s %s %d", h.Method, st.short.Replace(h.URL), h.Status))
	}
	return out
}
