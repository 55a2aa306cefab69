package watch

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/lab"
	"github.com/gwdoctor/gwdoctor/internal/store"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
	"github.com/gwdoctor/gwdoctor/internal/web"
)

// TestMaintenanceMutes: a window added through the pages' Maintenance
// mutes the opening alert of its target while it lasts, another process
// on the same store reads it, and deleting it releases the alert held.
func TestMaintenanceMutes(t *testing.T) {
	t.Parallel()
	h := newHook(t, nil)
	cfg, err := watchconfig.Parse("test.yaml", []byte(`
db: /nonexistent/gwdoctor.db
alerts:
  ops:
    urls: [`+h.url()+`]
targets:
  - {name: shop, url: "http://127.0.0.1:1/"}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "gwdoctor.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a, err := NewAlerting(cfg, AlertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Start(ctx)()
	m := &windows{st: st, alerting: a}
	shop := watchconfig.TargetID("shop")
	now := time.Now()
	win, err := m.AddWindow(ctx, web.Window{Start: now.Add(-time.Minute), End: now.Add(time.Hour), Targets: []string{shop}, Reason: "deploy"})
	if err != nil || win.ID == "" {
		t.Fatalf("AddWindow: %+v, %v", win, err)
	}
	if err := a.Record(ctx, opened("i-shop", shop)); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-h.got:
		t.Fatalf("an alert came through the window:\n%s", d.body)
	case <-time.After(2500 * time.Millisecond): // the alerter looks every second
	}
	other := &windows{st: st}
	if ws, err := other.Windows(ctx, now); err != nil || len(ws) != 1 || ws[0].Reason != "deploy" || ws[0].Targets[0] != shop {
		t.Errorf("Windows from another process: %+v, %v", ws, err)
	}
	if err := m.DeleteWindow(ctx, win.ID); err != nil {
		t.Fatalf("DeleteWindow: %v", err)
	}
	if d := h.next(t, 5*time.Second); !strings.Contains(d.body, "FAILING shop") {
		t.Errorf("the alert released by the delete:\n%s", d.body)
	}
	for _, id := range []string{win.ID, "x"} {
		if err := m.DeleteWindow(ctx, id); !errors.Is(err, web.ErrNotFound) {
			t.Errorf("DeleteWindow(%s) again: %v, want web.ErrNotFound", id, err)
		}
	}
}

// TestServeAPIChanges runs Serve with an admin token and asks its API for
// a check on demand of a failing and a healthy target, with the
// diagnosis of the failure, sees the checks on demand open an incident,
// and adds a maintenance window.
func TestServeAPIChanges(t *testing.T) {
	t.Parallel()
	bad := startScenario(t, lab.Refused)
	good := startScenario(t, lab.Healthy)
	cfg, err := watchconfig.Parse("test.yaml", []byte(`
db: `+filepath.Join(t.TempDir(), "gwdoctor.db")+`
interval: 1h
tokens: {admin: admintoken}
targets:
  - name: shop
    url: `+bad.Gateway.URL()+`checkout
    upstream: `+bad.Upstream.URL()+`
  - name: api
    url: `+good.Gateway.URL()+`
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, cfg, ServeOptions{Listener: ln}) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	base := "http://" + ln.Addr().String()
	shop, api := watchconfig.TargetID("shop"), watchconfig.TargetID("api")
	var run web.CheckRunDoc
	post(t, base+"/api/v1/targets/"+shop+"/check?diagnose=true", "admintoken", "", http.StatusOK, &run)
	if run.Check.OK || run.Check.Status != 502 || run.Diagnosis == nil || run.Diagnosis.Verdict.Cause != "upstream.refused" {
		t.Errorf("check of the failing target: %+v", run)
	}
	post(t, base+"/api/v1/targets/"+api+"/check", "admintoken", "", http.StatusOK, &run)
	if !run.Check.OK || run.Diagnosis != nil {
		t.Errorf("check of the healthy target: %+v", run)
	}
	post(t, base+"/api/v1/targets/nope/check", "admintoken", "", http.StatusNotFound, nil)
	post(t, base+"/api/v1/targets/"+api+"/check", "", "", http.StatusUnauthorized, nil)
	waitFor(t, func() bool { return strings.Contains(get(t, base+"/api/v1/targets/"+shop+"/checks"), `"status":502`) })
	// Checks on demand count in the target's incident tracking: a second
	// failed one opens the incident, with the diagnosis of the first.
	post(t, base+"/api/v1/targets/"+shop+"/check", "admintoken", "", http.StatusOK, &run)
	waitFor(t, func() bool {
		list := get(t, base+"/api/v1/incidents")
		return strings.Contains(list, `"target":"`+shop+`"`) && strings.Contains(list, "upstream.refused")
	})
	var win web.MaintenanceDoc
	post(t, base+"/api/v1/maintenance", "admintoken", `{"duration":"2h","targets":["shop"]}`, http.StatusCreated, &win)
	if win.ID == "" || len(win.Targets) != 1 || win.Targets[0] != shop {
		t.Errorf("window added: %+v", win)
	}
	if list := get(t, base+"/api/v1/maintenance"); !strings.Contains(list, `"id":"`+win.ID+`"`) {
		t.Errorf("window %s not listed: %s", win.ID, list)
	}
	post(t, base+"/api/v1/maintenance", "admintoken", `{"duration":"2h","targets":["nope"]}`, http.StatusNotFound, nil)
}

// post sends a POST with token (none when "") and checks its status,
// decoding the answer into out when it is not nil.
func post(t *testing.T, url, token, body string, code int, out any) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != code {
		t.Fatalf("POST %s: %d, want %d", url, resp.StatusCode, code)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("POST %s: %v", url, err)
		}
	}
}
