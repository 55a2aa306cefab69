package target

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// FollowOptions tune Follow. The zero value is usable.
type FollowOptions struct {
	// Send makes the requests; default ProbeWith(probe.Options{}).
	Send Sender
	// Method is the method of the first request; default GET.
	Method string
	// MaxRedirects is how many redirects are followed before the chain is
	// "too many redirects"; default 20, the limit of the Fetch standard
	// (section 4.4, HTTP-redirect fetch), Chrome and Firefox.
	MaxRedirects int
	// HopTimeout bounds each request; default 15s.
	HopTimeout time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (o *FollowOptions) defaults() {
	if o.Send == nil {
		o.Send = ProbeWith(probe.Options{})
	}
	if o.Method == "" {
		o.Method = http.MethodGet
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 20
	}
	if o.HopTimeout <= 0 {
		o.HopTimeout = 15 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// End says why a redirect chain ended.
type End string

// The ends of a chain.
const (
	// EndFinal: the last response is not a redirect; the chain arrived.
	EndFinal End = "final"
	// EndFailed: the last request got no response, or a 5xx; the diagnosis
	// goes on from that hop.
	EndFailed End = "failed"
	// EndNoLocation: the last response is a redirect without a usable
	// Location; a browser shows it as it is.
	EndNoLocation End = "no_location"
	// EndLoop: the next request would repeat an earlier one; Chain.Loop
	// names the cycle.
	EndLoop End = "loop"
	// EndTooMany: the redirect limit was reached without a repeat (a
	// browser's "too many redirects" all the same); Chain.Loop is set.
	EndTooMany End = "too_many_redirects"
)

// Hop is one request of a redirect chain.
type Hop struct {
	// Method and URL are what was asked (URL without a fragment).
	Method string `json:"method"`
	URL    string `json:"url"`
	// Scheme and Host (the host name, without port) are the URL's, for
	// explaining loops.
	Scheme string `json:"scheme"`
	Host   string `json:"host"`
	// At is when the request was sent.
	At time.Time `json:"at"`
	// Status is the response status, 0 when no response came.
	Status int `json:"status"`
	// Location is the response's Location header as sent, "" when absent.
	Location string `json:"location,omitempty"`
	// Next is Location resolved against URL: the URL of the following hop,
	// or "" when the chain ends here.
	Next string `json:"next,omitempty"`
	// Cookies are the names of the cookies sent, which the site set earlier
	// in the chain; SetCookies are the names this response set.
	Cookies    []string `json:"cookies,omitempty"`
	SetCookies []string `json:"set_cookies,omitempty"`
	// Result is the probe's result: timings, address, who answered.
	Result *probe.Result `json:"probe"`

	cookie string // the Cookie header sent
}

// Chain is the course of a redirect chain.
type Chain struct {
	// Hops are the requests made, in order; at least one unless ctx had
	// ended before the first.
	Hops []Hop `json:"hops"`
	// End says why the chain ended.
	End End `json:"end"`
	// Final is the URL of the last hop, the one a diagnosis looks at.
	Final string `json:"final"`
	// Loop describes the loop when End is EndLoop or EndTooMany.
	Loop *Loop `json:"loop,omitempty"`
	// Note explains an EndNoLocation or EndTooMany end in one line.
	Note string `json:"note,omitempty"`
}

// Follow requests rawURL and follows its redirects as a browser does.
//
// Only 301, 302, 303, 307 and 308 redirect; 301 and 302 turn a POST into a
// GET, 303 turns anything but GET and HEAD into a GET, 307 and 308 keep the
// method (Fetch standard, HTTP-redirect fetch); no request body is ever
// sent. Locations are resolved against the current URL (RFC 3986 section
// 5), and may change host and scheme. Cookies that a response sets are sent
// to later hops of the same host.
//
// The chain ends at the first response that is not a redirect, at a
// request without a response or with a 5xx, at a redirect without a usable
// Location, or at a loop: a request (method, URL and the chain's cookies)
// that was made before. The same URL with different cookies is no loop, as
// a site's cookie check ("set a cookie, redirect to the same page") ends.
// A cycle whose requests carry the chain's cookies is asked again without
// them, at most once per hop of the cycle, to tell whether the cookie keeps
// it going (LoopCookie).
//
// An error is returned only when rawURL is not an absolute http or https
// URL, or ctx ends; the chain is then filled as far as it got.
func Follow(ctx context.Context, rawURL string, opts FollowOptions) (Chain, error) {
	u, err := absolute(rawURL)
	if err != nil {
		return Chain{}, fmt.Errorf("following redirects from %q: %w", rawURL, err)
	}
	opts.defaults()
	f := &follower{opts: opts, jar: jar{}, seen: map[string]int{}}
	ch := f.run(ctx, u)
	if len(ch.Hops) > 0 {
		ch.Final = ch.Hops[len(ch.Hops)-1].URL
	}
	if err := ctx.Err(); err != nil {
		return ch, fmt.Errorf("following redirects from %s: %w", u, err)
	}
	return ch, nil
}

type follower struct {
	opts FollowOptions
	jar  jar
	seen map[string]int // request key -> index of its hop
}

// run makes the chain's requests until one ends it.
func (f *follower) run(ctx context.Context, u *url.URL) Chain {
	var ch Chain
	method := f.opts.Method
	cookie, names := "", []string(nil)
	for ctx.Err() == nil {
		i := len(ch.Hops)
		f.seen[requestKey(method, u.String(), cookie)] = i
		ch.Hops = append(ch.Hops, f.send(ctx, method, u, cookie, names))
		hop := &ch.Hops[i]
		next, end, note := f.step(hop)
		if end != "" {
			ch.End, ch.Note = end, note
			return ch
		}
		method = redirectMethod(hop.Status, method)
		cookie, names = f.jar.header(next.Scheme, next.Hostname())
		if j, ok := f.seen[requestKey(method, next.String(), cookie)]; ok {
			ch.End = EndLoop
			ch.Loop = f.loop(ctx, ch.Hops[j:], j)
			return ch
		}
		if i == f.opts.MaxRedirects {
			ch.End, ch.Loop = EndTooMany, &Loop{Kind: LoopEndless}
			ch.Note = fmt.Sprintf("more than %d redirects, and no URL repeats", f.opts.MaxRedirects)
			return ch
		}
		u = next
	}
	ch.End = EndFailed
	return ch
}

// send makes one request of the chain under the per-hop deadline.
func (f *follower) send(ctx context.Context, method string, u *url.URL, cookie string, names []string) Hop {
	hop := Hop{
		Method: method, URL: u.String(), Scheme: u.Scheme, Host: u.Hostname(),
		At: f.opts.Now(), Cookies: names, cookie: cookie,
	}
	hctx, cancel := context.WithTimeout(ctx, f.opts.HopTimeout)
	defer cancel()
	hop.Result = f.opts.Send(hctx, Request{Method: method, URL: hop.URL, Cookie: cookie})
	if r := hop.Result.Response; r != nil {
		hop.Status = r.Status
		hop.Location = r.Header.Get("Location")
		hop.SetCookies = f.jar.store(hop.Host, r.Header)
	}
	return hop
}

// step reads a hop's answer: the URL to go on to, or why the chain ends
// here (with a note when that needs one).
func (f *follower) step(hop *Hop) (*url.URL, End, string) {
	switch {
	case hop.Result.Response == nil || hop.Status >= 500:
		return nil, EndFailed, ""
	case !isRedirect(hop.Status):
		return nil, EndFinal, ""
	case strings.TrimSpace(hop.Location) == "":
		return nil, EndNoLocation, fmt.Sprintf("the %d from %s has no Location header", hop.Status, hop.URL)
	}
	next, err := resolve(hop.URL, hop.Location)
	if err != nil {
		return nil, EndNoLocation, fmt.Sprintf("the %d from %s has an unusable Location %q: %v", hop.Status, hop.URL, hop.Location, err)
	}
	hop.Next = next.String()
	return next, "", ""
}

// requestKey identifies a request for loop detection.
func requestKey(method, rawURL, cookie string) string {
	return method + " " + rawURL + "\x00" + cookie
}

// isRedirect reports whether a browser follows a response with status
// (Fetch standard: "a redirect status is 301, 302, 303, 307, or 308").
func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// redirectMethod is the method of the request that follows a redirect
// with status (Fetch standard, HTTP-redirect fetch, step 12).
func redirectMethod(status int, method string) string {
	switch {
	case (status == http.StatusMovedPermanently || status == http.StatusFound) && method == http.MethodPost:
		return http.MethodGet
	case status == http.StatusSeeOther && method != http.MethodGet && method != http.MethodHead:
		return http.MethodGet
	}
	return method
}

// absolute parses an absolute http or https URL into its canonical form.
func absolute(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parsing URL: %w", err)
	}
	if !u.IsAbs() {
		return nil, errors.New("not an absolute URL")
	}
	return canonical(u)
}

// resolve resolves a Location header against the URL that sent it, as a
// browser does, and returns the next URL in canonical form.
func resolve(base, location string) (*url.URL, error) {
	b, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("parsing URL: %w", err)
	}
	ref, err := url.Parse(percentEncode(strings.TrimSpace(location)))
	if err != nil {
		return nil, fmt.Errorf("parsing Location: %w", err)
	}
	return canonical(b.ResolveReference(ref))
}

// canonical checks that u is an http or https URL with a valid host and
// returns it as a browser would request it: lowercase scheme and host (IDN
// in punycode), no default port, a path of at least "/", no fragment, no
// user info.
func canonical(u *url.URL) (*url.URL, error) {
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return nil, fmt.Errorf("scheme %q: only http and https", u.Scheme)
	}
	raw := u.Hostname()
	host, err := hostName(raw, strings.Contains(raw, ":"))
	if err != nil {
		return nil, err
	}
	port := u.Port()
	if port != "" {
		if port, err = checkPort(port); err != nil {
			return nil, err
		}
	}
	out := *u
	out.Scheme, out.Host, out.User, out.Fragment, out.RawFragment = scheme, hostPort(scheme, host, port), nil, "", ""
	if out.Path == "" {
		out.Path, out.RawPath = "/", ""
	}
	out.Opaque, out.OmitHost = "", false
	return &out, nil
}
