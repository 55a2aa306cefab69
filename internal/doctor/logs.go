package doctor

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/experiment"
	"github.com/gwdoctor/gwdoctor/internal/logscan"
)

// Bounds of the log search of a diagnosis.
const (
	// logSlack widens the diagnosis's time window on both sides, for
	// clocks and for lines written when a request ends.
	logSlack = 2 * time.Second
	// maxLogLines bounds the lines a diagnosis keeps.
	maxLogLines = 200
)

// LogFile is one log to search.
type LogFile struct {
	Name string
	// Format is its format, one of logscan.Formats(); "" for the
	// request's LogFormat or detection.
	Format string
	// FromConfig marks a log found in the gateway's configuration rather
	// than given.
	FromConfig bool
}

// ParseLogArg reads a --log value: FILE, or FORMAT:FILE where FORMAT is
// one of logscan.Formats(). A file whose own name has that form (it exists
// as written) stays a file.
func ParseLogArg(s string) LogFile {
	format, file, ok := strings.Cut(s, ":")
	if !ok || file == "" || !slices.Contains(logscan.Formats(), format) {
		return LogFile{Name: s}
	}
	if _, err := os.Stat(s); err == nil {
		return LogFile{Name: s}
	}
	return LogFile{Name: file, Format: format}
}

// readLogs finds the log lines of the diagnosis's own requests: those that
// carry its tag, or, when none does, those in its time window for its path.
// A log that cannot be read is left out and named in the inputs, and the
// others are read.
func readLogs(ctx context.Context, p prepared, started time.Time, took time.Duration) ([]diagnose.LogLine, []diagnose.Input) {
	var inputs []diagnose.Input
	var srcs []logscan.Source
	for _, l := range p.logs {
		if in, ok := unreadable(l); ok {
			inputs = append(inputs, in)
			continue
		}
		srcs = append(srcs, logscan.Source{Name: l.Name, Format: cmp.Or(l.Format, p.req.LogFormat)})
	}
	opts := logscan.Options{
		NginxLogFormat: p.req.NginxLogFormat, Examples: -1,
		Since: started.Add(-logSlack), Until: started.Add(took + logSlack + p.settle),
	}
	entries, bad := scanLogs(ctx, srcs, opts)
	lines := ourLines(entries, p.plan.ID, pathOf(p.plan.URL))
	for _, l := range p.logs {
		if in, ok := bad[l.Name]; ok {
			inputs = append(inputs, in)
			continue
		}
		if slices.ContainsFunc(srcs, func(s logscan.Source) bool { return s.Name == l.Name }) {
			inputs = append(inputs, logUsed(l, lines))
		}
	}
	return lines, inputs
}

// scanLogs scans the sources together (an access line is joined to its
// error line across files); a source that fails the scan is taken out and
// the rest scanned again.
func scanLogs(ctx context.Context, srcs []logscan.Source, opts logscan.Options) ([]logscan.Entry, map[string]diagnose.Input) {
	bad := map[string]diagnose.Input{}
	for len(srcs) > 0 {
		var mu sync.Mutex
		var entries []logscan.Entry
		opts.OnEntry = func(e logscan.Entry) {
			mu.Lock()
			defer mu.Unlock()
			if len(entries) < 100*maxLogLines {
				entries = append(entries, e)
			}
		}
		rep, err := logscan.Scan(ctx, srcs, opts)
		if err == nil || ctx.Err() != nil {
			noneRead(rep, srcs, bad)
			return entries, bad
		}
		i := slices.IndexFunc(srcs, func(s logscan.Source) bool { return strings.Contains(err.Error(), s.Name) })
		if i < 0 {
			i = 0 // the error names no file: the first is taken out, so the loop ends
		}
		bad[srcs[i].Name] = logUnusable(srcs[i], err)
		srcs = slices.Delete(srcs, i, i+1)
	}
	return nil, bad
}

// noneRead marks the logs of which no line could be read in their format
// (a format named for a file that is not of it).
func noneRead(rep *logscan.Report, srcs []logscan.Source, bad map[string]diagnose.Input) {
	if rep == nil {
		return
	}
	for _, f := range rep.Files {
		if f.Lines == 0 || f.Malformed < f.Lines {
			continue
		}
		i := slices.IndexFunc(srcs, func(s logscan.Source) bool { return s.Name == f.Name })
		if i < 0 {
			continue
		}
		in := logUnusable(srcs[i], logscan.ErrUnknownFormat)
		in.Reason = fmt.Sprintf("none of its %d lines reads as %s", f.Lines, f.Format)
		bad[f.Name] = in
	}
}

