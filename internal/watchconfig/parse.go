package watchconfig

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
)

// Load reads the configuration file at path; see Parse. env looks up the
// variables of ${ENV} (os.LookupEnv in the server; nil for none).
func Load(path string, env func(string) (string, bool)) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the configuration: %w", err)
	}
	return Parse(path, data, env)
}

// Parse reads a configuration from data; name is its file, named in
// errors, and the directory that relative paths in it are taken from (as
// Prometheus does for its rule files). Every problem found is reported, each
// an *Error on its own line with its place; the configuration is returned
// only when there is none.
func Parse(name string, data []byte, env func(string) (string, bool)) (*Config, error) {
	probs := &problems{file: or(name, "configuration")}
	c, d := decodeFile(probs, data, env)
	if c == nil {
		return nil, probs.err()
	}
	c.Source = name
	check(c, d, probs)
	if err := c.defaults(env); err != nil {
		probs.add(d.at["db"], err, "db: %v", err)
	}
	if err := probs.err(); err != nil {
		return nil, err
	}
	if name != "" {
		c.resolvePaths(filepath.Dir(name))
	}
	c.Hash = c.hash()
	return c, nil
}

// decodeFile parses data and decodes its one document into a Config,
// and the decoder that says where each value was read; nil when the YAML
// cannot be read.
func decodeFile(probs *problems, data []byte, env Env) (*Config, *decoder) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			probs.add(pos{ye.GetToken().Position.Line, ye.GetToken().Position.Column}, err, "%s", ye.GetMessage())
		} else {
			probs.add(pos{}, err, "%v", err)
		}
		return nil, nil
	}
	body := firstBody(f.Docs)
	for _, doc := range f.Docs[min(1, len(f.Docs)):] {
		if doc.Body != nil {
			probs.add(position(doc.Body), nil, "a second document: the configuration is one document")
		}
	}
	c := &Config{}
	d := newDecoder(probs, env, body)
	d.value("", body, reflect.ValueOf(c).Elem(), "")
	return c, d
}

// firstBody is the first document's body, nil for an empty file.
func firstBody(docs []*ast.DocumentNode) ast.Node {
	if len(docs) == 0 {
		return nil
	}
	return docs[0].Body
}

// defaults fills what was left out. Only the database's place can fail:
// it needs a state directory.
func (c *Config) defaults(env Env) error {
	c.Listen = or(c.Listen, DefaultListen)
	c.Interval = or(c.Interval, DefaultInterval)
	c.Timeout = or(c.Timeout, min(DefaultTimeout, c.Interval))
	c.Retention.Checks = or(c.Retention.Checks, DefaultCheckRetention)
	c.Retention.Rollups = or(c.Retention.Rollups, DefaultRollupRetention)
	c.Log.Format = or(c.Log.Format, "text")
	for name, r := range c.Alerts {
		r.Reminder = or(r.Reminder, DefaultReminder)
		c.Alerts[name] = r
	}
	for i := range c.TargetSpecs {
		t := &c.TargetSpecs[i]
		t.Name = or(t.Name, strings.TrimSpace(t.URL))
		if t.FollowRedirects == nil {
			yes := true
			t.FollowRedirects = &yes
		}
	}
	if c.DB != "" {
		return nil
	}
	dir, err := StateDir(env)
	if err != nil {
		return err
	}
	c.DB = filepath.Join(dir, DefaultDBName)
	return nil
}

// or is v, or def when v is zero.
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// StateDir is where gwdoctor keeps its database by default:
// $XDG_STATE_HOME/gwdoctor, or ~/.local/state/gwdoctor (XDG Base Directory
// Specification 0.8).
func StateDir(env func(string) (string, bool)) (string, error) {
	e := Env(env)
	if dir, ok := e.lookup("XDG_STATE_HOME"); ok && filepath.IsAbs(dir) {
		return filepath.Join(dir, "gwdoctor"), nil
	}
	if home, ok := e.lookup("HOME"); ok && home != "" {
		return filepath.Join(home, ".local", "state", "gwdoctor"), nil
	}
	return "", errors.New("no state directory: neither XDG_STATE_HOME nor HOME is set; set db")
}

// resolvePaths makes the relative paths of files absolute from dir.
func (c *Config) resolvePaths(dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	if !isPostgres(c.DB) {
		c.DB = abs(c.DB)
	}
	for i := range c.TargetSpecs {
		t := &c.TargetSpecs[i]
		if t.NginxConfig != gwconfig.AutoNginx {
			t.NginxConfig = abs(t.NginxConfig)
		}
		t.HAProxyConfig, t.ApacheConfig = abs(t.HAProxyConfig), abs(t.ApacheConfig)
		t.PHPFPMConfig, t.PHPIni = abs(t.PHPFPMConfig), abs(t.PHPIni)
		for j, l := range t.Logs {
			lf := parseLog(l)
			if lf.Format != "" {
				t.Logs[j] = lf.Format + ":" + abs(lf.Name)
			} else {
				t.Logs[j] = abs(lf.Name)
			}
		}
	}
}

// hash identifies c's content: the SHA-256 of its JSON form.
func (c *Config) hash() string {
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("watchconfig: encoding a configuration: %v", err)) // plain data always encodes
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
