package target

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/probe"
)

func TestChooseScheme(t *testing.T) {
	plain := statusServer(t, http.StatusOK).Listener.Addr().String()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	t.Cleanup(tlsSrv.Close)
	secure := tlsSrv.Listener.Addr().String()
	closed := closedAddr(t)
	silent := silentAddr(t)
	both := func(addr string) []string { return []string{"https://" + addr + "/", "http://" + addr + "/"} }
	named := []string{"https://shop.example/", "http://shop.example/"}
	// shop.example is served by the given addresses for :443 and :80.
	site := func(https, http string) probe.Options {
		return probe.Options{
			Resolver: loopbackResolver{},
			Dialer:   redirectDialer{"127.0.0.1:443": https, "127.0.0.1:80": http},
		}
	}
	tests := []struct {
		name       string
		candidates []string
		opts       probe.Options
		timeout    time.Duration
		want       string
		wantTries  int
		wantNote   string
	}{
		{name: "explicit scheme: no request", candidates: []string{"http://" + closed + "/"},
			want: "http://" + closed + "/", wantTries: 0},
		{name: "https answers, even with a 502", candidates: both(secure), opts: probe.Options{Insecure: true},
			want: "https://" + secure + "/", wantTries: 1},
		{name: "plain http on the port", candidates: both(plain),
			want: "http://" + plain + "/", wantTries: 2,
			wantNote: "nothing answers TLS on " + plain + " (the port does not speak TLS); http://" + plain + "/ answers"},
		{name: "443 refused, 80 answers", candidates: named, opts: site(closed, plain),
			want: "http://shop.example/", wantTries: 2,
			wantNote: "nothing answers TLS on shop.example:443 (connection refused); http://shop.example/ answers"},
		{name: "443 silent, 80 answers", candidates: named, opts: site(silent, plain), timeout: 300 * time.Millisecond,
			want: "http://shop.example/", wantTries: 2,
			wantNote: "nothing answers TLS on shop.example:443 (no TLS answer within 300ms); http://shop.example/ answers"},
		{name: "nothing answers at all: https kept", candidates: named, opts: site(closed, closed),
			want: "https://shop.example/", wantTries: 2},
		{name: "certificate refused: https kept", candidates: both(secure),
			want: "https://" + secure + "/", wantTries: 1},
		{name: "name does not resolve: https kept", candidates: named, opts: probe.Options{Resolver: notFoundResolver{}},
			want: "https://shop.example/", wantTries: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			timeout := tt.timeout
			if timeout == 0 {
				timeout = testTimeout
			}
			got, err := ChooseScheme(context.Background(), tt.candidates, SchemeOptions{Send: ProbeWith(tt.opts), Timeout: timeout})
			if err != nil {
				t.Fatalf("ChooseScheme: %v", err)
			}
			if got.URL != tt.want || len(got.Tries) != tt.wantTries {
				t.Errorf("URL, tries = %s, %d; want %s, %d", got.URL, len(got.Tries), tt.want, tt.wantTries)
			}
			if got.Note != tt.wantNote || got.Fallback != (tt.wantNote != "") {
				t.Errorf("note, fallback = %q, %v; want %q, %v", got.Note, got.Fallback, tt.wantNote, tt.wantNote != "")
			}
		})
	}
}

func TestChooseSchemeErrors(t *testing.T) {
	if _, err := ChooseScheme(context.Background(), nil, SchemeOptions{}); err == nil || !strings.Contains(err.Error(), "no candidate") {
		t.Errorf("no candidates: error = %v; want one that says so", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	addr := closedAddr(t)
	_, err := ChooseScheme(ctx, []string{"https://" + addr + "/", "http://" + addr + "/"}, SchemeOptions{})
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("canceled: error = %v; want context canceled", err)
	}
}
