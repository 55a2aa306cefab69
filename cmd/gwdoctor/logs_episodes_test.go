package main

import (
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/logscan"
)

// TestLogEpisodes: a steady trickle of one failure a minute makes no
// episode; a burst after a quiet hour makes one, with its dominant cause.
func TestLogEpisodes(t *testing.T) {
	start := time.Date(2026, 8, 21, 0, 0, 0, 0, time.UTC)
	minute := func(i int, n int64, c catalog.Cause) logscan.Minute {
		return logscan.Minute{Start: start.Add(time.Duration(i) * time.Minute), Total: n, Causes: map[catalog.Cause]int64{c: n}}
	}
	var trickle, burst []logscan.Minute
	for i := range 300 {
		trickle = append(trickle, minute(i, 1, catalog.UpstreamRefused))
	}
	for i := 60; i < 65; i++ {
		burst = append(burst, minute(i, 40, catalog.UpstreamTimeout))
	}
	if eps := logEpisodes(trickle); len(eps) != 0 {
		t.Errorf("a trickle of one failure a minute: %d episodes, want none: %v", len(eps), eps)
	}
	eps := logEpisodes(burst)
	if len(eps) != 1 || eps[0].Dominant != catalog.UpstreamTimeout || eps[0].Failures != 200 {
		t.Errorf("a burst: %v, want one episode of 200 upstream.timeout failures", eps)
	}
}
