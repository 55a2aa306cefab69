package gwconfig

import (
	"encoding/json"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"
)

// caddyJSONRoute is a route of Caddy's JSON configuration
// (https://caddyserver.com/docs/json/apps/http/servers/routes/).
type caddyJSONRoute struct {
	Match  []map[string]json.RawMessage `json:"match"`
	Handle []map[string]json.RawMessage `json:"handle"`
}

// parseCaddyJSON reads Caddy's JSON configuration (caddy adapt's output,
// autosave.json) into the model of a Caddyfile: each server's routes
// become a site per host they match (one for any host when they match
// none) on the server's ports, whose directives keep the routes' order as
// a route block does; reverse_proxy handlers become reverse_proxy
// directives with their transport, load balancing and health checks. A
// route or handler it cannot read is a problem; the error is for a file
// that is not JSON.
func parseCaddyJSON(file string, data []byte) (*Caddy, error) {
	var doc struct {
		Apps struct {
			HTTP struct {
				HTTPPort  int `json:"http_port"`
				HTTPSPort int `json:"https_port"`
				Servers   map[string]struct {
					Listen []string         `json:"listen"`
					Routes []caddyJSONRoute `json:"routes"`
				} `json:"servers"`
			} `json:"http"`
		} `json:"apps"`
	}
	if err := json.Unmarshal(stripBOM(data), &doc); err != nil {
		return nil, &ParseError{File: file, Msg: "not Caddy's JSON configuration: " + err.Error(), Err: err}
	}
	c := &Caddy{File: file, HTTPPort: 80, HTTPSPort: 443, AutoHTTPS: "on"}
	if p := doc.Apps.HTTP.HTTPPort; p > 0 {
		c.HTTPPort = p
	}
	if p := doc.Apps.HTTP.HTTPSPort; p > 0 {
		c.HTTPSPort = p
	}
	var probs problems
	names := make([]string, 0, len(doc.Apps.HTTP.Servers))
	for n := range doc.Apps.HTTP.Servers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		srv := doc.Apps.HTTP.Servers[name]
		j := &caddyJSONReader{file: file, probs: &probs}
		body := j.routes(srv.Routes)
		for _, host := range j.hosts(srv.Routes) {
			var words []string
			for _, l := range srv.Listen {
				port := l[strings.LastIndexByte(l, ':')+1:]
				if _, err := strconv.Atoi(port); err != nil {
					probs.addf(file, 0, "server %s: listen address %q is not read", name, l)
					continue
				}
				scheme := "http://"
				if port == strconv.Itoa(c.HTTPSPort) {
					scheme = "https://"
				}
				words = append(words, scheme+net.JoinHostPort(host, port))
			}
			if len(words) == 0 {
				continue
			}
			site := &CaddyDirective{Name: words[0], Args: words[1:], File: file, HasBlock: true,
				Block: append(j.matchers, &CaddyDirective{Name: "route", File: file, HasBlock: true, Block: body})}
			c.addSite(site, site.Block, &probs)
			c.Sites[len(c.Sites)-1].Block.Name = "server " + name + " " + strings.Join(words, ", ")
		}
	}
	c.Problems = probs
	return c, nil
}

// caddyJSONReader turns JSON routes into directives.
type caddyJSONReader struct {
	file     string
	probs    *problems
	matchers []*CaddyDirective // the named matchers made for match sets
}

// hosts lists the hosts the top-level routes match, sorted, and "" when
// a route matches any host.
func (j *caddyJSONReader) hosts(routes []caddyJSONRoute) []string {
	seen := map[string]bool{}
	anyHost := len(routes) == 0
	for _, r := range routes {
		var hs []string
		for _, m := range r.Match {
			var h []string
			if raw, ok := m["host"]; ok && json.Unmarshal(raw, &h) == nil {
				hs = append(hs, h...)
			}
		}
		if len(hs) == 0 {
			anyHost = true
		}
		for _, h := range hs {
			seen[strings.ToLower(h)] = true
		}
	}
	var out []string
	for h := range seen {
		out = append(out, h)
	}
	sort.Strings(out)
	if anyHost {
		out = append(out, "")
	}
	return out
}

// routes turns routes into route blocks in order, each with its match as
// a named matcher.
func (j *caddyJSONReader) routes(routes []caddyJSONRoute) []*CaddyDirective {
	var out []*CaddyDirective
	for _, r := range routes {
		d := &CaddyDirective{Name: "route", File: j.file, HasBlock: true}
		if len(r.Match) > 0 {
			name := "json" + strconv.Itoa(len(j.matchers))
			j.matchers = append(j.matchers, j.matcher(name, r.Match))
			d.Args = []string{"@" + name}
		}
		for _, h := range r.Handle {
			if hd := j.handler(h); hd != nil {
				d.Block = append(d.Block, hd)
			}
		}
		out = append(out, d)
	}
	return out
}

// matcher makes "@name { ... }" of the first match set (the sets are
// alternatives; the others are noted as not read).
func (j *caddyJSONReader) matcher(name string, sets []map[string]json.RawMessage) *CaddyDirective {
	if len(sets) > 1 {
		j.probs.addf(j.file, 0, "a route matches any of %d match sets: only the first is read", len(sets))
	}
	def := &CaddyDirective{Name: "@" + name, File: j.file, HasBlock: true, Block: []*CaddyDirective{}}
	for kind, raw := range sets[0] {
		var vals []string
		if json.Unmarshal(raw, &vals) != nil {
			vals = nil
		}
		// Any other kind (header, method, expression...) reads as a
		// matcher that depends on more than host and path; so does "not",
		// whose JSON is not a list of values.
		if kind == "not" {
			kind = "json_not"
		}
		def.Block = append(def.Block, &CaddyDirective{Name: kind, Args: vals, File: j.file})
	}
	sort.Slice(def.Block, func(a, b int) bool { return def.Block[a].Name < def.Block[b].Name })
	return def
}

