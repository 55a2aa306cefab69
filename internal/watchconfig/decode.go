package watchconfig

import (
	"encoding"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// maxDepth bounds nesting, aliases included, so that an anchor that
// contains its own alias ends with an error instead of a stack overflow.
const maxDepth = 64

// decoder fills Go values from goccy/go-yaml's syntax tree. goccy's own
// decoder stops at the first problem; walking the tree here reports every
// unknown key and bad value with its place, and substitutes ${ENV} in each
// value, after parsing, so that a substituted value never changes the
// structure of the document.
type decoder struct {
	probs   *problems
	env     Env
	anchors map[string]ast.Node
	// at records where each value was read, by path ("targets[2].interval"),
	// so that later checks can say where a problem is.
	at map[string]pos
	// keys records where the key of each value of a mapping was read.
	keys map[string]pos
	// bad holds the paths whose value could not be read, already
	// reported, so that later checks say nothing more of them.
	bad   map[string]bool
	depth int
}

var (
	textType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// newDecoder prepares to decode the document body, collecting its anchors.
func newDecoder(probs *problems, env Env, body ast.Node) *decoder {
	d := &decoder{probs: probs, env: env, anchors: map[string]ast.Node{}, at: map[string]pos{}, keys: map[string]pos{}, bad: map[string]bool{}}
	ast.Walk(anchorCollector(d.anchors), body)
	return d
}

// anchorCollector records each anchor's node by name (a later anchor of the
// same name wins, which is what YAML says for aliases that follow it).
type anchorCollector map[string]ast.Node

// Visit implements ast.Visitor.
func (a anchorCollector) Visit(n ast.Node) ast.Visitor {
	if an, ok := n.(*ast.AnchorNode); ok && an.Name != nil {
		a[an.Name.GetToken().Value] = an.Value
	}
	return a
}

// position is where n starts: a block mapping at its first key.
func position(n ast.Node) pos {
	switch m := n.(type) {
	case *ast.MappingNode:
		if !m.IsFlowStyle && len(m.Values) > 0 {
			return position(m.Values[0].Key)
		}
	case *ast.MappingValueNode:
		return position(m.Key)
	}
	if n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return pos{}
	}
	p := n.GetToken().Position
	return pos{p.Line, p.Column}
}

// fail records that the value at path is bad, at p.
func (d *decoder) fail(path string, p pos, err error, format string, args ...any) {
	d.bad[path] = true
	d.probs.add(p, err, "%s: %s", describe(path), fmt.Sprintf(format, args...))
}

// resolve looks through tags, anchors and aliases; nil for a null value.
func (d *decoder) resolve(n ast.Node) ast.Node {
	for range maxDepth {
		switch m := n.(type) {
		case nil, *ast.NullNode:
			return nil
		case *ast.TagNode:
			n = m.Value
		case *ast.AnchorNode:
			n = m.Value
		case *ast.AliasNode:
			name := m.Value.GetToken().Value
			target, ok := d.anchors[name]
			if !ok {
				d.probs.add(position(m), nil, "*%s names no anchor", name)
				return nil
			}
			n = target
		default:
			return n
		}
	}
	d.probs.add(position(n), nil, "aliases nested too deeply")
	return nil
}

// value decodes n into v; opt is the field's tag option ("days", "off").
func (d *decoder) value(path string, n ast.Node, v reflect.Value, opt string) {
	if d.depth++; d.depth > maxDepth {
		d.fail(path, position(n), nil, "nested too deeply")
		d.depth--
		return
	}
	defer func() { d.depth-- }()
	if n = d.resolve(n); n == nil {
		return
	}
	d.at[path] = position(n)
	if special := d.special(path, n, v, opt); special {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		nv := reflect.New(v.Type().Elem())
		d.value(path, n, nv.Elem(), opt)
		v.Set(nv)
	case reflect.Struct:
		d.structure(path, n, v)
	case reflect.Map:
		d.mapping(path, n, v)
	case reflect.Slice:
		d.sequence(path, n, v, opt)
	case reflect.String:
		if s, ok := d.scalar(path, n); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		d.boolean(path, n, v)
	default:
		panic(fmt.Sprintf("watchconfig: no decoding for %s", v.Type()))
	}
}

// special decodes the types that are read from text: durations, times and
// text unmarshalers. It reports whether v was one of them.
func (d *decoder) special(path string, n ast.Node, v reflect.Value, opt string) bool {
	switch t := v.Type(); {
	case t == reflect.TypeFor[time.Duration]():
		d.duration(path, n, v, opt)
	case t == reflect.TypeFor[time.Time]():
		d.time(path, n, v)
	case reflect.PointerTo(t).Implements(textType):
		s, ok := d.scalar(path, n)
		if !ok || s == "" {
			return true
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			d.fail(path, d.at[path], err, "%s", textError(t, s, err))
		}
	default:
		return false
	}
	return true
}

// scalar returns the text of a single value, ${ENV} substituted. It
// reports false, after recording why, when n is not a single value or a
// variable is missing.
func (d *decoder) scalar(path string, n ast.Node) (string, bool) {
	var s string
	var tk *token.Token
	switch m := n.(type) {
	case *ast.StringNode:
		s, tk = m.Value, m.Token
	case *ast.LiteralNode:
		s, tk = m.Value.Value, m.Value.Token
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, true
	default:
		d.fail(path, position(n), nil, "want a single value, not %s", kindOf(n))
		return "", false
	}
	out, errs := substitute(s, d.env)
	for _, e := range errs {
		d.fail(path, offsetPos(tk, s, e.offset), nil, "%s", e.msg)
	}
	return out, len(errs) == 0
}

// offsetPos is the place of byte offset i of a value that token tk holds:
// exact for a value on one line without escapes, else the value's start.
func offsetPos(tk *token.Token, value string, i int) pos {
	p := pos{tk.Position.Line, tk.Position.Column}
	if strings.Contains(value, "\n") {
		return p
	}
	runes := len([]rune(value[:i]))
	switch {
	case tk.Type == token.StringType:
		p.col += runes
	case tk.Type == token.DoubleQuoteType && !strings.Contains(tk.Origin, `\`),
		tk.Type == token.SingleQuoteType && !strings.Contains(value, "'"):
		p.col += 1 + runes
	}
	return p
}

// kindOf names a node's kind for messages.
func kindOf(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	}
	return "a " + strings.ToLower(n.Type().String())
}

// describe names a path in a message.
func describe(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

// join adds a key to a path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
