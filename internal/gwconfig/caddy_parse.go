package gwconfig

import (
	"path/filepath"
	"strconv"
	"strings"
)

// maxCaddyTokens caps the tokens of a Caddyfile with its imports expanded:
// snippets that import each other twice over would otherwise grow without
// end.
const maxCaddyTokens = 1 << 20

// CaddyDirective is one directive of a Caddyfile: its name, arguments,
// the block that follows it, and where it was written (the snippet or
// imported file it came from, for an import).
type CaddyDirective struct {
	Name  string // "" for a block with no name: the global options block
	Args  []string
	Block []*CaddyDirective
	File  string
	Line  int
	// HasBlock is set when braces follow the directive, even empty ones.
	HasBlock bool
}

// Arg returns the i-th argument, or "".
func (d *CaddyDirective) Arg(i int) string {
	if i >= 0 && i < len(d.Args) {
		return d.Args[i]
	}
	return ""
}

// String writes the directive's line as in the Caddyfile, without its block.
func (d *CaddyDirective) String() string {
	return strings.TrimSpace(d.Name + " " + strings.Join(d.Args, " "))
}

// caddyReader expands the imports of a Caddyfile.
type caddyReader struct {
	src      source
	probs    problems
	snippets map[string][]caddyToken
	files    int
	total    int
}

// readFile lexes file and expands its imports. The error is for a file that
// cannot be read; a lexing error is a problem, and the tokens before it are
// kept.
func (r *caddyReader) readFile(file string, stack includeStack) ([]caddyToken, error) {
	if r.files++; r.files > maxFiles {
		return nil, parseErrorf(file, 0, "more than %d files imported", maxFiles)
	}
	data, err := r.src.readFile(file)
	if err != nil {
		return nil, &ParseError{File: file, Msg: err.Error(), Err: err}
	}
	toks, err := lexCaddy(file, data)
	if err != nil {
		r.probs.add(file, 0, err)
	}
	return r.expand(toks, append(stack, file)), nil
}

// expand takes snippet definitions "(name) { ... }" out of the top level
// and replaces each "import" line by the snippet's tokens, or by the files
// its pattern names (relative to the importing file's directory), as Caddy
// does before it reads the directives
// (https://caddyserver.com/docs/caddyfile/directives/import).
func (r *caddyReader) expand(toks []caddyToken, stack includeStack) []caddyToken {
	var out []caddyToken
	depth := 0
	for i := 0; i < len(toks); {
		t := toks[i]
		switch {
		case t.isOpen():
			depth++
		case t.isClose():
			depth = max(depth-1, 0)
		}
		if depth == 0 && t.nl && !t.quoted && isSnippetName(t.text) && i+1 < len(toks) && toks[i+1].isOpen() {
			end := blockEnd(toks, i+1)
			r.snippets[strings.Trim(strings.TrimPrefix(t.text, "&"), "()")] = toks[i+2 : max(end-1, i+2)]
			if end > len(toks) {
				r.probs.addf(t.file, t.line, "snippet %s is not closed", t.text)
			}
			i = end
			continue
		}
		if t.nl && !t.quoted && t.text == "import" {
			j := i + 1
			for j < len(toks) && !toks[j].nl {
				j++
			}
			out = append(out, r.doImport(t, texts(toks[i+1:j]), stack)...)
			i = j
			continue
		}
		if r.total++; r.total > maxCaddyTokens {
			r.probs.addf(t.file, t.line, "more than %d tokens with imports expanded: the rest is left out", maxCaddyTokens)
			return out
		}
		out = append(out, t)
		i++
	}
	return out
}

// isSnippetName reports "(name)", or "&(name)" for a named route, which
// is read and set aside the same way.
func isSnippetName(s string) bool {
	s = strings.TrimPrefix(s, "&")
	return len(s) > 2 && s[0] == '(' && s[len(s)-1] == ')'
}

// blockEnd returns the index after the "}" that closes the block opened at
// toks[open], or len(toks)+1 when it is not closed.
func blockEnd(toks []caddyToken, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch {
		case toks[i].isOpen():
			depth++
		case toks[i].isClose():
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return len(toks) + 1
}

func texts(toks []caddyToken) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.text
	}
	return out
}

