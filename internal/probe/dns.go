package probe

import (
	"context"
	"fmt"
	"net"
	"slices"
	"time"

	"github.com/miekg/dns"
)

// DNSAnswer is what one DNS server answers for a name: its A and AAAA
// addresses, or why there are none.
type DNSAnswer struct {
	Server string   `json:"server"` // host:port asked
	Addrs  []string `json:"addrs,omitempty"`
	// Rcode is the response code when the server answered with an error
	// ("NXDOMAIN", "SERVFAIL"); empty for an answer with records.
	Rcode string        `json:"rcode,omitempty"`
	Error string        `json:"error,omitempty"` // the query itself failed: timeout, refused
	Took  time.Duration `json:"-"`
}

// maxDNSAnswers bounds the addresses kept from one answer.
const maxDNSAnswers = 32

// LookupVia asks the DNS server at server (host or host:port, port 53 by
// default) for the A and AAAA records of host, over UDP with a retry over
// TCP when the answer is truncated, within timeout for each query. It
// never returns an error: a failure is in the answer.
func LookupVia(ctx context.Context, server, host string, timeout time.Duration) DNSAnswer {
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, "53")
	}
	ans := DNSAnswer{Server: server}
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	start := time.Now()
	defer func() { ans.Took = time.Since(start) }()
	for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		addrs, rcode, err := queryVia(ctx, server, host, qtype, timeout)
		if err != nil {
			ans.Error = err.Error()
			return ans
		}
		if rcode != "" && ans.Rcode == "" {
			ans.Rcode = rcode
		}
		ans.Addrs = append(ans.Addrs, addrs...)
	}
	if len(ans.Addrs) > 0 {
		ans.Rcode = ""
	}
	slices.Sort(ans.Addrs)
	ans.Addrs = slices.Compact(ans.Addrs)
	if len(ans.Addrs) > maxDNSAnswers {
		ans.Addrs = ans.Addrs[:maxDNSAnswers]
	}
	return ans
}

// queryVia sends one question and returns the addresses of the answer, or
// the response code of an error answer.
func queryVia(ctx context.Context, server, host string, qtype uint16, timeout time.Duration) ([]string, string, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(host), qtype)
	m.RecursionDesired = true
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := &dns.Client{Net: "udp", Timeout: timeout}
	r, _, err := c.ExchangeContext(qctx, m, server)
	if err == nil && r.Truncated {
		c.Net = "tcp"
		r, _, err = c.ExchangeContext(qctx, m, server)
	}
	if err != nil {
		return nil, "", fmt.Errorf("asking %s for %s: %w", server, host, err)
	}
	if r.Rcode != dns.RcodeSuccess {
		return nil, dns.RcodeToString[r.Rcode], nil
	}
	var out []string
	for _, rr := range r.Answer {
		switch v := rr.(type) {
		case *dns.A:
			out = append(out, v.A.String())
		case *dns.AAAA:
			out = append(out, v.AAAA.String())
		}
	}
	return out, "", nil
}
