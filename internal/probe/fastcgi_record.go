package probe

// The FastCGI record layer, after the FastCGI 1.0 specification
// (https://fastcgi-archives.github.io/FastCGI_Specification.html), whose
// section numbers the comments cite, and the parser of the CGI response
// head carried in STDOUT (RFC 3875 section 6).

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

const (
	fcgiVersion1    = 1     // spec 8: FCGI_VERSION_1
	fcgiHeaderLen   = 8     // spec 8: FCGI_HEADER_LEN
	fcgiMaxContent  = 65535 // spec 3.3: contentLength is two bytes
	fcgiMaxPadding  = 255   // spec 3.3: paddingLength is one byte
	fcgiRequestID   = 1     // spec 3.3: 0 is reserved for management records
	fcgiRoleResp    = 1     // spec 5.1, 8: FCGI_RESPONDER
	fcgiMaxStderr   = 4 << 10
	fcgiStderrLimit = 1 << 20 // STDERR bytes read before the probe gives up
	// fcgiMaxRecords bounds the records read for one response. PHP-FPM
	// writes its output in records of up to its 8 KiB output buffer, so
	// this allows hundreds of MiB of real output; only a peer sending
	// endless tiny or empty records reaches it.
	fcgiMaxRecords = 1 << 16
)

// fcgiType is a record type (spec 8).
type fcgiType uint8

// The record types (spec 8).
const (
	fcgiBeginRequest fcgiType = 1
	fcgiEndRequest   fcgiType = 3
	fcgiParams       fcgiType = 4
	fcgiStdin        fcgiType = 5
	fcgiStdout       fcgiType = 6
	fcgiStderr       fcgiType = 7
)

// The protocolStatus values of END_REQUEST (spec 5.5).
const (
	fcgiRequestComplete = 0
	fcgiCantMpxConn     = 1
	fcgiOverloaded      = 2
	fcgiUnknownRole     = 3
)

// errRecordLimit reports a response that needs more records or STDERR
// bytes than the probe reads.
var errRecordLimit = errors.New("FastCGI response exceeds the probe's record limits")

// fcgiHeader is the fixed 8-byte header of every record (spec 3.3).
type fcgiHeader struct {
	Type          fcgiType
	ID            uint16
	ContentLength uint16
	PaddingLength uint8
}

// appendRecord appends one record, padded to a multiple of 8 bytes as
// spec 3.3 recommends. content must fit in one record.
func appendRecord(dst []byte, t fcgiType, id uint16, content []byte) []byte {
	pad := -len(content) & 7
	dst = append(dst, fcgiVersion1, byte(t), byte(id>>8), byte(id),
		byte(len(content)>>8), byte(len(content)), byte(pad), 0)
	dst = append(dst, content...)
	return append(dst, make([]byte, pad)...)
}

// appendStream appends content as a stream: records of at most 65535
// bytes, then the empty record that ends the stream (spec 3.3).
func appendStream(dst []byte, t fcgiType, id uint16, content []byte) []byte {
	for len(content) > 0 {
		n := min(len(content), fcgiMaxContent)
		dst = appendRecord(dst, t, id, content[:n])
		content = content[n:]
	}
	return appendRecord(dst, t, id, nil)
}

// appendBeginRequest appends BEGIN_REQUEST for the Responder role with
// flags 0: the application closes the connection after the response
// (spec 5.1).
func appendBeginRequest(dst []byte, id uint16) []byte {
	return appendRecord(dst, fcgiBeginRequest, id, []byte{0, fcgiRoleResp, 0, 0, 0, 0, 0, 0})
}

// appendParam appends one name-value pair: each length takes one byte
// below 128, else four bytes with the high bit set (spec 3.4).
func appendParam(dst []byte, name, value string) []byte {
	dst = appendParamLen(dst, len(name))
	dst = appendParamLen(dst, len(value))
	return append(append(dst, name...), value...)
}

func appendParamLen(dst []byte, n int) []byte {
	if n < 128 {
		return append(dst, byte(n))
	}
	return binary.BigEndian.AppendUint32(dst, uint32(n)|1<<31)
}

// readRecord reads one record into buf, which must hold 65535+255 bytes,
// and returns its header and content. A clean close between records is
// io.EOF; a close inside one is io.ErrUnexpectedEOF.
func readRecord(r io.Reader, buf []byte) (fcgiHeader, []byte, error) {
	var raw [fcgiHeaderLen]byte
	n, err := io.ReadFull(r, raw[:])
	if n > 0 && raw[0] != fcgiVersion1 {
		if bytes.HasPrefix([]byte("HTTP/"), raw[:min(n, 5)]) {
			// What nginx logs as "unsupported FastCGI protocol version: 72".
			return fcgiHeader{}, nil, fmt.Errorf("%w: record version %d ('H' of %q): the port speaks HTTP, not FastCGI", errMalformed, raw[0], raw[:n])
		}
		return fcgiHeader{}, nil, fmt.Errorf("%w: record version %d, want 1 (FastCGI spec 3.3): not FastCGI", errMalformed, raw[0])
	}
	if err != nil {
		return fcgiHeader{}, nil, err
	}
	h := fcgiHeader{
		Type:          fcgiType(raw[1]),
		ID:            binary.BigEndian.Uint16(raw[2:4]),
		ContentLength: binary.BigEndian.Uint16(raw[4:6]),
		PaddingLength: raw[6],
	}
	total := int(h.ContentLength) + int(h.PaddingLength)
	if _, err := io.ReadFull(r, buf[:total]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return h, nil, err
	}
	return h, buf[:h.ContentLength], nil
}

