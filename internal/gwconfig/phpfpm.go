package gwconfig

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// PHPFPM is a parsed PHP-FPM configuration: its pools, and php.ini's
// max_execution_time when a php.ini was given.
type PHPFPM struct {
	File  string
	Pools []*Pool
	// MaxExecutionTime is php.ini's max_execution_time (default 30 s,
	// https://www.php.net/manual/en/info.configuration.php#ini.max-execution-time).
	MaxExecutionTime Setting
}

// Pool is one PHP-FPM pool: a [name] section of php-fpm.conf or of a file
// it includes.
type Pool struct {
	Name    string  `json:"name"`
	File    string  `json:"file"`
	Line    int     `json:"line"`
	Listen  Setting `json:"listen"`  // as written: "127.0.0.1:9000", "9000" or a socket path
	Network string  `json:"network"` // "tcp" or "unix"
	Addr    string  `json:"addr"`    // "host:port" ("" host for all addresses) or the socket path
	// ListenOwner, ListenGroup and ListenMode set the socket's permissions;
	// the gateway's user must be able to write to it.
	ListenOwner Setting `json:"-"`
	ListenGroup Setting `json:"-"`
	ListenMode  Setting `json:"-"`
	// ListenACLUsers and ListenACLGroups grant the socket by POSIX ACL;
	// when set, listen.owner and listen.group are ignored (PHP manual,
	// "Configuration": listen.acl_users).
	ListenACLUsers  Setting `json:"-"`
	ListenACLGroups Setting `json:"-"`
	PM              Setting `json:"pm"`           // "dynamic" unless set
	MaxChildren     Setting `json:"max_children"` // pm.max_children: no default, required
	// RequestTerminateTimeout kills a worker whose request runs longer;
	// 0 (the default) means never.
	RequestTerminateTimeout Setting `json:"request_terminate_timeout"`
	RequestSlowlogTimeout   Setting `json:"-"`
	// MaxExecutionTime is php_admin_value[max_execution_time] or
	// php_value[max_execution_time] when the pool sets it, else php.ini's
	// (default 30 s).
	MaxExecutionTime Setting `json:"max_execution_time"`
}

// Where returns the pool's "file:line".
func (p *Pool) Where() string { return where(p.File, p.Line) }

// ParsePHPFPM reads a PHP-FPM configuration (php-fpm.conf with its
// include=, or a single pool file) and, when iniFile is not empty, php.ini.
// Either may be empty.
func ParsePHPFPM(file, iniFile string) (*PHPFPM, error) {
	c := &PHPFPM{File: file, MaxExecutionTime: defaultSeconds(catalog.PHPFPM, "max_execution_time")}
	var err error
	if iniFile != "" {
		if iniFile, err = absPath(iniFile); err != nil {
			return nil, err
		}
		if err := c.readINI(diskSource{}, iniFile); err != nil {
			return nil, err
		}
	}
	if file != "" {
		if file, err = absPath(file); err != nil {
			return nil, err
		}
		c.File = file
		if err := c.readFPM(diskSource{}, file); err != nil {
			return nil, err
		}
	}
	for _, p := range c.Pools {
		if p.MaxExecutionTime.Name == "" {
			p.MaxExecutionTime = c.MaxExecutionTime
		}
	}
	return c, nil
}

// iniLine is one key = value line of an ini-style file.
type iniLine struct {
	section, key, value string
	line                int
	sectionLine         int // where the section started
}

// readINIFile splits an ini file into its assignments: ";" and "#" start
// comments, "[name]" starts a section, values may be quoted.
func readINIFile(src source, file string) ([]iniLine, error) {
	data, err := src.readFile(file)
	if err != nil {
		return nil, &ParseError{File: file, Msg: err.Error(), Err: err}
	}
	var out []iniLine
	section, sectionLine := "", 0
	for i, raw := range strings.Split(string(data), "\n") {
		s := strings.TrimSpace(raw)
		if s == "" || s[0] == ';' || s[0] == '#' {
			continue
		}
		if s[0] == '[' {
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, parseErrorf(file, i+1, "section name without \"]\": %q", s)
			}
			section, sectionLine = strings.TrimSpace(s[1:end]), i+1
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, parseErrorf(file, i+1, "want \"key = value\", got %q", s)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		} else if j := strings.Index(v, " ;"); j >= 0 {
			v = strings.TrimSpace(v[:j])
		}
		out = append(out, iniLine{section: section, key: strings.TrimSpace(k), value: v, line: i + 1, sectionLine: sectionLine})
	}
	return out, nil
}

func (c *PHPFPM) readINI(src source, file string) error {
	lines, err := readINIFile(src, file)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if l.key == "max_execution_time" {
			s, err := timeSetting(file, l, time.Second)
			if err != nil {
				return err
			}
			c.MaxExecutionTime = s
		}
	}
	return nil
}

