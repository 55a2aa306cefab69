package target

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// SchemeOptions tune ChooseScheme. The zero value is usable.
type SchemeOptions struct {
	// Send makes the requests; default ProbeWith(probe.Options{}).
	Send Sender
	// Timeout bounds each try; default 5s. A site that answers at all
	// completes its TCP and TLS handshakes well within it.
	Timeout time.Duration
}

// Choice is the URL a diagnosis should start from.
type Choice struct {
	// URL is the chosen candidate.
	URL string `json:"url"`
	// Fallback is set when a later candidate was chosen because nothing
	// answered TLS for the first.
	Fallback bool `json:"fallback"`
	// Note explains a fallback in one line for the report, e.g. "nothing
	// answers TLS on shop.example:443 (connection refused);
	// http://shop.example/ answers"; "" otherwise.
	Note string `json:"note,omitempty"`
	// Tries are the requests made, in order; none when there was only one
	// candidate.
	Tries []*probe.Result `json:"tries,omitempty"`
}

// ChooseScheme picks the URL a browser would end up on among a Target's
// candidates. A single candidate (the input named its scheme) is taken
// without a request. Otherwise https is asked first and kept when it gives
// any response, or fails in a way that a browser would show as such (a
// name that does not resolve, a certificate error): the diagnosis is about
// that failure. Only when nothing answers TLS there (connection refused,
// no answer, a port that does not speak TLS) is plain http asked, and
// chosen if it gives a response.
func ChooseScheme(ctx context.Context, candidates []string, opts SchemeOptions) (Choice, error) {
	if len(candidates) == 0 {
		return Choice{}, errors.New("choosing a scheme: no candidate URL")
	}
	if len(candidates) == 1 {
		return Choice{URL: candidates[0]}, nil
	}
	if opts.Send == nil {
		opts.Send = ProbeWith(probe.Options{})
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	c := Choice{URL: candidates[0]}
	first := c.try(ctx, candidates[0], opts)
	why := noTLS(first, opts.Timeout)
	for _, next := range candidates[1:] {
		if why == "" {
			break
		}
		if err := ctx.Err(); err != nil {
			return c, fmt.Errorf("choosing a scheme for %s: %w", candidates[0], err)
		}
		if res := c.try(ctx, next, opts); res.Response != nil {
			c.URL, c.Fallback = next, true
			c.Note = fmt.Sprintf("nothing answers TLS on %s (%s); %s answers", authority(candidates[0]), why, next)
			break
		}
	}
	return c, nil
}

// try asks for rawURL under the per-try deadline and records the result.
func (c *Choice) try(ctx context.Context, rawURL string, opts SchemeOptions) *probe.Result {
	tctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	res := opts.Send(tctx, Request{Method: http.MethodGet, URL: rawURL})
	c.Tries = append(c.Tries, res)
	return res
}

// noTLS says, in a few words, why nothing answers TLS for res, or returns
// "" when something does (a response, or a failure after or inside a TLS
// conversation, such as a refused certificate).
func noTLS(res *probe.Result, timeout time.Duration) string {
	if res.Response != nil {
		return ""
	}
	switch res.Class {
	case probe.ClassRefused:
		return "connection refused"
	case probe.ClassConnectTimeout:
		return "no answer to the connection"
	case probe.ClassUnreachable:
		return "no route"
	case probe.ClassNotTLS:
		return "the port does not speak TLS"
	}
	// The probe classifies a handshake that ran out of time as a handshake
	// failure; a server that says nothing to a ClientHello in the whole
	// try does not speak TLS either.
	if res.FailedIn == probe.PhaseTLS && (errors.Is(res.Err, context.DeadlineExceeded) || res.Timings.Total >= timeout) {
		return "no TLS answer within " + timeout.String()
	}
	return ""
}

// authority is rawURL's host and port, with the scheme's default port
// spelled out ("shop.example:443").
func authority(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	port := u.Port()
	if port == "" {
		port = defaultPort(u.Scheme)
	}
	return net.JoinHostPort(u.Hostname(), port)
}
