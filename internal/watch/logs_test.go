package watch

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/lab"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// TestServeFollowsLogs: a healthy target whose gateway log suddenly fills
// with refused connections (nginx's own wording) opens an incident with
// the log's cause, though no check of the target fails (the healthy
// checks open no other).
func TestServeFollowsLogs(t *testing.T) {
	good := startScenario(t, lab.Healthy)
	dir := t.TempDir()
	errLog := filepath.Join(dir, "error.log")
	if err := os.WriteFile(errLog, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := `
db: ` + filepath.Join(dir, "gwdoctor.db") + `
interval: 1s
targets:
  - name: shop
    url: ` + good.Gateway.URL() + `
    logs: ["nginx-error:` + errLog + `"]
`
	cfg, err := watchconfig.Parse("test.yaml", []byte(yaml), nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, cfg, ServeOptions{Listener: ln}) }()
	time.Sleep(1500 * time.Millisecond)
	f, err := os.OpenFile(errLog, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		now := time.Now().Format("2006/01/02 15:04:05")
		fmt.Fprintf(f, "%s [error] 7#7: *%d connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: shop, request: \"GET /cart HTTP/1.1\", upstream: \"http://127.0.0.1:9000/cart\", host: \"shop\"\n", now, i+1)
	}
	f.Close()
	inc := waitIncident(t, "http://"+ln.Addr().String(), "upstream.refused")
	if inc.Persistence != "intermittent" {
		t.Errorf("incident from the log %+v, want one that comes and goes (intermittent)", inc)
	}
	cancel()
	<-done
}
