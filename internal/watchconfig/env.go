package watchconfig

import (
	"fmt"
	"strings"
)

// Env looks up an environment variable, as os.LookupEnv does. A nil Env
// has no variables.
type Env func(name string) (string, bool)

// lookup is e(name), with nothing set when e is nil.
func (e Env) lookup(name string) (string, bool) {
	if e == nil {
		return "", false
	}
	return e(name)
}

// subError is a substitution that failed, at a byte offset of the value.
type subError struct {
	offset int
	msg    string
}

// substitute replaces ${NAME} and ${NAME:-default} in s, as a POSIX shell
// does: the default stands in for a variable that is unset or empty, and a
// variable that is unset without a default is an error. "$${" stands for a
// literal "${"; any other "$" is kept as it is, so that passwords and
// regular expressions need no escaping.
func substitute(s string, env Env) (string, []subError) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	var errs []subError
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			errs = append(errs, subError{i, fmt.Sprintf("%q has no closing }", s[i:])})
			break
		}
		v, msg := variable(s[i+2:i+end], env)
		if msg != "" {
			errs = append(errs, subError{i, msg})
		}
		b.WriteString(v)
		i += end + 1
	}
	return b.String(), errs
}

// variable resolves the inside of one ${...}, or says why it cannot.
func variable(inner string, env Env) (string, string) {
	name, def, hasDef := strings.Cut(inner, ":-")
	if !validName(name) {
		return "", fmt.Sprintf("${%s}: %q is not a variable name", inner, name)
	}
	v, ok := env.lookup(name)
	switch {
	case ok && v != "":
		return v, ""
	case hasDef:
		return def, ""
	case ok:
		return "", ""
	}
	return "", fmt.Sprintf("${%s} is not set (write ${%s:-default} for a default)", name, name)
}

// validName reports whether s is a POSIX shell variable name.
func validName(s string) bool {
	for i, c := range s {
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}
