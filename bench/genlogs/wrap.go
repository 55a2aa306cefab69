package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"time"
)

// wrapper is the collector whose prefix each line is written in: name is
// "" for a plain file, "docker" for docker logs --timestamps, "cri" for the
// kubelet's container log files. It draws the collector's times from its
// own source, so that a wrapped log holds the same lines as a plain one.
type wrapper struct {
	name string
	r    *rand.Rand
}

func newWrapper(name string, seed uint64) (wrapper, error) {
	switch name {
	case "", "docker", "cri":
		return wrapper{name: name, r: rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))}, nil
	}
	return wrapper{}, fmt.Errorf("unknown -wrap %q: docker or cri", name)
}

// fileName names a log of this wrapper: error.log, error-cri.log.
func (w wrapper) fileName(base string) string {
	if w.name == "" {
		return base + ".log"
	}
	return base + "-" + w.name + ".log"
}

// write writes one line (its newline included) of a stream, "stdout" or
// "stderr", with the wrapper's prefix and returns how many bytes it wrote.
// The collector's time is a little after nginx's, t: docker writes it with
// nine fixed digits (jsonmessage.RFC3339NanoFixed), containerd as
// time.RFC3339Nano, which drops trailing zeros. nginx's images send the
// access log to stdout and the error log to stderr.
func (w wrapper) write(bw *bufio.Writer, t time.Time, stream string, line []byte) int64 {
	if w.name == "" {
		bw.Write(line)
		return int64(len(line))
	}
	var buf [64]byte
	t = t.Add(time.Duration(w.r.IntN(900_000)) * time.Nanosecond).UTC()
	var p []byte
	if w.name == "docker" {
		p = append(t.AppendFormat(buf[:0], "2006-01-02T15:04:05.000000000Z07:00"), ' ')
	} else {
		p = append(append(append(t.AppendFormat(buf[:0], time.RFC3339Nano), ' '), stream...), " F "...)
	}
	bw.Write(p)
	bw.Write(line)
	return int64(len(p) + len(line))
}
