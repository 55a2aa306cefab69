package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
)

// handshake runs TLS, verifying the certificate by hand so that the result
// of verification is recorded even when it fails.
func (p *httpProbe) handshake(ctx context.Context, conn net.Conn, u *url.URL) (net.Conn, error) {
	name := p.opts.ServerName
	if name == "" {
		name = u.Hostname()
	}
	info := &TLSInfo{ServerName: name}
	p.res.TLS = info
	cfg := &tls.Config{
		ServerName:         name,
		InsecureSkipVerify: true, // verified below, in VerifyConnection
		NextProtos:         alpnOffer(p.opts.Protocol),
		VerifyConnection: func(cs tls.ConnectionState) error {
			err := verify(cs, name, p.opts.RootCAs)
			for _, c := range cs.PeerCertificates {
				info.Chain = append(info.Chain, summarize(c))
			}
			info.Verified = err == nil
			if err != nil {
				info.VerifyError = err.Error()
				if !p.opts.Insecure {
					return &certError{err}
				}
			}
			return nil
		},
	}
	start := p.opts.Now()
	hctx, cancel := context.WithTimeout(ctx, p.opts.PhaseTimeout)
	defer cancel()
	tconn := tls.Client(conn, cfg)
	err := tconn.HandshakeContext(hctx)
	p.res.Timings.TLS = p.opts.Now().Sub(start)
	if err != nil {
		p.fail(PhaseTLS, fmt.Errorf("TLS handshake with %s: %w", name, err))
		return nil, err
	}
	cs := tconn.ConnectionState()
	info.Version = tls.VersionName(cs.Version)
	info.ALPN = cs.NegotiatedProtocol
	info.CipherSuite = tls.CipherSuiteName(cs.CipherSuite)
	p.res.Reached = PhaseTLS
	return tconn, nil
}

func verify(cs tls.ConnectionState, name string, roots *x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("no certificate presented")
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: name, Roots: roots, Intermediates: inter})
	return err
}

// alpnOffer is what the TLS handshake offers for the protocol choice, in
// order of preference (RFC 7301): h2 first, as browsers and curl --http2
// offer it, unless HTTP/1.1 is forced.
func alpnOffer(protocol string) []string {
	if protocol == ProtocolHTTP1 || protocol == ALPNHTTP1 {
		return []string{ALPNHTTP1}
	}
	return []string{ALPNH2, ALPNHTTP1}
}
