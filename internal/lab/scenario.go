package lab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// Scenario ties a fault to what a correct diagnosis of it concludes.
type Scenario struct {
	// Name identifies the scenario; it equals the fault's name.
	Name string
	// Fault is the upstream's misbehaviour.
	Fault Fault
	// Description says what happens, in a sentence.
	Description string
	// Options tunes the upstream; the zero value gives the defaults.
	Options UpstreamOptions
	// Header holds the "Name: value" request headers the scenario's
	// client sends, as a browser with that state would.
	Header []string
	// Want is the cause ID (docs/causes.md) that a correct diagnosis
	// reaches when it can also probe the upstream directly.
	Want catalog.Cause
	// WantPersistence is "persistent", "intermittent" or "none".
	WantPersistence string
}

// Expect returns the cause and persistence that a correct diagnosis
// reaches, with the upstream's address known, when the scenario runs behind
// the gateway product: Want and WantPersistence, or "ok" and "none" for a
// fault the product absorbs (see Absorbs).
func (s Scenario) Expect(product string) (cause catalog.Cause, persistence string) {
	if Absorbs(product, s.Fault) {
		return catalog.OK, "none"
	}
	return s.Want, s.WantPersistence
}

// RequestHeader returns Header as an http.Header.
func (s Scenario) RequestHeader() http.Header {
	h := make(http.Header)
	for _, line := range s.Header {
		name, value, _ := strings.Cut(line, ":")
		h.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	return h
}

// Scenarios returns one scenario per fault, Healthy first, in the order of
// Faults. Tarpit and EndlessBody are left out: they exist to test that
// clients keep their deadlines, and no single cause describes them.
func Scenarios() []Scenario {
	bomb := "Cookie: theme=dark; " + DefaultCookie + "=" + strings.Repeat("x", 2048) + "; lang=en"
	scenarios := []Scenario{
		{Fault: Healthy, Want: "ok", WantPersistence: "none",
			Description: "the upstream answers 200 to every request"},
		{Fault: Refused, Want: "upstream.refused", WantPersistence: "persistent",
			Description: "nothing listens on the upstream's port, so connecting is refused"},
		{Fault: Closed, Want: "upstream.closed", WantPersistence: "persistent",
			Description: "the upstream reads the request and closes the connection without answering, like a crashed worker"},
		{Fault: Reset, Want: "upstream.closed", WantPersistence: "persistent",
			Description: "the upstream reads the request and resets the connection"},
		{Fault: Invalid, Want: "upstream.invalid_response", WantPersistence: "persistent",
			Description: "the upstream answers with a status line that is not HTTP"},
		{Fault: HeaderTooBig, Want: "upstream.header_too_big", WantPersistence: "persistent",
			Description: "the upstream answers with about 64 KiB of headers, more than the gateway's buffers"},
		{Fault: Timeout, Want: "upstream.timeout", WantPersistence: "persistent",
			Description: "the upstream accepts the request and never answers"},
		{Fault: Slow, Want: "upstream.timeout", WantPersistence: "persistent",
			Description: "the upstream answers after 3 s, later than the gateway's 2 s response timeout"},
		// Every third request fails: a diagnosis interleaves its tries through
		// the gateway with its direct requests, and with every second one the
		// failures would all land on one of the two.
		{Fault: Intermittent, Want: "upstream.closed", WantPersistence: "intermittent", Options: UpstreamOptions{Every: 3},
			Description: "the upstream closes every third request without answering and answers the others"},
		{Fault: AppError, Want: "upstream.app_error", WantPersistence: "persistent",
			Description: "the application itself answers 502 with a JSON error, and the gateway passes it on"},
		{Fault: CookieBomb, Want: "client.request_state", WantPersistence: "persistent",
			Header:      []string{bomb},
			Description: "the upstream fails only for requests with the client's " + DefaultCookie + " cookie"},
		{Fault: TLS, Want: "upstream.tls", WantPersistence: "persistent",
			Description: "the upstream speaks HTTPS with a self-signed certificate that the gateway does not trust"},
		{Fault: Truncated, Want: "upstream.truncated", WantPersistence: "persistent",
			Description: "the upstream announces 64 KiB of body, sends 1 KiB and closes the connection"},
		{Fault: Unreachable, Want: "upstream.unreachable", WantPersistence: "persistent",
			Description: "connections to the upstream go unanswered, as behind a firewall that drops packets"},
	}
	for i := range scenarios {
		scenarios[i].Name = string(scenarios[i].Fault)
	}
	return scenarios
}

// LookupScenario returns the scenario called name.
func LookupScenario(name string) (Scenario, bool) {
	for _, s := range Scenarios() {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// Running is a started scenario: its upstream and the gateway in front.
type Running struct {
	Scenario Scenario
	Upstream *Upstream
	Gateway  Gateway
}

// StartScenario starts s's upstream and the gateway opts.Product (the Go
// gateway by default) in front of it. Close stops both.
func StartScenario(ctx context.Context, s Scenario, opts GatewayOptions) (*Running, error) {
	u, err := StartUpstream(ctx, s.Fault, s.Options)
	if err != nil {
		return nil, fmt.Errorf("starting scenario %s: %w", s.Name, err)
	}
	product := opts.Product
	if product == "" {
		product = "go"
	}
	g, err := StartGateway(ctx, product, u.URL(), opts)
	if err != nil {
		u.Close()
		return nil, fmt.Errorf("starting scenario %s: %w", s.Name, err)
	}
	return &Running{Scenario: s, Upstream: u, Gateway: g}, nil
}

// Close stops the gateway, then the upstream.
func (r *Running) Close() error {
	return errors.Join(r.Gateway.Close(), r.Upstream.Close())
}
