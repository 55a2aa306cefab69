package gwconfig

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// lhToken is one token of a lighttpd.conf with where it was written.
type lhToken struct {
	text string
	str  bool // a quoted string, its quotes and escapes taken off
	file string
	line int
}

func (t lhToken) is(p string) bool { return !t.str && t.text == p }

// lhOperators are lighttpd's operators, longest first.
var lhOperators = []string{"=>", "+=", ":=", "==", "!=", "=~", "!~", "=^", "=$", "=", "(", ")", "{", "}", "[", "]", ",", "+"}

// lexLighttpd splits a lighttpd.conf into tokens as lighttpd's
// configparser does (https://redmine.lighttpd.net/projects/lighttpd/wiki/Docs_Configuration):
// "#" comments, strings in double quotes with backslash escapes, numbers,
// names (server.port, var.basedir, $HTTP) and operators.
func lexLighttpd(file string, data []byte) ([]lhToken, []*ParseError) {
	data = bytes.ReplaceAll(stripBOM(data), []byte("\r\n"), []byte("\n"))
	var toks []lhToken
	var errs []*ParseError
	line := 1
	for i := 0; i < len(data); {
		c := data[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == ';':
			i++ // lighttpd accepts a ";" after a statement
		case c == '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case c == '"':
			var b strings.Builder
			j, start := i+1, line
			for ; j < len(data) && data[j] != '"'; j++ {
				if data[j] == '\\' && j+1 < len(data) {
					j++
				}
				if data[j] == '\n' {
					line++
				}
				b.WriteByte(data[j])
			}
			if j >= len(data) {
				return toks, append(errs, parseErrorf(file, start, "string is not closed"))
			}
			toks = append(toks, lhToken{text: b.String(), str: true, file: file, line: start})
			i = j + 1
		case isLhWordByte(c) || c == '$':
			j := i + 1
			for j < len(data) && isLhWordByte(data[j]) {
				j++
			}
			toks = append(toks, lhToken{text: string(data[i:j]), file: file, line: line})
			i = j
		default:
			op := ""
			for _, o := range lhOperators {
				if bytes.HasPrefix(data[i:], []byte(o)) {
					op = o
					break
				}
			}
			if op == "" {
				errs = append(errs, parseErrorf(file, line, "unexpected character %q", c))
				i++
				continue
			}
			toks = append(toks, lhToken{text: op, file: file, line: line})
			i += len(op)
		}
	}
	return toks, errs
}

func isLhWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

// lhValue is a value of lighttpd.conf: a string, a number, or an array
// whose elements may have keys ("host" => "127.0.0.1").
type lhValue struct {
	Str   string
	Num   int
	IsNum bool
	List  []*lhValue // for an array
	Keys  []string   // the key of each element, "" for none
	Array bool
	File  string
	Line  int
	// Truncated is set when "+" would have made the value larger than
	// maxLhValue.
	Truncated bool
}

// get returns the element with key k, or nil.
func (v *lhValue) get(k string) *lhValue {
	if v == nil {
		return nil
	}
	for i, key := range v.Keys {
		if key == k {
			return v.List[i]
		}
	}
	return nil
}

// text returns a string or a number as text.
func (v *lhValue) text() string {
	if v == nil {
		return ""
	}
	if v.IsNum {
		return strconv.Itoa(v.Num)
	}
	return v.Str
}

// lhParser reads statements from the tokens of one file.
type lhParser struct {
	r    *lighttpdReader
	toks []lhToken
	pos  int
}

func (p *lhParser) done() bool { return p.pos >= len(p.toks) }

func (p *lhParser) peek() lhToken {
	if p.done() {
		return lhToken{}
	}
	return p.toks[p.pos]
}

func (p *lhParser) next() lhToken {
	t := p.peek()
	p.pos++
	return t
}

// lighttpdReader reads files and expands includes, sharing the variables
// that var.x lines set.
type lighttpdReader struct {
	src   source
	probs problems
	vars  map[string]*lhValue
	files int
}

// readFile parses file into block.
func (r *lighttpdReader) readFile(file string, stack includeStack, block *LighttpdBlock) error {
	if r.files++; r.files > maxFiles {
		return parseErrorf(file, 0, "more than %d files included", maxFiles)
	}
	data, err := r.src.readFile(file)
	if err != nil {
		return &ParseError{File: file, Msg: err.Error(), Err: err}
	}
	toks, lexErrs := lexLighttpd(file, data)
	for _, e := range lexErrs {
		r.probs.add(file, e.Line, e)
	}
	p := &lhParser{r: r, toks: toks}
	p.statements(block, append(stack, file), false)
	return nil
}

