package gwconfig

import (
	"path/filepath"
	"strings"
)

// maxVCLTokens caps the tokens of a VCL file with its includes expanded.
const maxVCLTokens = 1 << 20

// vclStmt is one statement of a VCL subroutine: an if with its branches,
// or a simple statement ("set req.backend_hint = app;") as its tokens.
type vclStmt struct {
	Words []vclToken // the statement's tokens without ";"; for an if, its condition
	If    bool
	Then  []*vclStmt
	Else  []*vclStmt // an elsif is an if alone in Else
	File  string
	Line  int
}

// head returns the statement's first word, "" when it has none.
func (s *vclStmt) head() string {
	if len(s.Words) == 0 {
		return ""
	}
	return s.Words[0].text
}

// String writes the statement as in the VCL: "set req.backend_hint = app;".
func (s *vclStmt) String() string {
	if s.If {
		return "if (" + vclText(s.Words) + ")"
	}
	return vclText(s.Words) + ";"
}

// vclText writes tokens back as VCL, strings in quotes.
func vclText(toks []vclToken) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && !t.is("(") && !t.is(")") && !t.is(",") && !toks[i-1].is("(") {
			b.WriteByte(' ')
		}
		if t.kind == vclString {
			b.WriteString(`"` + t.text + `"`)
		} else {
			b.WriteString(t.text)
		}
	}
	return b.String()
}

// vclReader expands the includes of a VCL file.
type vclReader struct {
	src   source
	probs problems
	files int
	total int
}

// readFile lexes file and replaces each `include "name";` by the tokens
// of the file it names, relative to the including file's directory (or
// the directory above, where /etc/varnish's main file is), or with
// `include +glob "pattern";` the files the pattern matches. The error is
// for a file that cannot be read.
func (r *vclReader) readFile(file string, stack includeStack) ([]vclToken, error) {
	if r.files++; r.files > maxFiles {
		return nil, parseErrorf(file, 0, "more than %d files included", maxFiles)
	}
	data, err := r.src.readFile(file)
	if err != nil {
		return nil, &ParseError{File: file, Msg: err.Error(), Err: err}
	}
	toks, errs := lexVCL(file, data)
	for _, e := range errs {
		r.probs.add(file, e.Line, e)
	}
	stack = append(stack, file)
	var out []vclToken
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != vclWord || t.text != "include" || (i > 0 && !toks[i-1].is(";") && !toks[i-1].is("}")) {
			out = append(out, t)
			continue
		}
		j, glob := i+1, false
		if j+1 < len(toks) && toks[j].is("+") && toks[j+1].text == "glob" {
			j, glob = j+2, true
		}
		if j >= len(toks) || toks[j].kind != vclString {
			r.probs.addf(t.file, t.line, "include without a file name")
			out = append(out, t)
			continue
		}
		name := toks[j].text
		if j+1 < len(toks) && toks[j+1].is(";") {
			j++
		}
		i = j
		out = append(out, r.include(t, name, glob, stack)...)
		if r.total += len(out); r.total > maxVCLTokens {
			r.probs.addf(t.file, t.line, "the includes expand to more than %d tokens: the rest is left out", maxVCLTokens)
			return out, nil
		}
	}
	return out, nil
}

// include returns the tokens of the files an include names; what cannot
// be read is a problem.
func (r *vclReader) include(at vclToken, name string, glob bool, stack includeStack) []vclToken {
	dir := filepath.Dir(at.file)
	var files []string
	var err error
	if glob || !hasGlob(name) {
		files, err = expandIncludeFrom(r.src, dir, name)
	} else {
		files = []string{filepath.Join(dir, name)}
	}
	if err != nil {
		r.probs.addf(at.file, at.line, "include %q: %v", name, err)
		return nil
	}
	var out []vclToken
	for _, f := range files {
		if err := stack.check(f); err != nil {
			r.probs.addf(at.file, at.line, "include %q: %v", name, err)
			continue
		}
		toks, err := r.readFile(f, stack)
		if err != nil {
			r.probs.addf(at.file, at.line, "include %q: %v", name, err)
			continue
		}
		out = append(out, toks...)
	}
	return out
}

// vclParser reads declarations and statements from tokens.
type vclParser struct {
	toks  []vclToken
	pos   int
	probs *problems
}

func (p *vclParser) done() bool { return p.pos >= len(p.toks) }

func (p *vclParser) peek() vclToken {
	if p.done() {
		return vclToken{}
	}
	return p.toks[p.pos]
}

func (p *vclParser) next() vclToken {
	t := p.peek()
	p.pos++
	return t
}

