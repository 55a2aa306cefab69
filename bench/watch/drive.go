package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// drive asks a prober at o.url to probe the o.targets targets in turn,
// o.rate times a second for o.duration, as Prometheus scraping it would,
// and prints how many probes it answered and how many succeeded.
func drive(o options) error {
	addr, stop, err := targetsAt(o)
	if err != nil {
		return err
	}
	defer stop()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	tokens := make(chan int, o.rate)
	var probes, ok atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for n := range tokens {
				target := fmt.Sprintf("http://%s/t/%d", addr, n%o.targets)
				resp, err := client.Get(fmt.Sprintf(o.url, url.QueryEscape(target)))
				if err != nil {
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				probes.Add(1)
				if strings.Contains(string(b), "probe_success 1") {
					ok.Add(1)
				}
			}
		})
	}
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(o.rate))
	for n := 0; time.Since(start) < o.duration; n++ {
		<-tick.C
		tokens <- n
	}
	tick.Stop()
	close(tokens)
	wg.Wait()
	fmt.Printf("probes %d in %.1f s, %d succeeded\n", probes.Load(), time.Since(start).Seconds(), ok.Load())
	return nil
}
