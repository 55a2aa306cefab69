package diagnose

import (
	"bytes"
	"encoding/json"
	"math"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/fingerprint"
	"github.com/gwdoctor/gwdoctor/internal/probe"
)

// Attempt is one request and what was recognised in its response.
type Attempt struct {
	// Label names the attempt in the report: "try 1", "no-cache", "upstream try 2".
	Label string `json:"label"`
	// Offset is when the attempt started, from the start of the diagnosis.
	Offset time.Duration       `json:"-"`
	Probe  *probe.Result       `json:"probe"`
	Print  *fingerprint.Result `json:"fingerprint,omitempty"`
}

// MarshalJSON adds offset_ms.
func (a Attempt) MarshalJSON() ([]byte, error) {
	type plain Attempt
	return json.Marshal(struct {
		plain
		OffsetMS float64 `json:"offset_ms"`
	}{plain(a), millis(a.Offset)})
}

// UnmarshalJSON reads an Attempt as MarshalJSON writes it.
func (a *Attempt) UnmarshalJSON(b []byte) error {
	type plain Attempt
	var in struct {
		plain
		OffsetMS float64 `json:"offset_ms"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*a = Attempt(in.plain)
	a.Offset = fromMillis(in.OffsetMS)
	return nil
}

// Status is the HTTP status of the attempt, 0 without a response.
func (a Attempt) Status() int {
	if a.Probe == nil || a.Probe.Response == nil {
		return 0
	}
	return a.Probe.Response.Status
}

// Failed reports whether the attempt is a failure of the kind gwdoctor
// diagnoses: no HTTP response at all, a gateway status (502, 503, 504, the
// CDN codes 520 to 530), or a response that broke off.
func (a Attempt) Failed() bool {
	if a.Probe == nil || a.Probe.Response == nil {
		return true
	}
	if a.Probe.Class == probe.ClassBodyTruncated {
		return true
	}
	if IsGatewayStatus(a.Status()) {
		return true
	}
	if a.Status() == 0 {
		// A page without its status (pasted from a browser's screen) that a
		// product's error page, or its own words, mark as a failure.
		return a.Print != nil && (a.Print.ErrorPage || a.Print.Reading.Cause != "")
	}
	return a.gatewayPage() || a.http09Body()
}

// gatewayPage reports a 500 that a gateway wrote about its upstream, as
// Apache ("500 Proxy Error") and lighttpd do for some upstream failures.
func (a Attempt) gatewayPage() bool {
	fp := a.Print
	return a.Status() == 500 && fp != nil && fp.ErrorPage && !fp.PassedThrough &&
		fp.Generator.Role != "application" && fp.Generator.Role != "unknown" && fp.Generator.Role != "app_server"
}

// http09Body reports a success whose body starts with an HTTP status line:
// a gateway (Apache's mod_proxy_http, nginx) took an upstream answer it
// could not parse for an HTTP/0.9 response and passed it on as the body.
func (a Attempt) http09Body() bool {
	r := a.Probe.Response
	return r.Status < 300 && bytes.HasPrefix(r.Body, []byte("HTTP/"))
}

// IsGatewayStatus reports whether status is one that gateways use to report
// upstream failures: catalog.IsGatewayStatus, for the package's callers.
func IsGatewayStatus(status int) bool {
	return catalog.IsGatewayStatus(status)
}

// Variant is a replay of the request with something changed, to test a
// hypothesis about the client's own state.
type Variant struct {
	// Name is a short identifier: "without-client-state", "no-cache", "only:Cookie:session".
	Name string `json:"name"`
	// Change describes what differs from the original request.
	Change string `json:"change"`
	// Items are the user-supplied headers or cookies the variant sends.
	Items   []string `json:"items,omitempty"`
	Attempt Attempt  `json:"attempt"`
}

// Limit is a timeout or size limit configured along the chain.
type Limit struct {
	Name    string `json:"name"` // e.g. "proxy_read_timeout", "ResponseHeaderTimeout"
	Product string `json:"product"`
	// Timeout is the limit's duration, zero for a size limit.
	Timeout time.Duration `json:"-"`
	// HeaderBytes is a response-head size limit, zero for a timeout.
	HeaderBytes int `json:"header_bytes,omitempty"`
	// Connect marks a timeout on connecting to the upstream; the others
	// bound the wait for its answer.
	Connect bool `json:"connect,omitempty"`
}

// MarshalJSON adds timeout_ms for a timeout.
func (l Limit) MarshalJSON() ([]byte, error) {
	type plain Limit
	return json.Marshal(struct {
		plain
		TimeoutMS float64 `json:"timeout_ms,omitempty"`
	}{plain(l), millis(l.Timeout)})
}

// UnmarshalJSON reads a Limit as MarshalJSON writes it.
func (l *Limit) UnmarshalJSON(b []byte) error {
	type plain Limit
	var in struct {
		plain
		TimeoutMS float64 `json:"timeout_ms"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*l = Limit(in.plain)
	l.Timeout = fromMillis(in.TimeoutMS)
	return nil
}

// Evidence is everything the experiments gathered about one URL.
type Evidence struct {
	URL string `json:"url"`
	// Saved marks the evidence of a page someone saved or pasted (gwdoctor
	// identify): one response, with no timing and no replays, that says
	// nothing of persistence.
	Saved bool `json:"saved,omitempty"`
	// Visit is how the address was reached: the scheme of a bare name and
	// the redirects followed to URL.
	Visit *Visit `json:"visit,omitempty"`
	// Families are the request sent once over IPv6 alone and once over
	// IPv4 alone, when the site's name has addresses of both.
	Families []Attempt `json:"families,omitempty"`
	// HTTP1 is the request sent once more over HTTP/1.1 when the tries
	// spoke HTTP/2, to tell a failure of one HTTP version from the site's.
	HTTP1 *Attempt `json:"http1,omitempty"`
	// Tries are the repeated requests as the user's client would send them, in start order.
	Tries []Attempt `json:"tries"`
	// StateItems are the headers and cookies the user supplied, by name
	// ("Cookie: session", "Authorization"); empty when none.
	StateItems []string `json:"state_items,omitempty"`
	// Variants are replays with client state removed or caches bypassed.
	Variants []Variant `json:"variants,omitempty"`
	// Culprits are the state items found to trigger the failure on their own.
	Culprits []string `json:"culprits,omitempty"`
	// Upstream are requests sent straight to the upstream behind the gateway.
	Upstream []Attempt `json:"upstream,omitempty"`
	// UpstreamAddr is where the Upstream attempts went.
	UpstreamAddr string `json:"upstream_addr,omitempty"`
	// UpstreamKeepAlive is how the upstream treated an idle keep-alive
	// connection, when that was measured.
	UpstreamKeepAlive *probe.KeepAliveResult `json:"upstream_keepalive,omitempty"`
	// Origin are the user's requests sent straight to the origin, past the
	// CDN or load balancer in front (same Host, TLS server name and path).
	Origin []Attempt `json:"origin,omitempty"`
	// OriginAddr is where the Origin attempts went.
	OriginAddr string `json:"origin_addr,omitempty"`
	// DNS compares this machine's answer for the site's name with other
	// DNS servers', when the tries got no response and servers to compare
	// with were given.
	DNS *DNSCheck `json:"dns,omitempty"`
	// Reported is what the user's own client saw, when the request came
	// from a record of it (a HAR file).
	Reported *Reported `json:"reported,omitempty"`
	// UpstreamTLS is the request sent over TLS to a plain HOST:PORT upstream
	// that answered plain HTTP as a TLS server does, its certificate
	// recorded.
	UpstreamTLS *Attempt `json:"upstream_tls,omitempty"`
	// UpstreamSocket is the owner and mode of a unix socket Upstream, which
	// decide who may open it.
	UpstreamSocket *probe.Socket `json:"upstream_socket,omitempty"`
	// GatewaySpeaks is the protocol the gateway's configuration has it
	// speak to the upstream ("http", "fastcgi"), "" when not known.
	GatewaySpeaks string `json:"gateway_speaks,omitempty"`
	// UpstreamFastCGI is one FastCGI request to an HTTP Upstream that
	// closed every HTTP request at once: an answer means it speaks FastCGI.
	UpstreamFastCGI *Attempt `json:"upstream_fastcgi,omitempty"`
	// HealthCheck is the gateway's own health check of the upstream,
	// replayed against it, when the configuration has one.
	HealthCheck *HealthCheck `json:"health_check,omitempty"`
	// Logs are the log lines of the diagnosis's requests, from --log.
	Logs []LogLine `json:"logs,omitempty"`
	// Limits are timeouts and sizes configured along the chain (from the lab,
	// a config or the user); product defaults are added by the judge.
	Limits []Limit `json:"limits,omitempty"`
	// Inputs are the log and configuration files the diagnosis was
	// given, each with what became of it.
	Inputs []Input `json:"inputs,omitempty"`
	// Incomplete lists experiments that could not finish within the budget.
	Incomplete []string `json:"incomplete,omitempty"`
}

// Outside is the evidence a visitor gathers: the same responses, without
// the requests straight to the upstream, the gateway's health check, its
// logs and the limits that only the gateway's host knows.
func (e Evidence) Outside() Evidence {
	e.Upstream, e.UpstreamAddr, e.UpstreamKeepAlive, e.UpstreamFastCGI, e.Limits = nil, "", nil, nil, nil
	e.UpstreamTLS, e.UpstreamSocket = nil, nil
	e.Logs, e.HealthCheck = nil, nil
	return e
}

// HealthCheck is a gateway's health check of its upstream, replayed.
type HealthCheck struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	// Expect is what the gateway expects, as its configuration writes it;
	// "" for any 2xx or 3xx status.
	Expect string `json:"expect,omitempty"`
	// Where is the configuration's file:line.
	Where   string  `json:"where,omitempty"`
	Attempt Attempt `json:"attempt"`
	// Passed reports whether the gateway would count the answer as a pass.
	Passed bool `json:"passed"`
}

