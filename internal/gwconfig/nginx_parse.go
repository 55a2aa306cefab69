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

// nginxParser reads a configuration and the files it includes. It goes on
// past what it cannot read, which it records in problems.
type nginxParser struct {
	src      source
	prefix   string // relative includes resolve against it
	stack    includeStack
	files    int
	problems problems
}

// parseNginxTree parses the main file and its includes. Relative includes are
// resolved against the directory of the main file, nginx's configuration
// prefix when started with -c (https://nginx.org/en/docs/ngx_core_module.html#include).
// The error is for a main file that cannot be read; problems are the parts
// left out of the tree.
func parseNginxTree(src source, file string) ([]*Directive, problems, error) {
	p := &nginxParser{src: src, prefix: filepath.Dir(file)}
	tree, err := p.parseFile(file)
	return tree, p.problems, err
}

// parseFile reads one file; the error is for a file that cannot be read.
func (p *nginxParser) parseFile(file string) ([]*Directive, error) {
	p.files++
	data, err := p.src.readFile(file)
	if err != nil {
		return nil, &ParseError{File: file, Msg: err.Error(), Err: err}
	}
	toks, err := lexNginx(file, data)
	if err != nil {
		p.problems.add(file, 0, err) // the tokens before the error still count
	}
	p.stack = append(p.stack, file)
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()
	pos := 0
	return p.parseBlock(file, toks, &pos, 0), nil
}

// parseBlock reads directives until the "}" closing the block opened on
// line open (0 at the top of a file) or the end of the tokens. What nginx
// would reject is recorded and skipped: a stray "}" or ";", a directive
// left without its ";" (dropped), a block left open at the end of the file
// (closed there).
func (p *nginxParser) parseBlock(file string, toks []token, pos *int, open int) []*Directive {
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
				p.problems.addf(file, t.line, `unexpected "}"`)
				words = nil
				if open == 0 {
					continue
				}
			}
			return out
		case ";", "{":
			if len(words) == 0 {
				p.problems.addf(file, t.line, "unexpected %q", t.text)
				if t.text == "{" {
					p.parseBlock(file, toks, pos, t.line) // skip the block
				}
				continue
			}
		}
		d := &Directive{Name: words[0].text, File: file, Line: words[0].line}
		for _, w := range words[1:] {
			d.Args = append(d.Args, w.text)
		}
		words = nil
		switch {
		case t.text == "{":
			d.Block = p.parseBlock(file, toks, pos, t.line)
			out = append(out, d)
		case d.Name == "include":
			out = append(out, p.include(d)...)
		default:
			out = append(out, d)
		}
	}
	last := 1
	if len(toks) > 0 {
		last = toks[len(toks)-1].line
	}
	if len(words) > 0 {
		p.problems.addf(file, last, `unexpected end of file, expecting ";" or "}"`)
	}
	if open > 0 {
		p.problems.addf(file, last, `unexpected end of file, expecting "}" to close the block of line %d`, open)
	}
	return out
}

// include reads the files an include directive names, in sorted order as
// nginx's glob() returns them. A file that cannot be read is a problem, and
// the directives of the others stand.
func (p *nginxParser) include(d *Directive) []*Directive {
	if len(d.Args) != 1 {
		p.problems.addf(d.File, d.Line, `invalid number of arguments in "include" directive`)
		return nil
	}
	files, err := expandIncludeFrom(p.src, p.prefix, d.Args[0])
	if err != nil {
		p.problems.add(d.File, d.Line, &ParseError{File: d.File, Line: d.Line, Msg: err.Error(), Err: err})
		return nil
	}
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
			var pe *ParseError
			if asParseError(err, &pe) {
				err = pe.Err
			}
			p.problems.add(d.File, d.Line, &ParseError{File: d.File, Line: d.Line, Msg: fmt.Sprintf("include %q: %v", d.Args[0], err), Err: err})
			continue
		}
		out = append(out, sub...)
	}
	return out
}
