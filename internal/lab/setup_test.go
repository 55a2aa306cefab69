package lab

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSetupsStart starts every setup and sends one request through it; the
// diagnosis of each is checked in cmd/gwdoctor.
func TestSetupsStart(t *testing.T) {
	for _, s := range Setups() {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			st, err := s.Start(context.Background(), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			switch {
			case st.Follow:
				// The site's first answer is a redirect; where it leads is
				// the diagnosis's to find.
				if status := firstStatus(t, cmp.Or(st.SiteURL, st.Gateway.URL())); status < 300 || status > 399 {
					t.Errorf("status %d at the site's address, want a redirect", status)
				}
				return
			case strings.HasPrefix(st.SiteURL, "https://"):
				// The fault is the certificate: no client trusts it.
				addr := strings.TrimSuffix(strings.TrimPrefix(st.SiteURL, "https://"), "/")
				_, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", addr, &tls.Config{ServerName: "127.0.0.1"})
				var unknown x509.UnknownAuthorityError
				if !errors.As(err, &unknown) {
					t.Errorf("TLS to %s: %v, want an unknown authority", addr, err)
				}
				return
			}
			raw, status := rawGet(t, st.Gateway, "/checkout")
			switch {
			case st.SiteURL != "":
				// The fault is in the name: at its real address the site works.
				if status != 200 {
					t.Errorf("status %d at the site's real address, want 200; answer:\n%s", status, raw)
				}
				return
			}
			if status < 500 && s.WantPersistence == "persistent" {
				t.Errorf("status %d, want a 5xx; answer:\n%s", status, raw)
			}
			if *record && status >= 500 {
				writeFixture(t, "setup", Fault(s.Name), raw)
			}
			for _, l := range st.Logs {
				b, _ := os.ReadFile(l)
				t.Logf("%s:\n%s", l, b)
			}
		})
	}
}

// firstStatus is the status of the first answer at rawURL, its redirects
// not followed and its certificate not checked.
func firstStatus(t *testing.T, rawURL string) int {
	t.Helper()
	c := &http.Client{
		Timeout:       5 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := c.Get(rawURL)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
