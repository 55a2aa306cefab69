package logscan

import (
	"bytes"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// herokuRouter reads the line Heroku's router writes to an app's log for
// each request (Heroku Dev Center, "HTTP Routing" and "Heroku Error
// Codes"): key=value pairs, with the error's code for a request the
// router could not serve, and none for one a dyno answered:
//
//	at=error code=H12 desc="Request timeout" method=POST path="/poll" host=app.herokuapp.com request_id=50a4bf5b-0932-45bd-89ff-95a4fb89cc3d fwd="36.71.232.235" dyno=web.1 connect=1ms service=30000ms status=503 bytes=0 protocol=https
//
// heroku logs writes "TIME heroku[router]: " in front (wrap.go's
// logplex), which gives the line its time.
type herokuRouter struct{}

func (p *herokuRouter) parse(line []byte, e *Entry) verdict {
	line = bytes.TrimLeft(line, " ")
	if bytes.HasPrefix(line, []byte("Error H")) {
		return p.parseArrow(line, e)
	}
	keyed := bytes.HasPrefix(line, []byte("at=")) || bytes.HasPrefix(line, []byte("sock=")) && bytes.Contains(line, []byte(" at="))
	if !keyed || !bytes.Contains(line, []byte(" method=")) {
		return lineMalformed
	}
	code := herokuValue(line, "code")
	if string(code) == "H18" && string(herokuValue(line, "sock")) == "client" {
		// The client closed its socket before the answer was sent
		// (Heroku Error Codes, H18: sock=client): no upstream failure.
		return lineOK
	}
	status, _ := digits(herokuValue(line, "status"))
	var cause catalog.Cause
	switch {
	case len(code) > 0:
		cause = herokuCause(string(code))
	case catalog.IsGatewayStatus(status):
		cause = catalog.UpstreamAppError // no error of the router's: the dyno's own answer, passed on
	}
	if cause == "" {
		return lineOK
	}
	e.Cause, e.Product, e.Format, e.Status = cause, catalog.Heroku, "heroku", status
	e.Method = string(capLen(herokuValue(line, "method"), 16))
	e.Path = string(capLen(herokuValue(line, "path"), 512))
	e.RequestID = string(capLen(herokuValue(line, "request_id"), 128))
	if fwd, _, _ := bytes.Cut(herokuValue(line, "fwd"), []byte(",")); len(fwd) > 0 {
		e.Client = string(capLen(fwd, 64)) // the first of X-Forwarded-For: the client
	}
	e.Upstream = string(capLen(herokuValue(line, "dyno"), 64))
	if len(code) > 0 {
		e.Detail = string(capLen(code, 8)) + " " + string(capLen(herokuValue(line, "desc"), 128))
	}
	return lineFailure
}

// herokuValue returns the value of key in a router line, without its
// quotes; nil when the line has none.
func herokuValue(line []byte, key string) []byte {
	i := 0
	if !bytes.HasPrefix(line, []byte(key+"=")) {
		i = bytes.Index(line, []byte(" "+key+"="))
		if i < 0 {
			return nil
		}
		i++
	}
	v := line[i+len(key)+1:]
	if len(v) > 0 && v[0] == '"' {
		q, _, _ := quoted(v)
		return q
	}
	w, _ := word(v)
	return w
}

// herokuCause maps a router error's code to a cause, as Heroku's "Heroku
// Error Codes" describes each. The codes of the client's own failures
// (H26 to H28, H31), a redirect and the app's maintenance mode are not
// the upstream's; the platform's own (H23, H24, H83, H99 among them)
// name no cause.
func herokuCause(code string) catalog.Cause {
	if c, ok := catalog.HerokuCause(code); ok {
		return c
	}
	return catalog.Unknown
}

// parseArrow reads the router's error lines as it wrote them until about
// 2013: "Error H12 (Request timeout) -> POST host/path dyno=web.1
// queue= wait= service=30000ms status=503 bytes=0".
func (p *herokuRouter) parseArrow(line []byte, e *Entry) verdict {
	rest := line[len("Error "):]
	code, rest := word(rest)
	desc, after, ok := bytes.Cut(rest, []byte(") -> "))
	if !ok || len(code) < 2 || !bytes.HasPrefix(desc, []byte("(")) {
		return lineMalformed
	}
	method, after := word(after)
	target, after := word(after)
	status, _ := digits(herokuValue(after, "status"))
	cause := herokuCause(string(code))
	if cause == "" {
		return lineOK
	}
	e.Cause, e.Product, e.Format, e.Status = cause, catalog.Heroku, "heroku", status
	e.Method = string(capLen(method, 16))
	if i := bytes.IndexByte(target, '/'); i >= 0 {
		e.Path = string(capLen(target[i:], 512))
	}
	e.Upstream = string(capLen(herokuValue(after, "dyno"), 64))
	e.Detail = string(capLen(code, 8)) + " " + string(capLen(desc[1:], 128))
	return lineFailure
}
