package main

import (
	"context"
	"github.com/gwdoctor/gwdoctor/internal/doctor"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/lab"
)

// BenchmarkTimeToVerdict measures how long a whole diagnosis takes, repeats
// and variants included, for an instant failure (refused upstream) and for
// a failure at the gateway's 2 s response timeout or its 1 s connect
// timeout (unreachable). Report ns/op as the
// time to verdict:
//
//	go test -run '^$' -bench TimeToVerdict -benchtime 5x ./cmd/gwdoctor
//
// Each case runs behind the Go gateway and behind the real nginx and
// HAProxy of the lab.
func BenchmarkTimeToVerdict(b *testing.B) {
	for _, gw := range []string{"go", "nginx", "haproxy"} {
		for _, name := range []string{"refused", "closed", "timeout", "slow", "truncated", "unreachable"} {
			b.Run(gw+"/"+name, func(b *testing.B) { benchVerdict(b, gw, name) })
		}
	}
}

func benchVerdict(b *testing.B, gw, name string) {
	sc, _ := lab.LookupScenario(name)
	run, err := lab.StartScenario(context.Background(), sc, lab.GatewayOptions{Product: gw})
	if err != nil {
		b.Fatal(err)
	}
	defer run.Close()
	plan := labPlan(run)
	plan.ID = "bench"
	want, _ := sc.Expect(gw)
	b.ResetTimer()
	for b.Loop() {
		d, err := doctor.Run(context.Background(), doctor.Request{Plan: plan})
		if err != nil {
			b.Fatal(err)
		}
		if d.Verdict.Cause != want {
			b.Fatalf("verdict %s, want %s", d.Verdict.Cause, want)
		}
	}
}
