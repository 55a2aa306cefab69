package gwconfig

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// maxFileSize caps one configuration file; real ones are kilobytes.
const maxFileSize = 16 << 20

// maxIncludeDepth and maxFiles stop runaway includes; nginx has no limit,
// but no real configuration comes close.
const (
	maxIncludeDepth = 32
	maxFiles        = 4096
)

// source is where configuration files come from: the disk, or the sections
// of an `nginx -T` dump.
type source interface {
	readFile(name string) ([]byte, error)
	glob(pattern string) ([]string, error)
}

// diskSource reads files from the local file system.
type diskSource struct{}

func (diskSource) readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a directory", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, maxFileSize)
	}
	return data, nil
}

func (diskSource) glob(pattern string) ([]string, error) {
	m, err := filepath.Glob(pattern)
	sort.Strings(m)
	return m, err
}

// memSource holds files in memory, keyed by absolute slash path: the
// sections of an `nginx -T` dump, or test input.
type memSource map[string][]byte

func (m memSource) readFile(name string) ([]byte, error) {
	if b, ok := m[name]; ok {
		return b, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (m memSource) glob(pattern string) ([]string, error) {
	var out []string
	for name := range m {
		ok, err := path.Match(pattern, name)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// hasGlob reports whether p has glob metacharacters; nginx and Apache treat
// such an include as a pattern that may match nothing.
func hasGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// expandInclude lists the files an include names, relative to dir. A plain
// name that does not exist is an error; a pattern may match nothing.
func expandInclude(src source, dir, name string) ([]string, error) {
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	if !hasGlob(name) {
		return []string{name}, nil
	}
	m, err := src.glob(name)
	if err != nil {
		return nil, fmt.Errorf("bad pattern %q: %w", name, err)
	}
	return m, nil
}

// expandIncludeFrom is expandInclude for a relative name that may be
// written against a directory above dir: the configuration prefix of
// nginx, or ServerRoot of Apache, is the parent of conf.d/ and
// sites-enabled/, so a site file given on its own names its includes
// ("snippets/fastcgi-php.conf", "conf-available/php.conf") from there. The
// parent is tried when nothing under dir matches.
func expandIncludeFrom(src source, dir, name string) ([]string, error) {
	files, err := expandInclude(src, dir, name)
	if err != nil || filepath.IsAbs(name) || filepath.Dir(dir) == dir || matches(src, files) {
		return files, err
	}
	up, err := expandInclude(src, filepath.Dir(dir), name)
	if err != nil || !matches(src, up) {
		return files, nil
	}
	return up, nil
}

// matches reports whether files names at least one file that exists.
func matches(src source, files []string) bool {
	for _, f := range files {
		if _, err := src.readFile(f); err == nil {
			return true
		}
	}
	return false
}

// includeStack tracks the files being read to find include cycles.
type includeStack []string

func (s includeStack) check(name string) error {
	if len(s) >= maxIncludeDepth {
		return errors.New("includes nested too deeply")
	}
	for _, f := range s {
		if f == name {
			return fmt.Errorf("include cycle: %s is already being read", name)
		}
	}
	return nil
}

// absPath makes file absolute so that every file:line a parser reports is
// unambiguous, and relative includes resolve the same from any directory.
func absPath(file string) (string, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", &ParseError{File: file, Msg: err.Error(), Err: err}
	}
	return abs, nil
}
