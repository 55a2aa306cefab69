package target

import (
	"net/http"
	"slices"
	"strings"
)

// maxCookies caps the cookies kept per host; browsers keep at least 50
// (RFC 6265 section 6.1), and a chain that sets more is no visit anyway.
const maxCookies = 50

// cookie is one cookie a site set.
type cookie struct {
	name, value string
	secure      bool
}

// jar keeps the cookies a redirect chain collects, per host, as a browser
// would carry them to later requests to the same host. It is deliberately
// simple: no Domain or Path scoping and no expiry, except that a cookie set
// with Max-Age zero or less (the usual way to delete one) is removed.
type jar map[string][]cookie

// store records the Set-Cookie headers of a response from host, and
// returns the names of the cookies set.
func (j jar) store(host string, h http.Header) []string {
	var names []string
	for _, line := range h.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			continue // a browser ignores a Set-Cookie it cannot parse
		}
		names = append(names, c.Name)
		kept := slices.DeleteFunc(j[host], func(k cookie) bool { return k.name == c.Name })
		if c.MaxAge >= 0 && len(kept) < maxCookies {
			kept = append(kept, cookie{name: c.Name, value: c.Value, secure: c.Secure})
		}
		j[host] = kept
	}
	return names
}

// header returns the Cookie header value for a request to host over
// scheme, in the order the cookies were set, and the names sent. Secure
// cookies go over https only.
func (j jar) header(scheme, host string) (string, []string) {
	var pairs, names []string
	for _, c := range j[host] {
		if c.secure && scheme != "https" {
			continue
		}
		pairs = append(pairs, c.name+"="+c.value)
		names = append(names, c.name)
	}
	return strings.Join(pairs, "; "), names
}
