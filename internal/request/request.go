// Package request reads the request a user wants diagnosed from what a
// browser's developer tools export: a "Copy as cURL" command (FromCurl) or
// an HTTP Archive of the network panel (FromHAR).
//
// A gateway error often depends on the request that met it: its cookies,
// its headers, its method. Asking the user to retype them loses the one
// that matters, so the package takes them from the browser's own record.
// Nothing is ever run: a command that needs a shell to expand a variable is
// refused, not executed. A body is never kept, because replaying a request
// must not repeat a payment or an order; Request.DroppedBody says one was
// left out.
//
// Input that is not a request yields an *Error, whose message is one line.
package request

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// Request is a request to replay, as the browser sent it, without its body.
type Request struct {
	URL    string // absolute; curl's guess of "http://" added when the scheme is missing
	Method string // never ""; curl's default, GET, or POST when a body was given
	// Header holds the request's headers, without Cookie.
	Header http.Header
	// Cookies are the "name=value" items of the Cookie headers, and of
	// curl's -b/--cookie, in order.
	Cookies []string
	// DroppedBody says whose request body a replay leaves out, as a note
	// for a report ("HAR entry 2's request body was not sent"); "" when the
	// request had none.
	DroppedBody string
	// Reported is what the browser saw of the request, from a HAR file;
	// nil for a curl command.
	Reported *diagnose.Reported

	Insecure bool     // curl's -k/--insecure
	Resolve  []string // curl's --resolve values, HOST:PORT:ADDR, unchecked
	Ignored  []string // curl options read but irrelevant to a diagnosis, by long name
}

// Error is input that cannot be read as a request: a command that is not a
// single curl command, a file that is not a HAR file, an entry that is not
// in it. A failure to read the input itself is not an Error.
type Error struct {
	Msg string // what is wrong, on one line
	Err error  // a condition for errors.Is, such as ErrNoFailure; often nil
}

// Error returns the message.
func (e *Error) Error() string { return e.Msg }

// Unwrap returns the condition, if any.
func (e *Error) Unwrap() error { return e.Err }

// ErrNoFailure is the condition of an *Error from FromHAR when no entry
// was picked and no entry got a gateway status: the caller has to choose
// one by its number.
var ErrNoFailure = errors.New("no request got a gateway status")

// errorf returns an *Error whose message is kept to one line.
func errorf(cond error, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Msg: strings.ReplaceAll(msg, "\n", " "), Err: cond}
}
