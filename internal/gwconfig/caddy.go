package gwconfig

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Caddy is a parsed Caddyfile (Caddy 2), or Caddy's JSON configuration.
type Caddy struct {
	File string
	// Global is the global options block; nil when there is none.
	Global *CaddyDirective
	// HTTPPort and HTTPSPort are the global options http_port and
	// https_port (default 80 and 443): the ports of sites whose address
	// names a scheme or a host but no port.
	HTTPPort, HTTPSPort int
	// AutoHTTPS is the auto_https global option ("on" when not set):
	// "off" turns off the redirect from HTTP to HTTPS as well.
	AutoHTTPS string
	Sites     []*CaddySite
	// Problems are the parts that could not be read (an import that is
	// missing, a block left open, an unknown directive, a bad upstream);
	// the rest of the model stands without them.
	Problems []*ParseError
}

// CaddySite is a site block: its addresses and directives.
type CaddySite struct {
	Block      Block
	Addrs      []CaddyAddr
	Directives []*CaddyDirective
	// Matchers are the named matchers "@name ..." defined in the site, by
	// name without the "@".
	Matchers map[string]*CaddyDirective
	// Proxies are the reverse_proxy and php_fastcgi directives of the
	// site, nested ones included, in the order written.
	Proxies []*CaddyProxy
	proxyOf map[*CaddyDirective]*CaddyProxy
}

// CaddyAddr is one address of a site block.
type CaddyAddr struct {
	Scheme string // "http", "https" or "" as written
	Host   string // lower case; "" for any host, "*.example.com" for a wildcard
	Port   int    // the port the site is served on
	Path   string // a path in the address ("example.com/api*"), which matches the site's requests
	File   string
	Line   int
}

// ParseCaddy reads a Caddyfile, or Caddy's JSON configuration (the output
// of caddy adapt, or autosave.json) when the file starts with "{" followed
// by a quoted key, and the files it imports. Relative imports resolve
// against the directory of the file that imports them. What cannot be read
// is listed in Problems; the error is for a file that cannot be read at
// all.
func ParseCaddy(file string) (*Caddy, error) {
	file, err := absPath(file)
	if err != nil {
		return nil, err
	}
	return parseCaddy(diskSource{}, file)
}

// parseCaddy reads file from src; the error is for a main file that cannot
// be read.
func parseCaddy(src source, file string) (*Caddy, error) {
	data, err := src.readFile(file)
	if err != nil {
		return nil, &ParseError{File: file, Msg: err.Error(), Err: err}
	}
	if isCaddyJSON(data) {
		return parseCaddyJSON(file, data)
	}
	r := &caddyReader{src: src, snippets: map[string][]caddyToken{}}
	toks, err := r.readFile(file, nil)
	if err != nil {
		return nil, err
	}
	tree := caddyTree(toks, &r.probs)
	c := buildCaddy(file, tree, &r.probs)
	c.Problems = r.probs
	return c, nil
}

// isCaddyJSON reports a JSON object: "{" and then a quoted key, or "}".
func isCaddyJSON(data []byte) bool {
	data = bytes.TrimLeft(stripBOM(data), " \t\r\n")
	if len(data) == 0 || data[0] != '{' {
		return false
	}
	rest := bytes.TrimLeft(data[1:], " \t\r\n")
	return len(rest) > 0 && (rest[0] == '"' || rest[0] == '}')
}

