package watchconfig

import (
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// item is one key of a mapping and its value.
type item struct {
	key   string
	at    pos
	value ast.Node
}

// items lists the keys of a mapping, with those of merge keys ("<<: *x",
// YAML 1.1 merge) that the mapping does not set itself. It reports false,
// after recording why, when n is not a mapping.
func (d *decoder) items(path string, n ast.Node) ([]item, bool) {
	var pairs []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		pairs = m.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{m}
	default:
		d.fail(path, position(n), nil, "want a mapping of keys, not %s", kindOf(n))
		return nil, false
	}
	var own, merged []item
	for _, p := range pairs {
		if _, ok := p.Key.(*ast.MergeKeyNode); ok {
			merged = append(merged, d.merged(path, p.Value)...)
			continue
		}
		key := d.resolve(p.Key)
		if key == nil || kindOf(key) == "a mapping" || kindOf(key) == "a list" {
			d.fail(path, position(p.Key), nil, "a key must be a single value")
			continue
		}
		own = append(own, item{key: key.GetToken().Value, at: position(p.Key), value: p.Value})
	}
	for _, m := range merged {
		if !slices.ContainsFunc(own, func(o item) bool { return o.key == m.key }) {
			own = append(own, m)
		}
	}
	return own, true
}

// merged lists the items a merge key brings: those of a mapping, or of
// each mapping of a list, the first one winning.
func (d *decoder) merged(path string, n ast.Node) []item {
	n = d.resolve(n)
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		its, _ := d.items(path, n)
		return its
	}
	var out []item
	for _, e := range seq.Values {
		its, _ := d.items(path, d.resolve(e))
		for _, it := range its {
			if !slices.ContainsFunc(out, func(o item) bool { return o.key == it.key }) {
				out = append(out, it)
			}
		}
	}
	return out
}

// field is a struct field as the file names it.
type field struct {
	index int
	opt   string
}

// fields maps the yaml names of t's fields to them.
func fields(t reflect.Type) (map[string]field, []string) {
	out := map[string]field{}
	var names []string
	for i := range t.NumField() {
		name, opt, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[name] = field{i, opt}
		names = append(names, name)
	}
	return out, names
}

// structure decodes a mapping into a struct; an unknown key is an error.
func (d *decoder) structure(path string, n ast.Node, v reflect.Value) {
	its, ok := d.items(path, n)
	if !ok {
		return
	}
	known, names := fields(v.Type())
	for _, it := range its {
		f, ok := known[it.key]
		if !ok && path == "" && strings.HasPrefix(it.key, "x-") {
			continue // an extension, as in Compose files: a place for anchors
		}
		if !ok {
			d.probs.add(it.at, nil, "%s", unknownKey(path, it.key, names))
			continue
		}
		d.value(join(path, it.key), it.value, v.Field(f.index), f.opt)
	}
}

// unknownKey says that key is not one of names, suggesting the closest.
func unknownKey(path, key string, names []string) string {
	best, bestDist := "", 3
	for _, n := range names {
		if dist := distance(strings.ToLower(key), n); dist < bestDist {
			best, bestDist = n, dist
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown key %q in %s (did you mean %q?)", key, describe(path), best)
	}
	return fmt.Sprintf("unknown key %q in %s; known keys: %s", key, describe(path), strings.Join(names, ", "))
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// mapping decodes a mapping into a map with string keys.
func (d *decoder) mapping(path string, n ast.Node, v reflect.Value) {
	its, ok := d.items(path, n)
	if !ok {
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(v.Type(), len(its)))
	}
	for _, it := range its {
		elem := reflect.New(v.Type().Elem()).Elem()
		d.keys[join(path, it.key)] = it.at
		d.value(join(path, it.key), it.value, elem, "")
		v.SetMapIndex(reflect.ValueOf(it.key), elem)
	}
}

// sequence decodes a list into a slice; a single value is a list of one.
func (d *decoder) sequence(path string, n ast.Node, v reflect.Value, opt string) {
	values := []ast.Node{n}
	switch m := n.(type) {
	case *ast.SequenceNode:
		values = m.Values
	case *ast.MappingNode, *ast.MappingValueNode:
		d.fail(path, position(n), nil, "want a list, not a mapping")
		return
	}
	s := reflect.MakeSlice(v.Type(), len(values), len(values))
	for i, e := range values {
		d.value(fmt.Sprintf("%s[%d]", path, i), e, s.Index(i), opt)
	}
	v.Set(s)
}

// boolean decodes true or false (YAML 1.2 core schema; yes and on are
// text, as in YAML 1.2).
func (d *decoder) boolean(path string, n ast.Node, v reflect.Value) {
	s, ok := d.scalar(path, n)
	if !ok || s == "" {
		return
	}
	switch s {
	case "true", "True", "TRUE":
		v.SetBool(true)
	case "false", "False", "FALSE":
		v.SetBool(false)
	default:
		d.fail(path, d.at[path], nil, "%q: want true or false", s)
	}
}

// duration decodes a Go duration ("30s", "1m30s"). With opt "days" a bare
// number or "14d" is a number of days; with opt "off", "off" is a negative
// duration, meaning never.
func (d *decoder) duration(path string, n ast.Node, v reflect.Value, opt string) {
	s, ok := d.scalar(path, n)
	if !ok || s == "" {
		return
	}
	if opt == "off" && s == "off" {
		v.SetInt(-1)
		return
	}
	if days, err := strconv.Atoi(strings.TrimSuffix(s, "d")); opt == "days" && err == nil && days >= 0 {
		v.SetInt(int64(time.Duration(days) * 24 * time.Hour))
		return
	}
	dur, err := time.ParseDuration(s)
	switch {
	case err != nil && opt == "days":
		d.fail(path, d.at[path], err, "%q: want a number of days (14, 14d) or a duration (336h)", s)
	case err != nil && strings.Contains(err.Error(), "missing unit"):
		d.fail(path, d.at[path], err, "%q has no unit: write %ss", s, s)
	case err != nil:
		d.fail(path, d.at[path], err, "%q is not a duration (such as 30s, 1m30s, 2h)", s)
	case dur < 0:
		d.fail(path, d.at[path], nil, "%q is negative", s)
	default:
		v.SetInt(int64(dur))
	}
}

// time decodes an RFC 3339 time.
func (d *decoder) time(path string, n ast.Node, v reflect.Value) {
	s, ok := d.scalar(path, n)
	if !ok || s == "" {
		return
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		d.fail(path, d.at[path], err, "%q is not an RFC 3339 time (such as 2025-06-01T02:00:00Z)", s)
		return
	}
	v.Set(reflect.ValueOf(t))
}

// textError says why a value of type t could not be read from s.
func textError(t reflect.Type, s string, err error) string {
	if t == reflect.TypeFor[slog.Level]() {
		return fmt.Sprintf("%q: want debug, info, warn or error", s)
	}
	return err.Error()
}
