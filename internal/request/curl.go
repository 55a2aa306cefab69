package request

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// FromCurl reads a command copied with a browser's "Copy as cURL": bash or
// POSIX quoting (Chrome, Firefox, Safari), or the cmd.exe form Chrome and
// Firefox offer on Windows. Nothing in it is ever run: a command that needs
// the shell to expand a variable or substitute a command is an *Error, as
// is an option that changes the request in a way a replay cannot follow
// (a proxy, a cookie file). The message of every *Error starts with
// "parsing the curl command: ".
func FromCurl(cmdline string) (Request, error) {
	src := strings.ReplaceAll(cmdline, "\r\n", "\n")
	if strings.TrimSpace(src) == "" {
		return Request{}, curlErr("the command is empty")
	}
	split := shellWords
	if isCmdForm(src) {
		split = cmdWords
	}
	words, err := split(src)
	if err != nil {
		return Request{}, err
	}
	if len(words) == 0 {
		return Request{}, curlErr("the command is empty")
	}
	name := words[0][strings.LastIndexAny(words[0], `/\`)+1:]
	if name != "curl" && !strings.EqualFold(name, "curl.exe") {
		return Request{}, curlErr("the command is %q, want curl", words[0])
	}
	return parseCurlArgs(words[1:])
}

// curlErr is an error about the pasted command, said the same way every time.
func curlErr(format string, args ...any) error {
	return errorf(nil, "parsing the curl command: "+format, args...)
}

// shellWords splits a bash command into its words after quote removal.
func shellWords(src string) ([]string, error) {
	file, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
	if err != nil {
		return nil, curlErr("%s", strings.ReplaceAll(err.Error(), "\n", " "))
	}
	if len(file.Stmts) != 1 {
		return nil, curlErr("found %d commands, want a single curl command (copy one request)", len(file.Stmts))
	}
	st := file.Stmts[0]
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || st.Negated || st.Background || st.Coprocess || len(st.Redirs) > 0 || len(call.Assigns) > 0 {
		return nil, curlErr("want a single curl command, without pipes, redirections or variable assignments")
	}
	words := make([]string, 0, len(call.Args))
	for _, w := range call.Args {
		s, ok := wordString(w)
		if !ok {
			end := min(int(w.End().Offset()), len(src))
			start := min(int(w.Pos().Offset()), end)
			return nil, curlErr("%q needs the shell to expand a variable or run a command; gwdoctor runs nothing, so paste the value itself", src[start:end])
		}
		words = append(words, s)
	}
	return words, nil
}

// wordString is the value bash gives a word that expands nothing. It is not
// ok when the word has an expansion: $VAR, $(...), `...`, $((...)), <(...).
func wordString(w *syntax.Word) (string, bool) {
	var b strings.Builder
	for _, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			b.WriteString(unbackslash(p.Value, false))
		case *syntax.SglQuoted:
			if !p.Dollar {
				b.WriteString(p.Value)
				continue
			}
			// $'...' decodes escapes as printf does, and bash ends the
			// string at a NUL. A config of its own: with nil, Format
			// prepares a config shared by every caller, which races.
			s, _, _ := expand.Format(&expand.Config{}, p.Value, nil)
			s, _, _ = strings.Cut(s, "\x00")
			b.WriteString(s)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				lit, ok := q.(*syntax.Lit)
				if !ok {
					return "", false
				}
				b.WriteString(unbackslash(lit.Value, true))
			}
		default:
			return "", false
		}
	}
	return b.String(), true
}

// unbackslash removes the backslashes bash removes: before any character
// outside quotes, and only before $ ` " \ and newline inside double quotes
// (bash(1), QUOTING).
func unbackslash(s string, dquoted bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (!dquoted || strings.IndexByte("$`\"\\\n", s[i+1]) >= 0) {
			i++
			if s[i] == '\n' {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// curlOption is one curl option gwdoctor understands (curl(1), OPTIONS).
type curlOption struct {
	value bool                              // the option takes a value
	apply func(p *curlArgs, v string) error // nil: irrelevant to a diagnosis
}

// curlOptions maps long option names to what they do. The options without
// apply change nothing gwdoctor looks at: output, progress, redirects
// followed, timeouts, the HTTP version curl prefers.
var curlOptions = map[string]curlOption{
	"--url":        {true, (*curlArgs).addURL},
	"--request":    {true, (*curlArgs).setMethod},
	"--head":       {false, func(p *curlArgs, _ string) error { p.req.Method = http.MethodHead; return nil }},
	"--header":     {true, (*curlArgs).addHeader},
	"--user-agent": {true, func(p *curlArgs, v string) error { p.req.Header.Set("User-Agent", v); return nil }},
	"--referer":    {true, func(p *curlArgs, v string) error { p.req.Header.Set("Referer", v); return nil }},
	"--user":       {true, (*curlArgs).setUser},
	"--cookie":     {true, (*curlArgs).addCookie},
	"--insecure":   {false, func(p *curlArgs, _ string) error { p.req.Insecure = true; return nil }},
	"--resolve":    {true, func(p *curlArgs, v string) error { p.req.Resolve = append(p.req.Resolve, v); return nil }},
	"--json":       {true, func(p *curlArgs, _ string) error { p.body, p.json = true, true; return nil }},

	"--data": {true, setBody}, "--data-raw": {true, setBody}, "--data-binary": {true, setBody},
	"--data-ascii": {true, setBody}, "--data-urlencode": {true, setBody},
	"--form": {true, setBody}, "--form-string": {true, setBody},

	"--compressed": {}, "--silent": {}, "--show-error": {}, "--include": {}, "--verbose": {},
	"--location": {}, "--location-trusted": {}, "--http1.0": {}, "--http1.1": {}, "--http2": {},
	"--http2-prior-knowledge": {}, "--http3": {}, "--fail": {}, "--fail-with-body": {}, "--globoff": {},
	"--no-buffer": {}, "--progress-bar": {}, "--no-progress-meter": {}, "--path-as-is": {}, "--ipv4": {},
	"--ipv6": {}, "--ssl-no-revoke": {}, "--tlsv1.2": {}, "--tlsv1.3": {}, "--tr-encoding": {},
	"--no-keepalive": {}, "--raw": {},
	"--output": {value: true}, "--write-out": {value: true}, "--max-time": {value: true},
	"--connect-timeout": {value: true}, "--retry": {value: true}, "--cookie-jar": {value: true},
	"--dump-header": {value: true}, "--max-redirs": {value: true}, "--limit-rate": {value: true},
	"--trace": {value: true}, "--trace-ascii": {value: true}, "--stderr": {value: true},
}

// curlShort maps curl's one-letter options to their long names.
var curlShort = map[byte]string{
	'X': "--request", 'I': "--head", 'H': "--header", 'A': "--user-agent", 'e': "--referer",
	'u': "--user", 'b': "--cookie", 'k': "--insecure", 'd': "--data", 'F': "--form",
	's': "--silent", 'S': "--show-error", 'i': "--include", 'v': "--verbose", 'L': "--location",
	'0': "--http1.0", 'f': "--fail", 'g': "--globoff", 'N': "--no-buffer", '#': "--progress-bar",
	'4': "--ipv4", '6': "--ipv6", 'o': "--output", 'w': "--write-out", 'm': "--max-time",
	'c': "--cookie-jar", 'D': "--dump-header",
}

// curlArgs is the state of reading curl's arguments.
type curlArgs struct {
	req  Request
	body bool // a request body was given (-d, --data*, -F/--form, --json)
	json bool // --json was given, which sets Content-Type and Accept
}

// parseCurlArgs reads curl's arguments (the words after "curl").
func parseCurlArgs(args []string) (Request, error) {
	p := curlArgs{req: Request{Header: http.Header{}}}
	endOfOptions := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		var name, value string
		hasValue := false
		switch {
		case endOfOptions || a == "-" || !strings.HasPrefix(a, "-"):
			if err := p.addURL(a); err != nil {
				return Request{}, err
			}
			continue
		case a == "--":
			endOfOptions = true
			continue
		case strings.HasPrefix(a, "--"):
			name, value, hasValue = strings.Cut(a, "=")
		default:
			var err error
			if name, value, hasValue, err = p.shortFlags(a); err != nil {
				return Request{}, err
			}
		}
		opt, ok := curlOptions[name]
		if !ok {
			return Request{}, curlErr("unknown or unsupported option %q", name)
		}
		if hasValue && !opt.value {
			return Request{}, curlErr("option %s takes no value", name)
		}
		if opt.value && !hasValue {
			if i+1 >= len(args) {
				return Request{}, curlErr("option %s needs a value", name)
			}
			i++
			value = args[i]
		}
		if err := p.apply(name, opt, value); err != nil {
			return Request{}, err
		}
	}
	return p.finish()
}

// shortFlags reads a group of one-letter options such as -sSL or -XPOST.
// All but the last are applied here; the last is returned with its value
// when the rest of the group is one.
func (p *curlArgs) shortFlags(group string) (name, value string, hasValue bool, err error) {
	for j := 1; j < len(group); j++ {
		name, ok := curlShort[group[j]]
		if !ok {
			return "", "", false, curlErr("unknown or unsupported option %q", "-"+string(rune(group[j])))
		}
		opt := curlOptions[name]
		if opt.value {
			return name, group[j+1:], j+1 < len(group), nil
		}
		if j == len(group)-1 {
			return name, "", false, nil
		}
		if err := p.apply(name, opt, ""); err != nil {
			return "", "", false, err
		}
	}
	return "", "", false, curlErr("unknown or unsupported option %q", group)
}

// apply carries out one option, or notes that it changes nothing.
func (p *curlArgs) apply(name string, opt curlOption, value string) error {
	if opt.apply == nil {
		if !slices.Contains(p.req.Ignored, name) {
			p.req.Ignored = append(p.req.Ignored, name)
		}
		return nil
	}
	return opt.apply(p, value)
}

// finish checks the request is complete and fills what curl decides
// itself: the method, and the headers --json implies.
func (p *curlArgs) finish() (Request, error) {
	if p.req.URL == "" {
		return Request{}, curlErr("no URL given")
	}
	switch {
	case p.req.Method != "":
	case p.body:
		p.req.Method = http.MethodPost // as curl does for -d and the like
	default:
		p.req.Method = http.MethodGet
	}
	if p.body {
		p.req.DroppedBody = "the curl command's request body was not sent"
	}
	if p.json {
		// curl's --json sends these two unless -H gave them (curl(1), --json).
		for _, h := range []string{"Content-Type", "Accept"} {
			if p.req.Header.Get(h) == "" {
				p.req.Header.Set(h, "application/json")
			}
		}
	}
	return p.req, nil
}

// addURL sets the URL; curl would fetch a second one too, which is not
// one request to diagnose.
func (p *curlArgs) addURL(u string) error {
	if p.req.URL != "" {
		return curlErr("more than one URL (%q and %q); keep the one to diagnose", p.req.URL, u)
	}
	if u == "" {
		return curlErr("the URL is empty")
	}
	if !strings.Contains(u, "://") {
		u = "http://" + u // curl guesses HTTP for a URL without a scheme
	}
	p.req.URL = u
	return nil
}

// setMethod sets the method of -X/--request.
func (p *curlArgs) setMethod(m string) error {
	if m == "" || strings.ContainsAny(m, " \t\r\n") {
		return curlErr("%q is not an HTTP method", m)
	}
	p.req.Method = m
	return nil
}

// addHeader adds one -H value. "Name:" with nothing after the colon makes
// curl leave the header out and "Name;" sends it empty (curl(1), --header).
func (p *curlArgs) addHeader(h string) error {
	if strings.HasPrefix(h, "@") {
		return curlErr("headers read from a file (%q) are not supported", h)
	}
	name, value, colon := strings.Cut(h, ":")
	if !colon {
		var semicolon bool
		if name, semicolon = strings.CutSuffix(h, ";"); !semicolon {
			return curlErr("header %q has no colon", h)
		}
	}
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if name == "" || strings.ContainsAny(name, " \t\r\n") {
		return curlErr("header %q has no valid name", h)
	}
	if http.CanonicalHeaderKey(name) == "Cookie" {
		return p.addCookie(value)
	}
	if !colon || value != "" {
		p.req.Header.Add(name, value)
	}
	return nil
}

// addCookie adds the name=value items of -b/--cookie or a Cookie header.
func (p *curlArgs) addCookie(v string) error {
	if !strings.Contains(v, "=") {
		if strings.TrimSpace(v) == "" {
			return nil
		}
		return curlErr("-b %q names a cookie file; cookie files are not supported, paste the cookies as name=value", v)
	}
	p.req.Cookies = append(p.req.Cookies, splitCookies(v)...)
	return nil
}

// setUser turns -u user:password into the Basic credentials curl sends
// (RFC 7617).
func (p *curlArgs) setUser(v string) error {
	if !strings.Contains(v, ":") {
		return curlErr("--user %q has no password, which curl would ask for", v)
	}
	p.req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(v)))
	return nil
}

// setBody notes that a request body was given; its content does not matter
// to a diagnosis.
func setBody(p *curlArgs, _ string) error {
	p.body = true
	return nil
}
