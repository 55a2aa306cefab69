package lab

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/miekg/dns"
)

// dnsServer is an authoritative-only DNS server on 127.0.0.1 (UDP) that
// answers NXDOMAIN for every name under its zone and REFUSED for others, as
// a resolver does for a name that was deleted.
type dnsServer struct {
	addr string
	srv  *dns.Server
}

// startDNS starts a dnsServer for zone (such as "lab.test.") on a free
// UDP port.
func startDNS(ctx context.Context, zone string) (*dnsServer, error) {
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
		if len(req.Question) == 1 && strings.HasSuffix(strings.ToLower(req.Question[0].Name), zone) {
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