// doImport expands one "import PATTERN [ARGS...]" line.
func (r *caddyReader) doImport(imp caddyToken, args []string, stack includeStack) []caddyToken {
	if len(args) == 0 {
		r.probs.addf(imp.file, imp.line, "import needs a snippet name or a file")
		return nil
	}
	name := args[0]
	if body, ok := r.snippets[name]; ok {
		key := "snippet " + name
		if err := stack.check(key); err != nil {
			r.probs.addf(imp.file, imp.line, "import %s: %v", name, err)
			return nil
		}
		subst := make([]caddyToken, len(body))
		for i, t := range body {
			t.text = replaceImportArgs(t.text, args[1:])
			if i == 0 {
				t.nl = true
			}
			subst[i] = t
		}
		return r.expand(subst, append(stack, key))
	}
	files, err := expandInclude(r.src, filepath.Dir(imp.file), name)
	if err != nil {
		r.probs.addf(imp.file, imp.line, "import %s: %v", name, err)
		return nil
	}
	var out []caddyToken
	for _, f := range files {
		if err := stack.check(f); err != nil {
			r.probs.addf(imp.file, imp.line, "import %s: %v", name, err)
			continue
		}
		toks, err := r.readFile(f, stack)
		if err != nil {
			r.probs.addf(imp.file, imp.line, "import %s: %v", name, err)
			continue
		}
		if len(toks) > 0 {
			toks[0].nl = true
		}
		out = append(out, toks...)
	}
	return out
}

// replaceImportArgs puts the arguments of an import where the snippet
// writes {args[N]} or {args.N} (older Caddy), and {args[:]} for all.
func replaceImportArgs(s string, args []string) string {
	if !strings.Contains(s, "{args") {
		return s
	}
	s = strings.ReplaceAll(s, "{args[:]}", strings.Join(args, " "))
	for i := range args {
		n := strconv.Itoa(i)
		s = strings.ReplaceAll(s, "{args["+n+"]}", args[i])
		s = strings.ReplaceAll(s, "{args."+n+"}", args[i])
	}
	return s
}

// caddyTree builds directives from tokens: a line is a directive, a "{" at
// the end of a line opens its block and "}" closes it. At the top level a
// line that ends with a comma goes on to the next line (site addresses
// written one per line). A block left open is a problem; what it holds is
// kept.
func caddyTree(toks []caddyToken, probs *problems) []*CaddyDirective {
	pos := 0
	var out []*CaddyDirective
	for pos < len(toks) {
		if toks[pos].isClose() {
			probs.addf(toks[pos].file, toks[pos].line, "unexpected }: no block is open")
			pos++
			continue
		}
		out = append(out, caddyDirective(toks, &pos, 0, probs))
	}
	return out
}

// caddyDirective reads the directive that starts at toks[*pos] and its
// block.
func caddyDirective(toks []caddyToken, pos *int, depth int, probs *problems) *CaddyDirective {
	t := toks[*pos]
	d := &CaddyDirective{File: t.file, Line: t.line}
	if !t.isOpen() {
		d.Name = t.text
		*pos++
	}
	for *pos < len(toks) {
		t := toks[*pos]
		if t.nl && (d.Name != "" || d.HasBlock) && !(depth == 0 && continuesKeys(d)) {
			break
		}
		if t.isClose() {
			break
		}
		*pos++
		if !t.isOpen() {
			d.Args = append(d.Args, t.text)
			continue
		}
		d.HasBlock = true
		d.Block = []*CaddyDirective{}
		if !caddyBlock(toks, pos, depth+1, d, probs) {
			probs.addf(d.File, d.Line, "the block of %q is not closed", d.String())
		}
		break
	}
	return d
}

// continuesKeys reports a top-level line that ends with a comma, whose
// site addresses go on on the next line.
func continuesKeys(d *CaddyDirective) bool {
	last := d.Name
	if len(d.Args) > 0 {
		last = d.Args[len(d.Args)-1]
	}
	return strings.HasSuffix(last, ",")
}

// caddyBlock reads directives into d.Block up to the closing "}"; false
// when the tokens end first.
func caddyBlock(toks []caddyToken, pos *int, depth int, d *CaddyDirective, probs *problems) bool {
	for *pos < len(toks) {
		if toks[*pos].isClose() {
			*pos++
			return true
		}
		d.Block = append(d.Block, caddyDirective(toks, pos, depth, probs))
	}
	return false
}
