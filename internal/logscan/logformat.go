package logscan

import (
	"bytes"
	"fmt"
	"strings"
)

// The variables of an nginx log_format that the access parser reads; all
// others are skipped.
const (
	varOther = iota
	varRemoteAddr
	varTimeLocal
	varTimeISO
	varMsec
	varRequest
	varMethod
	varURI
	varStatus
	varUpstreamStatus
	varUpstreamAddr
	varUpstreamHeaderTime
	varRequestID
	varConnection
)

var logVars = map[string]int{
	"remote_addr": varRemoteAddr, "time_local": varTimeLocal, "time_iso8601": varTimeISO,
	"msec": varMsec, "request": varRequest, "request_method": varMethod,
	"request_uri": varURI, "status": varStatus, "upstream_status": varUpstreamStatus,
	"upstream_addr": varUpstreamAddr, "upstream_header_time": varUpstreamHeaderTime,
	"request_id": varRequestID, "req_id": varRequestID, "connection": varConnection,
}

// logField is one piece of a compiled log_format: a literal, or a variable
// that ends where the next literal starts.
type logField struct {
	lit    []byte
	v      int
	name   string
	quoted bool // inside "...": ends at the closing quote, escapes honoured
	list   bool // $upstream_*: may hold "a, b" and "a : b" lists
	width  int  // fixed width when known ($time_local 26, $time_iso8601 25)
}

// logFormat is a compiled nginx log_format definition.
type logFormat struct {
	fields []logField
	has    [varConnection + 1]bool
}

// Built-in nginx formats: "combined" (ngx_http_log_module.c), the
// ingress-nginx default (logFormatUpstream in its config.go, and its form
// before 0.22), nginx-proxy's "vhost" (its nginx.tmpl: the host in front
// of combined, "$upstream_addr" after it in later releases) and Nginx
// Proxy Manager's proxy-host format.
const (
	formatCombined = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`
	formatVhost    = `$host ` + formatCombined
	// ingress-nginx before 0.22: the real client in brackets, no
	// alternative upstream name.
	formatIngressOld = `$remote_addr - [$the_real_ip] - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id`
	// Nginx Proxy Manager's proxy hosts (its conf.d/include/log.conf).
	formatNPM     = `[$time_local] $upstream_cache_status $upstream_status $status - $request_method $scheme $host "$request_uri" [Client $remote_addr] [Length $body_bytes_sent] [Gzip $gzip_ratio] [Sent-to $server] "$http_user_agent" "$http_referer"`
	formatIngress = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id`
)

// compileLogFormat turns an nginx log_format definition into fields.
// Variables are $name or ${name}; a definition given as several quoted
// nginx strings should be joined first.
func compileLogFormat(def string) (*logFormat, error) {
	f := &logFormat{}
	lit := []byte{}
	for i := 0; i < len(def); {
		if def[i] != '$' {
			lit = append(lit, def[i])
			i++
			continue
		}
		name, n := varName(def[i+1:])
		if name == "" {
			return nil, fmt.Errorf("bad variable at %q", capLen([]byte(def[i:]), 20))
		}
		if len(lit) > 0 {
			f.fields = append(f.fields, logField{lit: lit})
			lit = []byte{}
		}
		if k := len(f.fields); k > 0 && f.fields[k-1].lit == nil {
			return nil, fmt.Errorf("$%s follows $%s with nothing between them", name, f.fields[k-1].name)
		}
		v := logVars[name]
		f.has[v] = true
		f.fields = append(f.fields, logField{v: v, name: name, list: strings.HasPrefix(name, "upstream_"), width: timeWidth(v)})
		i += 1 + n
	}
	if len(lit) > 0 {
		f.fields = append(f.fields, logField{lit: lit})
	}
	for k := range f.fields {
		if f.fields[k].lit == nil && k > 0 && bytes.HasSuffix(f.fields[k-1].lit, []byte(`"`)) &&
			k+1 < len(f.fields) && f.fields[k+1].lit[0] == '"' {
			f.fields[k].quoted = true
		}
	}
	if !f.has[varStatus] {
		return nil, fmt.Errorf("no $status, so failures cannot be told")
	}
	return f, nil
}

func timeWidth(v int) int {
	switch v {
	case varTimeLocal:
		return 26
	case varTimeISO:
		return 25
	}
	return 0
}

// varName reads a variable name after "$": "name" or "{name}".
func varName(s string) (string, int) {
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		if end < 2 {
			return "", 0
		}
		return s[1:end], end + 1
	}
	n := 0
	for n < len(s) && (s[n] == '_' || s[n] >= 'a' && s[n] <= 'z' || s[n] >= 'A' && s[n] <= 'Z' || s[n] >= '0' && s[n] <= '9') {
		n++
	}
	return s[:n], n
}

// value finds where the variable f ends in b, given the literal after it
// (nil at the end of the format).
func (f *logField) value(b []byte, next []byte) (int, bool) {
	if f.width > 0 {
		return f.width, len(b) >= f.width
	}
	if f.v == varRemoteAddr && len(b) > 0 && (b[0] == '(' || b[0] == '<') {
		// An address redacted where a log was published, as a phrase in
		// brackets that may hold spaces: "(server ip)", "<my ip>".
		end := byte(')')
		if b[0] == '<' {
			end = '>'
		}
		if i := bytes.IndexByte(b, end); i > 1 {
			return i + 1, true
		}
	}
	if next == nil {
		if i := bytes.IndexByte(b, ' '); i >= 0 && !f.list {
			return i, true
		}
		return len(b), true
	}
	stop := next[0]
	if f.quoted {
		return quotedEnd(b)
	}
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], stop)
		if j < 0 {
			return 0, false
		}
		i += j
		if f.list && stop == ' ' && listGap(b, i) {
			i++
			continue
		}
		return i, true
	}
	return 0, false
}

// quotedEnd finds the closing quote of a quoted field's content in b
// (which starts after the opening quote), honouring backslash escapes.
func quotedEnd(b []byte) (int, bool) {
	for i := 0; ; i++ {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return 0, false
		}
		i += j
		if backslashes(b[:i])%2 == 0 {
			return i, true
		}
	}
}

// listGap reports whether the space at b[i] is inside one of nginx's
// upstream lists: "a, b" (several tries) or "a : b" (internal redirect).
func listGap(b []byte, i int) bool {
	if i > 0 && b[i-1] == ',' {
		return true
	}
	if i+2 < len(b) && b[i+1] == ':' && b[i+2] == ' ' {
		return true
	}
	return i > 1 && b[i-1] == ':' && b[i-2] == ' '
}
