package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwdoctor/gwdoctor/internal/logscan"
	"github.com/gwdoctor/gwdoctor/internal/report"
)

type logsFlags struct {
	format      string
	nginxFormat string
	since       string
	until       string
	follow      bool
	poll        time.Duration
	json        bool
	formatOut   string
	examples    int
	timezone    string
}

func newLogsCmd(s streams) *cobra.Command {
	var f logsFlags
	cmd := &cobra.Command{
		Use:   "logs FILE...",
		Short: "Explain the upstream failures in gateway logs: causes, timeline, top upstreams",
		Long: `logs reads gateway logs and names the cause of each upstream failure with the
cause IDs of the catalog. Formats are detected per file (or forced with
--format): ` + strings.Join(logscan.Formats(), ", ") + `.
Files may be gzip-compressed and rotated (error.log.2.gz); "-" reads standard
input. Give an access log and its error log together and each failed request
gets the exact cause from its error line.

` + exitHelp,
		Example: `  gwdoctor logs /var/log/nginx/access.log /var/log/nginx/error.log
  gwdoctor logs --since 1h /var/log/nginx/error.log*
  gwdoctor logs --nginx-log-format '$remote_addr [$time_local] "$request" $status $upstream_status $upstream_addr' access.log
  zcat haproxy.log.*.gz | gwdoctor logs --format haproxy -
  gwdoctor logs --follow /var/log/nginx/error.log`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("logs needs at least one FILE (or - for standard input)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogs(cmd.Context(), s, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "", "read every file as this format instead of detecting it: "+strings.Join(logscan.Formats(), ", "))
	fl.StringVar(&f.nginxFormat, "nginx-log-format", "", "the log_format definition of nginx access logs, e.g. '$remote_addr [$time_local] \"$request\" $status $upstream_status'")
	fl.StringVar(&f.since, "since", "", "only lines at or after this time: RFC 3339, '2006-01-02 15:04', or a duration before now such as 1h")
	fl.StringVar(&f.until, "until", "", "only lines before this time, as --since")
	fl.BoolVarP(&f.follow, "follow", "f", false, "keep reading as the files grow (and are rotated), until interrupted; print each failure as it comes")
	fl.DurationVar(&f.poll, "poll", 250*time.Millisecond, "how often --follow looks for new lines")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON (schema_version 1); same as --format-out json")
	fl.StringVar(&f.formatOut, "format-out", "text", "report format: text, json or markdown")
	fl.IntVar(&f.examples, "examples", 3, "example lines to keep per cause")
	fl.StringVar(&f.timezone, "timezone", "", "zone of log times written without one (nginx error log, Apache, HAProxy, PHP-FPM), e.g. Europe/Berlin; default this machine's")
	return cmd
}

func runLogs(ctx context.Context, s streams, files []string, f logsFlags) error {
	opt, out, err := logsOptions(f, time.Now())
	if err != nil {
		return err
	}
	var srcs []logscan.Source
	stdin := 0
	var unreadable []error
	for _, name := range files {
		src := logscan.Source{Name: name}
		if name == "-" {
			src.Reader = s.in
			stdin++
		} else if err := readable(name); err != nil {
			unreadable = append(unreadable, err)
			continue
		}
		srcs = append(srcs, src)
	}
	if stdin > 1 {
		return usagef("standard input (-) can be read only once")
	}
	if len(srcs) == 0 {
		msgs := make([]string, len(unreadable))
		for i, err := range unreadable {
			msgs[i] = err.Error()
		}
		return fmt.Errorf("no log could be read: %w", errors.New(strings.Join(msgs, "; ")))
	}
	// A file that cannot be read leaves the others to read.
	for _, err := range unreadable {
		fmt.Fprintf(s.err, "gwdoctor: skipping a log: %v\n", err)
	}
	if f.follow {
		opt.OnEntry = liveEntry(s, out)
	} else if isTerminal(s.err) {
		stop := showProgress(s, &opt)
		defer stop()
	}
	rep, err := logscan.Scan(ctx, srcs, opt)
	if errors.Is(err, logscan.ErrUnknownFormat) || errors.Is(err, logscan.ErrBadLogFormat) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	if err := renderLogs(s, rep, out, opt.Location); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if rep.Failures > 0 {
		return errFailureFound
	}
	return nil
}

// readable reports why the log file name cannot be read, or nil.
func readable(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory: give the log files in it", name)
	}
	return nil
}

// logsOptions checks the flags and turns them into scan options and the
// output format.
func logsOptions(f logsFlags, now time.Time) (logscan.Options, string, error) {
	opt := logscan.Options{Format: f.format, NginxLogFormat: f.nginxFormat, Follow: f.follow, Poll: f.poll, Examples: f.examples}
	out := strings.ToLower(f.formatOut)
	if f.json {
		out = "json"
	}
	switch out {
	case "text", "json", "markdown", "md":
	default:
		return opt, "", usagef("bad --format-out %q: want text, json or markdown", f.formatOut)
	}
	if f.format != "" && !contains(logscan.Formats(), f.format) {
		return opt, "", usagef("unknown --format %q: supported formats are %s", f.format, strings.Join(logscan.Formats(), ", "))
	}
	if f.examples < 0 || f.examples > 100 {
		return opt, "", usagef("--examples must be between 0 and 100, got %d", f.examples)
	}
	if f.examples == 0 {
		opt.Examples = -1
	}
	if f.poll <= 0 {
		return opt, "", usagef("--poll must be positive, got %s", f.poll)
	}
	if f.timezone != "" {
		loc, err := time.LoadLocation(f.timezone)
		if err != nil {
			return opt, "", usagef("bad --timezone %q: %v", f.timezone, err)
		}
		opt.Location = loc
	}
	var err error
	loc := time.Local
	if opt.Location != nil {
		loc = opt.Location
	}
	if opt.Since, err = parseWhen(f.since, now, loc); err != nil {
		return opt, "", usagef("bad --since %q: %v", f.since, err)
	}
	if opt.Until, err = parseWhen(f.until, now, loc); err != nil {
		return opt, "", usagef("bad --until %q: %v", f.until, err)
	}
	if !opt.Since.IsZero() && !opt.Until.IsZero() && !opt.Since.Before(opt.Until) {
		return opt, "", usagef("--since must be before --until")
	}
	return opt, out, nil
}

// parseWhen reads a --since/--until value: RFC 3339, a date and time in
// loc, or a duration before now.
func parseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, errors.New("a duration before now must be positive")
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("want RFC 3339 (2006-01-02T15:04:05Z), '2006-01-02 15:04' or a duration such as 90m")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func renderLogs(s streams, rep *logscan.Report, out string, loc *time.Location) error {
	ro := report.LogsOptions{Color: colorWanted(s.out), Location: loc}
	switch out {
	case "json":
		return report.LogsJSON(s.out, rep)
	case "markdown", "md":
		return report.LogsMarkdown(s.out, rep, ro)
	}
	if err := report.LogsText(s.out, rep, ro); err != nil {
		return err
	}
	if loc == nil {
		loc = time.Local
	}
	printEpisodes(s.out, logEpisodes(rep.Timeline), loc)
	return nil
}

// liveEntry prints each failure as --follow finds it: a line of text, or a
// JSON object per line.
func liveEntry(s streams, out string) func(logscan.Entry) {
	var mu sync.Mutex
	enc := json.NewEncoder(s.out)
	return func(e logscan.Entry) {
		mu.Lock()
		defer mu.Unlock()
		if out == "json" {
			_ = enc.Encode(e) // a broken pipe shows in the final report's write
			return
		}
		fmt.Fprintf(s.out, "%s  %d  %-26s %-22s %s %s  (%s:%d)\n", e.Time.Format("2006-01-02 15:04:05"),
			e.Status, e.Cause, e.Upstream, e.Method, e.Path, e.File, e.Line)
	}
}

// showProgress reports bytes read and lines per second on a terminal.
func showProgress(s streams, opt *logscan.Options) (stop func()) {
	var mu sync.Mutex
	shown := false
	opt.Progress = func(p logscan.Progress) {
		mu.Lock()
		defer mu.Unlock()
		secs := max(p.Elapsed.Seconds(), 0.001)
		fmt.Fprintf(s.err, "\r\x1b[K… %.1f MB read, %.0f lines/s", float64(p.Bytes)/1e6, float64(p.Lines)/secs)
		shown = true
	}
	return func() {
		mu.Lock()
		defer mu.Unlock()
		if shown {
			fmt.Fprint(s.err, "\r\x1b[K")
		}
	}
}
