package gwconfig

// scanLua returns the index of the "}" that closes a Lua block whose body
// starts at data[start], and how many newlines the body spans. Braces in
// Lua strings ('...', "...", [[...]], [==[...]==]) and comments (-- to the
// end of the line, --[[...]]) do not count, as lua-nginx-module's own
// reader of *_by_lua_block bodies has it (ngx_http_lua_conf_lua_block_parse).
func scanLua(data []byte, start int) (end, newlines int, ok bool) {
	depth := 1
	for i := start; i < len(data); i++ {
		switch c := data[i]; {
		case c == '\n':
			newlines++
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return i, newlines, true
			}
		case c == '-' && i+1 < len(data) && data[i+1] == '-':
			if level, ok := longBracket(data, i+2); ok {
				i = skipLong(data, i+2, level, &newlines)
				continue
			}
			for i < len(data) && data[i] != '\n' {
				i++
			}
			if i < len(data) {
				newlines++
			}
		case c == '[':
			if level, ok := longBracket(data, i); ok {
				i = skipLong(data, i, level, &newlines)
			}
		case c == '"' || c == '\'':
			i = skipLuaString(data, i, &newlines)
		}
	}
	return 0, 0, false
}

// longBracket reports whether data[i:] opens a Lua long bracket, "[[" or
// "[" followed by "=" signs and "[", and its level (the number of "=").
func longBracket(data []byte, i int) (level int, ok bool) {
	if i >= len(data) || data[i] != '[' {
		return 0, false
	}
	j := i + 1
	for j < len(data) && data[j] == '=' {
		j++
	}
	if j < len(data) && data[j] == '[' {
		return j - i - 1, true
	}
	return 0, false
}

// skipLong returns the index of the last byte of the long bracket opened at
// data[i] with the given level, or the end of data.
func skipLong(data []byte, i, level int, newlines *int) int {
	for j := i + level + 2; j < len(data); j++ {
		switch data[j] {
		case '\n':
			*newlines++
		case ']':
			k := j + 1
			for k < len(data) && data[k] == '=' {
				k++
			}
			if k < len(data) && data[k] == ']' && k-j-1 == level {
				return k
			}
		}
	}
	return len(data)
}

// skipLuaString returns the index of the quote closing the string opened at
// data[i]; a backslash escapes the next byte.
func skipLuaString(data []byte, i int, newlines *int) int {
	q := data[i]
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			if j+1 < len(data) && data[j+1] == '\n' {
				*newlines++
			}
			j++
		case '\n':
			*newlines++ // an unfinished string: Lua stops it here
			return j
		case q:
			return j
		}
	}
	return len(data)
}
