package logscan

import (
	"bytes"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// iisLog reads IIS's W3C extended log (Microsoft Learn, "W3C Logging"):
// space-separated fields, "-" for an empty one, spaces inside a value
// written as "+", and "#Software", "#Version", "#Date" and "#Fields"
// directives. The default fields are
//
//	date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
//
// and sites add or drop some (sc-bytes, cs-bytes, s-sitename, ...). A
// line is read by its shape, whatever fields were chosen: the date and
// time first, the method, and the status, substatus and Win32 status as
// the first run of three numbers after the client.
type iisLog struct{}

var iisMethods = [][]byte{[]byte("GET"), []byte("POST"), []byte("HEAD"), []byte("PUT"), []byte("DELETE"), []byte("OPTIONS"), []byte("PATCH"), []byte("PROPFIND")}

func (p *iisLog) parse(line []byte, e *Entry) verdict {
	if len(line) > 0 && line[0] == '#' {
		if bytes.HasPrefix(line, []byte("#Software:")) || bytes.HasPrefix(line, []byte("#Version:")) ||
			bytes.HasPrefix(line, []byte("#Date:")) || bytes.HasPrefix(line, []byte("#Fields:")) || bytes.HasPrefix(line, []byte("#Remark:")) {
			return lineOK
		}
		return lineMalformed
	}
	fields := bytes.Fields(line)
	if len(fields) < 10 || len(fields) > 40 {
		return lineMalformed
	}
	t, ok := iisTime(fields[0], fields[1])
	if !ok {
		return lineMalformed
	}
	m := -1
	for i := 2; i < 6 && i < len(fields); i++ {
		for _, meth := range iisMethods {
			if bytes.Equal(fields[i], meth) {
				m = i
			}
		}
	}
	if m < 0 || m+4 >= len(fields) {
		return lineMalformed
	}
	// The status run: three numbers in a row after the method's stem,
	// query and port, the first a status.
	st := -1
	for i := m + 4; i+2 < len(fields); i++ {
		s, ok1 := digits(fields[i])
		_, ok2 := digits(fields[i+1])
		_, ok3 := digits(fields[i+2])
		if ok1 && ok2 && ok3 && len(fields[i]) == 3 && s >= 100 && s < 600 {
			st = i
			break
		}
	}
	if st < 0 {
		return lineMalformed
	}
	e.Time = t
	status, _ := digits(fields[st])
	sub, _ := digits(fields[st+1])
	win32, _ := digits(fields[st+2])
	cause := catalog.IISCause(status, sub, win32)
	if cause == "" {
		return lineOK
	}
	e.Cause, e.Product, e.Format, e.Status = cause, catalog.IIS, "iis", status
	e.Method = string(capLen(fields[m], 16))
	e.Path = string(capLen(fields[m+1], 512))
	e.Detail = "sc-status " + string(capLen(fields[st], 3)) + "." + string(capLen(fields[st+1], 4)) + ", sc-win32-status " + string(capLen(fields[st+2], 10))
	return lineFailure
}

// iisTime reads W3C's date and time fields, in UTC.
func iisTime(d, t []byte) (time.Time, bool) {
	if len(d) != 10 || d[4] != '-' || d[7] != '-' || len(t) < 8 {
		return time.Time{}, false
	}
	y, mo, day := num4(d, 0), num2(d, 5), num2(d, 8)
	h, mi, s, ok := clock(t, 0)
	if y < 0 || mo < 1 || mo > 12 || day < 1 || day > 31 || !ok {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), day, h, mi, s, 0, time.UTC), true
}
