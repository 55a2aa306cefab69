package gwconfig

import (
	"bytes"
	"strings"
)

// caddyToken is one token of a Caddyfile with where it was written.
type caddyToken struct {
	text   string
	file   string
	line   int
	nl     bool // the first token of a line: a newline that is not escaped comes before it
	quoted bool // written in quotes, backticks or as a heredoc: never a brace or a directive
}

// isOpen and isClose report a brace that opens or closes a block; a quoted
// "{" is text.
func (t caddyToken) isOpen() bool  { return !t.quoted && t.text == "{" }
func (t caddyToken) isClose() bool { return !t.quoted && t.text == "}" }

// lexCaddy splits a Caddyfile into tokens as Caddy's lexer does
// (https://caddyserver.com/docs/caddyfile/concepts#tokens-and-quotes):
// tokens are separated by white space; "#" at the start of a token starts
// a comment; "double quotes" (with \" inside) and `backticks` group words
// and may span lines; "<<MARKER" begins a heredoc that ends at a line
// holding MARKER, whose indentation is taken off every line; a backslash
// at the end of a line continues it. A quote or heredoc left open is an
// error, returned with the tokens read before it.
func lexCaddy(file string, data []byte) ([]caddyToken, error) {
	data = bytes.ReplaceAll(stripBOM(data), []byte("\r\n"), []byte("\n"))
	var toks []caddyToken
	line, nl := 1, true
	for i := 0; i < len(data); {
		c := data[i]
		switch {
		case c == '\n':
			line++
			nl = true
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '\\' && i+1 < len(data) && data[i+1] == '\n':
			line++ // a continued line: the next token belongs to this one's line
			i += 2
		case c == '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case c == '"' || c == '`':
			text, end, lines, ok := scanCaddyQuoted(data, i)
			if !ok {
				return toks, parseErrorf(file, line, "quoted token is not closed")
			}
			toks = append(toks, caddyToken{text: text, file: file, line: line, nl: nl, quoted: true})
			line, nl, i = line+lines, false, end
		case c == '<' && isHeredocStart(data, i):
			text, end, lines, err := scanHeredoc(data, i)
			if err != "" {
				return toks, parseErrorf(file, line, "%s", err)
			}
			toks = append(toks, caddyToken{text: text, file: file, line: line, nl: nl, quoted: true})
			line, nl, i = line+lines, false, end
		default:
			j := i
			for j < len(data) && !isCaddySpace(data[j]) && !(data[j] == '\\' && j+1 < len(data) && data[j+1] == '\n') {
				j++
			}
			toks = append(toks, caddyToken{text: string(data[i:j]), file: file, line: line, nl: nl})
			nl, i = false, j
		}
	}
	return toks, nil
}

func isCaddySpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// scanCaddyQuoted reads a token in double quotes (where \" is a quote) or
// backticks (read as written) starting at data[start].
func scanCaddyQuoted(data []byte, start int) (text string, end, lines int, ok bool) {
	q := data[start]
	var b strings.Builder
	for i := start + 1; i < len(data); i++ {
		c := data[i]
		switch {
		case c == q:
			return b.String(), i + 1, lines, true
		case q == '"' && c == '\\' && i+1 < len(data) && data[i+1] == '"':
			b.WriteByte('"')
			i++
		default:
			if c == '\n' {
				lines++
			}
			b.WriteByte(c)
		}
	}
	return "", 0, 0, false
}

// isHeredocStart reports "<<MARKER" followed by the end of the line.
func isHeredocStart(data []byte, i int) bool {
	if i+2 >= len(data) || data[i+1] != '<' {
		return false
	}
	j := i + 2
	for j < len(data) && isMarkerByte(data[j]) {
		j++
	}
	return j > i+2 && (j == len(data) || data[j] == '\n')
}

func isMarkerByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// scanHeredoc reads "<<MARKER\n...\nMARKER": the text between, with the
// closing marker's indentation taken off each line. More tokens may follow
// the closing marker on its line, as in "HTML 200".
func scanHeredoc(data []byte, start int) (text string, end, lines int, err string) {
	j := start + 2
	for j < len(data) && isMarkerByte(data[j]) {
		j++
	}
	marker := string(data[start+2 : j])
	var body []string
	for pos := j + 1; pos <= len(data); {
		lines++
		lineEnd := len(data)
		if k := bytes.IndexByte(data[pos:], '\n'); k >= 0 {
			lineEnd = pos + k
		}
		l := string(data[pos:lineEnd])
		trimmed := strings.TrimLeft(l, " \t")
		if rest, ok := strings.CutPrefix(trimmed, marker); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r') {
			indent := l[:len(l)-len(trimmed)]
			for i, b := range body {
				body[i] = strings.TrimPrefix(b, indent)
			}
			return strings.Join(body, "\n"), pos + len(indent) + len(marker), lines, ""
		}
		body = append(body, l)
		pos = lineEnd + 1
	}
	return "", 0, 0, "heredoc <<" + marker + " is not closed"
}
