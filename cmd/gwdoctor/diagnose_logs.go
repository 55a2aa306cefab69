package main

import (
	"slices"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/doctor"
	"github.com/gwdoctor/gwdoctor/internal/logscan"
)

// logFlags are the diagnose flags of the log search.
type logFlags struct {
	files          []string
	format         string
	nginxLogFormat string
}

// check fails early, before any request, on a format that does not exist:
// a usage error. A log that cannot be read is named in the report instead.
func (f logFlags) check() error {
	if f.format != "" && !slices.Contains(logscan.Formats(), f.format) {
		return usagef("unknown --log-format %q; known: %s", f.format, strings.Join(logscan.Formats(), ", "))
	}
	return nil
}

// logFiles are the --log values as the diagnosis reads them.
func (f logFlags) logFiles() []doctor.LogFile {
	out := make([]doctor.LogFile, len(f.files))
	for i, s := range f.files {
		out[i] = doctor.ParseLogArg(s)
	}
	return out
}
