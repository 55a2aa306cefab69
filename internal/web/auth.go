package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
)

// level is what a request may do.
type level int

const (
	// levelPublic sees the status page's state and uptime of public groups.
	levelPublic level = iota
	// levelRead sees everything: incidents, evidence, checks, the API.
	levelRead
	// levelAdmin may also change state.
	levelAdmin
)

// cookieName is the cookie that the login form sets; it grants reading.
const cookieName = "gwdoctor_read"

// cookieMaxAge is how long a login lasts, in seconds: a week.
const cookieMaxAge = 7 * 24 * 3600

// tokenMatches reports whether given is want, in time that does not depend
// on where they differ or on their lengths: both are hashed first, so
// subtle.ConstantTimeCompare always compares 32 bytes. An empty want (no
// token configured) matches nothing.
func tokenMatches(given, want string) bool {
	if want == "" || given == "" {
		return false
	}
	g, w := sha256.Sum256([]byte(given)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// cookieFor is the login cookie's value for a token: a MAC of a fixed
// text under the token, so that the cookie is not the token itself and
// changing the token ends every login.
func cookieFor(token string) string {
	if token == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("gwdoctor web login"))
	return hex.EncodeToString(m.Sum(nil))
}

// bearer is the token of an "Authorization: Bearer" header (RFC 6750), or "".
func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// levelOf is what r may do. A bearer token gives its level; the login
// cookie gives reading; so does a loopback listener, when the request
// names a loopback host: a page elsewhere that rebinds its own name to
// 127.0.0.1 sends its own name, and is not let in.
func (s *Server) levelOf(r *http.Request) level {
	if tok := bearer(r); tok != "" {
		switch {
		case tokenMatches(tok, s.o.AdminToken):
			return levelAdmin
		case tokenMatches(tok, s.o.ReadToken):
			return levelRead
		}
	}
	if c, err := r.Cookie(cookieName); err == nil {
		if tokenMatches(c.Value, cookieFor(s.o.ReadToken)) || tokenMatches(c.Value, cookieFor(s.o.AdminToken)) {
			return levelRead
		}
	}
	if s.loopback.Load() && loopbackHost(r.Host) {
		return levelRead
	}
	return levelPublic
}

// canChange reports whether r carries the admin token. Only the header
// counts: a browser never adds it on its own, so another site cannot make
// a visitor's browser change anything (no cross-site request forgery),
// and a loopback listener is no excuse, as any page a browser shows can
// send requests to 127.0.0.1.
func (s *Server) canChange(r *http.Request) bool {
	return tokenMatches(bearer(r), s.o.AdminToken)
}

// loopbackAddr reports whether a listen address binds only loopback
// interfaces: "" and "0.0.0.0" bind them all.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	return loopbackName(host)
}

// loopbackHost reports whether a Host header names this machine's loopback.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return loopbackName(strings.Trim(host, "[]"))
}

func loopbackName(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// localPath is next when it is a path of this site, else "/": the login
// form goes back only to pages here, never to another site.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	return next
}
