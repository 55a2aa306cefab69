package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/logscan"
	"github.com/gwdoctor/gwdoctor/internal/monitor"
)

// maxPerMinute bounds the failures one minute of the timeline stands for
// when episodes are found: far above the thresholds of an episode, and a
// bounded amount of memory whatever the log's size.
const maxPerMinute = 2000

// logEpisodes finds the episodes of a log from its timeline, by the rules
// the watcher opens incidents from logs with (monitor.Episodes): each
// minute's failures spread over the minute, their causes kept.
func logEpisodes(timeline []logscan.Minute) []monitor.Episode {
	var fs []monitor.LogFailure
	for _, m := range timeline {
		causes := slices.Sorted(maps.Keys(m.Causes))
		scale := min(1, float64(maxPerMinute)/float64(max(m.Total, 1)))
		var minute []catalog.Cause
		for _, c := range causes {
			for range int(float64(m.Causes[c])*scale + 0.5) {
				minute = append(minute, c)
			}
		}
		for i, c := range minute {
			fs = append(fs, monitor.LogFailure{Time: m.Start.Add(time.Duration(i) * time.Minute / time.Duration(len(minute))), Cause: c})
		}
	}
	return monitor.Episodes(fs, monitor.EpisodeOptions{})
}

// printEpisodes writes the episodes under the text report.
func printEpisodes(w io.Writer, eps []monitor.Episode, loc *time.Location) {
	if len(eps) == 0 {
		return
	}
	fmt.Fprintf(w, "\nEPISODES (at least 5 failures in a minute and 3× the hour before, until 5 quiet minutes)\n")
	for _, e := range eps {
		e.Start, e.End = e.Start.In(loc), e.End.In(loc)
		fmt.Fprintf(w, "  %s\n", e.String())
	}
}