// buildCaddy reads the global options and the site blocks of tree. A
// Caddyfile with one site may leave out its braces: the first line then
// holds its addresses and the rest of the file its directives
// (https://caddyserver.com/docs/caddyfile/concepts#structure).
func buildCaddy(file string, tree []*CaddyDirective, probs *problems) *Caddy {
	c := &Caddy{File: file, HTTPPort: 80, HTTPSPort: 443, AutoHTTPS: "on"}
	if len(tree) > 0 && tree[0].Name == "" {
		c.Global, tree = tree[0], tree[1:]
		c.readGlobal(probs)
	}
	tree = dropEnvLines(tree, probs)
	if len(tree) > 0 && !tree[0].HasBlock {
		c.addSite(tree[0], tree[1:], probs)
		return c
	}
	for _, d := range tree {
		switch {
		case d.Name == "":
			probs.addf(d.File, d.Line, "a block without addresses: only the first block of a Caddyfile may be the global options")
		case !d.HasBlock:
			probs.addf(d.File, d.Line, "%q is outside any site block", d.String())
		default:
			c.addSite(d, d.Block, probs)
		}
	}
	return c
}

// dropEnvLines leaves out lines that are one environment placeholder
// ("{$EXTRA_CONFIG}"): Caddy puts the variable's text there when it
// starts, which is not known here.
func dropEnvLines(ds []*CaddyDirective, probs *problems) []*CaddyDirective {
	var out []*CaddyDirective
	for _, d := range ds {
		if isEnvPlaceholder(d.Name) && len(d.Args) == 0 && !d.HasBlock {
			probs.addf(d.File, d.Line, "%s comes from the environment when Caddy starts", d.Name)
			continue
		}
		out = append(out, d)
	}
	return out
}

// isEnvPlaceholder reports "{$VAR}" or "{$VAR:default}".
func isEnvPlaceholder(s string) bool {
	return strings.HasPrefix(s, "{$") && strings.HasSuffix(s, "}")
}

// readGlobal reads the global options that decide where sites listen
// (https://caddyserver.com/docs/caddyfile/options).
func (c *Caddy) readGlobal(probs *problems) {
	for _, d := range c.Global.Block {
		switch d.Name {
		case "http_port", "https_port":
			n, err := strconv.Atoi(d.Arg(0))
			if err != nil || n <= 0 || n > 65535 {
				probs.addf(d.File, d.Line, "%s %q is not a port", d.Name, d.Arg(0))
				continue
			}
			if d.Name == "http_port" {
				c.HTTPPort = n
			} else {
				c.HTTPSPort = n
			}
		case "auto_https":
			c.AutoHTTPS = d.Arg(0)
		}
	}
}

// addSite adds the site whose addresses key holds (its name and
// arguments, split at commas).
func (c *Caddy) addSite(key *CaddyDirective, body []*CaddyDirective, probs *problems) {
	var words []string
	for _, w := range append([]string{key.Name}, key.Args...) {
		for _, p := range strings.Split(w, ",") {
			if p = strings.TrimSpace(p); p != "" {
				words = append(words, p)
			}
		}
	}
	s := &CaddySite{Block: Block{Name: strings.Join(words, ", "), File: key.File, Line: key.Line},
		Directives: body, Matchers: map[string]*CaddyDirective{}, proxyOf: map[*CaddyDirective]*CaddyProxy{}}
	for _, w := range words {
		a, err := c.parseAddr(w)
		if err != nil {
			probs.addf(key.File, key.Line, "site address %q: %v", w, err)
			continue
		}
		a.File, a.Line = key.File, key.Line
		s.Addrs = append(s.Addrs, a)
	}
	s.collect(body, probs)
	c.Sites = append(c.Sites, s)
}

