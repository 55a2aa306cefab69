package gwconfig

import (
	"errors"
	"fmt"
)

// ParseError reports a configuration that cannot be read or understood, at
// the file and line where the problem is. Line is 0 when the whole file is at
// fault (it cannot be opened, for instance).
type ParseError struct {
	File string
	Line int
	Msg  string
	Err  error // the underlying error, if any (an *fs.PathError for a missing file)
}

// Error returns "file:line: message", or "file: message" without a line.
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

func parseErrorf(file string, line int, format string, args ...any) *ParseError {
	return &ParseError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// asParseError is errors.As for *ParseError, kept in one place.
func asParseError(err error, target **ParseError) bool {
	return errors.As(err, target)
}
