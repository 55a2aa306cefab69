package gwconfig

import (
	"fmt"
	"path/filepath"
)

// Directive is one nginx directive: its name, arguments (unquoted and
// unescaped), where it was written, and the directives of its block if it
// has one. Includes are already replaced by the directives they include, each
// keeping its own file and line.
type Directive struct {
	Name  string
	Args  []string
	File  string
	Line  int
	Block []*Directive // nil unless the directive has a block
}

// IsBlock reports whether d has a block, even an empty one.
func (d *Directive) IsBlock() bool { return d.Block != nil }

// Arg returns the i-th argument, or "" when there is none.
func (d *Directive) Arg(i int) string {
	if i >= 0 && i < len(d.Args) {
		return d.Args[i]
	}
	return ""
}

// nginxParser reads a configuration and the files it includes.
type nginxParser struct {
	src    source
	prefix string // relative includes resolve against it
	stack  includeStack
	files  int
}

// parseNginxTree parses the main file and its includes. Relative includes are
// resolved against the directory of the main file, nginx's configuration
// prefix when started with -c (https://nginx.org/en/docs/ngx_core_module.html#include).
func parseNginxTree(src source, file string) ([]*Directive, error) {
	p := &nginxParser{src: src, prefix: filepath.Dir(file)}
	return p.parseFile(file)
}

func (p *nginxParser) parseFile(file string) ([]*Directive, error) {
	p.files++
	if p.files > maxFiles {
		return nil, parseErrorf(file, 0, "more than %d included files", maxFiles)
	}
	data, err := p.src.readFile(file)
	if err != nil {
		return nil, &ParseError{File: file, Msg: err.Error(), Err: err}
	}
	toks, err := lexNginx(file, data)
	if err != nil {
		return nil, err
	}
	p.stack = append(p.stack, file)
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()
	pos := 0
	return p.parseBlock(file, toks, &pos, 0)
}

// parseBlock reads directives until the "}" closing the block opened on
// line open (0 at the top of a file) or the end of the tokens.
func (p *nginxParser) parseBlock(file string, toks []token, pos *int, open int) ([]*Directive, error) {
	out := []*Directive{}
	var words []token
	for *pos < len(toks) {
		t := toks[*pos]
		*pos++
		if !t.punct {
			words = append(words, t)
			continue
		}
		switch t.text {
		case "}":
			if len(words) > 0 || open == 0 {
				return nil, parseErrorf(file, t.line, `unexpected "}"`)
			}
			return out, nil
		case ";", "{":
			if len(words) == 0 {
				return nil, parseErrorf(file, t.line, "unexpected %q", t.text)
			}
		}
		d := &Directive{Name: words[0].text, File: file, Line: words[0].line}
		for _, w := range words[1:] {
			d.Args = append(d.Args, w.text)
		}
		words = nil
		if t.text == "{" {
			block, err := p.parseBlock(file, toks, pos, t.line)
			if err != nil {
				return nil, err
			}
			d.Block = block
			out = append(out, d)
			continue
		}
		if d.Name != "include" {
			out = append(out, d)
			continue
		}
		inc, err := p.include(d)
		if err != nil {
			return nil, err
		}
		out = append(out, inc...)
	}
	last := 1
	if len(toks) > 0 {
		last = toks[len(toks)-1].line
	}
	if len(words) > 0 {
		return nil, parseErrorf(file, last, `unexpected end of file, expecting ";" or "}"`)
	}
	if open > 0 {
		return nil, parseErrorf(file, last, `unexpected end of file, expecting "}" to close the block of line %d`, open)
	}
	return out, nil
}

// include reads the files an include directive names, in sorted order as
// nginx's glob() returns them.
func (p *nginxParser) include(d *Directive) ([]*Directive, error) {
	if len(d.Args) != 1 {
		return nil, parseErrorf(d.File, d.Line, `invalid number of arguments in "include" directive`)
	}
	files, err := expandInclude(p.src, p.prefix, d.Args[0])
	if err != nil {
		return nil, &ParseError{File: d.File, Line: d.Line, Msg: err.Error(), Err: err}
	}
	var out []*Directive
	for _, f := range files {
		if err := p.stack.check(f); err != nil {
			return nil, &ParseError{File: d.File, Line: d.Line, Msg: err.Error(), Err: err}
		}
		sub, err := p.parseFile(f)
		if err != nil {
			var pe *ParseError
			if asParseError(err, &pe) && pe.File == f && pe.Line == 0 {
				return nil, &ParseError{File: d.File, Line: d.Line, Msg: fmt.Sprintf("include %q: %s", d.Args[0], pe.Msg), Err: pe.Err}
			}
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, nil
}
