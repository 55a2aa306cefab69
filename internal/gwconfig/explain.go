package gwconfig

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// Measured is what a diagnosis measured about one failing request, to be
// compared with the settings on its route. Zero fields were not measured.
type Measured struct {
	// Cause is the cause catalog ID the diagnosis reached, if any. When
	// set, Explain keeps the findings that lead to it, unless none does.
	Cause catalog.Cause
	// UpstreamTime is how long the upstream took to answer, or how long the
	// gateway waited before it gave up.
	UpstreamTime time.Duration
	// HeaderBytes is the size of the upstream's response header, status line
	// included, as it answered when asked directly.
	HeaderBytes int
	// UpstreamKeepAlive is how long the upstream keeps an idle connection
	// open before it closes it.
	UpstreamKeepAlive time.Duration
}

// readTimeoutNames are the settings that end a wait for the upstream's
// response, per gateway and protocol.
var readTimeoutNames = []string{
	"proxy_read_timeout", "fastcgi_read_timeout", "uwsgi_read_timeout", "grpc_read_timeout",
	"timeout server", "timeout=", "ProxyTimeout", "response_header_timeout", "read_timeout", "first_byte_timeout", "read-timeout",
}

// connectTimeoutNames are the settings that end a wait for a connection to
// the upstream.
var connectTimeoutNames = []string{
	"proxy_connect_timeout", "fastcgi_connect_timeout", "uwsgi_connect_timeout", "grpc_connect_timeout",
	"timeout connect", "connectiontimeout=", "dial_timeout", "connect_timeout", "connect-timeout=", "peer_connect_timeout", "connect-timeout",
}

// headerBufferNames are the settings that bound the upstream's response header.
var headerBufferNames = []string{
	"proxy_buffer_size", "fastcgi_buffer_size", "uwsgi_buffer_size", "grpc_buffer_size",
	"tune.bufsize", "max_response_header",
}

// Explain compares what was measured with the settings on r and returns the
// settings that fire, each with the line to write instead. It returns
// nothing when no setting on the route explains the measurement.
func Explain(r *Route, m Measured) []Finding {
	var out []Finding
	if f, ok := explainTime(r, m); ok {
		out = append(out, f)
	}
	if f, ok := explainHeader(r, m); ok {
		out = append(out, f)
	}
	if f, ok := explainKeepAlive(r, m); ok {
		out = append(out, f)
	}
	if f, ok := explainConnect(r, m); ok {
		out = append(out, f)
	}
	if m.Cause != "" {
		var same []Finding
		for _, f := range out {
			if f.Cause == m.Cause {
				same = append(same, f)
			}
		}
		if len(same) > 0 {
			out = same
		}
	}
	for i := range out {
		if out[i].File == "" { // a default: the line to add goes where the request is handled
			out[i].Directive = ""
			b := r.Location
			if b.File == "" {
				b = r.Server
			}
			out[i].File, out[i].Line = b.File, b.Line
		}
	}
	sortFindings(out)
	return out
}

// firstSetting returns the first of names that r has.
func firstSetting(r *Route, names []string) (Setting, bool) {
	for _, n := range names {
		if s, ok := r.Setting(n); ok {
			return s, true
		}
	}
	return Setting{}, false
}

// suggestTimeout returns a timeout with room above t: 20 % more, rounded up
// to 10 s.
func suggestTimeout(t time.Duration) time.Duration {
	step := 10 * time.Second
	return (t*6/5 + step - 1) / step * step
}

