package request

import (
	"regexp"
	"strings"
)

// cmdLineEnd matches a line continued with a caret, as the cmd.exe form
// ends every line but the last.
var cmdLineEnd = regexp.MustCompile(`\^[ \t]*\n`)

// cmdVar matches a cmd.exe variable reference such as %USERPROFILE%.
var cmdVar = regexp.MustCompile(`%[A-Za-z_][A-Za-z0-9_]*%`)

// isCmdForm tells the cmd.exe form from a bash one: it quotes with ^"...^"
// and continues lines with a trailing caret, neither of which a bash
// command has a reason to do.
func isCmdForm(src string) bool {
	return strings.Contains(src, `^"`) || cmdLineEnd.MatchString(src)
}

// cmdWords splits a cmd.exe command line the way cmd.exe and then the
// Microsoft C runtime do: cmd.exe removes the caret before an escaped
// character outside "..." (a caret before a newline also escapes the
// character after it), and the C runtime splits the rest into arguments.
func cmdWords(src string) ([]string, error) {
	if v := cmdVar.FindString(src); v != "" {
		return nil, curlErr("%q needs cmd.exe to expand a variable; gwdoctor runs nothing, so paste the value itself", v)
	}
	var b strings.Builder
	quoted := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '"':
			quoted = !quoted
		case c == '^' && !quoted && i+1 < len(src):
			i++
			if src[i] == '\n' && i+1 < len(src) {
				i++
			}
			c = src[i]
		case c == '\n' && !quoted:
			if strings.TrimSpace(src[i:]) != "" {
				return nil, curlErr("found more than one command, want a single curl command (copy one request)")
			}
			c = ' '
		}
		b.WriteByte(c)
	}
	return crtWords(b.String())
}

// crtWords splits a command line into arguments by the rules of the
// Microsoft C runtime ("Parsing C command-line arguments"): whitespace
// separates outside "...", and backslashes are literal except before a
// double quote, where 2n of them give n and a quote, 2n+1 give n and a
// literal quote.
func crtWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			n := 1
			for i+n < len(s) && s[i+n] == '\\' {
				n++
			}
			i += n - 1
			if i+1 < len(s) && s[i+1] == '"' {
				w.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					i++
					w.WriteByte('"')
				}
			} else {
				w.WriteString(strings.Repeat(`\`, n))
			}
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ' ' || c == '\t' || c == '\n'):
			if inWord {
				words = append(words, w.String())
				w.Reset()
			}
			inWord = false
			continue
		default:
			w.WriteByte(c)
		}
		inWord = true
	}
	if quoted {
		return nil, curlErr("a double quote is not closed")
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}
