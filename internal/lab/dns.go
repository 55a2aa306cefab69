package lab

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/miekg/dns"
)

// dnsServer is an authoritative-only DNS server on 127.0.0.1 (UDP) for one
// zone: it answers the A records it was given, NXDOMAIN for every other
// name under its zone (as for a name that was deleted), and REFUSED for
// names outside it.
type dnsServer struct {
	addr string
	srv  *dns.Server
}

// startDNS starts a dnsServer for zone (such as "lab.test.") on a free
// UDP port, with the A records a (name → IPv4 address).
func startDNS(ctx context.Context, zone string, a map[string]string) (*dnsServer, error) {
	var lc net.ListenConfig
	pc, err := lc.ListenPacket(ctx, "udp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting dns server: %w", err)
	}
	zone = dns.Fqdn(zone)
	mux := dns.NewServeMux()
	mux.HandleFunc(".", func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		m.Authoritative = true
		q := dns.Question{}
		if len(req.Question) == 1 {
			q = req.Question[0]
		}
		name := strings.ToLower(q.Name)
		if ips, ok := a[strings.TrimSuffix(name, ".")]; ok {
			m.Answer = answers(q, ips)
		} else if q.Name != "" && strings.HasSuffix(name, zone) {
			m.Rcode = dns.RcodeNameError
			m.Ns = []dns.RR{&dns.SOA{
				Hdr: dns.RR_Header{Name: zone, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 60},
				Ns:  "ns." + zone, Mbox: "hostmaster." + zone, Serial: 1, Refresh: 3600, Retry: 600, Expire: 86400, Minttl: 60,
			}}
		} else {
			m.Rcode = dns.RcodeRefused
		}
		w.WriteMsg(m)
	})
	started := make(chan struct{})
	d := &dnsServer{addr: pc.LocalAddr().String(), srv: &dns.Server{PacketConn: pc, Handler: mux, NotifyStartedFunc: func() { close(started) }}}
	go d.srv.ActivateAndServe()
	select {
	case <-started:
	case <-ctx.Done():
		pc.Close()
		return nil, fmt.Errorf("starting dns server: %w", ctx.Err())
	}
	return d, nil
}

// Close stops the server.
func (d *dnsServer) Close() error { return d.srv.Shutdown() }

// answers are the A or AAAA records of q among ips, a comma-separated
// list of IPv4 and IPv6 addresses.
func answers(q dns.Question, ips string) []dns.RR {
	var out []dns.RR
	for _, s := range strings.Split(ips, ",") {
		ip := net.ParseIP(strings.TrimSpace(s))
		hdr := dns.RR_Header{Name: q.Name, Rrtype: q.Qtype, Class: dns.ClassINET, Ttl: 60}
		switch {
		case ip == nil:
		case ip.To4() != nil && q.Qtype == dns.TypeA:
			out = append(out, &dns.A{Hdr: hdr, A: ip})
		case ip.To4() == nil && q.Qtype == dns.TypeAAAA:
			out = append(out, &dns.AAAA{Hdr: hdr, AAAA: ip})
		}
	}
	return out
}
