package gwconfig

import "strings"

// token is one word or punctuation mark of an nginx configuration.
type token struct {
	text  string
	line  int
	punct bool // one of ; { } outside quotes
}

// lexNginx splits an nginx configuration into tokens the way nginx's
// ngx_conf_read_token does (src/core/ngx_conf_file.c): words end at white
// space, ";" or "{" — but not at the "{" of "${" — so an unquoted "}" inside a
// word is part of it; "#" starts a comment only at the start of a word;
// quoted strings may span lines; a backslash escapes the next character, and
// \t, \r, \n, \", \' and \\ are unescaped. The body of a *_by_lua_block
// directive is Lua, skipped as lua-nginx-module reads it. On an error the
// tokens read before it are returned with it.
func lexNginx(file string, data []byte) ([]token, error) {
	var toks []token
	line := 1
	data = stripBOM(data)
	stmt := -1 // index in toks of the current statement's first word
	for i := 0; i < len(data); {
		c := data[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case c == '{' && stmt >= 0 && strings.HasSuffix(toks[stmt].text, "_by_lua_block"):
			toks = append(toks, token{text: "{", line: line, punct: true})
			end, nl, ok := scanLua(data, i+1)
			if !ok {
				return toks, parseErrorf(file, line, "unexpected end of file, expecting \"}\" to close the Lua block of %q", toks[stmt].text)
			}
			line += nl
			toks = append(toks, token{text: "}", line: line, punct: true})
			i, stmt = end+1, -1
		case c == ';' || c == '{' || c == '}':
			toks = append(toks, token{text: string(c), line: line, punct: true})
			i, stmt = i+1, -1
		case c == '"' || c == '\'':
			end, nl, ok := scanQuoted(data, i)
			if !ok {
				return toks, parseErrorf(file, line, "unexpected end of file, expecting terminating %s", quoteName(c))
			}
			toks = append(toks, token{text: unescape(data[i+1 : end]), line: line})
			line += nl
			i = end + 1
			// nginx wants a space, ";", "{" or ")" after a quoted string.
			if i < len(data) && !strings.ContainsRune(" \t\r\n;{)", rune(data[i])) {
				return toks, parseErrorf(file, line, "unexpected %q", string(data[i]))
			}
		default:
			if stmt < 0 {
				stmt = len(toks)
			}
			end := scanWord(data, i)
			toks = append(toks, token{text: unescape(data[i:end]), line: line})
			i = end
		}
	}
	return toks, nil
}

func quoteName(c byte) string {
	if c == '"' {
		return "double quote"
	}
	return "single quote"
}

// scanQuoted returns the index of the quote that closes the string opening at
// data[start], and how many newlines the string spans.
func scanQuoted(data []byte, start int) (end, newlines int, ok bool) {
	q := data[start]
	for i := start + 1; i < len(data); i++ {
		switch data[i] {
		case '\\':
			if i+1 < len(data) && data[i+1] == '\n' {
				newlines++
			}
			i++
		case '\n':
			newlines++
		case q:
			return i, newlines, true
		}
	}
	return 0, 0, false
}

// scanWord returns the end of the unquoted word starting at data[start].
func scanWord(data []byte, start int) int {
	variable := false
	for i := start; i < len(data); i++ {
		c := data[i]
		if c == '{' && variable {
			variable = false
			continue
		}
		variable = false
		switch c {
		case '\\':
			if i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case '$':
			variable = true
		case ' ', '\t', '\r', '\n', ';', '{':
			return i
		}
	}
	return len(data)
}

// unescape applies nginx's escapes: \" \' \\ lose the backslash, \t \r \n
// become control characters, and any other backslash stays.
func unescape(b []byte) string {
	if !strings.ContainsRune(string(b), '\\') {
		return string(b)
	}
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			switch b[i+1] {
			case '"', '\'', '\\':
				i++
			case 't':
				sb.WriteByte('\t')
				i++
				continue
			case 'r':
				sb.WriteByte('\r')
				i++
				continue
			case 'n':
				sb.WriteByte('\n')
				i++
				continue
			}
		}
		sb.WriteByte(b[i])
	}
	return sb.String()
}
