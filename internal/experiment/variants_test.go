package experiment

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// cookie reports whether r carries the cookie name.
func cookie(r *http.Request, name string) bool {
	_, err := r.Cookie(name)
	return err == nil
}

func variant(ev diagnose.Evidence, name string) (diagnose.Variant, bool) {
	for _, v := range ev.Variants {
		if v.Name == name {
			return v, true
		}
	}
	return diagnose.Variant{}, false
}

func TestClientState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		fail         func(r *http.Request) bool // mimics the application's reaction to the state
		wantCulprits []string
		wantBareFail bool
	}{
		// A cookie too large or malformed for the application: it alone fails.
		{name: "one cookie", fail: func(r *http.Request) bool { return cookie(r, "bomb") },
			wantCulprits: []string{"Cookie: bomb"}},
		{name: "one header", fail: func(r *http.Request) bool { return r.Header.Get("X-Debug") != "" },
			wantCulprits: []string{"X-Debug"}},
		// Only the combination fails: found by leaving each item out in turn.
		{name: "header and cookie together", fail: func(r *http.Request) bool { return r.Header.Get("X-A") != "" && cookie(r, "c") },
			wantCulprits: []string{"Cookie: c", "X-A"}},
		{name: "regardless", fail: func(*http.Request) bool { return true }, wantBareFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t, func(r *http.Request) int {
				if tt.fail(r) {
					return http.StatusBadGateway
				}
				return http.StatusOK
			})
			p := plan(s.URL + "/")
			p.ID = "s1"
			p.Cookies = []string{"session=abc", "bomb=" + strings.Repeat("x", 40), "c=1", "theme=dark"}
			p.Header = http.Header{"Accept-Language": {"en"}, "X-A": {"1"}, "X-Debug": {"on"}}
			ev := run(t, p)
			wantItems := []string{"Cookie: session", "Cookie: bomb", "Cookie: c", "Cookie: theme", "Accept-Language", "X-A", "X-Debug"}
			if !slices.Equal(ev.StateItems, wantItems) {
				t.Errorf("StateItems = %q, want %q", ev.StateItems, wantItems)
			}
			if !slices.Equal(ev.Culprits, tt.wantCulprits) {
				t.Errorf("Culprits = %q, want %q", ev.Culprits, tt.wantCulprits)
			}
			bare, ok := variant(ev, diagnose.VariantBare)
			if !ok {
				t.Fatalf("no %s variant among %d", diagnose.VariantBare, len(ev.Variants))
			}
			if got := bare.Attempt.Failed(); got != tt.wantBareFail {
				t.Errorf("%s failed = %v, want %v", diagnose.VariantBare, got, tt.wantBareFail)
			}
			for _, a := range ev.Tries {
				if !a.Failed() {
					t.Errorf("%s: status %d, want a failure with the full state", a.Label, a.Status())
				}
			}
		})
	}
}

// TestBareVariantSendsNoState checks what the replay without client state
// leaves out, and that a plan without state has no such replay.
func TestBareVariantSendsNoState(t *testing.T) {
	t.Parallel()
	s := newSite(t, always(http.StatusOK))
	p := plan(s.URL + "/")
	p.Cookies = []string{"session=abc"}
	p.Header = http.Header{"Authorization": {"Bearer t"}}
	ev := run(t, p)
	if _, ok := variant(ev, diagnose.VariantBare); !ok {
		t.Errorf("no %s variant", diagnose.VariantBare)
	}
	bare := 0
	for _, r := range s.requests() {
		if r.header.Get("Cookie") == "" && r.header.Get("Authorization") == "" {
			bare++
		}
	}
	if bare != 1 {
		t.Errorf("%d requests without the client's state, want 1", bare)
	}

	ev = run(t, plan(s.URL+"/"))
	if _, ok := variant(ev, diagnose.VariantBare); ok {
		t.Errorf("a %s variant without any client state", diagnose.VariantBare)
	}
}

func TestNoCache(t *testing.T) {
	t.Parallel()
	// A cache in front serves a stored 502 unless told to revalidate.
	s := newSite(t, func(r *http.Request) int {
		if r.Header.Get("Cache-Control") == "no-cache" && r.Header.Get("Pragma") == "no-cache" && r.URL.Query().Has("_gwdoctor_nocache") {
			return http.StatusOK
		}
		return http.StatusBadGateway
	})
	ev := run(t, plan(s.URL+"/"))
	if len(ev.Variants) != 1 {
		t.Fatalf("got %d variants, want only %s", len(ev.Variants), diagnose.VariantNoCache)
	}
	v, ok := variant(ev, diagnose.VariantNoCache)
	if !ok || v.Attempt.Failed() {
		t.Errorf("%s: found %v, status %d; want a success", diagnose.VariantNoCache, ok, v.Attempt.Status())
	}
	for _, a := range ev.Tries {
		if !a.Failed() {
			t.Errorf("%s: status %d, want the cached 502", a.Label, a.Status())
		}
	}
}
