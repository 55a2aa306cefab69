package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/store"
)

// historyStore is a real SQLite file holding two targets: shop with three
// checks (40 days, 2 days and 1 hour old), api with none.
func historyStore(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "gwdoctor.db")
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	shop, err := st.AddTarget(ctx, store.Target{Name: "shop", URL: "https://shop.example/"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddTarget(ctx, store.Target{Name: "api", URL: "https://api.shop.example/health"}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	checks := []store.Check{
		{TargetID: shop.ID, Time: now.Add(-40 * 24 * time.Hour), Duration: 80 * time.Millisecond, Status: 200, OK: true, Cause: "ok"},
		{TargetID: shop.ID, Time: now.Add(-48 * time.Hour), Duration: 1500 * time.Microsecond,
			Phases: store.Phases{Connect: 250 * time.Microsecond, TTFB: time.Millisecond}, Status: 502, Cause: "upstream.refused",
			Product: "nginx", Role: "reverse_proxy", Protocol: "HTTP/1.1"},
		{TargetID: shop.ID, Time: now.Add(-time.Hour), Duration: 2 * time.Second, Cause: "upstream.unreachable", ErrorClass: "connect.timeout"},
	}
	for _, c := range checks {
		if err := st.RecordCheck(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestHistoryCSV(t *testing.T) {
	t.Parallel()
	db := historyStore(t)
	code, out, stderr := gwdoctor(t, "history", "shop", "--since", "30d", "--db", db)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%v in:\n%s", err, out)
	}
	if got, want := strings.Join(rows[0], ","), "time,duration_ms,dns_ms,connect_ms,tls_ms,ttfb_ms,transfer_ms,status,ok,cause,product,role,error_class,protocol"; got != want {
		t.Errorf("header %s, want %s", got, want)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want the header and the two checks of the last 30 days:\n%s", len(rows), out)
	}
	if got, want := strings.Join(rows[1][1:], ","), "1.5,0,0.25,0,1,0,502,false,upstream.refused,nginx,reverse_proxy,,HTTP/1.1"; got != want {
		t.Errorf("first row %s, want %s", got, want)
	}
	if got, want := strings.Join(rows[2][1:], ","), "2000,0,0,0,0,0,0,false,upstream.unreachable,,,connect.timeout,"; got != want {
		t.Errorf("second row %s, want %s", got, want)
	}
	t1, err1 := time.Parse(time.RFC3339, rows[1][0])
	t2, err2 := time.Parse(time.RFC3339, rows[2][0])
	if err1 != nil || err2 != nil || !t1.Before(t2) || time.Since(t2) > 2*time.Hour {
		t.Errorf("times %s, %s: want RFC 3339, oldest first", rows[1][0], rows[2][0])
	}
	// By URL, over a few hours: the last check only; a target without
	// checks still gets the header.
	if code, out, _ := gwdoctor(t, "history", "https://shop.example", "--since", "3h", "--db", db); code != exitOK || strings.Count(out, "\n") != 2 {
		t.Errorf("history by URL --since 3h: exit %d, out:\n%s", code, out)
	}
	if code, out, _ := gwdoctor(t, "history", "api", "--db", db); code != exitOK || !strings.HasPrefix(out, "time,") || strings.Count(out, "\n") != 1 {
		t.Errorf("history of a target without checks: exit %d, out:\n%s", code, out)
	}
}

func TestHistoryJSON(t *testing.T) {
	t.Parallel()
	db := historyStore(t)
	code, out, stderr := gwdoctor(t, "history", "shop", "--since", "1000h", "--format", "json", "--db", db)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want the 3 checks of the last 1000 hours:\n%s", len(lines), out)
	}
	var c map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &c); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"duration_ms": 1.5, "connect_ms": 0.25, "ttfb_ms": 1.0, "status": 502.0, "ok": false,
		"cause": "upstream.refused", "product": "nginx", "role": "reverse_proxy", "error_class": "", "protocol": "HTTP/1.1"} {
		if c[k] != want {
			t.Errorf("%s = %v, want %v", k, c[k], want)
		}
	}
	if len(c) != len(historyColumns) {
		t.Errorf("%d keys, want %d: %v", len(c), len(historyColumns), c)
	}
}

func TestHistoryUsage(t *testing.T) {
	t.Parallel()
	db := historyStore(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"history", "nope", "--db", db}, `no target "nope" in the store; known: api, shop`},
		{[]string{"history", "shop", "--db", db, "--since", "3w"}, `--since "3w"`},
		{[]string{"history", "shop", "--db", db, "--since", "-2d"}, `--since "-2d"`},
		{[]string{"history", "shop", "--db", db, "--format", "xml"}, `unknown --format "xml"`},
		{[]string{"history", "shop", "--db", filepath.Join(t.TempDir(), "none.db")}, "no store at"},
		{[]string{"history"}, "history takes exactly one target"},
		{[]string{"history", "shop", "api"}, "got 2 arguments"},
	}
	for _, tc := range tests {
		code, _, stderr := gwdoctor(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, exitUsage, tc.want)
		}
	}
	if d, err := parseSince("36h"); err != nil || d != 36*time.Hour {
		t.Errorf("parseSince(36h) = %v, %v", d, err)
	}
}
