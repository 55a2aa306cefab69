// Command watch measures gwdoctor serve's watcher (internal/watch.Serve)
// on loopback targets, for bench/watch.sh:
//
//	watch -mode serve -targets 10000 -interval 60s -fail 0.01 -duration 3m
//	watch -mode drive -url 'http://127.0.0.1:9115/probe?module=http_2xx&target=%s' -targets 500 -rate 500
//	watch -mode pages -targets 1000 -days 30 -db history.db
//	watch -mode targets -targets 500
//
// serve runs Serve in this process on targets served by a child process
// (this program in targets mode), so that the numbers are the watcher's
// alone: checks, CPU, RSS, how late the latest check started past its
// slot, and the bytes each check adds to the SQLite file. drive asks
// another prober (Debian's prometheus-blackbox-exporter) to probe the
// same targets at a steady rate, for the script to read its CPU. pages
// fills a SQLite file with days of history and serves the status page on
// it while watching, for wrk.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

type options struct {
	mode     string
	targets  int
	interval time.Duration
	fail     float64
	duration time.Duration
	addr     string
	url      string
	rate     int
	db       string
	days     int
	listen   string
	// cpuprofile and trace name the files of a CPU profile and of an
	// execution trace (runtime/trace) of a serve run's measured part.
	cpuprofile, trace string
	// concurrency is the scheduler's MaxConcurrent; 0 for Serve's default.
	concurrency int
	// warmup is how long a serve run goes before it is measured.
	warmup time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "serve", "serve, drive, pages or targets")
	flag.IntVar(&o.targets, "targets", 10000, "how many targets")
	flag.DurationVar(&o.interval, "interval", 60*time.Second, "the interval of each target's checks")
	flag.Float64Var(&o.fail, "fail", 0.01, "the share of targets that fail (answer 502)")
	flag.DurationVar(&o.duration, "duration", 3*time.Minute, "how long to measure, after a first interval")
	flag.StringVar(&o.addr, "addr", "", "the targets' address (default: start them in a child process)")
	flag.StringVar(&o.url, "url", "", "drive: the prober's URL, %s standing for the target's")
	flag.IntVar(&o.rate, "rate", 500, "drive: probes per second")
	flag.StringVar(&o.db, "db", "", "the SQLite file (default: in a temporary directory)")
	flag.IntVar(&o.days, "days", 30, "pages: days of history")
	flag.StringVar(&o.listen, "listen", "127.0.0.1:8502", "pages: the address of the status page")
	flag.DurationVar(&o.warmup, "warmup", -1, "serve: how long to run before measuring (default: one interval)")
	flag.IntVar(&o.concurrency, "concurrency", 0, "serve: the most checks at once (default: Serve's, sized to the targets)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "serve: write a CPU profile of the measured part to this file")
	flag.StringVar(&o.trace, "trace", "", "serve: write an execution trace of the measured part to this file")
	flag.Parse()
	if o.warmup < 0 {
		o.warmup = o.interval
	}
	var err error
	switch o.mode {
	case "targets":
		err = serveTargets(o)
	case "serve":
		err = measureServe(o)
	case "drive":
		err = drive(o)
	case "pages":
		err = servePages(o)
	default:
		err = fmt.Errorf("unknown -mode %q", o.mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "watch:", err)
		os.Exit(1)
	}
}