// explainTime finds the timeout that a request of m.UpstreamTime reaches:
// PHP-FPM's request_terminate_timeout when it comes first (the worker is
// killed and the gateway sees a closed connection, a 502), else the gateway's
// read timeout (a 504 on nginx and HAProxy, a 502 on Apache).
func explainTime(r *Route, m Measured) (Finding, bool) {
	if m.UpstreamTime <= 0 {
		return Finding{}, false
	}
	read, hasRead := firstSetting(r, readTimeoutNames)
	if p := r.Pool; p != nil {
		if rt := p.RequestTerminateTimeout; rt.Duration > 0 && m.UpstreamTime >= rt.Duration &&
			(!hasRead || rt.Duration < read.Duration) {
			return Finding{Severity: Error, Code: "php_fpm.terminated", Cause: catalog.UpstreamClosed,
				File: rt.File, Line: rt.Line, Directive: "request_terminate_timeout = " + rt.Value,
				Message: fmt.Sprintf("the script needed %s, and PHP-FPM kills a worker after request_terminate_timeout %s (%s): "+
					"%s sees the connection close before a response, a 502", roundDur(m.UpstreamTime), rt.Value, rt.Where(), productName(r.Gateway)),
				Fix: "request_terminate_timeout = " + formatDuration(suggestTimeout(m.UpstreamTime))}, true
		}
	}
	if !hasRead || read.Duration <= 0 || m.UpstreamTime < read.Duration {
		return Finding{}, false
	}
	status := "504"
	switch r.Gateway {
	case string(catalog.Apache):
		status = "502"
	case string(catalog.Varnish):
		status = "503" // Varnish answers every failed fetch with 503 Backend fetch failed
	}
	return Finding{Severity: Error, Code: r.Gateway + ".read_timeout_fired", Cause: catalog.UpstreamTimeout,
		File: read.File, Line: read.Line, Directive: read.Name + " " + read.Value,
		Message: fmt.Sprintf("the upstream needed %s, and %s is %s (%s): %s gives up first and answers %s",
			roundDur(m.UpstreamTime), read.Name, read.Value, read.Where(), productName(r.Gateway), status),
		Fix: fixLine(r.Gateway, read.Name, timeFor(r.Gateway, suggestTimeout(m.UpstreamTime)))}, true
}

// explainHeader compares the upstream's header size with the gateway's
// buffer for it.
func explainHeader(r *Route, m Measured) (Finding, bool) {
	buf, ok := firstSetting(r, headerBufferNames)
	if !ok || m.HeaderBytes <= 0 || buf.Bytes <= 0 || int64(m.HeaderBytes) <= buf.Bytes {
		return Finding{}, false
	}
	want := int64(4 << 10)
	for want < int64(m.HeaderBytes)*5/4 {
		want *= 2
	}
	fix := fixLine(r.Gateway, buf.Name, formatSize(want))
	if r.Gateway == string(catalog.Nginx) && (buf.Name == "proxy_buffer_size" || buf.Name == "fastcgi_buffer_size") {
		fix += fmt.Sprintf(" %s_buffers 8 %s;", buf.Name[:len(buf.Name)-len("_buffer_size")], formatSize(want))
	}
	return Finding{Severity: Error, Code: r.Gateway + ".header_too_big", Cause: catalog.UpstreamHeaderTooBig,
		File: buf.File, Line: buf.Line, Directive: buf.Name + " " + buf.Value,
		Message: fmt.Sprintf("the upstream sent %d bytes of headers, and %s is %s (%s): the response does not fit and the gateway answers 502",
			m.HeaderBytes, buf.Name, buf.Value, buf.Where()),
		Fix: fix}, true
}

