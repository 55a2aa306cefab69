package lab

import (
	"context"
	"os"
	"testing"
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
			raw, status := rawGet(t, st.Gateway, "/checkout")
			if st.SiteURL != "" {
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
