package gwconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// apacheTransparent are sections whose contents are read as if they were
// written outside them: gwconfig cannot tell which modules are loaded or
// which defines are set, and a configuration usually loads what it uses.
var apacheTransparent = map[string]bool{
	"ifmodule": true, "ifdefine": true, "ifversion": true, "iffile": true, "ifdirective": true, "ifsection": true,
}

// apacheParser reads an Apache configuration and the files it includes.
type apacheParser struct {
	src      source
	root     string // ServerRoot: relative includes resolve against it
	stack    includeStack
	files    int
	problems problems
}

// apacheLine is one logical line: continuations joined.
type apacheLine struct {
	text string
	line int
}

// splitApacheLines joins lines ending in a backslash with the next and
// drops comments, which Apache allows only at the start of a line.
func splitApacheLines(data []byte) []apacheLine {
	var out []apacheLine
	var cur strings.Builder
	start := 0
	for i, raw := range strings.Split(string(stripBOM(data)), "\n") {
		s := strings.TrimRight(raw, " \t\r")
		if cur.Len() == 0 {
			start = i + 1
		}
		if strings.HasSuffix(s, "\\") {
			cur.WriteString(strings.TrimSuffix(s, "\\"))
			continue
		}
		cur.WriteString(s)
		t := strings.TrimSpace(cur.String())
		cur.Reset()
		if t == "" || t[0] == '#' {
			continue
		}
		out = append(out, apacheLine{text: t, line: start})
	}
	if t := strings.TrimSpace(cur.String()); t != "" && t[0] != '#' {
		out = append(out, apacheLine{text: t, line: start})
	}
	return out
}

// splitApacheArgs splits a directive's arguments as ap_getword_conf does:
// white space separates, double or single quotes group, a backslash
// escapes a quote inside quotes.
func splitApacheArgs(s string) []string {
	var out []string
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return out
		}
		if q := s[0]; q == '"' || q == '\'' {
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != q; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == q || s[i+1] == '\\') {
					i++
				}
				b.WriteByte(s[i])
			}
			out = append(out, b.String())
			s = s[min(i+1, len(s)):]
			continue
		}
		end := strings.IndexAny(s, " \t")
		if end < 0 {
			end = len(s)
		}
		out = append(out, s[:end])
		s = s[end:]
	}
}

// parseFile reads one file; the error is for a file that cannot be read.
func (p *apacheParser) parseFile(file string) ([]*Directive, error) {
	p.files++
	data, err := p.src.readFile(file)
	if err != nil {
		return nil, &ParseError{File: file, Msg: err.Error(), Err: err}
	}
	p.stack = append(p.stack, file)
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()
	lines := splitApacheLines(data)
	pos := 0
	return p.parseSection(file, lines, &pos, nil), nil
}

// parseSection reads directives until the end of the section open (nil at
// the top of a file). What Apache would reject is recorded and skipped: a
// stray closing tag, a section line without its ">"; a section left open at
// the end of the file is closed there.
func (p *apacheParser) parseSection(file string, lines []apacheLine, pos *int, open *Directive) []*Directive {
	out := []*Directive{}
	for *pos < len(lines) {
		l := lines[*pos]
		*pos++
		if strings.HasPrefix(l.text, "</") {
			name := strings.TrimSuffix(strings.TrimPrefix(l.text, "</"), ">")
			if open != nil && strings.EqualFold(name, open.Name) {
				return out
			}
			p.problems.addf(file, l.line, "</%s> without matching <%s> section", name, name)
			continue
		}
		if strings.HasPrefix(l.text, "<") {
			if d := p.openSection(file, l, lines, pos); d != nil {
				if apacheTransparent[strings.ToLower(d.Name)] {
					out = append(out, d.Block...)
					continue
				}
				out = append(out, d)
			}
			continue
		}
		args := splitApacheArgs(l.text)
		d := &Directive{Name: args[0], Args: args[1:], File: file, Line: l.line}
		switch strings.ToLower(d.Name) {
		case "serverroot":
			p.root = d.Arg(0)
		case "include", "includeoptional":
			out = append(out, p.include(d)...)
			continue
		}
		out = append(out, d)
	}
	if open != nil {
		p.problems.addf(file, open.Line, "<%s> was not closed", open.Name)
	}
	return out
}

