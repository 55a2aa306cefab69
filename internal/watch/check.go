// Package watch keeps watching sites with the one diagnosis pipeline: a
// routine check is one request with full phase timing; when checks fail,
// the monitor's rules ask for exactly the diagnosis that gwdoctor diagnose
// runs (internal/doctor.Run), and incidents keep it. It wires the pieces
// together: the configuration (internal/watchconfig), the scheduler and
// the incident rules (internal/monitor), storage (internal/store), the
// pages and metrics (internal/web) and alerts.
package watch

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/experiment"
	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/probe"
	"github.com/gwdoctor/gwdoctor/internal/target"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// Record is a check's own record, handed to storage and to the terminal.
type Record struct {
	URL      string
	Timings  probe.Timings
	Protocol string
	Class    probe.Class
	Error    string
	// Redirects is how many redirects were followed to URL.
	Redirects int
}

// Checker runs routine checks. The zero value is usable.
type Checker struct {
	// Dialer and Resolver default to net's.
	Dialer   probe.Dialer
	Resolver probe.Resolver
	// Insecure goes on after certificate verification failures.
	Insecure bool
}

// Check makes one request to the target as a browser would (its headers
// and cookies, its redirects followed when the target says so) with full
// phase timing, and says whether it is healthy. A failure's cause is the
// judge's reading of that one response: the full diagnosis comes later,
// when the monitor asks for it.
func (c Checker) Check(ctx context.Context, t monitor.Target) monitor.CheckResult {
	spec, _ := t.Spec.(watchconfig.Target)
	opts := probe.Options{Header: requestHeader(spec), Insecure: c.Insecure, Dialer: c.Dialer, Resolver: c.Resolver}
	if dl, ok := ctx.Deadline(); ok {
		opts.Timeout = time.Until(dl)
	}
	rec := Record{URL: spec.URL}
	var res *probe.Result
	if spec.FollowRedirects {
		chain, _ := target.Follow(ctx, spec.URL, target.FollowOptions{Send: target.ProbeWith(opts), HopTimeout: opts.Timeout})
		if n := len(chain.Hops); n > 0 {
			res, rec.URL, rec.Redirects = chain.Hops[n-1].Result, chain.Final, n-1
		}
	}
	if res == nil {
		res = probe.HTTP(ctx, spec.URL, opts)
	}
	rec.Timings, rec.Protocol, rec.Class, rec.Error = res.Timings, res.Protocol, res.Class, res.Error
	a := experiment.Recognised("check", res)
	out := monitor.CheckResult{Status: a.Status(), GeneratedBy: diagnose.GeneratedBy{Role: "unknown", Product: "unknown"}, Detail: rec}
	if a.Print != nil {
		out.GeneratedBy = diagnose.GeneratedBy{Role: a.Print.Generator.Role, Product: a.Print.Generator.Product}
	}
	out.OK = !a.Failed() && expected(spec, res)
	out.Cause = diagnose.OK
	if !out.OK {
		out.Cause = quickCause(spec, a)
	}
	return out
}

// quickCause is the judge's reading of one failed response; an answer that
// only misses the target's expectations (a 404, a body without its text)
// is "unknown", which the full diagnosis may explain.
func quickCause(spec watchconfig.Target, a diagnose.Attempt) diagnose.Cause {
	if !a.Failed() {
		return diagnose.Unknown
	}
	v := diagnose.Judge(diagnose.Evidence{URL: spec.URL, Tries: []diagnose.Attempt{a}})
	return v.Cause
}

// expected reports whether a response meets the target's expectations:
// its status ranges (default: anything that is not a gateway failure) and
// its body text or pattern.
func expected(spec watchconfig.Target, res *probe.Result) bool {
	r := res.Response
	if r == nil {
		return false
	}
	if len(spec.Status) > 0 && !inRanges(spec.Status, r.Status) {
		return false
	}
	if spec.BodyContains != "" && !strings.Contains(string(r.Body), spec.BodyContains) {
		return false
	}
	return spec.BodyRegexp == nil || spec.BodyRegexp.Match(r.Body)
}

func inRanges(rs []watchconfig.StatusRange, status int) bool {
	for _, r := range rs {
		if status >= r.Min && status <= r.Max {
			return true
		}
	}
	return false
}

// requestHeader is the target's headers with its cookies.
func requestHeader(spec watchconfig.Target) http.Header {
	h := spec.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if len(spec.Cookies) > 0 {
		h.Set("Cookie", strings.Join(spec.Cookies, "; "))
	}
	return h
}
