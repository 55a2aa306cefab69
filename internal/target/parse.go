package target

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Target is an address as a visitor typed it, made into URLs.
type Target struct {
	// Input is what was typed, without surrounding white space.
	Input string `json:"input"`
	// Scheme is "http" or "https" when the input named one, "" for a bare
	// name.
	Scheme string `json:"scheme,omitempty"`
	// Host is the host name in lowercase ASCII (IDN labels in punycode,
	// no trailing dot), or an IP address (IPv6 without brackets).
	Host string `json:"host"`
	// Port is the port the input gave, "" for the scheme's default.
	Port string `json:"port,omitempty"`
	// Path is the path and query to ask for, "/" at least. The fragment is
	// dropped, as a browser never sends it.
	Path string `json:"path"`
	// Candidates are the URLs to try, in the order a browser tries them:
	// https then http for a bare name, the one URL for an explicit scheme.
	Candidates []string `json:"candidates"`
	// Notes say what was read differently from how it was typed, one line
	// each (an IDN name's DNS form, credentials left out).
	Notes []string `json:"notes,omitempty"`
}

// InputError says why an input is not a web address. Its message is one
// line, fit to be shown as a usage error.
type InputError struct {
	Input string // as given
	Err   error  // the reason
}

// Error says what the input is and why it is not a web address, in one
// line; a long input is shortened.
func (e *InputError) Error() string {
	in := e.Input
	if len(in) > 80 {
		in = in[:80] + "…"
	}
	return fmt.Sprintf("%q is not a web address: %v", in, e.Err)
}

// Unwrap returns the reason.
func (e *InputError) Unwrap() error { return e.Err }

// Parse reads input as a browser's address bar does: a bare name
// ("shop.example", "shop.example:8443/cart?x=1", "127.0.0.1:8080",
// "[::1]:8080/x", "bücher.example") or an http or https URL. Names are
// lowercased and IDN names converted to punycode (UTS #46, as browsers do).
// An input that cannot be a web address yields an *InputError.
func Parse(input string) (Target, error) {
	t, err := parse(strings.TrimSpace(input))
	if err != nil {
		return Target{}, &InputError{Input: input, Err: err}
	}
	return t, nil
}

func parse(s string) (Target, error) {
	t := Target{Input: s}
	if s == "" {
		return t, errors.New("empty input")
	}
	if !utf8.ValidString(s) {
		return t, errors.New("not valid UTF-8")
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return t, fmt.Errorf("control character %q", c)
		}
	}
	scheme, rest, err := splitScheme(s)
	if err != nil {
		return t, err
	}
	t.Scheme = scheme
	auth, tail := splitAuthority(rest)
	if i := strings.LastIndexByte(auth, '@'); i >= 0 {
		user, _, hasPassword := strings.Cut(auth[:i], ":")
		note := fmt.Sprintf("the user name %q in the address is not sent", user)
		if hasPassword {
			note = fmt.Sprintf("the user name %q and password in the address are not sent", user)
		}
		t.Notes = append(t.Notes, note)
		auth = auth[i+1:]
	}
	raw, bracketed, port, err := splitHostPort(auth)
	if err != nil {
		return t, err
	}
	if t.Host, err = hostName(raw, bracketed); err != nil {
		return t, err
	}
	if lower := strings.ToLower(strings.TrimSuffix(raw, ".")); !bracketed && lower != t.Host {
		t.Notes = append(t.Notes, fmt.Sprintf("%s is %s in DNS", raw, t.Host))
	}
	t.Port = port
	t.Path = requestPath(tail)
	return t, t.candidates()
}

// splitScheme separates an http or https scheme from the rest. A bare
// input has none; "ftp://x" is refused.
func splitScheme(s string) (string, string, error) {
	i := strings.Index(s, "://")
	if i < 0 || !isSchemeToken(s[:i]) {
		return "", s, nil
	}
	scheme := strings.ToLower(s[:i])
	if scheme != "http" && scheme != "https" {
		return "", "", fmt.Errorf("scheme %q: only http and https", scheme)
	}
	return scheme, s[i+3:], nil
}

// isSchemeToken reports whether s has the syntax of a URL scheme (RFC 3986
// section 3.1), so that "x/?to=http://y" is not read as one.
func isSchemeToken(s string) bool {
	for i, c := range s {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return s != ""
}

// splitAuthority splits "host:port/path?q#f" into the authority and the
// path with query; the fragment is dropped.
func splitAuthority(s string) (string, string) {
	s, _, _ = strings.Cut(s, "#")
	if i := strings.IndexAny(s, "/?\\"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// splitHostPort splits an authority without user info. The port may be
// empty ("shop.example:"), which means the scheme's default.
func splitHostPort(auth string) (host string, bracketed bool, port string, err error) {
	if strings.HasPrefix(auth, "[") {
		end := strings.IndexByte(auth, ']')
		if end < 0 {
			return "", false, "", fmt.Errorf("no closing bracket in %q", auth)
		}
		host, after := auth[1:end], auth[end+1:]
		if after != "" && after[0] != ':' {
			return "", false, "", fmt.Errorf("unexpected %q after the address", after)
		}
		port, err = checkPort(strings.TrimPrefix(after, ":"))
		return host, true, port, err
	}
	if strings.Count(auth, ":") != 1 {
		return auth, false, "", nil
	}
	host, port, _ = strings.Cut(auth, ":")
	if host == "" {
		return "", false, "", errors.New("no host name")
	}
	port, err = checkPort(port)
	return host, false, port, err
}

// checkPort validates a port and returns it without leading zeros.
func checkPort(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	if !validPort(p) {
		return "", fmt.Errorf("invalid port %q", p)
	}
	n, _ := strconv.Atoi(p)
	return strconv.Itoa(n), nil
}

// requestPath makes the path and query to send, as a browser does: "/" at
// least, backslashes in the path read as slashes (WHATWG URL, for http and
// https), spaces and non-ASCII bytes percent-encoded.
func requestPath(tail string) string {
	if tail == "" || tail[0] == '?' {
		tail = "/" + tail
	}
	path, query, hasQuery := strings.Cut(tail, "?")
	path = strings.ReplaceAll(path, "\\", "/")
	if hasQuery {
		path += "?" + query
	}
	return percentEncode(path)
}

// percentEncode encodes the spaces and non-ASCII bytes of a URL or part of
// one, which browsers encode and url.Parse would otherwise keep raw in a
// query.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ' ' || c >= 0x80 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// candidates fills t.Candidates: the given scheme, or https then http.
func (t *Target) candidates() error {
	schemes := []string{"https", "http"}
	if t.Scheme != "" {
		schemes = []string{t.Scheme}
	}
	for _, scheme := range schemes {
		u, err := url.Parse(scheme + "://" + hostPort(scheme, t.Host, t.Port) + t.Path)
		if err != nil {
			return fmt.Errorf("building the URL: %w", err)
		}
		t.Candidates = append(t.Candidates, u.String())
	}
	return nil
}

// hostPort joins host and port for a URL, leaving out the scheme's default
// port.
func hostPort(scheme, host, port string) string {
	if port == "" || port == defaultPort(scheme) {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, port)
}

// defaultPort is the port a scheme implies.
func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}