// statements reads statements into block until its "}" (when inner) or
// the end of the tokens.
func (p *lhParser) statements(block *LighttpdBlock, stack includeStack, inner bool) {
	for !p.done() {
		t := p.peek()
		switch {
		case t.is("}"):
			if inner {
				p.pos++
				return
			}
			p.r.probs.addf(t.file, t.line, "unexpected }: no block is open")
			p.pos++
		case isLhElision(t):
			p.r.probs.addf(t.file, t.line, "%s: a part left out of the file", t.text)
			p.pos++
		case strings.HasPrefix(t.text, "$") && !t.str:
			block.Items = append(block.Items, lighttpdItem{Chain: p.chain(stack)})
		case t.text == "include" || t.text == "include_shell":
			p.pos++
			p.include(t, block, stack)
		case !t.str && t.text != "" && isLhWordByte(t.text[0]):
			p.assignment(block)
		default:
			p.r.probs.addf(t.file, t.line, "unexpected %q", t.text)
			p.pos++
		}
	}
	if inner {
		last := p.toks[len(p.toks)-1]
		p.r.probs.addf(last.file, last.line, "a conditional block is not closed")
	}
}

// include reads `include "file"` (a pattern too) or notes
// `include_shell "command"`, which is never run here.
func (p *lhParser) include(at lhToken, block *LighttpdBlock, stack includeStack) {
	v := p.expr()
	if v == nil || v.Array || v.IsNum {
		p.r.probs.addf(at.file, at.line, "%s without a file name", at.text)
		return
	}
	if at.text == "include_shell" {
		p.r.probs.addf(at.file, at.line, "include_shell %q is not run: the configuration it prints is left out", v.Str)
		return
	}
	files, err := expandIncludeFrom(p.r.src, filepath.Dir(at.file), v.Str)
	if err != nil {
		p.r.probs.addf(at.file, at.line, "include %q: %v", v.Str, err)
		return
	}
	for _, f := range files {
		if err := stack.check(f); err != nil {
			p.r.probs.addf(at.file, at.line, "include %q: %v", v.Str, err)
			continue
		}
		if err := p.r.readFile(f, stack, block); err != nil {
			p.r.probs.addf(at.file, at.line, "include %q: %v", v.Str, err)
		}
	}
}

// assignment reads "key = value", "key += value" or "key := value".
func (p *lhParser) assignment(block *LighttpdBlock) {
	key := p.next()
	op := p.next()
	if !op.is("=") && !op.is("+=") && !op.is(":=") {
		p.r.probs.addf(key.file, key.line, "%s is not followed by =, += or :=", key.text)
		return
	}
	v := p.expr()
	if v == nil {
		p.r.probs.addf(key.file, key.line, "%s %s has no value", key.text, op.text)
		return
	}
	if v.Truncated {
		p.r.probs.addf(key.file, key.line, "%s %s: the value grows past %d elements or bytes and is cut short", key.text, op.text, maxLhValue)
	}
	if strings.HasPrefix(key.text, "var.") {
		if op.text == "+=" {
			v = lhConcat(p.r.vars[key.text], v)
		}
		p.r.vars[key.text] = v
		return
	}
	block.Items = append(block.Items, lighttpdItem{Assign: &LighttpdAssign{Key: key.text, Op: op.text, Value: v, File: key.file, Line: key.line}})
}

// expr reads terms joined by "+".
func (p *lhParser) expr() *lhValue {
	v := p.term()
	for v != nil && p.peek().is("+") {
		p.pos++
		v = lhConcat(v, p.term())
	}
	return v
}

// maxLhValue caps the elements of an array and the bytes of a string
// that "+" builds: a variable added to itself over and over would
// otherwise double without end.
const maxLhValue = 1 << 16

// lhConcat joins strings, adds numbers, appends arrays; a result past
// maxLhValue is cut short and marked.
func lhConcat(a, b *lhValue) *lhValue {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case len(a.List)+len(b.List) > maxLhValue || len(a.Str)+len(b.Str) > maxLhValue:
		c := *a
		c.Truncated = true
		return &c
	case a.Array && b.Array:
		return &lhValue{Array: true, List: append(append([]*lhValue{}, a.List...), b.List...),
			Keys: append(append([]string{}, a.Keys...), b.Keys...), File: a.File, Line: a.Line}
	case a.IsNum && b.IsNum:
		return &lhValue{IsNum: true, Num: a.Num + b.Num, File: a.File, Line: a.Line}
	}
	return &lhValue{Str: a.text() + b.text(), File: a.File, Line: a.Line}
}

