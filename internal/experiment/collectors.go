package experiment

import (
	"context"
	"net"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// wave says when a collector runs, measured against the tries.
type wave int

const (
	// beside: at once, concurrently with the tries and with each other.
	beside wave = iota
	// after: once the tries are in, one after another in table order
	// (each reads what the tries saw).
	after
	// last: once every other collector is done.
	last
)

// A collector is one experiment of a diagnosis: when its condition holds,
// it runs in its wave and fills its own fields of the evidence, and no
// other's. A new experiment is a row here, a function beside it, and its
// field in diagnose.Evidence.
type collector struct {
	name string
	wave wave
	when func(r *runner, ev *diagnose.Evidence) bool
	run  func(r *runner, ctx context.Context, ev *diagnose.Evidence) // a method expression of runner
}

// collectors are the experiments besides the tries themselves.
var collectors = []collector{
	{"upstream", beside, hasUpstream, (*runner).collectUpstream},
	{"socket", beside, func(r *runner, _ *diagnose.Evidence) bool { return socketPath(r.plan.Upstream) != "" }, (*runner).collectSocket},
	{"origin", beside, func(r *runner, _ *diagnose.Evidence) bool { return r.plan.Origin != "" }, (*runner).collectOrigin},
	{"keep-alive", beside, httpUpstream(func(p Plan) bool { return p.KeepAliveWait > 0 }), (*runner).collectKeepAlive},
	{"health check", beside, httpUpstream(func(p Plan) bool { return p.HealthCheck != nil }), (*runner).collectHealthCheck},
	{"variants", beside, func(*runner, *diagnose.Evidence) bool { return true }, (*runner).collectVariants},
	{"families", after, func(*runner, *diagnose.Evidence) bool { return true }, (*runner).collectFamilies},
	{"http/1.1", after, wantsHTTP1, (*runner).collectHTTP1},
	{"dns", after, wantsDNS, (*runner).collectDNS},
	{"shrink", last, func(r *runner, ev *diagnose.Evidence) bool { return r.needsShrink(*ev) }, (*runner).collectShrink},
}

func hasUpstream(r *runner, _ *diagnose.Evidence) bool { return r.plan.Upstream != "" }

// httpUpstream holds for an upstream asked over HTTP when cond holds.
func httpUpstream(cond func(Plan) bool) func(*runner, *diagnose.Evidence) bool {
	return func(r *runner, _ *diagnose.Evidence) bool {
		_, fcgi := FastCGIAddr(r.plan.Upstream)
		return r.plan.Upstream != "" && !fcgi && cond(r.plan)
	}
}

// wantsHTTP1: browsers speak HTTP/2 where the site offers it; one request
// over HTTP/1.1 shows whether the failure belongs to one version.
func wantsHTTP1(r *runner, ev *diagnose.Evidence) bool {
	return r.plan.Protocol == probe.ProtocolAuto && spokeH2(ev.Tries)
}

func wantsDNS(r *runner, ev *diagnose.Evidence) bool {
	return len(r.plan.CompareDNS) > 0 && noResponse(ev.Tries) && net.ParseIP(r.base.Hostname()) == nil
}

// collectUpstream asks the upstream directly, a little beyond the tries
// (upstreamGrace), then in FastCGI or over TLS when its answers call for it.
func (r *runner) collectUpstream(ctx context.Context, ev *diagnose.Evidence) {
	ev.UpstreamAddr = r.plan.Upstream
	uctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-r.triesDone:
			t := time.NewTimer(upstreamGrace)
			defer t.Stop()
			select {
			case <-t.C:
			case <-uctx.Done():
			}
		case <-uctx.Done():
		}
		cancel()
	}()
	r.progress("asking the upstream directly")
	up := r.series(uctx, "upstream try", r.plan.Spacing/2, r.plan.Tries, r.upstreamRequest)
	if closedAtOnce(up) {
		r.progress("asking the upstream in FastCGI")
		ev.UpstreamFastCGI = r.fastCGISniff(ctx)
	}
	fastCGI := ev.UpstreamFastCGI != nil && ev.UpstreamFastCGI.Probe.Response != nil
	if plainToTLS(up) || closedAtOnce(up) && !fastCGI {
		r.progress("asking the upstream over TLS")
		ev.UpstreamTLS = r.tlsSniff(ctx)
	}
	ev.Upstream = up
}

// socketPath is the path of a unix socket upstream ("unix:/path",
// "fcgi:unix:/path"), or "".
func socketPath(upstream string) string {
	path, ok := strings.CutPrefix(strings.TrimPrefix(upstream, "fcgi:"), "unix:")
	if !ok {
		return ""
	}
	return path
}

// collectSocket reads who may open a unix socket upstream. A socket that
// cannot be read leaves the field empty: the requests to it tell why.
func (r *runner) collectSocket(_ context.Context, ev *diagnose.Evidence) {
	if s, err := probe.StatSocket(socketPath(r.plan.Upstream)); err == nil {
		ev.UpstreamSocket = &s
	}
}

func (r *runner) collectOrigin(ctx context.Context, ev *diagnose.Evidence) {
	ev.OriginAddr = r.originAddr()
	r.progress("asking the origin directly")
	ev.Origin = r.series(ctx, "origin try", r.plan.Spacing/4, r.plan.Tries, r.originRequest)
}

func (r *runner) collectKeepAlive(ctx context.Context, ev *diagnose.Evidence) {
	req := r.upstreamRequest(0)
	res := probe.KeepAlive(ctx, req.url, probe.KeepAliveOptions{
		ConnectTo: req.connectTo, Header: req.header, Wait: r.plan.KeepAliveWait,
		Insecure: r.plan.Insecure, Dialer: r.plan.Dialer, Resolver: r.plan.Resolver,
	})
	ev.UpstreamKeepAlive = &res
}

func (r *runner) collectHealthCheck(ctx context.Context, ev *diagnose.Evidence) {
	r.progress("replaying the gateway's health check")
	ev.HealthCheck = r.healthCheck(ctx, r.plan.HealthCheck)
}

func (r *runner) collectVariants(ctx context.Context, ev *diagnose.Evidence) {
	ev.Variants = r.variants(ctx)
}

func (r *runner) collectFamilies(ctx context.Context, ev *diagnose.Evidence) {
	ev.Families = r.families(ctx, ev.Tries)
}

func (r *runner) collectHTTP1(ctx context.Context, ev *diagnose.Evidence) {
	r.progress("asking again over HTTP/1.1")
	req := r.userRequest(0)
	req.protocol = probe.ProtocolHTTP1
	a := r.attempt(ctx, "http/1.1", req)
	ev.HTTP1 = &a
}

func (r *runner) collectDNS(ctx context.Context, ev *diagnose.Evidence) {
	r.progress("asking other DNS servers")
	ev.DNS = r.compareDNS(ctx, ev.Tries)
}

func (r *runner) collectShrink(ctx context.Context, ev *diagnose.Evidence) {
	r.progress("finding the cookie or header responsible")
	ev.Culprits, ev.Variants = r.shrink(ctx, ev.Variants)
}
