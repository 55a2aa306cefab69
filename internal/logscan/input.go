package logscan

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Source is one input: a file, or a reader such as standard input.
type Source struct {
	// Name is the file's path, or a label such as "-" when Reader is set.
	Name string
	// Reader, when set, is read instead of opening Name.
	Reader io.Reader
	// Format, when set, is the source's format (one of Formats()),
	// instead of Options.Format or detection.
	Format string
}

// openSource opens a source and undoes gzip compression, which it detects
// by the magic bytes 1f 8b (RFC 1952), whatever the file is called.
func openSource(s Source) (io.Reader, io.Closer, error) {
	var r io.Reader = s.Reader
	var c io.Closer = io.NopCloser(nil)
	if r == nil {
		f, err := os.Open(s.Name)
		if err != nil {
			return nil, nil, err
		}
		r, c = f, f
	}
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			c.Close()
			return nil, nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		return zr, c, nil
	}
	return br, c, nil
}

// rotation splits a rotated log's name into the live file's name and an
// order: "error.log.2.gz" is ("error.log", -2), "access.log-20260821" is
// older than every numbered file, and "error.log" is ("error.log", 0).
func rotation(name string) (base string, order int64) {
	dir, file := filepath.Split(name)
	file = strings.TrimSuffix(file, ".gz")
	if i := strings.LastIndexByte(file, '.'); i > 0 {
		if n, err := strconv.Atoi(file[i+1:]); err == nil && n >= 0 && n < 100000 {
			return dir + file[:i], -int64(n)
		}
	}
	if i := strings.LastIndexByte(file, '-'); i > 0 && len(file)-i-1 == 8 {
		if n, err := strconv.Atoi(file[i+1:]); err == nil {
			return dir + file[:i], int64(n) - 1e12
		}
	}
	return dir + file, 0
}

// groupSources puts the files of one log (the live file and its rotated
// copies) together, oldest first; each group is read as one stream.
func groupSources(srcs []Source) [][]Source {
	type item struct {
		src   Source
		base  string
		order int64
		pos   int
	}
	items := make([]item, len(srcs))
	firstPos := map[string]int{}
	for i, s := range srcs {
		base, order := fmt.Sprintf("\x00reader%d", i), int64(0)
		if s.Reader == nil {
			base, order = rotation(s.Name)
		}
		if _, ok := firstPos[base]; !ok {
			firstPos[base] = i
		}
		items[i] = item{s, base, order, i}
	}
	sort.SliceStable(items, func(a, b int) bool {
		pa, pb := firstPos[items[a].base], firstPos[items[b].base]
		if pa != pb {
			return pa < pb
		}
		return items[a].order < items[b].order
	})
	var groups [][]Source
	for i, it := range items {
		if i == 0 || it.base != items[i-1].base {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], it.src)
	}
	return groups
}
