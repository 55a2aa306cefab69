package main

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/experiment"
	"github.com/gwdoctor/gwdoctor/internal/logscan"
	"github.com/gwdoctor/gwdoctor/internal/report"
)

// Bounds of the log search of a diagnosis.
const (
	// logSettle is how long a diagnosis waits for the gateways to write the
	// lines of its last requests.
	logSettle = 300 * time.Millisecond
	// logSlack widens the diagnosis's time window on both sides, for
	// clocks and for lines written when a request ends.
	logSlack = 2 * time.Second
	// maxLogLines bounds the lines a diagnosis keeps.
	maxLogLines = 200
)

// logFlags are the diagnose flags of the log search.
type logFlags struct {
	files          []string
	format         string
	nginxLogFormat string
}

// check fails early, before any request, on a format that does not exist
// (a usage error) and on a log that cannot be opened.
func (f logFlags) check() error {
	if f.format != "" && !slices.Contains(logscan.Formats(), f.format) {
		return usagef("unknown --log-format %q; known: %s", f.format, strings.Join(logscan.Formats(), ", "))
	}
	for _, name := range f.files {
		fh, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("reading the logs: %w", err)
		}
		fh.Close()
	}
	return nil
}

// readLogs finds the log lines of the diagnosis's own requests: those that
// carry its tag, or, when none does, those in its time window for its path.
func readLogs(ctx context.Context, d *report.Diagnosis, f logFlags) error {
	if len(f.files) == 0 {
		return nil
	}
	sleepCtx(ctx, logSettle)
	srcs := make([]logscan.Source, len(f.files))
	for i, name := range f.files {
		srcs[i] = logscan.Source{Name: name}
	}
	var mu sync.Mutex
	var entries []logscan.Entry
	opts := logscan.Options{
		Format: f.format, NginxLogFormat: f.nginxLogFormat, Examples: -1,
		Since: d.Started.Add(-logSlack), Until: d.Started.Add(d.Duration + logSlack + logSettle),
		OnEntry: func(e logscan.Entry) {
			mu.Lock()
			defer mu.Unlock()
			if len(entries) < 100*maxLogLines {
				entries = append(entries, e)
			}
		},
	}
	if _, err := logscan.Scan(ctx, srcs, opts); err != nil {
		return fmt.Errorf("reading the logs: %w", err)
	}
	d.Evidence.Logs = ourLines(entries, d.ID, pathOf(d.URL))
	d.Verdict = diagnose.Judge(d.Evidence)
	return nil
}

// ourLines keeps the entries of the diagnosis's requests, all within its
// time window: those tagged with id; those for its path when none is
// tagged; and those that name no request at all (lighttpd's and Apache's
// connection errors, PHP-FPM's pool warnings), which only time ties to it.
// At most maxLogLines.
func ourLines(entries []logscan.Entry, id, path string) []diagnose.LogLine {
	// In the order they were written: a cause's first line comes first.
	slices.SortStableFunc(entries, func(a, b logscan.Entry) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	var tagged, samePath, noPath []diagnose.LogLine
	taggedBy := map[string]bool{} // products with tagged lines
	for _, e := range entries {
		l := logLine(e)
		switch {
		case id != "" && (strings.Contains(e.Path, experiment.TagParam+"="+id) || strings.HasPrefix(e.RequestID, id+"-") ||
			strings.Contains(e.Raw, id+"-")):
			l.Tagged = true
			tagged = append(tagged, l)
			taggedBy[e.Product] = true
		case e.Path == "":
			noPath = append(noPath, l)
		case samePathOf(e.Path, path):
			samePath = append(samePath, l)
		}
	}
	// The tag reaches the gateway but not every hop behind it (PHP-FPM
	// logs the path without the query), so those hops match by path.
	out := append(noPath, tagged...)
	for _, l := range samePath {
		if !taggedBy[l.Product] {
			out = append(out, l)
		}
	}
	if len(out) > maxLogLines {
		out = out[:maxLogLines]
	}
	return out
}

// samePathOf reports whether a logged request path is path, with or
// without a query.
func samePathOf(logged, path string) bool {
	rest, ok := strings.CutPrefix(logged, path)
	return ok && (rest == "" || rest[0] == '?' || rest[0] == '#')
}

func logLine(e logscan.Entry) diagnose.LogLine {
	isError := e.Joined != nil || strings.Contains(e.Format, "error") || e.Product == "php_fpm" || e.Detail != ""
	cause := e.Cause
	if e.Joined != nil && e.Joined.Cause != "" {
		cause = e.Joined.Cause
	}
	return diagnose.LogLine{
		Where: e.File + ":" + strconv.FormatInt(e.Line, 10), Time: e.Time, Product: e.Product,
		Cause: cause, Upstream: e.Upstream, Raw: e.Raw, Error: isError,
	}
}

// pathOf is the URL's path, "/" when empty.
func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
