package experiment

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// tlsAnswers are what TLS servers answer to plain HTTP on their port, in
// their own words: Go's net/http, nginx, and Apache's mod_ssl.
var tlsAnswers = [][]byte{
	[]byte("Client sent an HTTP request to an HTTPS server"),
	[]byte("The plain HTTP request was sent to HTTPS port"),
	[]byte("speaking plain HTTP to an SSL-enabled server port"),
}

// plainToTLS reports direct requests in plain HTTP that a TLS server
// answered: its 400 for plain HTTP, or a TLS alert record (0x15 0x03)
// where a status line should be.
func plainToTLS(as []diagnose.Attempt) bool {
	for _, a := range as {
		p := a.Probe
		if p == nil {
			continue
		}
		if r := p.Response; r != nil && r.Status == 400 {
			for _, w := range tlsAnswers {
				if bytes.Contains(r.Body, w) {
					return true
				}
			}
		}
		if strings.Contains(p.Error, `\x15\x03`) {
			return true
		}
	}
	return false
}

// tlsSniff asks a plain HOST:PORT upstream that answers like a TLS server
// once more over TLS, going on past its certificate to record it: whether
// a gateway that verifies certificates could talk to it.
func (r *runner) tlsSniff(ctx context.Context) *diagnose.Attempt {
	req := r.upstreamRequest(0)
	if !strings.HasPrefix(req.url, "http://") || req.connectTo == "" {
		return nil
	}
	req.url = "https://" + strings.TrimPrefix(req.url, "http://")
	req.insecure = true
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	a := r.attempt(ctx, "upstream tls check", req)
	return &a
}
