package logscan

import (
	"bytes"
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// caddyLog reads Caddy v2's JSON logs: the access log ("handled request",
// logger http.log.access.*) and the error log (logger http.log.error.*),
// which usually share one file. Only lines with a gateway "status" are
// decoded as JSON; the rest are checked with a byte scan.
//
//	{"level":"error","ts":1649018456.56,"logger":"http.log.error.log0","msg":"dial tcp 127.0.0.1:4040: connect: connection refused","request":{"remote_ip":"127.0.0.1","remote_port":"50442","method":"GET","host":"localhost","uri":"/"},"duration":0.025,"status":502}
type caddyLog struct {
	loc *time.Location
	zc  zoneCache
}

// caddyLine is the part of a Caddy log line that is read.
type caddyLine struct {
	TS      json.RawMessage `json:"ts"`
	Logger  string          `json:"logger"`
	Msg     string          `json:"msg"`
	Status  int             `json:"status"`
	Request struct {
		RemoteIP   string `json:"remote_ip"`
		RemotePort string `json:"remote_port"`
		ClientIP   string `json:"client_ip"`
		Method     string `json:"method"`
		URI        string `json:"uri"`
	} `json:"request"`
	Upstream string `json:"upstream"`
	Error    string `json:"error"`
}

func (p *caddyLog) parse(line []byte, e *Entry) verdict {
	line = bytes.TrimRight(line, " \t")
	if len(line) > 0 && line[0] >= '0' && line[0] <= '9' {
		if len(line) > 4 && line[4] == '/' || bytes.IndexByte(line[:min(len(line), 32)], '\t') > 0 {
			return p.console(line, e)
		}
		return caddyV1(line, p.loc, &p.zc, e)
	}
	if len(line) < 2 || line[0] != '{' || line[len(line)-1] != '}' || !bytes.Contains(line, []byte(`"logger":"`)) {
		return lineMalformed
	}
	st := jsonNumberAfter(line, `"status":`)
	if containsAny(line, `"msg":"aborting with incomplete response"`, `"msg":"reading from backend"`) &&
		!containsAny(line, `"error":"context canceled"`, `"error":"writing: `) {
		// A canceled context is the client gone; "writing: ..." is the
		// write to the client failing: neither is the upstream's.
		// The reverse proxy had begun to pass a response on when the
		// upstream broke off (the body's read failed: "reading from
		// backend", then "aborting with incomplete response"); the client
		// got a cut 200, so no failure status is logged. The line names
		// no request.
		return p.truncated(line, e)
	}
	if !catalog.IsGatewayStatus(st) {
		if ts := jsonNumberBytes(line, `"ts":`); ts != nil {
			e.Time, _ = timeEpoch(ts)
		}
		return lineOK
	}
	var c caddyLine
	if err := json.Unmarshal(line, &c); err != nil {
		return lineMalformed
	}
	if t, ok := timeEpoch(c.TS); ok {
		e.Time = t
	} else if s, err := strconv.Unquote(string(c.TS)); err == nil {
		e.Time, _ = timeRFC3339([]byte(s))
	}
	e.Product, e.Format, e.Status = catalog.Caddy, "caddy", c.Status
	e.Method, e.Path = c.Request.Method, c.Request.URI
	e.Client = c.Request.RemoteIP
	if c.Request.RemotePort != "" {
		e.Client = net.JoinHostPort(c.Request.RemoteIP, c.Request.RemotePort)
	}
	e.Cause = catalog.Upstream
	if strings.HasPrefix(c.Logger, "http.log.error") {
		e.explains = true
		e.Cause = goErrorCause(c.Msg)
		e.Detail = cut(c.Msg, 300)
		e.Upstream = dialAddress(c.Msg)
	}
	return lineFailure
}

// truncated reads the reverse proxy's "aborting with incomplete response".
func (p *caddyLog) truncated(line []byte, e *Entry) verdict {
	var c caddyLine
	if err := json.Unmarshal(line, &c); err != nil {
		return lineMalformed
	}
	e.Time, _ = timeEpoch(c.TS)
	e.Product, e.Format = catalog.Caddy, "caddy"
	e.Cause, e.explains = catalog.UpstreamTruncated, true
	e.Detail = c.Msg
	if c.Error != "" {
		e.Detail += ": " + cut(c.Error, 300)
	}
	e.Upstream = c.Upstream
	return lineFailure
}

// jsonNumberAfter reads the number after key in a JSON line; 0 if none.
func jsonNumberAfter(line []byte, key string) int {
	n, _ := digits(jsonNumberBytes(line, key))
	return n
}

// jsonNumberBytes returns the bytes of the number after key.
func jsonNumberBytes(line []byte, key string) []byte {
	i := bytes.Index(line, []byte(key))
	if i < 0 {
		return nil
	}
	b := line[i+len(key):]
	j := 0
	for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '.') {
		j++
	}
	return b[:j]
}

// goErrorCause maps the error text of a Go reverse proxy (Caddy, Traefik)
// to a cause; the strings are Go's net and net/http errors (gateway-facts
// §4.18) and Caddy's own "no upstreams available".
func goErrorCause(msg string) catalog.Cause {
	m := strings.ToLower(msg)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(m, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("no upstreams available", "no available server", "unreachable backend"):
		// Caddy 1's proxy says "unreachable backend" when no host of the
		// upstream is available (caddyhttp/proxy: errUnreachable).
		return catalog.UpstreamNoneHealthy
	case has("no such host", "server misbehaving"), has("lookup ") && has("i/o timeout", "timeout"):
		// "dial tcp: lookup db: i/o timeout": the resolver did not answer.
		return catalog.UpstreamDNS
	case has("tls:", "x509:", "certificate"):
		return catalog.UpstreamTLS
	case has("permission denied"):
		return catalog.UpstreamPermission
	case has("connection refused", "dial unix") && has("refused", "no such file"):
		return catalog.UpstreamRefused
	case has("no route to host", "network is unreachable", "host is unreachable"):
		return catalog.UpstreamUnreachable
	case has("dial tcp") && has("timeout", "timed out"):
		return catalog.UpstreamUnreachable
	case has("timeout awaiting response headers", "i/o timeout", "deadline exceeded", "timeout"):
		return catalog.UpstreamTimeout
	case has("malformed http", "server gave http response", "invalid header", "http2:"):
		return catalog.UpstreamInvalid
	case has("eof", "connection reset", "broken pipe", "server closed idle connection"):
		return catalog.UpstreamClosed
	}
	return catalog.Upstream
}

// dialAddress finds the address in "dial tcp 127.0.0.1:4040: ..." errors.
func dialAddress(msg string) string {
	for _, p := range []string{"dial tcp ", "dial tcp4 ", "dial tcp6 ", "dial unix "} {
		if i := strings.Index(msg, p); i >= 0 {
			rest := msg[i+len(p):]
			if j := strings.Index(rest, ": "); j >= 0 {
				rest = rest[:j]
			}
			if p == "dial unix " {
				return "unix:" + rest
			}
			return rest
		}
	}
	return ""
}