// explainKeepAlive finds a gateway that keeps idle upstream connections
// longer than the upstream does: it may send a request on a connection the
// upstream is closing, and gets a reset or an empty answer.
func explainKeepAlive(r *Route, m Measured) (Finding, bool) {
	if m.UpstreamKeepAlive <= 0 {
		return Finding{}, false
	}
	idle, ok := r.Setting("upstream keepalive_timeout")
	if r.Gateway == string(catalog.Caddy) {
		idle, ok = r.Setting("keepalive") // Caddy keeps idle connections 2 min unless told otherwise
	}
	if !ok || idle.Duration < m.UpstreamKeepAlive {
		return Finding{}, false
	}
	shorter := m.UpstreamKeepAlive - time.Second
	if m.UpstreamKeepAlive <= 2*time.Second {
		shorter = m.UpstreamKeepAlive / 2
	}
	return Finding{Severity: Warning, Code: r.Gateway + ".keepalive_race", Cause: catalog.UpstreamClosed,
		File: idle.File, Line: idle.Line, Directive: idle.Name + " " + idle.Value,
		Message: fmt.Sprintf("the upstream closes idle connections after %s, and %s keeps them for %s (%s): "+
			"a request sent as the upstream closes fails with 502 now and then, more often when traffic is low; "+
			"make the gateway's idle timeout shorter than the upstream's, or the upstream's longer",
			roundDur(m.UpstreamKeepAlive), productName(r.Gateway), idle.Value, idle.Where()),
		Fix: fixLine(r.Gateway, idle.Name, timeFor(r.Gateway, shorter))}, true
}

// explainConnect names the connect timeout that ended a connection the
// upstream never accepted. The setting is not at fault; it says how long
// every request waits before its error page, so it had better be short.
func explainConnect(r *Route, m Measured) (Finding, bool) {
	if m.Cause != catalog.UpstreamUnreachable {
		return Finding{}, false
	}
	conn, ok := firstSetting(r, connectTimeoutNames)
	if !ok || conn.Duration <= 0 {
		return Finding{}, false
	}
	f := Finding{Severity: Info, Code: r.Gateway + ".connect_timeout_fired", Cause: catalog.UpstreamUnreachable,
		File: conn.File, Line: conn.Line, Directive: conn.Name + " " + conn.Value,
		Message: fmt.Sprintf("the upstream does not accept connections (a firewall that drops packets, a wrong address, "+
			"or a listen queue that is full), and %s gives up after %s %s (%s): every request waits that long for its error",
			productName(r.Gateway), conn.Name, conn.Value, conn.Where())}
	if conn.Duration > 10*time.Second {
		f.Fix = fixLine(r.Gateway, conn.Name, timeFor(r.Gateway, 5*time.Second))
	}
	return f, true
}

// fixLine writes name = value in the gateway's syntax.
func fixLine(gateway, name, value string) string {
	switch gateway {
	case string(catalog.Caddy):
		// Caddy's timeouts are written in reverse_proxy's transport
		// block, or directly in php_fastcgi's.
		return name + " " + value + "  # in reverse_proxy's transport block"
	case string(catalog.HAProxy):
		return name + " " + value
	case string(catalog.Lighttpd):
		return fmt.Sprintf("%q => %s,  # in the host of proxy.server or fastcgi.server", name, value)
	case string(catalog.Squid):
		if name == "connect-timeout=" {
			return "add connect-timeout=" + strings.TrimSuffix(value, " seconds") + " to the cache_peer line"
		}
		return name + " " + value
	case string(catalog.Varnish):
		return "." + name + " = " + value + ";  # in the backend, or set bereq." + name + " in vcl_backend_fetch"
	case string(catalog.Apache):
		if strings.HasSuffix(name, "=") {
			return "add " + name + value + " to the ProxyPass line"
		}
		return name + " " + value
	}
	if name == "upstream keepalive_timeout" {
		name = "keepalive_timeout"
	}
	return name + " " + value + ";"
}

// productName writes a Route.Gateway as the product calls itself.
func productName(gateway string) string {
	return catalog.Product(gateway).Name()
}

// timeFor writes d for gateway: whole seconds without a unit for Apache,
// nginx and HAProxy units otherwise.
func timeFor(gateway string, d time.Duration) string {
	secs := strconv.Itoa(int((d + time.Second - 1) / time.Second))
	switch gateway {
	case string(catalog.Apache), string(catalog.Lighttpd):
		return secs
	case string(catalog.Squid):
		return secs + " seconds"
	}
	return formatDuration(d)
}

func roundDur(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.3g s", d.Seconds())
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}