// openSection reads the section that line l opens, up to its closing tag.
func (p *apacheParser) openSection(file string, l apacheLine, lines []apacheLine, pos *int) *Directive {
	inner := strings.TrimPrefix(l.text, "<")
	if i := strings.LastIndex(inner, ">"); i >= 0 && strings.HasPrefix(strings.TrimSpace(inner[i+1:]), "#") {
		// "<Location /app/> # a note": httpd reads the section up to its
		// ">" and takes the rest for a comment (apache2 -t accepts it).
		inner = inner[:i+1]
	}
	if !strings.HasSuffix(inner, ">") {
		name, _, _ := strings.Cut(inner, " ")
		p.problems.addf(file, l.line, "<%s directive missing closing '>'", name)
		return nil
	}
	args := splitApacheArgs(strings.TrimSuffix(inner, ">"))
	if len(args) == 0 {
		p.problems.addf(file, l.line, "empty section")
		return nil
	}
	d := &Directive{Name: args[0], Args: args[1:], File: file, Line: l.line}
	d.Block = p.parseSection(file, lines, pos, d)
	return d
}

// include reads the files of Include or IncludeOptional: a file, every file
// of a directory, or a wildcard. Include fails when a wildcard matches
// nothing; IncludeOptional does not
// (https://httpd.apache.org/docs/2.4/mod/core.html#include). What cannot be
// read is a problem, and the files that can be read stand.
func (p *apacheParser) include(d *Directive) []*Directive {
	optional := strings.EqualFold(d.Name, "IncludeOptional")
	if len(d.Args) != 1 {
		p.problems.addf(d.File, d.Line, "%s takes one argument", d.Name)
		return nil
	}
	files, err := expandIncludeFrom(p.src, p.root, d.Arg(0))
	if err != nil {
		p.problems.add(d.File, d.Line, &ParseError{File: d.File, Line: d.Line, Msg: err.Error(), Err: err})
		return nil
	}
	if len(files) == 0 && !optional {
		p.problems.addf(d.File, d.Line, "No matches for the wildcard %q", d.Arg(0))
		return nil
	}
	files = p.expandDirs(files)
	var out []*Directive
	for _, f := range files {
		if p.files >= maxFiles {
			p.problems.addf(d.File, d.Line, "more than %d included files: %s and the rest are left out", maxFiles, f)
			return out
		}
		if err := p.stack.check(f); err != nil {
			p.problems.add(d.File, d.Line, &ParseError{File: d.File, Line: d.Line, Msg: err.Error(), Err: err})
			continue
		}
		sub, err := p.parseFile(f)
		if err != nil {
			if !optional {
				var pe *ParseError
				if asParseError(err, &pe) {
					err = pe.Err
				}
				p.problems.add(d.File, d.Line, &ParseError{File: d.File, Line: d.Line, Msg: fmt.Sprintf("%s %s: %v", d.Name, d.Arg(0), err), Err: err})
			}
			continue
		}
		out = append(out, sub...)
	}
	return out
}

// expandDirs replaces directories (on disk) by the files in them, sorted.
func (p *apacheParser) expandDirs(files []string) []string {
	if _, ok := p.src.(diskSource); !ok {
		return files
	}
	var out []string
	for _, f := range files {
		entries, err := os.ReadDir(f)
		if err != nil {
			out = append(out, f) // a file, or an error that reading it reports
			continue
		}
		var names []string
		for _, e := range entries {
			if !e.IsDir() {
				names = append(names, filepath.Join(f, e.Name()))
			}
		}
		sort.Strings(names)
		out = append(out, names...)
	}
	return out
}