// unreadable reports a log that cannot be opened.
func unreadable(l LogFile) (diagnose.Input, bool) {
	f, err := os.Open(l.Name)
	if err == nil {
		f.Close()
		return diagnose.Input{}, false
	}
	return openFailure(l, err), true
}

// openFailure says why a log could not be opened and what would let it be.
func openFailure(l LogFile, err error) diagnose.Input {
	in := diagnose.Input{Kind: "log", Name: l.Name, Status: diagnose.InputUnusable, Format: l.Format}
	switch {
	case errors.Is(err, fs.ErrNotExist) && l.FromConfig:
		in.Reason, in.Hint = "missing (named by the configuration's error_log)", "the gateway may not have written it yet, or logs elsewhere: give --log"
	case errors.Is(err, fs.ErrNotExist):
		in.Reason, in.Hint = "missing", "check the path; the gateway's configuration names its logs (error_log, ErrorLog, log)"
	case errors.Is(err, fs.ErrPermission):
		in.Reason, in.Hint = "permission denied", "run gwdoctor as a user that may read it (root, sudo, or a member of the adm group on Debian)"
	default:
		in.Reason, in.Hint = err.Error(), "check that it is a readable file"
	}
	return in
}

// logUnusable says why the scan could not read a log.
func logUnusable(s logscan.Source, err error) diagnose.Input {
	in := diagnose.Input{Kind: "log", Name: s.Name, Status: diagnose.InputUnusable, Format: s.Format}
	if errors.Is(err, logscan.ErrUnknownFormat) {
		in.Reason = "unknown format: none of the supported formats reads its first lines"
		if s.Format != "" {
			in.Reason = fmt.Sprintf("unknown format %q", s.Format)
		}
		in.Hint = "name its format as --log FORMAT:" + s.Name + " (formats: " + strings.Join(logscan.Formats(), ", ") + ")"
		return in
	}
	in.Reason, in.Hint = err.Error(), "check that it is a gateway's or PHP-FPM's log, plain or gzip"
	return in
}

// logUsed records a log that was read, with how many of the diagnosis's
// lines it held.
func logUsed(l LogFile, lines []diagnose.LogLine) diagnose.Input {
	in := diagnose.Input{Kind: "log", Name: l.Name, Format: l.Format}
	for _, x := range lines {
		if strings.HasPrefix(x.Where, l.Name+":") {
			in.Lines++
		}
	}
	in.Status = diagnose.InputUsed
	if in.Lines == 0 {
		in.Status = diagnose.InputNothingFound
		in.Hint = "read, but it holds no line of this diagnosis's requests: the gateway may log this site elsewhere, or log at a level that leaves these failures out"
	}
	return in
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
	type pathLine struct {
		file string
		line diagnose.LogLine
	}
	var tagged, noPath []diagnose.LogLine
	var samePath []pathLine
	taggedIn := map[string]bool{} // files with tagged lines
	for _, e := range entries {
		l := logLine(e)
		switch {
		case id != "" && (strings.Contains(e.Path, experiment.TagParam+"="+id) || strings.HasPrefix(e.RequestID, id+"-") ||
			strings.Contains(e.Raw, id+"-")):
			l.Tagged = true
			tagged = append(tagged, l)
			taggedIn[e.File] = true
		case e.Path == "":
			noPath = append(noPath, l)
		case samePathOf(e.Path, path):
			samePath = append(samePath, pathLine{e.File, l})
		}
	}
	// The tag reaches the gateway but not every hop behind it, nor every
	// log of one hop (PHP-FPM logs the path without the query, and so does
	// Squid's access.log beside its cache.log), so a file that holds no
	// tagged line is matched by path; one that does needs no guess.
	out := append(noPath, tagged...)
	for _, pl := range samePath {
		if !taggedIn[pl.file] {
			out = append(out, pl.line)
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
	isError := e.Joined != nil || strings.Contains(e.Format, "error") || e.Product == catalog.PHPFPM || e.Detail != ""
	cause := e.Cause
	if e.Joined != nil && e.Joined.Cause != "" {
		cause = e.Joined.Cause
	}
	return diagnose.LogLine{
		Where: e.File + ":" + strconv.FormatInt(e.Line, 10), Time: e.Time, Product: string(e.Product),
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
