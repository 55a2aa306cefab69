package gwconfig

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// Severity ranks a Finding.
type Severity int

// Severities, least severe first.
const (
	// Info is worth knowing; nothing fails because of it alone.
	Info Severity = iota
	// Warning is a setting that makes some requests fail.
	Warning
	// Error is a setting that makes requests fail now, or the one that fired.
	Error
)

var severityNames = [...]string{"info", "warning", "error"}

// String returns the severity's name: "info", "warning" or "error".
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("Severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText writes the severity's name: "info", "warning", "error".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Finding is one thing the lint found in a configuration.
type Finding struct {
	Severity Severity `json:"severity"`
	// Code is a stable slug naming the kind of finding: "nginx.no_resolver".
	Code string `json:"code"`
	// Cause is the cause catalog ID the setting leads to, when there is one.
	Cause     catalog.Cause `json:"cause,omitempty"`
	File      string        `json:"file,omitempty"`
	Line      int           `json:"line,omitempty"`
	Directive string        `json:"directive,omitempty"` // the directive as written, when one is at fault
	Message   string        `json:"message"`
	// Fix is the configuration line to write instead, or an instruction when
	// no single line fixes it.
	Fix string `json:"fix,omitempty"`
}

// Where returns "file:line" of the finding, or "" when it has none.
func (f Finding) Where() string { return where(f.File, f.Line) }

// Check lints every configuration in c and returns its findings, most severe
// first, then by file and line.
func Check(c *Config) []Finding {
	var out []Finding
	if c.Nginx != nil {
		out = append(out, checkProblems(string(catalog.Nginx), c.Nginx.Problems)...)
		out = append(out, checkNginx(c.Nginx)...)
		out = append(out, checkNginxPHP(c.Nginx, c.PHPFPM)...)
	}
	if c.HAProxy != nil {
		out = append(out, checkProblems(string(catalog.HAProxy), c.HAProxy.Problems)...)
		out = append(out, checkHAProxy(c.HAProxy)...)
	}
	if c.Apache != nil {
		out = append(out, checkProblems(string(catalog.Apache), c.Apache.Problems)...)
		out = append(out, checkApache(c.Apache)...)
		out = append(out, checkApachePHP(c.Apache, c.PHPFPM)...)
	}
	if c.Caddy != nil {
		out = append(out, checkProblems(string(catalog.Caddy), c.Caddy.Problems)...)
		out = append(out, checkCaddy(c.Caddy)...)
		out = append(out, checkCaddyPHP(c.Caddy, c.PHPFPM)...)
	}
	if c.Varnish != nil {
		out = append(out, checkProblems(string(catalog.Varnish), c.Varnish.Problems)...)
		out = append(out, checkVarnish(c.Varnish)...)
	}
	if c.Squid != nil {
		out = append(out, checkProblems(string(catalog.Squid), c.Squid.Problems)...)
		out = append(out, checkSquid(c.Squid)...)
	}
	if c.Lighttpd != nil {
		out = append(out, checkProblems(string(catalog.Lighttpd), c.Lighttpd.Problems)...)
		out = append(out, checkLighttpd(c.Lighttpd)...)
	}
	if c.PHPFPM != nil {
		out = append(out, checkPHPFPM(c.PHPFPM)...)
	}
	sortFindings(out)
	return out
}

func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Code, b.Code),
		)
	})
}

// Worst returns the highest severity among fs, and false when fs is empty.
func Worst(fs []Finding) (Severity, bool) {
	if len(fs) == 0 {
		return Info, false
	}
	w := Info
	for _, f := range fs {
		w = max(w, f.Severity)
	}
	return w, true
}

// directiveText writes d back as a line of configuration.
func directiveText(d *Directive) string {
	s := d.Name
	for _, a := range d.Args {
		s += " " + quoteArg(a)
	}
	return s + ";"
}

// quoteArg quotes an argument that nginx would otherwise split or misread.
func quoteArg(a string) string {
	for _, c := range a {
		switch c {
		case ' ', '\t', '\n', ';', '{', '}', '"', '\'', '#':
			return fmt.Sprintf("%q", a)
		}
	}
	if a == "" {
		return `""`
	}
	return a
}
