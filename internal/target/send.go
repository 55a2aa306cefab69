package target

import (
	"context"
	"net/http"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// Request is one request for a Sender to make.
type Request struct {
	// Method is the request method.
	Method string
	// URL is the absolute http or https URL to ask for.
	URL string
	// Cookie is the value of a Cookie header with the cookies the site set
	// earlier in the redirect chain ("a=1; b=2"), or "" for none. A Sender
	// adds it to whatever cookies it sends of its own.
	Cookie string
}

// Sender makes one request on a fresh connection and returns what it saw;
// it never returns nil. The caller's Sender adds its headers, resolver and
// tagging. It must honour ctx, which carries the deadline of the request.
type Sender func(ctx context.Context, req Request) *probe.Result

// ProbeWith returns a Sender that makes each request with probe.HTTP and
// base, with the request's method, and its cookies added to base's Cookie
// header.
func ProbeWith(base probe.Options) Sender {
	return func(ctx context.Context, req Request) *probe.Result {
		opts := base
		opts.Method = req.Method
		opts.Header = withCookie(base.Header, req.Cookie)
		return probe.HTTP(ctx, req.URL, opts)
	}
}

// withCookie returns h with cookie appended to its Cookie header; h itself
// is not changed.
func withCookie(h http.Header, cookie string) http.Header {
	if cookie == "" {
		return h
	}
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	var have []string
	for k, vs := range out {
		if strings.EqualFold(k, "Cookie") {
			have = append(have, vs...)
			delete(out, k)
		}
	}
	out["Cookie"] = []string{strings.Join(append(have, cookie), "; ")}
	return out
}
