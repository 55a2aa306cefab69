package main

import (
	"context"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/lab"
)

// BenchmarkTimeToVerdict measures how long a whole diagnosis takes, repeats
// and variants included, for an instant failure (refused upstream) and for
// a failure at the gateway's 2 s response timeout. Report ns/op as the
// time to verdict:
//
//	go test -run '^$' -bench TimeToVerdict -benchtime 5x ./cmd/gwdoctor
func BenchmarkTimeToVerdict(b *testing.B) {
	for _, name := range []string{"refused", "closed", "timeout", "slow"} {
		b.Run(name, func(b *testing.B) {
			sc, _ := lab.LookupScenario(name)
			run, err := lab.StartScenario(context.Background(), sc, lab.GatewayOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer run.Close()
			plan := labPlan(run)
			b.ResetTimer()
			for b.Loop() {
				d, err := diagnosis(context.Background(), plan, "bench")
				if err != nil {
					b.Fatal(err)
				}
				if d.Verdict.Cause != sc.Want {
					b.Fatalf("verdict %s, want %s", d.Verdict.Cause, sc.Want)
				}
			}
		})
	}
}
