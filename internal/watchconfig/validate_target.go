package watchconfig

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"

	"github.com/gwdoctor/gwdoctor/internal/logscan"
	"github.com/gwdoctor/gwdoctor/internal/target"
)

// targets checks each target, and that their names are unique.
func (v *checker) targets() {
	if len(v.c.TargetSpecs) == 0 && !v.bad["targets"] {
		v.errorf("targets", nil, "nothing to watch: list targets, such as - url: https://shop.example/")
		return
	}
	first := map[string]int{}
	for i, t := range v.c.TargetSpecs {
		path := fmt.Sprintf("targets[%d]", i)
		v.target(path, t)
		name := or(t.Name, strings.TrimSpace(t.URL))
		j, taken := first[name]
		if name == "" {
			continue
		}
		if !taken {
			first[name] = i
			continue
		}
		at := path + ".url"
		if v.set(path + ".name") {
			at = path + ".name"
		}
		other := fmt.Sprintf("targets[%d]", j)
		v.errorf(at, nil, "the name %q is already %s's, on line %d: names are unique", name, other, v.where(other).line)
	}
}

// target checks one target.
func (v *checker) target(path string, t TargetSpec) {
	switch _, err := target.Parse(t.URL); {
	case v.bad[path+".url"]:
	case strings.TrimSpace(t.URL) == "":
		v.errorf(path, nil, "a target needs a url")
	case err != nil:
		v.errorf(path+".url", err, "%v", err)
	}
	v.interval(path+".interval", t.Interval)
	if v.set(path+".timeout") && t.Timeout == 0 {
		v.errorf(path+".timeout", nil, "a check needs a timeout above 0")
	}
	if interval := or(t.Interval, or(v.c.Interval, DefaultInterval)); t.Timeout > interval {
		v.errorf(path+".timeout", nil, "%v is longer than the interval, %v", t.Timeout, interval)
	}
	if re := t.Expect.BodyRegexp; re != "" {
		if _, err := regexp.Compile(re); err != nil {
			v.errorf(path+".expect.body_regexp", err, "%v", err)
		}
	}
	v.headers(path+".headers", t.Headers)
	for i, c := range t.Cookies {
		if err := checkCookie(c); err != nil {
			v.errorf(fmt.Sprintf("%s.cookies[%d]", path, i), err, "%v", err)
		}
	}
	if t.Upstream != "" {
		if err := checkUpstream(t.Upstream); err != nil {
			v.errorf(path+".upstream", err, "%q: %v", t.Upstream, err)
		}
	}
	if t.Origin != "" {
		if err := checkOrigin(t.Origin); err != nil {
			v.errorf(path+".origin", err, "%q: %v", t.Origin, err)
		}
	}
	for i, l := range t.Logs {
		if err := checkLog(l); err != nil {
			v.errorf(fmt.Sprintf("%s.logs[%d]", path, i), err, "%v", err)
		}
	}
	for i, a := range t.Alerts {
		if _, ok := v.c.Alerts[a]; !ok {
			v.errorf(fmt.Sprintf("%s.alerts[%d]", path, i), nil, "no alert route is named %q (%s)", a, routeList(sortedKeys(v.c.Alerts)))
		}
	}
}

// headers checks header names and values (RFC 9110 section 5).
func (v *checker) headers(path string, h map[string]string) {
	for _, name := range sortedKeys(h) {
		switch {
		case !httpguts.ValidHeaderFieldName(name):
			v.probs.add(v.keys[join(path, name)], nil, "%s: %q is not a header name", join(path, name), name)
		case !httpguts.ValidHeaderFieldValue(h[name]):
			v.errorf(join(path, name), nil, "the value has a character that a header cannot carry")
		}
	}
}

// checkCookie accepts "name=value" (RFC 6265 section 4.1.1, as leniently as
// browsers: only what would end the cookie is refused).
func checkCookie(s string) error {
	name, value, ok := strings.Cut(s, "=")
	switch {
	case !ok:
		return fmt.Errorf("%q: want name=value", s)
	case !httpguts.ValidHeaderFieldName(name):
		return fmt.Errorf("%q is not a cookie name", name)
	case strings.ContainsAny(value, ";\r\n\x00"):
		return fmt.Errorf("the value of cookie %s has a character that ends a cookie", name)
	}
	return nil
}

// checkUpstream accepts what diagnose --upstream does: HOST:PORT,
// http(s)://HOST:PORT, unix:/path, fcgi://HOST:PORT or fcgi:unix:/path.
func checkUpstream(s string) error {
	for _, prefix := range []string{"fcgi:unix:", "unix:"} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			if rest == "" {
				return fmt.Errorf("want %s/path/to/socket", prefix)
			}
			return nil
		}
	}
	hp := s
	for _, prefix := range []string{"fcgi://", "https://", "http://"} {
		hp = strings.TrimPrefix(hp, prefix)
	}
	if _, _, err := net.SplitHostPort(strings.TrimSuffix(hp, "/")); err != nil {
		return errors.New("want HOST:PORT, https://HOST:PORT, unix:/path, fcgi://HOST:PORT or fcgi:unix:/path")
	}
	return nil
}

// checkOrigin accepts ADDR, ADDR:PORT and [IPv6]:PORT, as diagnose --origin.
func checkOrigin(s string) error {
	host := s
	if h, p, err := net.SplitHostPort(s); err == nil {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("bad port %q", p)
		}
		host = h
	}
	if host == "" || strings.ContainsAny(host, "/ ") {
		return errors.New("want ADDR or ADDR:PORT")
	}
	return nil
}

// LogFile is a log to read, as a target's logs name it.
type LogFile struct {
	// Name is the file.
	Name string `json:"name"`
	// Format is one of logscan.Formats(), "" to detect it.
	Format string `json:"format,omitempty"`
}

// parseLog reads FILE or FORMAT:FILE, as diagnose --log does.
func parseLog(s string) LogFile {
	format, file, ok := strings.Cut(s, ":")
	if !ok || file == "" || !slices.Contains(logscan.Formats(), format) {
		return LogFile{Name: s}
	}
	return LogFile{Name: file, Format: format}
}

// formatWord matches what is meant as a format before a colon.
var formatWord = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// checkLog refuses an empty name and a FORMAT: prefix that names no
// format, which is a misspelt format rather than a file name with a colon.
func checkLog(s string) error {
	lf := parseLog(s)
	if strings.TrimSpace(lf.Name) == "" {
		return errors.New("an empty file name")
	}
	if format, _, ok := strings.Cut(s, ":"); ok && lf.Format == "" && formatWord.MatchString(format) {
		return fmt.Errorf("%q is not a log format; known: %s", format, strings.Join(logscan.Formats(), ", "))
	}
	return nil
}

// routeList names the routes there are, for a message.
func routeList(names []string) string {
	if len(names) == 0 {
		return "there are none"
	}
	return "routes: " + strings.Join(names, ", ")
}