// protocolStatusName names an END_REQUEST protocolStatus (spec 5.5).
func protocolStatusName(s uint8) string {
	switch s {
	case fcgiRequestComplete:
		return "request_complete"
	case fcgiCantMpxConn:
		return "cant_mpx_conn"
	case fcgiOverloaded:
		return "overloaded"
	case fcgiUnknownRole:
		return "unknown_role"
	}
	return fmt.Sprintf("unknown_%d", s)
}

// fcgiStream reads the records of one response: it hands out STDOUT
// content, keeps the start of STDERR (spec 5.3) and stops at END_REQUEST
// (spec 5.5), recording what it saw in info.
type fcgiStream struct {
	r     *bufio.Reader
	buf   []byte
	info  *FastCGIInfo
	now   func() time.Time
	first time.Time // the first STDOUT or END_REQUEST record
}

func newFCGIStream(r io.Reader, info *FastCGIInfo, now func() time.Time) *fcgiStream {
	return &fcgiStream{r: bufio.NewReader(r), buf: make([]byte, fcgiMaxContent+fcgiMaxPadding), info: info, now: now}
}

// next returns the next piece of STDOUT. end is true once END_REQUEST has
// arrived; err is then set when its protocolStatus is not REQUEST_COMPLETE.
func (s *fcgiStream) next() (chunk []byte, end bool, err error) {
	for {
		if s.info.Records >= fcgiMaxRecords || s.info.StderrBytes > fcgiStderrLimit {
			return nil, false, errRecordLimit
		}
		h, content, err := readRecord(s.r, s.buf)
		if err != nil {
			return nil, false, err
		}
		s.info.Records++
		if h.ID != fcgiRequestID {
			return nil, false, fmt.Errorf("%w: FastCGI %s record for request %d, want %d (spec 3.3)", errMalformed, h.Type, h.ID, fcgiRequestID)
		}
		switch h.Type {
		case fcgiStdout:
			s.mark()
			if len(content) > 0 {
				return content, false, nil
			}
		case fcgiStderr:
			s.keepStderr(content)
		case fcgiEndRequest:
			s.mark()
			return nil, true, s.end(content)
		default:
			return nil, false, fmt.Errorf("%w: unexpected FastCGI %s record in a response (spec 8)", errMalformed, h.Type)
		}
	}
}

func (s *fcgiStream) mark() {
	if s.first.IsZero() {
		s.first = s.now()
	}
}

func (s *fcgiStream) keepStderr(p []byte) {
	s.info.StderrBytes += int64(len(p))
	if room := fcgiMaxStderr - len(s.info.Stderr); room > 0 {
		s.info.Stderr += string(p[:min(room, len(p))])
	}
}

// end records an END_REQUEST body: appStatus (4 bytes), protocolStatus
// (1 byte), reserved (3 bytes) (spec 5.5).
func (s *fcgiStream) end(body []byte) error {
	if len(body) < 8 {
		return fmt.Errorf("%w: FastCGI END_REQUEST body of %d bytes, want 8 (spec 5.5)", errMalformed, len(body))
	}
	s.info.Ended = true
	s.info.AppStatus = binary.BigEndian.Uint32(body[:4])
	s.info.ProtocolStatus = protocolStatusName(body[4])
	switch body[4] {
	case fcgiRequestComplete:
		return nil
	case fcgiOverloaded:
		// The application ran out of a resource, such as database
		// connections, and rejected the request (spec 5.5).
		return fmt.Errorf("%w: FastCGI END_REQUEST with protocolStatus FCGI_OVERLOADED", errOverloaded)
	}
	return fmt.Errorf("FastCGI application rejected the request: END_REQUEST with protocolStatus %s (spec 5.5)", s.info.ProtocolStatus)
}

// String names the record type as the spec does.
func (t fcgiType) String() string {
	names := [...]string{"", "BEGIN_REQUEST", "ABORT_REQUEST", "END_REQUEST", "PARAMS", "STDIN",
		"STDOUT", "STDERR", "DATA", "GET_VALUES", "GET_VALUES_RESULT", "UNKNOWN_TYPE"}
	if int(t) < len(names) && t > 0 {
		return names[t]
	}
	return fmt.Sprintf("type-%d", uint8(t))
}

// headEnd returns the length of the head in b, through the blank line
// that ends it, or -1. Lines end in CRLF or a bare LF, which PHP and
// nginx both accept; the search starts at from.
func headEnd(b []byte, from int) int {
	if len(b) > 0 && b[0] == '\n' {
		return 1
	}
	if len(b) > 1 && b[0] == '\r' && b[1] == '\n' {
		return 2
	}
	for i := from; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		switch {
		case i+1 < len(b) && b[i+1] == '\n':
			return i + 2
		case i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n':
			return i + 3
		}
	}
	return -1
}

// parseCGIHead parses a CGI response head (RFC 3875 section 6.3). The
// status is that of the Status field, else 302 for a Location without
// one (section 6.2.3), else 200 (section 6.3.3).
func parseCGIHead(head []byte) (int, http.Header, error) {
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(head)))
	mh, err := tp.ReadMIMEHeader()
	if err != nil {
		return 0, nil, fmt.Errorf("%w: CGI response head: %w", errMalformed, err)
	}
	h := http.Header(mh)
	status := http.StatusOK
	if h.Get("Location") != "" {
		status = http.StatusFound
	}
	if v := h.Get("Status"); v != "" {
		code, _, _ := strings.Cut(strings.TrimSpace(v), " ")
		n, err := strconv.Atoi(code)
		if err != nil || len(code) != 3 || n < 100 {
			return 0, nil, fmt.Errorf("%w: CGI Status %q is not a three-digit code", errMalformed, v)
		}
		status = n
	}
	return status, h, nil
}
