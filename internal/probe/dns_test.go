package probe

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// dnsServer answers shop.example with one A and one AAAA record, gone.example
// with NXDOMAIN, and refuses everything else, on a loopback UDP port.
func dnsServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := dns.NewServeMux()
	mux.HandleFunc(".", func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		switch q.Name {
		case "shop.example.":
			hdr := dns.RR_Header{Name: q.Name, Rrtype: q.Qtype, Class: dns.ClassINET, Ttl: 60}
			if q.Qtype == dns.TypeA {
				m.Answer = []dns.RR{&dns.A{Hdr: hdr, A: net.ParseIP("192.0.2.7")}}
			} else if q.Qtype == dns.TypeAAAA {
				m.Answer = []dns.RR{&dns.AAAA{Hdr: hdr, AAAA: net.ParseIP("2001:db8::7")}}
			}
		case "gone.example.":
			m.Rcode = dns.RcodeNameError
		default:
			m.Rcode = dns.RcodeRefused
		}
		w.WriteMsg(m)
	})
	srv := &dns.Server{PacketConn: pc, Handler: mux}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

func TestLookupVia(t *testing.T) {
	t.Parallel()
	server := dnsServer(t)
	closed, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	quiet := closed.LocalAddr().String() // bound but never answering
	t.Cleanup(func() { closed.Close() })
	for _, tc := range []struct {
		name, server, host string
		addrs              []string
		rcode, err         string
	}{
		{"both families", server, "shop.example", []string{"192.0.2.7", "2001:db8::7"}, "", ""},
		{"no such name", server, "gone.example", nil, "NXDOMAIN", ""},
		{"refused", server, "other.example", nil, "REFUSED", ""},
		{"no answer in time", quiet, "shop.example", nil, "", "asking " + quiet},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			a := LookupVia(context.Background(), tc.server, tc.host, 300*time.Millisecond)
			if !slices.Equal(a.Addrs, tc.addrs) || a.Rcode != tc.rcode || (tc.err == "") != (a.Error == "") || !strings.Contains(a.Error, tc.err) {
				t.Errorf("got %+v, want addrs %v, rcode %q, error with %q", a, tc.addrs, tc.rcode, tc.err)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v, want the query deadline kept", took)
			}
		})
	}
}
