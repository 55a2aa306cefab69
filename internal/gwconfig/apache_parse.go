package gwconfig

import (
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
	src   source
	root  string // ServerRoot: relative includes resolve against it
	stack includeStack
	files int
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
	for i, raw := range strings.Split(string(data), "\n") {
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

func (p *apacheParser) parseFile(file string) ([]*Directive, error) {
	p.files++
	if p.files > maxFiles {
		return nil, parseErrorf(file, 0, "more than %d included files", maxFiles)
	}
	data, err := p.src.readFile(file)
	if err != nil {
		return nil, &ParseError{File: file, Msg: err.Error(), Err: err}
	}
	p.stack = append(p.stack, file)
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()
	lines := splitApacheLines(data)
	pos := 0
	return p.parseSection(file, lines, &pos, nil)
}

// parseSection reads directives until the end of the section open (nil at
// the top of a file).
func (p *apacheParser) parseSection(file string, lines []apacheLine, pos *int, open *Directive) ([]*Directive, error) {
	out := []*Directive{}
	for *pos < len(lines) {
		l := lines[*pos]
		*pos++
		if strings.HasPrefix(l.text, "</") {
			name := strings.TrimSuffix(strings.TrimPrefix(l.text, "</"), ">")
			if open == nil || !strings.EqualFold(name, open.Name) {
				return nil, parseErrorf(file, l.line, "</%s> without matching <%s> section", name, name)
			}
			return out, nil
		}
		if strings.HasPrefix(l.text, "<") {
			inner := strings.TrimPrefix(l.text, "<")
			if !strings.HasSuffix(inner, ">") {
				name, _, _ := strings.Cut(inner, " ")
				return nil, parseErrorf(file, l.line, "<%s directive missing closing '>'", name)
			}
			args := splitApacheArgs(strings.TrimSuffix(inner, ">"))
			if len(args) == 0 {
				return nil, parseErrorf(file, l.line, "empty section")
			}
			d := &Directive{Name: args[0], Args: args[1:], File: file, Line: l.line}
			block, err := p.parseSection(file, lines, pos, d)
			if err != nil {
				return nil, err
			}
			if apacheTransparent[strings.ToLower(d.Name)] {
				out = append(out, block...)
				continue
			}
			d.Block = block
			out = append(out, d)
			continue
		}
		args := splitApacheArgs(l.text)
		d := &Directive{Name: args[0], Args: args[1:], File: file, Line: l.line}
		switch strings.ToLower(d.Name) {
		case "serverroot":
			p.root = d.Arg(0)
		case "include", "includeoptional":
			inc, err := p.include(d)
			if err != nil {
				return nil, err
			}
			out = append(out, inc...)
			continue
		}
		out = append(out, d)
	}
	if open != nil {
		return nil, parseErrorf(file, open.Line, "<%s> was not closed", open.Name)
	}
	return out, nil
}

// include reads the files of Include or IncludeOptional: a file, every file
// of a directory, or a wildcard. Include fails when a wildcard matches
// nothing; IncludeOptional does not
// (https://httpd.apache.org/docs/2.4/mod/core.html#include).
func (p *apacheParser) include(d *Directive) ([]*Directive, error) {
	optional := strings.EqualFold(d.Name, "IncludeOptional")
	if len(d.Args) != 1 {
		return nil, parseErrorf(d.File, d.Line, "%s takes one argument", d.Name)
	}
	files, err := expandInclude(p.src, p.root, d.Arg(0))
	if err != nil {
		return nil, &ParseError{File: d.File, Line: d.Line, Msg: err.Error(), Err: err}
	}
	if len(files) == 0 && !optional {
		return nil, parseErrorf(d.File, d.Line, "No matches for the wildcard %q", d.Arg(0))
	}
	files = p.expandDirs(files)
	var out []*Directive
	for _, f := range files {
		if err := p.stack.check(f); err != nil {
			return nil, &ParseError{File: d.File, Line: d.Line, Msg: err.Error(), Err: err}
		}
		sub, err := p.parseFile(f)
		if err != nil {
			var pe *ParseError
			if asParseError(err, &pe) && pe.File == f && pe.Line == 0 {
				if optional {
					continue
				}
				return nil, &ParseError{File: d.File, Line: d.Line, Msg: d.Name + " " + d.Arg(0) + ": " + pe.Msg, Err: pe.Err}
			}
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, nil
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