// skipBlock skips to the "}" that closes a block whose "{" was read.
func (p *vclParser) skipBlock() bool {
	for depth := 1; !p.done(); {
		t := p.next()
		switch {
		case t.is("{"):
			depth++
		case t.is("}"):
			if depth--; depth == 0 {
				return true
			}
		}
	}
	return false
}

// skipStatement skips to the ";" that ends a statement, over a block
// that comes first; it stops before a "}" that closes the enclosing block.
func (p *vclParser) skipStatement() {
	for !p.done() {
		t := p.peek()
		switch {
		case t.is(";"):
			p.pos++
			return
		case t.is("}"):
			return
		case t.is("{"):
			p.pos++
			p.skipBlock()
			return
		}
		p.pos++
	}
}

// statements reads statements up to the "}" that closes the block.
func (p *vclParser) statements(open vclToken) []*vclStmt {
	var out []*vclStmt
	for {
		if p.done() {
			p.probs.addf(open.file, open.line, "the block opened here is not closed")
			return out
		}
		t := p.peek()
		switch {
		case t.is("}"):
			p.pos++
			return out
		case t.is(";"):
			p.pos++
		case isElision(t):
			p.probs.addf(t.file, t.line, "%s: a part left out of the file", t.text)
			p.pos++
		case t.is("{"):
			p.pos++
			out = append(out, p.statements(t)...)
		case t.kind == vclWord && t.text == "if":
			p.pos++
			out = append(out, p.ifStatement(t))
		default:
			out = append(out, p.simple())
		}
	}
}

// ifStatement reads "if (cond) { ... }" with its elsif and else parts;
// the "if" has been read.
func (p *vclParser) ifStatement(at vclToken) *vclStmt {
	s := &vclStmt{If: true, File: at.file, Line: at.line}
	s.Words = p.condition(at)
	s.Then = p.body(at)
	switch t := p.peek(); {
	case t.kind == vclWord && (t.text == "elsif" || t.text == "elseif" || t.text == "elif"):
		p.pos++
		s.Else = []*vclStmt{p.ifStatement(t)}
	case t.kind == vclWord && t.text == "else":
		p.pos++
		if n := p.peek(); n.kind == vclWord && n.text == "if" {
			p.pos++
			s.Else = []*vclStmt{p.ifStatement(n)}
		} else {
			s.Else = p.body(t)
		}
	}
	return s
}

// condition reads "(...)" and returns the tokens inside.
func (p *vclParser) condition(at vclToken) []vclToken {
	if !p.peek().is("(") {
		p.probs.addf(at.file, at.line, "if without a condition in parentheses")
		return nil
	}
	p.pos++
	start := p.pos
	for depth := 1; !p.done(); p.pos++ {
		switch t := p.peek(); {
		case t.is("("):
			depth++
		case t.is(")"):
			if depth--; depth == 0 {
				cond := p.toks[start:p.pos]
				p.pos++
				return cond
			}
		case t.is("{") || t.is(";"):
			p.probs.addf(at.file, at.line, "the condition of this if is not closed")
			return p.toks[start:p.pos]
		}
	}
	p.probs.addf(at.file, at.line, "the condition of this if is not closed")
	return p.toks[start:]
}

// body reads "{ ... }" after an if or else.
func (p *vclParser) body(at vclToken) []*vclStmt {
	if !p.peek().is("{") {
		p.probs.addf(at.file, at.line, "%s without a block", at.text)
		return nil
	}
	return p.statements(p.next())
}

// simple reads a statement up to its ";".
func (p *vclParser) simple() *vclStmt {
	first := p.peek()
	s := &vclStmt{File: first.file, Line: first.line}
	depth := 0
	for !p.done() {
		t := p.peek()
		switch {
		case t.is("(") || t.is("{"):
			depth++
		case t.is(")") || t.is("}"):
			if depth == 0 {
				if len(s.Words) == 0 {
					p.pos++ // a stray ")": step over it
				}
				p.probs.addf(first.file, first.line, "statement %q has no ;", vclText(s.Words))
				return s
			}
			depth--
		case t.is(";") && depth == 0:
			p.pos++
			return s
		}
		s.Words = append(s.Words, t)
		p.pos++
	}
	p.probs.addf(first.file, first.line, "statement %q has no ;", vclText(s.Words))
	return s
}

// isElision reports "..." or "[...]" written where a paste left lines out.
func isElision(t vclToken) bool {
	return t.kind == vclWord && len(t.text) >= 2 && strings.Trim(t.text, ".") == ""
}
