package watchconfig

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem of a configuration file, at its place. Parse and
// Load return all the problems they find, joined (errors.Join), one line
// each and in the order of the file; errors.As finds the first.
type Error struct {
	File   string
	Line   int // 1-based; 0 when the problem has no place in the file
	Column int // 1-based
	Msg    string
	// Err is the underlying error, when there is one (a
	// *target.InputError for a bad URL).
	Err error
}

// Error is "file:line:col: message", on one line.
func (e *Error) Error() string {
	msg := strings.ReplaceAll(e.Msg, "\n", " ")
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, msg)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// pos is a place in the file.
type pos struct{ line, col int }

// problems collects the errors of one file.
type problems struct {
	file string
	list []*Error
}

// add records a problem at p.
func (ps *problems) add(p pos, err error, format string, args ...any) {
	ps.list = append(ps.list, &Error{File: ps.file, Line: p.line, Column: p.col, Msg: fmt.Sprintf(format, args...), Err: err})
}

// err joins the problems in file order, nil when there are none.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	slices.SortStableFunc(ps.list, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	errs := make([]error, len(ps.list))
	for i, e := range ps.list {
		errs[i] = e
	}
	return errors.Join(errs...)
}
