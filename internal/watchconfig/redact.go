package watchconfig

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// mark is what stands in for a secret: its length, and nothing of it.
func mark(secret string) string {
	return fmt.Sprintf("[redacted:%d]", utf8.RuneCountInString(secret))
}

// secretWords are the parts of a header or parameter name that say its
// value is a secret ("X-Auth-Token", "X-Api-Key", "CF-Access-Client-Secret").
var secretWords = []string{"token", "secret", "key", "pass", "auth", "cookie", "session", "signature", "credential"}

// secretName reports whether a header or parameter name says its value is
// a secret.
func secretName(name string) bool {
	lower := strings.ToLower(name)
	return slices.ContainsFunc(secretWords, func(w string) bool { return strings.Contains(lower, w) })
}

// looksLikeToken reports whether a value looks like a credential: a JSON
// Web Token, or a run of 20 or more URL-safe or base64 characters mixing
// letters and digits (API keys, hex digests, UUIDs). Words, dates and
// version strings do not.
func looksLikeToken(v string) bool {
	if strings.HasPrefix(v, "eyJ") && strings.Count(v, ".") == 2 {
		return true
	}
	if len(v) < 20 {
		return false
	}
	var letter, digit bool
	for _, c := range v {
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9':
			digit = true
		case !strings.ContainsRune("-_.~+/=", c):
			return false
		}
	}
	return letter && digit
}

// credentialHeaders always carry credentials (RFC 9110 section 11.6, RFC
// 6265 section 5.4) or by common use an API key.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key"}

// redactHeader masks a header's value when its name or the value says it
// is a secret. An authorization keeps its scheme ("Bearer [redacted:40]"),
// a Cookie header its cookie names.
func redactHeader(name, value string) string {
	canon := http.CanonicalHeaderKey(name)
	switch {
	case canon == "Cookie":
		return redactCookieHeader(value)
	case canon == "Authorization" || canon == "Proxy-Authorization":
		if scheme, cred, ok := strings.Cut(value, " "); ok && !strings.ContainsAny(scheme, "=,") {
			return scheme + " " + mark(strings.TrimSpace(cred))
		}
		return mark(value)
	case slices.Contains(credentialHeaders, canon) || secretName(name) || looksLikeToken(value):
		return mark(value)
	}
	return value
}

// redactCookieHeader masks each cookie's value in "a=1; b=2".
func redactCookieHeader(v string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		parts[i] = redactCookie(strings.TrimSpace(p))
	}
	return strings.Join(parts, "; ")
}

// redactCookie masks the value of "name=value".
func redactCookie(c string) string {
	name, value, ok := strings.Cut(c, "=")
	if !ok {
		return mark(c)
	}
	return name + "=" + mark(value)
}

// Redacted returns a copy of c that is safe to show, store or send: the
// values of credential headers (Authorization, Proxy-Authorization,
// Cookie, X-Api-Key, names with token, key, secret, auth… in them) and of
// headers that look like tokens, cookie values, the read and admin tokens,
// the database password, and the secret parts of URLs (user info, query
// parameters named like secrets, and the parts of alert URLs that hold
// tokens, such as Slack's, Discord's and Telegram's paths) are each
// replaced by "[redacted:N]", N being the secret's length. Hash is kept,
// so that the copy still identifies its configuration.
func (c *Config) Redacted() *Config {
	r := c.clone()
	if r.Tokens.Read != "" {
		r.Tokens.Read = mark(r.Tokens.Read)
	}
	if r.Tokens.Admin != "" {
		r.Tokens.Admin = mark(r.Tokens.Admin)
	}
	r.DB = redactURL(r.DB, service{})
	for name, route := range r.Alerts {
		for i, u := range route.URLs {
			route.URLs[i] = redactAlertURL(u)
		}
		r.Alerts[name] = route
	}
	for i := range r.TargetSpecs {
		t := &r.TargetSpecs[i]
		t.URL = redactURL(t.URL, service{bare: true})
		t.Upstream = redactURL(t.Upstream, service{})
		for k, v := range t.Headers {
			t.Headers[k] = redactHeader(k, v)
		}
		for j, ck := range t.Cookies {
			t.Cookies[j] = redactCookie(ck)
		}
	}
	return r
}

// clone copies c deeply enough that the copy's maps and slices can be
// changed.
func (c *Config) clone() *Config {
	r := *c
	r.Groups = maps.Clone(c.Groups)
	r.Alerts = maps.Clone(c.Alerts)
	for name, route := range r.Alerts {
		route.URLs = slices.Clone(route.URLs)
		r.Alerts[name] = route
	}
	r.Maintenance = slices.Clone(c.Maintenance)
	for i := range r.Maintenance {
		w := &r.Maintenance[i]
		w.Targets, w.Groups = slices.Clone(w.Targets), slices.Clone(w.Groups)
	}
	r.TargetSpecs = slices.Clone(c.TargetSpecs)
	for i := range r.TargetSpecs {
		t := &r.TargetSpecs[i]
		t.Expect.Status = slices.Clone(t.Expect.Status)
		t.Headers = maps.Clone(t.Headers)
		t.Cookies = slices.Clone(t.Cookies)
		t.Logs = slices.Clone(t.Logs)
		t.Alerts = slices.Clone(t.Alerts)
		if t.FollowRedirects != nil {
			f := *t.FollowRedirects
			t.FollowRedirects = &f
		}
	}
	return &r
}