// Reported is what the user's own client saw of the request, from a record
// such as a HAR file.
type Reported struct {
	Source string        `json:"source"` // "HAR entry 2"
	Status int           `json:"status"` // 0 when no response came
	At     time.Time     `json:"at"`
	Took   time.Duration `json:"-"`
}

// MarshalJSON adds took_ms.
func (r Reported) MarshalJSON() ([]byte, error) {
	type plain Reported
	return json.Marshal(struct {
		plain
		TookMS float64 `json:"took_ms"`
	}{plain(r), math.Round(float64(r.Took)/1e3) / 1e3})
}

// UnmarshalJSON reads a Reported as MarshalJSON writes it.
func (r *Reported) UnmarshalJSON(b []byte) error {
	type plain Reported
	var in struct {
		plain
		TookMS float64 `json:"took_ms"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*r = Reported(in.plain)
	r.Took = fromMillis(in.TookMS)
	return nil
}

// millis is d in milliseconds with microsecond precision, as durations
// are written in JSON.
func millis(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// fromMillis is the duration that millis wrote as ms.
func fromMillis(ms float64) time.Duration {
	return time.Duration(math.Round(ms*1e3)) * time.Microsecond
}

// DNSCheck compares the addresses this machine's resolver gave for the
// site's name with what other DNS servers answer, and asks the site at the
// addresses only the others gave, with the same Host and TLS name.
type DNSCheck struct {
	Host   string            `json:"host"`
	Local  []string          `json:"local"` // what this machine resolved; empty when it resolved nothing
	Others []probe.DNSAnswer `json:"others"`
	// Elsewhere are the requests to addresses that only other servers gave.
	Elsewhere []Attempt `json:"elsewhere,omitempty"`
}