// readFPM reads one FPM file and the files its include= names, relative to
// the file's directory.
func (c *PHPFPM) readFPM(src source, file string) error {
	stack := includeStack{}
	var read func(file string) error
	read = func(file string) error {
		if err := stack.check(file); err != nil {
			return parseErrorf(file, 0, "%v", err)
		}
		stack = append(stack, file)
		defer func() { stack = stack[:len(stack)-1] }()
		lines, err := readINIFile(src, file)
		if err != nil {
			return err
		}
		for _, l := range lines {
			if l.key == "include" {
				files, err := expandInclude(src, filepath.Dir(file), l.value)
				if err != nil {
					return parseErrorf(file, l.line, "%v", err)
				}
				for _, f := range files {
					if err := read(f); err != nil {
						return err
					}
				}
				continue
			}
			if err := c.set(file, l); err != nil {
				return err
			}
		}
		return nil
	}
	return read(file)
}

// pool returns the pool called name, creating it at file:line.
func (c *PHPFPM) pool(name, file string, line int) *Pool {
	for _, p := range c.Pools {
		if p.Name == name {
			return p
		}
	}
	p := &Pool{Name: name, File: file, Line: line,
		PM:                      Setting{Name: "pm", Value: "dynamic", Default: true},
		RequestTerminateTimeout: Setting{Name: "request_terminate_timeout", Value: "0", Default: true},
		RequestSlowlogTimeout:   Setting{Name: "request_slowlog_timeout", Value: "0", Default: true},
	}
	c.Pools = append(c.Pools, p)
	return p
}

// set applies one assignment of an FPM file; $pool in a value is the pool's
// name, as PHP-FPM expands it.
func (c *PHPFPM) set(file string, l iniLine) error {
	if l.section == "" || l.section == "global" {
		return nil
	}
	p := c.pool(l.section, file, l.sectionLine)
	l.value = strings.ReplaceAll(l.value, "$pool", p.Name)
	s := Setting{Name: l.key, Value: l.value, File: file, Line: l.line}
	var err error
	switch l.key {
	case "listen":
		p.Listen = s
		p.Network, p.Addr = fpmListenAddr(l.value)
	case "listen.owner":
		p.ListenOwner = s
	case "listen.group":
		p.ListenGroup = s
	case "listen.mode":
		p.ListenMode = s
	case "listen.acl_users":
		p.ListenACLUsers = s
	case "listen.acl_groups":
		p.ListenACLGroups = s
	case "pm":
		p.PM = s
	case "pm.max_children":
		p.MaxChildren = s
		if _, err = strconv.Atoi(l.value); err != nil {
			return parseErrorf(file, l.line, "pm.max_children %q is not a number", l.value)
		}
	case "request_terminate_timeout":
		p.RequestTerminateTimeout, err = timeSetting(file, l, time.Second)
	case "request_slowlog_timeout":
		p.RequestSlowlogTimeout, err = timeSetting(file, l, time.Second)
	case "php_admin_value[max_execution_time]", "php_value[max_execution_time]":
		p.MaxExecutionTime, err = timeSetting(file, l, time.Second)
		p.MaxExecutionTime.Name = "max_execution_time"
	}
	return err
}

func timeSetting(file string, l iniLine, unit time.Duration) (Setting, error) {
	d, err := parseTime(l.value, unit)
	if err != nil {
		return Setting{}, parseErrorf(file, l.line, "%s: %v", l.key, err)
	}
	return Setting{Name: l.key, Value: l.value, Duration: d, File: file, Line: l.line}, nil
}

// fpmListenAddr reads a listen value: a port alone means every address
// (https://www.php.net/manual/en/install.fpm.configuration.php#listen).
func fpmListenAddr(v string) (network, addr string) {
	if strings.HasPrefix(v, "/") {
		return "unix", v
	}
	if isDigits(v) {
		return "tcp", net.JoinHostPort("", v)
	}
	return "tcp", v
}

// PoolAt returns the pool that listens where u points, or nil.
func (c *PHPFPM) PoolAt(u Upstream) *Pool {
	for _, p := range c.Pools {
		if p.Network != u.Network {
			continue
		}
		if p.Network == "unix" && filepath.Clean(p.Addr) == filepath.Clean(u.Addr) {
			return p
		}
		ph, pp, err1 := net.SplitHostPort(p.Addr)
		uh, up, err2 := net.SplitHostPort(u.Addr)
		if err1 != nil || err2 != nil || pp != up {
			continue
		}
		if ph == uh || ph == "" || ph == "0.0.0.0" || ph == "::" || (isLoopback(ph) && isLoopback(uh)) {
			return p
		}
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String describes the pool for a route: "pool www (www.conf:4) on /run/php.sock".
func (p *Pool) String() string {
	return fmt.Sprintf("pool %s (%s) on %s", p.Name, p.Where(), p.Addr)
}
