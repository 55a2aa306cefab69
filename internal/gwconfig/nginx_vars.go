package gwconfig

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// nginxVarRe is a variable in an argument: $name, ${name} or a capture $1.
var nginxVarRe = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*|[0-9]))`)

// reqVar is a variable's value for one request, and where it comes from.
type reqVar struct {
	value string
	from  string // "" for the request's own variables
}

// requestVars returns the variables whose values the request and the file
// fix before its location's pass directive runs: the request's own, the
// captures of the regular server_name that chose srv, and the variables
// that "set" gives outside any if in the server block, then in the
// locations around loc, in the order nginx's rewrite phase runs them.
func requestVars(u *url.URL, host, path string, srv *NginxServer, loc *NginxLocation) map[string]reqVar {
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443"}[u.Scheme]
		if port == "" {
			port = "80"
		}
	}
	vars := map[string]reqVar{
		"scheme": {value: u.Scheme}, "host": {value: host}, "http_host": {value: u.Host},
		"server_port": {value: port}, "uri": {value: path}, "request_uri": {value: u.RequestURI()},
	}
	for _, name := range srv.Names {
		if !strings.HasPrefix(name, "~") {
			continue
		}
		re, err := compilePCRE(name[1:])
		if err != nil || re.re2 == nil {
			continue
		}
		m := re.re2.FindStringSubmatch(host)
		if m == nil {
			continue
		}
		for i, g := range re.re2.SubexpNames() {
			if i == 0 {
				continue
			}
			from := fmt.Sprintf("is %q, a capture of server_name %s", m[i], name)
			vars[fmt.Sprint(i)] = reqVar{m[i], from}
			if g != "" {
				vars[g] = reqVar{m[i], from}
			}
		}
		break
	}
	setVars(vars, srv, loc)
	return vars
}

// setVars adds to vars the variables that "set" gives outside any if in
// the server block, then in the locations around loc, in the order
// nginx's rewrite phase runs them; an empty value removes the variable.
func setVars(vars map[string]reqVar, srv *NginxServer, loc *NginxLocation) {
	chain := [][]*Directive{srv.Directive.Block}
	var locs []*NginxLocation
	for l := loc; l != nil; l = l.Parent {
		locs = append([]*NginxLocation{l}, locs...)
	}
	for _, l := range locs {
		chain = append(chain, l.Directive.Block)
	}
	for _, block := range chain {
		for _, d := range block {
			if d.Name != "set" || len(d.Args) != 2 || !strings.HasPrefix(d.Args[0], "$") {
				continue
			}
			name := strings.TrimPrefix(d.Args[0], "$")
			if d.Args[1] == "" {
				// An empty value is a placeholder that code fills at run
				// time (access_by_lua sets ngx.var.NAME): no value here.
				delete(vars, name)
				continue
			}
			v, _ := expandVars(d.Args[1], vars)
			vars[name] = reqVar{v, fmt.Sprintf("is set to %s (%s)", d.Args[1], where(d.File, d.Line))}
		}
	}
}

// staticHosts returns the hosts that pass directive d of loc can name
// whatever the request: its argument with the file's set values put in,
// and each value of a split_clients or map variable. ok is false when a
// variable takes a value only a request gives.
func (n *Nginx) staticHosts(srv *NginxServer, loc *NginxLocation, d *Directive) ([]string, bool) {
	vars := map[string]reqVar{}
	setVars(vars, srv, loc)
	arg, missing := expandVars(d.Arg(0), vars)
	switch len(missing) {
	case 0:
		return []string{parsePassTarget(&Directive{Name: d.Name, Args: []string{arg}}).host}, true
	case 1:
		vals, _ := n.choices(missing[0])
		var hosts []string
		for _, v := range vals {
			a, rest := expandVars(arg, map[string]reqVar{missing[0]: {value: v}})
			if len(rest) > 0 {
				return nil, false
			}
			hosts = append(hosts, parsePassTarget(&Directive{Name: d.Name, Args: []string{a}}).host)
		}
		return hosts, len(hosts) > 0
	}
	return nil, false
}

// expandVars puts the values of vars into arg, and returns the names of
// the variables it has no value for.
func expandVars(arg string, vars map[string]reqVar) (string, []string) {
	var missing []string
	out := nginxVarRe.ReplaceAllStringFunc(arg, func(m string) string {
		sub := nginxVarRe.FindStringSubmatch(m)
		name := sub[1] + sub[2]
		if v, ok := vars[name]; ok {
			return v.value
		}
		missing = append(missing, name)
		return m
	})
	return out, missing
}

// varNotes says where the values of arg's variables come from.
func varNotes(arg string, vars map[string]reqVar) []string {
	var notes []string
	for _, sub := range nginxVarRe.FindAllStringSubmatch(arg, -1) {
		name := sub[1] + sub[2]
		if v, ok := vars[name]; ok && v.from != "" {
			notes = append(notes, fmt.Sprintf("$%s %s", name, v.from))
		}
	}
	return notes
}

// choices returns the values that a split_clients or map block of the http
// context gives the variable name, and the block; nil when none sets it.
// Which value a request gets depends on it (a hash of the split_clients
// key, the map's source), so each value is a route some request takes.
func (n *Nginx) choices(name string) ([]string, *Directive) {
	blocks := n.Directives
	if n.HTTP != nil {
		blocks = n.HTTP.Block
	}
	for _, d := range blocks {
		if !d.IsBlock() || len(d.Args) != 2 || d.Args[1] != "$"+name {
			continue
		}
		if d.Name != "split_clients" && d.Name != "map" {
			continue
		}
		var vals []string
		for _, e := range d.Block {
			v := ""
			switch {
			case d.Name == "split_clients" && len(e.Args) == 1:
				v = e.Args[0]
			case d.Name == "map" && len(e.Args) == 1 && !strings.HasPrefix(e.Name, "hostnames") && e.Name != "volatile":
				v = e.Args[0]
			}
			if v != "" && v != `""` && !containsString(vals, v) {
				vals = append(vals, v)
			}
		}
		return vals, d
	}
	return nil, nil
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// ifPass returns the pass directive of an "if" block of loc whose condition
// holds with the values in vars, and the condition; nil when no condition
// can be told to hold. An if in a location is a location of its own, whose
// pass directive handles the request (ngx_http_rewrite_module, "if").
func ifPass(loc *NginxLocation, vars map[string]reqVar) (*Directive, string) {
	for _, c := range loc.Directive.Block {
		if c.Name != "if" || !c.IsBlock() {
			continue
		}
		pass := (&NginxLocation{Directive: c}).passDirective()
		if pass == nil {
			continue
		}
		cond := ifCond(c)
		if holds, known := ifHolds(cond, vars); known && holds {
			return pass, cond
		}
	}
	return nil, ""
}

// ifHolds evaluates an if condition: a variable alone (false when empty or
// "0"), or a variable compared with "=", "!=", "~" or "~*". known is false
// when the condition names a variable without a value, or another test.
func ifHolds(cond string, vars map[string]reqVar) (holds, known bool) {
	w := strings.Fields(cond)
	if len(w) == 0 || !strings.HasPrefix(w[0], "$") {
		return false, false
	}
	v, missing := expandVars(w[0], vars)
	if len(missing) > 0 {
		return false, false
	}
	switch {
	case len(w) == 1:
		return v != "" && v != "0", true
	case len(w) == 3:
		want := strings.Trim(w[2], `"'`)
		switch w[1] {
		case "=":
			return v == want, true
		case "!=":
			return v != want, true
		case "~", "~*":
			expr := want
			if w[1] == "~*" {
				expr = "(?i)" + expr
			}
			re, err := compilePCRE(expr)
			if err != nil {
				return false, false
			}
			return re.MatchString(v), true
		}
	}
	return false, false
}

// ifCond returns the condition of an "if (...)" block without its
// parentheses.
func ifCond(d *Directive) string {
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.Join(d.Args, " "), "("), ")"))
}
