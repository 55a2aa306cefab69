package logscan

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// traefikLog reads Traefik's access log, JSON (accessLog.format: json) or
// CLF (traefik_text.go), and its own log's text lines.
// DownstreamStatus is what the client got and OriginStatus what the backend
// answered: 0 or absent when Traefik made the response itself.
//
//	{"ClientHost":"203.0.113.7","DownstreamStatus":502,"OriginStatus":0,"RequestMethod":"GET","RequestPath":"/api","ServiceURL":"http://10.0.0.5:8080","StartUTC":"2026-08-21T10:15:02.123Z", ...}
type traefikLog struct {
	loc *time.Location
	zc  zoneCache
}

// traefikLine is the part of a Traefik access line that is read.
type traefikLine struct {
	ClientHost       string `json:"ClientHost"`
	DownstreamStatus int    `json:"DownstreamStatus"`
	OriginStatus     int    `json:"OriginStatus"`
	OriginSize       int    `json:"OriginContentSize"`
	RequestMethod    string `json:"RequestMethod"`
	RequestPath      string `json:"RequestPath"`
	ServiceURL       string `json:"ServiceURL"`
	ServiceAddr      string `json:"ServiceAddr"`
	StartUTC         string `json:"StartUTC"`
	Time             string `json:"time"`
	RequestID        string `json:"request_X-Request-Id"`
}

func (p *traefikLog) parse(line []byte, e *Entry) verdict {
	line = bytes.TrimLeft(line, " \t")
	if bytes.HasPrefix(line, []byte(`time="`)) || bytes.HasPrefix(line, []byte("level=")) {
		return traefikDebug(line, e)
	}
	if n := rfc3339Len(line); n > 0 && bytes.Contains(line, []byte(" > ")) {
		return traefikConsole(line, n, e)
	}
	if len(line) > 0 && line[0] != '{' {
		return traefikCLF(line, p.loc, &p.zc, e)
	}
	if len(line) < 2 || line[0] != '{' || line[len(line)-1] != '}' {
		return lineMalformed
	}
	st := jsonNumberAfter(line, `"DownstreamStatus":`)
	if st == 0 {
		if bytes.Contains(line, []byte(`"level":"`)) && bytes.Contains(line, []byte(`"msg":"`)) && !bytes.Contains(line, []byte(`"logger":"`)) {
			// Traefik's own log as JSON (log.format: json), no request's.
			if ts := between(line, `"time":"`, `"`); ts != nil {
				e.Time, _ = timeRFC3339(ts)
			}
			return lineOK
		}
		return lineMalformed
	}
	if !catalog.IsGatewayStatus(st) {
		if ts := between(line, `"StartUTC":"`, `"`); ts != nil {
			e.Time, _ = timeRFC3339(ts)
		}
		return lineOK
	}
	var t traefikLine
	if err := json.Unmarshal(line, &t); err != nil {
		return lineMalformed
	}
	e.Time, _ = timeRFC3339([]byte(t.StartUTC))
	if e.Time.IsZero() {
		e.Time, _ = timeRFC3339([]byte(t.Time))
	}
	e.Product, e.Format, e.Status = catalog.Traefik, "traefik", st
	e.Client, e.Method, e.Path, e.RequestID = t.ClientHost, t.RequestMethod, t.RequestPath, t.RequestID
	e.Upstream = t.ServiceAddr
	if e.Upstream == "" {
		e.Scheme, e.Upstream = splitUpstream(t.ServiceURL)
	}
	origin := t.OriginStatus
	if origin == st && t.OriginSize == len(http.StatusText(st)) {
		// Traefik's own answer to a failed proxying is the status text
		// alone ("Bad Gateway", 11 bytes), and its access log counts it
		// as the origin's; an application's page is rarely just that.
		origin = 0
	}
	e.Cause = traefikCause(st, origin, t.ServiceURL != "" || t.ServiceAddr != "")
	e.Detail = "OriginStatus " + string(bytes.TrimSpace(jsonNumberBytes(line, `"OriginStatus":`)))
	return lineFailure
}
