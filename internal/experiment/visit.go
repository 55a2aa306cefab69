package experiment

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/fingerprint"
	"github.com/gwdoctor/gwdoctor/internal/probe"
	"github.com/gwdoctor/gwdoctor/internal/target"
)

// VisitOptions say how the visitor's address is reached.
type VisitOptions struct {
	// Input is the address as typed; Candidates are its URLs in the order
	// a browser tries them (https first for a bare name). One candidate,
	// or none, means Plan.URL.
	Input      string
	Candidates []string
	// Follow follows redirects as a browser does; without it, only the
	// scheme of a bare name is chosen.
	Follow bool
}

// Visit reaches the page the visitor ends on: it picks the scheme of a
// bare name as a browser does, then follows the redirects from there. It
// returns how it got there and the URL the experiments should look at;
// the visit is nil when it made no request.
func Visit(ctx context.Context, plan Plan, opts VisitOptions) (*diagnose.Visit, string) {
	plan.defaults()
	send := target.ProbeWith(visitOptions(plan))
	start := plan.URL
	v := &diagnose.Visit{Input: opts.Input}
	if len(opts.Candidates) > 1 {
		c, err := target.ChooseScheme(ctx, opts.Candidates, target.SchemeOptions{Send: send, Timeout: min(5*time.Second, plan.Timeout)})
		if err == nil {
			start, v.SchemeNote = c.URL, c.Note
		}
	}
	if !opts.Follow {
		if v.SchemeNote == "" && start == plan.URL {
			return nil, start
		}
		return v, start
	}
	chain, err := target.Follow(ctx, tagURL(start, plan.ID), target.FollowOptions{Send: send, Method: plan.Method, HopTimeout: plan.Timeout, Now: plan.Now})
	if err != nil || len(chain.Hops) == 0 {
		return v, start
	}
	v.End, v.Final, v.Loop, v.Note = chain.End, chain.Final, chain.Loop, chain.Note
	for i, h := range chain.Hops {
		v.Hops = append(v.Hops, Recognised(fmt.Sprintf("hop %d", i+1), h.Result))
	}
	return v, untagURL(chain.Final, plan.ID)
}

// visitOptions are the probe options of the visit's requests: the user's
// headers and cookies, and the tag in a header only, so that the URLs the
// site redirects between stay its own.
func visitOptions(p Plan) probe.Options {
	h := http.Header{}
	for k, vs := range p.Header {
		if !strings.EqualFold(k, "Cookie") {
			h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
		}
	}
	if len(p.Cookies) > 0 {
		h.Set("Cookie", strings.Join(p.Cookies, "; "))
	}
	if p.ID != "" {
		h.Set(TagHeader, p.ID+"-visit")
	}
	return probe.Options{Header: h, Resolve: p.Resolve, Insecure: p.Insecure, Dialer: p.Dialer, Resolver: p.Resolver, Now: p.Now}
}

// tagURL adds the visit's tag to the query of the first URL, as the tries
// carry theirs, so that the gateway's log lines of the visit are known as
// this diagnosis's.
func tagURL(raw, id string) string {
	if id == "" {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(TagParam, id+"-visit")
	u.RawQuery = q.Encode()
	return u.String()
}

// untagURL takes the visit's tag out of the URL the chain ended on, where
// the site's redirects carried it, so that the tries add their own.
func untagURL(raw, id string) string {
	u, err := url.Parse(raw)
	if err != nil || id == "" || u.Query().Get(TagParam) != id+"-visit" {
		return raw
	}
	q := u.Query()
	q.Del(TagParam)
	u.RawQuery = q.Encode()
	return u.String()
}

// Recognised is one request's result with who answered it.
func Recognised(label string, res *probe.Result) diagnose.Attempt {
	a := diagnose.Attempt{Label: label, Probe: res}
	if res != nil && res.Response != nil {
		fp := fingerprint.Identify(fingerprint.Response{
			Status:        res.Response.Status,
			Header:        res.Response.Header,
			Body:          res.Response.Body,
			BodyTruncated: res.Response.BodyTruncated,
		})
		a.Print = &fp
	}
	return a
}