// parseAddr reads a site address: "example.com", ":8080", "http://",
// "https://example.com:8443", "*.example.com", "localhost/api*". Without
// a port, a site is served on the HTTP port when its scheme is http, else
// the HTTPS port; a site with neither host nor scheme on a port is plain
// HTTP (https://caddyserver.com/docs/caddyfile/concepts#addresses).
func (c *Caddy) parseAddr(w string) (CaddyAddr, error) {
	var a CaddyAddr
	if isEnvPlaceholder(w) {
		// "{$SITE_ADDRESS:localhost}": known when Caddy starts; read as a
		// host on the HTTPS port.
		return CaddyAddr{Host: w, Port: c.HTTPSPort}, nil
	}
	if s, rest, ok := strings.Cut(w, "://"); ok {
		a.Scheme, w = strings.ToLower(s), rest
		if a.Scheme != "http" && a.Scheme != "https" {
			return a, fmt.Errorf("scheme %q is neither http nor https", s)
		}
	}
	if i := strings.IndexByte(w, '/'); i >= 0 {
		w, a.Path = w[:i], w[i:]
	}
	host, port := w, ""
	if h, p, err := net.SplitHostPort(w); err == nil {
		host, port = h, p
	} else if strings.HasPrefix(w, ":") {
		host, port = "", w[1:]
	}
	a.Host = strings.ToLower(strings.Trim(host, "[]"))
	switch {
	case port != "":
		n, err := strconv.Atoi(port)
		if err != nil || n <= 0 || n > 65535 {
			if strings.Contains(port, "{") {
				return a, fmt.Errorf("port %q comes from a placeholder", port)
			}
			return a, fmt.Errorf("port %q is not a number", port)
		}
		a.Port = n
	case a.Scheme == "http":
		a.Port = c.HTTPPort
	default:
		a.Port = c.HTTPSPort
	}
	return a, nil
}

// servesHTTPS reports a site address that Caddy serves over TLS: an https
// scheme, the HTTPS port, or a host name with no http scheme.
func (a CaddyAddr) servesHTTPS(c *Caddy) bool {
	switch a.Scheme {
	case "https":
		return true
	case "http":
		return false
	}
	return a.Port == c.HTTPSPort || a.Host != "" && c.AutoHTTPS != "off"
}

// collect reads the named matchers and proxies of a site's directives,
// within handle, handle_path, route and handle_errors blocks too, and
// names the directives that Caddy does not have.
func (s *CaddySite) collect(ds []*CaddyDirective, probs *problems) {
	for _, d := range ds {
		switch {
		case strings.HasPrefix(d.Name, "@"):
			s.Matchers[d.Name[1:]] = d
			continue
		case d.Name == "reverse_proxy" || d.Name == "php_fastcgi":
			p := parseCaddyProxy(d, probs)
			s.Proxies = append(s.Proxies, p)
			s.proxyOf[d] = p
			continue
		case isEnvPlaceholder(d.Name) && len(d.Args) == 0 && !d.HasBlock:
			probs.addf(d.File, d.Line, "%s comes from the environment when Caddy starts", d.Name)
			continue
		case !caddyDirectives[d.Name]:
			probs.addf(d.File, d.Line, "unknown directive %q (a plugin's, or a misspelling)", d.Name)
			continue
		}
		if caddyHandlerBlocks[d.Name] {
			s.collect(d.Block, probs)
		}
	}
}

// caddyHandlerBlocks are the directives whose block holds more handler
// directives.
var caddyHandlerBlocks = map[string]bool{
	"handle": true, "handle_path": true, "route": true, "handle_errors": true, "invoke": false,
}

// caddyDirectives are the directives of a standard Caddy build, in and out
// of the default order (https://caddyserver.com/docs/caddyfile/directives),
// with the older names Caddy still accepts (basicauth, skip_log).
var caddyDirectives = map[string]bool{
	"abort": true, "acme_server": true, "basic_auth": true, "basicauth": true, "bind": true,
	"copy_response": true, "copy_response_headers": true, "encode": true, "error": true,
	"file_server": true, "forward_auth": true, "fs": true, "handle": true, "handle_errors": true,
	"handle_path": true, "header": true, "import": true, "intercept": true, "invoke": true,
	"log": true, "log_append": true, "log_name": true, "log_skip": true, "map": true,
	"method": true, "metrics": true, "php_fastcgi": true, "push": true, "redir": true,
	"request_body": true, "request_header": true, "respond": true, "reverse_proxy": true,
	"rewrite": true, "root": true, "route": true, "skip_log": true, "templates": true,
	"tls": true, "tracing": true, "try_files": true, "uri": true, "vars": true,
}
