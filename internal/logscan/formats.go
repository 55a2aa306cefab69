package logscan

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// ErrUnknownFormat is returned for a file whose format is not one of
// Formats() and could not be detected.
var ErrUnknownFormat = errors.New("unknown log format")

// ErrBadLogFormat is returned when Options.NginxLogFormat is not a log_format
// definition that can be read.
var ErrBadLogFormat = errors.New("bad nginx log format")

// parseOptions are what parsers need from Options.
type parseOptions struct {
	loc      *time.Location
	needTime bool
	custom   *logFormat // --nginx-log-format, compiled
}

// format is one supported log format.
type format struct {
	name    string
	product catalog.Product
	kind    kind
	// build makes a parser; sample holds the file's first lines, for
	// formats that pick a variant (nginx access logs).
	build func(o parseOptions, sample [][]byte) parser
}

// formats is the table of supported formats, most specific first: on a tie
// in detection the earlier one wins.
var formats = []format{
	{"nginx-error", catalog.Nginx, kindError, func(o parseOptions, _ [][]byte) parser { return &nginxError{loc: o.loc} }},
	{"nginx-access", catalog.Nginx, kindAccess, buildNginxAccess},
	{"apache-error", catalog.Apache, kindError, func(o parseOptions, _ [][]byte) parser { return &apacheError{loc: o.loc} }},
	{"apache-access", catalog.Apache, kindAccess, buildApacheAccess},
	{"haproxy", catalog.HAProxy, kindAccess, func(o parseOptions, _ [][]byte) parser { return &haproxyLog{loc: o.loc} }},
	{"envoy", catalog.Envoy, kindAccess, func(o parseOptions, _ [][]byte) parser { return &envoyLog{} }},
	{"envoy-json", catalog.Envoy, kindAccess, func(o parseOptions, _ [][]byte) parser { return &envoyJSON{} }},
	{"caddy", catalog.Caddy, kindBoth, func(o parseOptions, _ [][]byte) parser { return &caddyLog{loc: o.loc} }},
	{"traefik", catalog.Traefik, kindAccess, func(o parseOptions, _ [][]byte) parser { return &traefikLog{loc: o.loc} }},
	{"php-fpm", catalog.PHPFPM, kindError, func(o parseOptions, _ [][]byte) parser { return &phpFPMLog{loc: o.loc} }},
	{"squid", catalog.Squid, kindAccess, func(o parseOptions, _ [][]byte) parser { return &squidLog{} }},
	{"squid-cache", catalog.Squid, kindError, func(o parseOptions, _ [][]byte) parser { return &squidCache{loc: o.loc} }},
	{"lighttpd", catalog.Lighttpd, kindError, func(o parseOptions, _ [][]byte) parser { return &lighttpdLog{loc: o.loc} }},
	{"varnish", catalog.Varnish, kindError, func(o parseOptions, _ [][]byte) parser { return &varnishLog{} }},
	{"heroku", catalog.Heroku, kindAccess, func(o parseOptions, _ [][]byte) parser { return &herokuRouter{} }},
	{"alb", catalog.ALB, kindAccess, func(o parseOptions, _ [][]byte) parser { return &albLog{} }},
	{"iis", catalog.IIS, kindAccess, func(o parseOptions, _ [][]byte) parser { return &iisLog{} }},
}

// Formats returns the names of the supported formats, as Options.Format
// accepts them.
func Formats() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// lookupFormat finds a format by name.
func lookupFormat(name string) (*format, error) {
	for i := range formats {
		if formats[i].name == name {
			return &formats[i], nil
		}
	}
	return nil, fmt.Errorf("%w %q: supported formats are %s", ErrUnknownFormat, name, strings.Join(Formats(), ", "))
}