// term reads a string, a number, an array or a variable.
func (p *lhParser) term() *lhValue {
	t := p.next()
	switch {
	case t.text == "" && !t.str:
		return nil
	case t.str:
		return &lhValue{Str: t.text, File: t.file, Line: t.line}
	case t.is("("):
		return p.array(t)
	}
	if n, err := strconv.Atoi(t.text); err == nil {
		return &lhValue{Num: n, IsNum: true, File: t.file, Line: t.line}
	}
	if v, ok := p.r.vars[t.text]; ok {
		return v
	}
	if strings.HasPrefix(t.text, "env.") {
		p.r.probs.addf(t.file, t.line, "%s comes from the environment when lighttpd starts", t.text)
		return &lhValue{Str: "", File: t.file, Line: t.line}
	}
	if t.text != "" && isLhWordByte(t.text[0]) {
		p.r.probs.addf(t.file, t.line, "%s is not a variable set before", t.text)
		return &lhValue{Str: "", File: t.file, Line: t.line}
	}
	p.pos--
	return nil
}

// array reads the elements of "( ... )" after its "(".
func (p *lhParser) array(open lhToken) *lhValue {
	a := &lhValue{Array: true, File: open.file, Line: open.line}
	for !p.done() {
		if p.peek().is(")") {
			p.pos++
			return a
		}
		if p.peek().is(",") {
			p.pos++
			continue
		}
		if t := p.peek(); isLhElision(t) {
			p.r.probs.addf(t.file, t.line, "%s: a part left out of the file", t.text)
			p.pos++
			continue
		}
		v := p.expr()
		if v == nil {
			break
		}
		key := ""
		if p.peek().is("=>") {
			p.pos++
			key = v.text()
			if v = p.expr(); v == nil {
				break
			}
		}
		a.List, a.Keys = append(a.List, v), append(a.Keys, key)
	}
	p.r.probs.addf(open.file, open.line, "the array opened here is not closed")
	return a
}

// chain reads a conditional with its else branches:
// $HTTP["host"] == "a" { ... } else $HTTP["host"] =~ "b" { ... } else { ... }.
func (p *lhParser) chain(stack includeStack) []*LighttpdBlock {
	var out []*LighttpdBlock
	for {
		b := &LighttpdBlock{}
		if c, ok := p.condition(); ok {
			b.Cond = c
		} else {
			b.Unread = true
			p.skipToBlock()
		}
		if !p.peek().is("{") {
			at := p.toks[min(p.pos, len(p.toks)-1)]
			p.r.probs.addf(at.file, at.line, "a condition without a block")
			return out
		}
		p.pos++
		p.statements(b, stack, true)
		out = append(out, b)
		if n := p.peek(); !n.str && (n.text == "else" || n.text == "elseif" || n.text == "elsif") {
			p.pos++
			if p.peek().is("{") {
				p.pos++
				e := &LighttpdBlock{Else: true}
				p.statements(e, stack, true)
				return append(out, e)
			}
			continue
		}
		return out
	}
}

// condition reads `$HTTP["host"] OP "pattern"`.
func (p *lhParser) condition() (*LighttpdCond, bool) {
	at := p.peek()
	if p.pos+6 > len(p.toks) {
		p.r.probs.addf(at.file, at.line, "a condition cut short")
		p.pos = len(p.toks)
		return nil, false
	}
	w := p.toks[p.pos : p.pos+6]
	if !w[1].is("[") || !w[2].str || !w[3].is("]") || !w[5].str {
		p.r.probs.addf(at.file, at.line, "a condition that is not $FIELD[\"name\"] OP \"pattern\"")
		return nil, false
	}
	op := w[4].text
	switch op {
	case "==", "!=", "=~", "!~", "=^", "=$":
	default:
		p.r.probs.addf(at.file, at.line, "unknown operator %q in a condition", op)
		return nil, false
	}
	p.pos += 6
	return &LighttpdCond{Field: w[0].text + `["` + w[2].text + `"]`, Op: op, Pattern: w[5].text, File: at.file, Line: at.line}, true
}

// skipToBlock steps over a condition that could not be read.
func (p *lhParser) skipToBlock() {
	for !p.done() && !p.peek().is("{") {
		p.pos++
	}
}

// String writes the condition as in lighttpd.conf.
func (c *LighttpdCond) String() string {
	return fmt.Sprintf("%s %s %q", c.Field, c.Op, c.Pattern)
}

// isLhElision reports "..." written where a paste left lines out.
func isLhElision(t lhToken) bool {
	return !t.str && len(t.text) >= 2 && strings.Trim(t.text, ".") == ""
}
