package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/request"
)

// The exit codes of gwdoctor, as documented in the README and --help.
const (
	exitOK       = 0 // nothing wrong
	exitFailure  = 1 // a failure was diagnosed
	exitUsage    = 2 // the command was used wrongly: bad flag, bad URL
	exitInternal = 3 // gwdoctor itself could not run the diagnosis
)

// errFailureFound reports a diagnosed failure; it prints nothing more.
var errFailureFound = errors.New("a failure was diagnosed")

// usageError marks a mistake in how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

const exitHelp = `Exit codes:
  0  nothing wrong
  1  a failure was diagnosed
  2  the command was used wrongly (bad flag, bad URL)
  3  gwdoctor itself could not run the diagnosis`

// exitCode is the one place where errors become exit codes. Every error is
// printed as a single line.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errFailureFound) {
		return exitFailure
	}
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", " ")
	fmt.Fprintf(stderr, "gwdoctor: %s\n", msg)
	var ue usageError
	if errors.As(err, &ue) || errors.As(err, new(*request.Error)) || isCobraUsage(err) {
		return exitUsage // a *request.Error: --curl or --har holds no request to diagnose
	}
	return exitInternal
}

// isCobraUsage recognises cobra's and pflag's own errors about the command
// line, which come as plain errors; their texts are pflag's and cobra's.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "unknown command", "flag needs an argument",
		"invalid argument", "accepts ", "requires at least", "requires exactly", "bad flag syntax", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
