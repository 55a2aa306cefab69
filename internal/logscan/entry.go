package logscan

import (
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// Entry is one failure line of a log, read as far as its format allows.
type Entry struct {
	// Time is when the line was logged; zero if the line has no time.
	Time time.Time `json:"time"`
	// Format is the name of the log format, as accepted by Options.Format.
	Format string `json:"format"`
	// Product is the gateway or server that wrote the line (a product slug).
	Product catalog.Product `json:"product"`
	// Status is the HTTP status the client got, or the one the product gives
	// for this cause when the line has none (error logs); 0 if unknown.
	Status int `json:"status,omitempty"`
	// Cause is a cause ID of the catalog.
	Cause catalog.Cause `json:"cause"`
	// Upstream is the upstream's address (host:port, unix:/path) or name.
	Upstream string `json:"upstream,omitempty"`
	// Scheme is how the gateway spoke to the upstream when the line says so:
	// http, https, fastcgi, uwsgi, grpc.
	Scheme string `json:"scheme,omitempty"`
	// Method is the request's method.
	Method string `json:"method,omitempty"`
	// Path is the request's path, query included.
	Path string `json:"path,omitempty"`
	// Client is the client's address.
	Client string `json:"client,omitempty"`
	// RequestID is the request's ID when the line has one.
	RequestID string `json:"request_id,omitempty"`
	// Conn is nginx's connection serial number (the "*123" of error lines,
	// $connection in access lines); 0 if unknown.
	Conn int64 `json:"conn,omitempty"`
	// Detail is the line's own words for the failure, when it has them.
	Detail string `json:"detail,omitempty"`
	// Raw is the line itself, cut to MaxRawLen bytes.
	Raw string `json:"raw"`
	// File is the file the line came from ("-" for standard input).
	File string `json:"file"`
	// Line is the line's number in File, from 1.
	Line int64 `json:"line"`
	// Joined is the error-log line that explained this access-log line, if any.
	Joined *Entry `json:"joined,omitempty"`

	explains bool  // an error-log line, which explains an access-log line
	text     int32 // its strings wait in a textBuf, at this span plus one
}

// MaxRawLen is the longest Entry.Raw kept; longer lines are cut.
const MaxRawLen = 1024

// rawString copies a line for Entry.Raw, cut to MaxRawLen bytes.
func rawString(line []byte) string {
	if len(line) > MaxRawLen {
		line = line[:MaxRawLen]
	}
	return string(line)
}

// verdict is what a parser made of one line.
type verdict uint8

const (
	lineOK        verdict = iota // a well-formed line that shows no upstream failure
	lineFailure                  // a failure: the Entry is filled
	lineMalformed                // not a line of this format
)

// parser reads the lines of one format. parse fills e only as far as it
// needs: completely for failures (but for Raw, File and Line, which the
// scanner sets), and at least e.Time for every line whose format has a time,
// so that the since/until filter works.
type parser interface {
	parse(line []byte, e *Entry) verdict
}

// kind tells access logs (one line per request) from error logs (lines that
// explain failures), for joining the two.
type kind uint8

const (
	kindAccess kind = iota
	kindError
	kindBoth // one file holds both, as Caddy's JSON log does
)