// handler turns one handler into a directive: subroute into a route
// block, reverse_proxy into reverse_proxy, static_response and
// file_server into respond and file_server; others are left out.
func (j *caddyJSONReader) handler(h map[string]json.RawMessage) *CaddyDirective {
	var kind string
	_ = json.Unmarshal(h["handler"], &kind)
	switch kind {
	case "subroute":
		var routes []caddyJSONRoute
		if err := json.Unmarshal(h["routes"], &routes); err != nil {
			j.probs.addf(j.file, 0, "subroute: %v", err)
			return nil
		}
		return &CaddyDirective{Name: "route", File: j.file, HasBlock: true, Block: j.routes(routes)}
	case "reverse_proxy":
		return j.reverseProxy(h)
	case "static_response":
		return &CaddyDirective{Name: "respond", File: j.file}
	case "file_server":
		return &CaddyDirective{Name: "file_server", File: j.file}
	case "error":
		return &CaddyDirective{Name: "error", File: j.file}
	}
	return nil
}

// caddyJSONProxy is the part of a reverse_proxy handler a route reports.
type caddyJSONProxy struct {
	Upstreams []struct {
		Dial string `json:"dial"`
	} `json:"upstreams"`
	Transport map[string]json.RawMessage `json:"transport"`
	LB        struct {
		TryDuration json.RawMessage `json:"try_duration"`
		Retries     int             `json:"retries"`
	} `json:"load_balancing"`
	Health struct {
		Active *struct {
			URI, Path, Method string
			Port              int
			Interval, Timeout json.RawMessage
			ExpectStatus      int `json:"expect_status"`
		} `json:"active"`
		Passive *struct {
			FailDuration    json.RawMessage `json:"fail_duration"`
			MaxFails        int             `json:"max_fails"`
			UnhealthyStatus []int           `json:"unhealthy_status"`
		} `json:"passive"`
	} `json:"health_checks"`
	Dynamic json.RawMessage `json:"dynamic_upstreams"`
}

// reverseProxy writes a reverse_proxy handler as the Caddyfile would.
func (j *caddyJSONReader) reverseProxy(h map[string]json.RawMessage) *CaddyDirective {
	raw, _ := json.Marshal(h)
	var p caddyJSONProxy
	if err := json.Unmarshal(raw, &p); err != nil {
		j.probs.addf(j.file, 0, "reverse_proxy: %v", err)
		return nil
	}
	d := &CaddyDirective{Name: caddyReverseProxy, File: j.file, HasBlock: true}
	for _, u := range p.Upstreams {
		d.Args = append(d.Args, u.Dial)
	}
	sub := func(name string, args ...string) {
		d.Block = append(d.Block, &CaddyDirective{Name: name, Args: args, File: j.file})
	}
	if len(p.Dynamic) > 0 {
		sub("dynamic", "(JSON)")
	}
	if s := jsonDuration(p.LB.TryDuration); s != "" {
		sub("lb_try_duration", s)
	}
	if p.LB.Retries > 0 {
		sub("lb_retries", strconv.Itoa(p.LB.Retries))
	}
	if a := p.Health.Active; a != nil {
		if uri := a.URI + a.Path; uri != "" {
			sub("health_uri", uri)
		}
		if a.Port > 0 {
			sub("health_port", strconv.Itoa(a.Port))
		}
		if a.Method != "" {
			sub("health_method", a.Method)
		}
		if a.ExpectStatus > 0 {
			sub("health_status", caddyJSONStatus(a.ExpectStatus))
		}
	}
	if ps := p.Health.Passive; ps != nil {
		if s := jsonDuration(ps.FailDuration); s != "" {
			sub("fail_duration", s)
		}
		for _, st := range ps.UnhealthyStatus {
			sub("unhealthy_status", caddyJSONStatus(st))
		}
	}
	if t := j.transport(p.Transport); t != nil {
		d.Block = append(d.Block, t)
	}
	return d
}

// transport writes the transport object as a transport block.
func (j *caddyJSONReader) transport(t map[string]json.RawMessage) *CaddyDirective {
	if t == nil {
		return nil
	}
	var proto string
	_ = json.Unmarshal(t["protocol"], &proto)
	d := &CaddyDirective{Name: "transport", Args: []string{proto}, File: j.file, HasBlock: true}
	for _, k := range []string{"dial_timeout", "response_header_timeout", "read_timeout", "write_timeout"} {
		if s := jsonDuration(t[k]); s != "" {
			d.Block = append(d.Block, &CaddyDirective{Name: k, Args: []string{s}, File: j.file})
		}
	}
	if raw, ok := t["tls"]; ok {
		var tls struct {
			Insecure bool `json:"insecure_skip_verify"`
		}
		_ = json.Unmarshal(raw, &tls)
		name := "tls"
		if tls.Insecure {
			name = "tls_insecure_skip_verify"
		}
		d.Block = append(d.Block, &CaddyDirective{Name: name, File: j.file})
	}
	return d
}

// jsonDuration reads a duration written as a string ("3s") or as
// nanoseconds; "" when there is none.
func jsonDuration(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n int64
	if json.Unmarshal(raw, &n) == nil {
		return time.Duration(n).String()
	}
	return ""
}

// caddyJSONStatus writes a status; a single digit is a class ("5" is 5xx).
func caddyJSONStatus(n int) string {
	if n < 10 {
		return fmt.Sprintf("%dxx", n)
	}
	return strconv.Itoa(n)
}
