package watch

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/store"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// BenchmarkCheckRecorded runs a routine check of a loopback target, with
// full phase timing on a fresh connection, and records it in a SQLite
// file through the Recorder, from several goroutines at once as the
// scheduler does. It
// reports checks per CPU-second of the whole process, target included.
func BenchmarkCheckRecorded(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") }))
	b.Cleanup(srv.Close)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "gwdoctor.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	spec := watchconfig.Target{ID: "a", Name: "a", URL: srv.URL + "/"}
	rec, err := NewRecorder(ctx, st, []watchconfig.Target{spec}, RecorderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	rctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { rec.Run(rctx); close(done) }()
	target := monitor.Target{ID: "a", Spec: spec}
	var c Checker
	cpu0 := processCPU()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			r := c.Check(cctx, target)
			cancel()
			if !r.OK {
				b.Errorf("check failed: %+v", r)
				return
			}
			r.Target, r.Start = "a", time.Now()
			if err := rec.Record(ctx, monitor.Event{Kind: monitor.EventCheck, Check: &r}); err != nil {
				b.Error(err)
			}
		}
	})
	stop()
	<-done
	b.ReportMetric(float64(b.N)/(processCPU()-cpu0).Seconds(), "checks/cpu-s")
}

// processCPU is the user and system CPU time of the process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
