package logscan

import (
	"bytes"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// digits parses b as a non-negative decimal number.
func digits(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// status3 parses a three-digit HTTP status; 0 if b is not one.
func status3(b []byte) int {
	if len(b) != 3 {
		return 0
	}
	n, ok := digits(b)
	if !ok {
		return 0
	}
	return n
}

// quoted reads a double-quoted field at the start of b, honouring
// backslash escapes (Apache writes \" inside fields; nginx writes \x22).
// It returns the field without quotes and the rest after the closing quote.
func quoted(b []byte) (field, rest []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return nil, b, false
	}
	i := 1
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return nil, b, false
		}
		i += j
		if backslashes(b[:i])%2 == 0 {
			return b[1:i], b[i+1:], true
		}
		i++
	}
}

// backslashes counts the backslashes at the end of b.
func backslashes(b []byte) int {
	n := 0
	for n < len(b) && b[len(b)-1-n] == '\\' {
		n++
	}
	return n
}

// word reads up to the next space; rest starts after that space.
func word(b []byte) (w, rest []byte) {
	i := bytes.IndexByte(b, ' ')
	if i < 0 {
		return b, nil
	}
	return b[:i], b[i+1:]
}

// requestLine splits "GET /path HTTP/1.1" into method and path.
func requestLine(b []byte) (method, path string) {
	m, p := splitRequest(b)
	return string(m), string(p)
}

// splitRequest splits a request line as requestLine does, without copying:
// a line whose first word is too long for a method is all path.
func splitRequest(b []byte) (method, path []byte) {
	m, rest := word(b)
	p, _ := word(rest)
	if len(m) > 16 {
		return nil, capLen(b, 256)
	}
	return m, capLen(p, 512)
}

// capLen cuts b to n bytes.
func capLen(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// splitUpstream splits an upstream URL as nginx logs it
// ("http://127.0.0.1:8080/api", "fastcgi://unix:/run/php.sock:") into its
// scheme and address, without copying.
func splitUpstream[S string | []byte](u S) (scheme, addr S) {
	i := indexByteFrom(u, ':', 0)
	for i >= 0 && (i+2 >= len(u) || u[i+1] != '/' || u[i+2] != '/') {
		i = indexByteFrom(u, ':', i+1)
	}
	if i < 0 {
		return u[:0], u
	}
	scheme, rest := u[:i], u[i+3:]
	if len(rest) >= 5 && rest[0] == 'u' && rest[1] == 'n' && rest[2] == 'i' && rest[3] == 'x' && rest[4] == ':' {
		// nginx writes "unix:/path:" and then the URI for socket peers.
		if j := indexByteFrom(rest, ':', 5); j >= 0 {
			return scheme, rest[:j]
		}
		return scheme, rest
	}
	if j := indexByteFrom(rest, '/', 0); j >= 0 {
		rest = rest[:j]
	}
	return scheme, rest
}

// indexByteFrom returns the index of the first c in s at or after from,
// or -1. The type switch lets bytes.IndexByte and strings.IndexByte, which
// are vectorised, do the search; it does not allocate.
func indexByteFrom[S string | []byte](s S, c byte, from int) int {
	i := -1
	switch v := any(s[from:]).(type) {
	case []byte:
		i = bytes.IndexByte(v, c)
	case string:
		i = strings.IndexByte(v, c)
	}
	if i < 0 {
		return -1
	}
	return from + i
}

// between returns the bytes after the first start and before the next end.
func between(b []byte, start, end string) []byte {
	i := bytes.Index(b, []byte(start))
	if i < 0 {
		return nil
	}
	b = b[i+len(start):]
	j := bytes.Index(b, []byte(end))
	if j < 0 {
		return nil
	}
	return b[:j]
}

// containsAny reports whether b contains one of the words.
func containsAny(b []byte, words ...string) bool {
	for _, w := range words {
		if bytes.Contains(b, []byte(w)) {
			return true
		}
	}
	return false
}

// errnoIn finds the first "(N: text)" or "(N)text" errno mark in b and
// returns N, or -1.
func errnoIn(b []byte) int {
	for i := 0; i < len(b); i++ {
		j := bytes.IndexByte(b[i:], '(')
		if j < 0 {
			return -1
		}
		i += j + 1
		k := i
		for k < len(b) && k-i < 6 && b[k] >= '0' && b[k] <= '9' {
			k++
		}
		if i >= 3 && b[i-3] == '.' && b[i-2] == 'c' {
			continue // a source file's line, "mod_proxy_fcgi.c(914):", as LogLevel debug writes it
		}
		if k > i && k < len(b) && (b[k] == ':' || b[k] == ')') {
			n, _ := digits(b[i:k])
			return n
		}
	}
	return -1
}

// causeOfErrno maps the errno of a failed connect to a cause. Linux and BSD
// numbers both appear (gateway-facts §4.1): 111/61 refused, 110/60 timed
// out, 113/65 and 101/51 unreachable, 2 no such socket, 13 permission,
// 11/35 EAGAIN (a full listen queue on a unix socket).
func causeOfErrno(n int) catalog.Cause {
	switch n {
	case 111, 61, 2:
		return catalog.UpstreamRefused
	case 13:
		return catalog.UpstreamPermission
	case 110, 60, 113, 65, 101, 51, 70007:
		return catalog.UpstreamUnreachable
	case 11, 35:
		return catalog.UpstreamOverloaded
	case 104, 54, 32:
		return catalog.UpstreamClosed
	}
	return catalog.Upstream
}
