package gwconfig

import (
	"bytes"
	"strings"
)

// vclKind is the kind of a VCL token.
type vclKind int

const (
	vclWord   vclKind = iota // a name, a number or a duration: "req.http.host", "3.5s", ".port"
	vclString                // a string, its quotes taken off
	vclPunct                 // an operator or a brace: "{", "==", "~", ";"
)

// vclToken is one token of a VCL file with where it was written.
type vclToken struct {
	text string
	kind vclKind
	file string
	line int
}

// is reports a punctuation token with the given text.
func (t vclToken) is(p string) bool { return t.kind == vclPunct && t.text == p }

// vclOperators are VCL's operators of two characters, tried before one.
var vclOperators = []string{"==", "!=", "!~", "&&", "||", "+=", "-=", "*=", "/=", "<=", ">=", "<<", ">>"}

// lexVCL splits a VCL file into tokens as varnishd's VCL compiler does
// (https://varnish-cache.org/docs/7.1/reference/vcl.html): "#", "//"
// and "/* */" comments; strings in double quotes, which stay on one line
// and have no escapes; long strings {"..."} and """...""", which may span
// lines. Inline C (C{ ... }C) is skipped and reported. A string or
// comment left open is an error, returned with the tokens read before it.
func lexVCL(file string, data []byte) ([]vclToken, []*ParseError) {
	data = bytes.ReplaceAll(stripBOM(data), []byte("\r\n"), []byte("\n"))
	var toks []vclToken
	var errs []*ParseError
	line := 1
	add := func(text string, kind vclKind, at int) {
		toks = append(toks, vclToken{text: text, kind: kind, file: file, line: at})
	}
	for i := 0; i < len(data); {
		c := data[i]
		rest := data[i:]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
		case c == '#' || bytes.HasPrefix(rest, []byte("//")):
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case bytes.HasPrefix(rest, []byte("/*")):
			end := bytes.Index(rest[2:], []byte("*/"))
			if end < 0 {
				return toks, append(errs, parseErrorf(file, line, "comment /* is not closed"))
			}
			line += bytes.Count(rest[:end+4], []byte("\n"))
			i += end + 4
		case bytes.HasPrefix(rest, []byte("C{")):
			end := bytes.Index(rest, []byte("}C"))
			if end < 0 {
				return toks, append(errs, parseErrorf(file, line, "inline C (C{) is not closed"))
			}
			errs = append(errs, parseErrorf(file, line, "inline C (C{ ... }C) is not read"))
			line += bytes.Count(rest[:end], []byte("\n"))
			i += end + 2
		case bytes.HasPrefix(rest, []byte(`{"`)) || bytes.HasPrefix(rest, []byte(`"""`)):
			open, closer := `{"`, `"}`
			if c == '"' {
				open, closer = `"""`, `"""`
			}
			end := bytes.Index(rest[len(open):], []byte(closer))
			if end < 0 {
				return toks, append(errs, parseErrorf(file, line, "long string %s is not closed", open))
			}
			text := string(rest[len(open) : len(open)+end])
			add(text, vclString, line)
			line += strings.Count(text, "\n")
			i += len(open) + end + len(closer)
		case c == '"':
			end := bytes.IndexAny(rest[1:], "\"\n")
			if end < 0 || rest[1+end] == '\n' {
				errs = append(errs, parseErrorf(file, line, "string is not closed on its line"))
				if end < 0 {
					return toks, errs
				}
				i += 1 + end
				continue
			}
			add(string(rest[1:1+end]), vclString, line)
			i += end + 2
		case isVCLWordByte(c):
			j := i
			for j < len(data) && isVCLWordByte(data[j]) {
				j++
			}
			add(string(data[i:j]), vclWord, line)
			i = j
		default:
			op := string(c)
			for _, o := range vclOperators {
				if bytes.HasPrefix(rest, []byte(o)) {
					op = o
					break
				}
			}
			add(op, vclPunct, line)
			i += len(op)
		}
	}
	return toks, errs
}

// isVCLWordByte reports a byte of a name or number: VCL names hold
// letters, digits, "_", "-" and "." (req.http.X-Forwarded-For), and
// backend attributes start with "." (.first_byte_timeout).
func isVCLWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}
