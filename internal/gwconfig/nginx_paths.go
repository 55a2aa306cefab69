package gwconfig

import (
	"path/filepath"
	"strings"
)

// ScriptFilename works out the SCRIPT_FILENAME that nginx sends for path
// on route: the location's fastcgi_param SCRIPT_FILENAME (Debian's
// fastcgi.conf sets $document_root$fastcgi_script_name) with root
// inherited from the server and http blocks. "" when a variable it does
// not know remains.
func (n *Nginx) ScriptFilename(route *Route, path string) string {
	chain := directiveChain(n.Directives, route.Location.File, route.Location.Line)
	if len(chain) == 0 {
		return ""
	}
	var script, root string
	for i := len(chain) - 1; i >= 0; i-- { // innermost first
		for _, d := range chain[i].Block {
			switch {
			case script == "" && d.Name == "fastcgi_param" && d.Arg(0) == "SCRIPT_FILENAME":
				script = d.Arg(1)
			case root == "" && d.Name == "root":
				root = d.Arg(0)
			}
		}
	}
	if strings.HasSuffix(path, "/") {
		path += "index.php"
	}
	r := strings.NewReplacer("$document_root", root, "$realpath_root", root,
		"$fastcgi_script_name", path, "$request_filename", root+path)
	script = r.Replace(script)
	if script == "" || strings.Contains(script, "$") {
		return ""
	}
	return script
}

// ErrorLogs returns the error_log files in force for route: the innermost
// error_log directives on the way to its location, or the main context's.
// Logs to stderr, syslog or memory are left out; relative paths are taken
// from the main file's directory.
func (n *Nginx) ErrorLogs(route *Route) []string {
	chain := directiveChain(n.Directives, route.Location.File, route.Location.Line)
	levels := [][]*Directive{n.Directives}
	for _, d := range chain {
		levels = append(levels, d.Block)
	}
	for i := len(levels) - 1; i >= 0; i-- {
		var out []string
		for _, d := range levels[i] {
			if d.Name != "error_log" {
				continue
			}
			p := d.Arg(0)
			if p == "" || p == "stderr" || strings.HasPrefix(p, "syslog:") || strings.HasPrefix(p, "memory:") {
				continue
			}
			if !filepath.IsAbs(p) {
				p = filepath.Join(filepath.Dir(n.File), p)
			}
			out = append(out, p)
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// directiveChain returns the blocks from the top of the tree down to the
// block directive written at file:line, itself included.
func directiveChain(ds []*Directive, file string, line int) []*Directive {
	for _, d := range ds {
		if !d.IsBlock() {
			continue
		}
		if d.File == file && d.Line == line {
			return []*Directive{d}
		}
		if sub := directiveChain(d.Block, file, line); sub != nil {
			return append([]*Directive{d}, sub...)
		}
	}
	return nil
}

// LimitKind says what a route's setting bounds, by its name: a wait for
// the upstream's answer, a connect to it, or the size of its response
// head; LimitNone for the others.
type LimitKind int

// The kinds of limits a setting can set.
const (
	LimitNone LimitKind = iota
	LimitResponse
	LimitConnect
	LimitHeader
)

// Limit returns what the setting bounds.
func (s Setting) Limit() LimitKind {
	switch s.Name {
	case "proxy_read_timeout", "fastcgi_read_timeout", "uwsgi_read_timeout", "grpc_read_timeout",
		"timeout server", "ProxyTimeout", "Timeout", "timeout=", "request_terminate_timeout", "max_execution_time",
		"response_header_timeout", "read_timeout", "first_byte_timeout", "read-timeout":
		return LimitResponse
	case "proxy_connect_timeout", "fastcgi_connect_timeout", "uwsgi_connect_timeout", "grpc_connect_timeout",
		"timeout connect", "connectiontimeout=", "dial_timeout", "connect_timeout",
		"peer_connect_timeout", "connect-timeout=", "forward_timeout", "connect-timeout":
		return LimitConnect
	case "proxy_buffer_size", "fastcgi_buffer_size", "uwsgi_buffer_size", "tune.bufsize", "max_response_header":
		return LimitHeader
	}
	return LimitNone
}