// buildNginxAccess picks the log_format that reads the sample best: the one
// given with Options.NginxLogFormat, the ingress-nginx default, or combined
// (with any extra fields after it).
func buildNginxAccess(o parseOptions, sample [][]byte) parser {
	cands := []*accessLog{}
	if o.custom != nil {
		cands = append(cands, &accessLog{f: o.custom})
	}
	ingress, _ := compileLogFormat(formatIngress)
	combined, _ := compileLogFormat(formatCombined)
	vhost, _ := compileLogFormat(formatVhost)
	ingressOld, _ := compileLogFormat(formatIngressOld)
	npm, _ := compileLogFormat(formatNPM)
	cands = append(cands, &accessLog{f: ingress}, &accessLog{f: combined, trailing: true}, &accessLog{f: vhost, trailing: true},
		&accessLog{f: ingressOld}, &accessLog{f: npm, trailing: true})
	for _, c := range cands {
		c.product, c.format, c.loc, c.needTime = catalog.Nginx, "nginx-access", o.loc, o.needTime
	}
	return pickParser(cands, sample)
}

// buildApacheAccess reads Apache's common and combined formats
// (LogFormat "%h %l %u %t \"%r\" %>s %b ...") and Debian's
// vhost_combined, which puts "%v:%p " (the virtual host and its port) in
// front of them: the format other_vhosts_access.log is written in.
func buildApacheAccess(o parseOptions, sample [][]byte) parser {
	common, _ := compileLogFormat(`$remote_addr $ident $remote_user [$time_local] "$request" $status $body_bytes_sent`)
	plain := &accessLog{f: common, trailing: true, product: catalog.Apache, format: "apache-access", loc: o.loc, needTime: o.needTime}
	vhost := &vhostAccess{inner: plain.clone().(*accessLog)}
	// A container's output mixes the two (a vhost's lines and the default
	// server's): the one that reads the sample best comes first, the other
	// reads the lines it cannot.
	if readsMore(vhost, plain, sample) {
		return eitherAccess{vhost, plain}
	}
	return eitherAccess{plain, vhost}
}

// readsMore reports whether a reads more of the sample's lines than b.
func readsMore(a, b parser, sample [][]byte) bool {
	n := 0
	for _, l := range sample {
		var e Entry
		if a.parse(l, &e) != lineMalformed {
			n++
		}
		e = Entry{}
		if b.parse(l, &e) != lineMalformed {
			n--
		}
	}
	return n > 0
}

// vhostAccess reads a line of vhost_combined: "host:port " in front of a
// line of the common or combined format. The port is digits, so that no
// timestamp ("2024-01-02T03:04:05Z ...") passes for a host and its port.
type vhostAccess struct{ inner *accessLog }

func (p *vhostAccess) parse(line []byte, e *Entry) verdict {
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return lineMalformed
	}
	colon := bytes.LastIndexByte(line[:sp], ':')
	if colon <= 0 || colon == sp-1 {
		return lineMalformed
	}
	for _, c := range line[colon+1 : sp] {
		if c < '0' || c > '9' {
			return lineMalformed
		}
	}
	return p.inner.parse(line[sp+1:], e)
}

func (p *vhostAccess) clone() parser { return &vhostAccess{inner: p.inner.clone().(*accessLog)} }

// eitherAccess reads a line with the first of its parsers that reads it.
type eitherAccess []parser

func (p eitherAccess) parse(line []byte, e *Entry) verdict {
	start := *e
	v := p[0].parse(line, e)
	for _, alt := range p[1:] {
		if v != lineMalformed {
			break
		}
		*e = start
		v = alt.parse(line, e)
	}
	return v
}

func (p eitherAccess) clone() parser {
	c := make(eitherAccess, len(p))
	for i, q := range p {
		c[i] = q.(cloner).clone()
	}
	return c
}

// pickParser returns the candidate that reads most sample lines fully.
func pickParser(cands []*accessLog, sample [][]byte) parser {
	best, bestN := cands[0], -1
	for _, c := range cands {
		probe := *c
		probe.needTime = true // read whole lines, not just up to $status
		n := 0
		for _, l := range sample {
			var e Entry
			if probe.parse(l, &e) != lineMalformed {
				n++
			}
		}
		if n > bestN {
			best, bestN = c, n
		}
	}
	if bestN == 0 && len(cands) > 1 {
		// No line to choose by (a companion built from the other log's
		// lines): each line is read by the first candidate that reads it.
		either := make(eitherAccess, len(cands))
		for i, c := range cands {
			either[i] = c
		}
		return either
	}
	return best
}
