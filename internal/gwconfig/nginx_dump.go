package gwconfig

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// DumpTimeout is how long DumpNginx lets `nginx -T` run when ctx has no
// earlier deadline.
const DumpTimeout = 10 * time.Second

// maxDumpSize caps the output of `nginx -T`.
const maxDumpSize = 64 << 20

// dumpMarker starts each file's section in `nginx -T` output
// (ngx_conf_dump in src/core/nginx.c): "# configuration file PATH:".
const dumpMarker = "# configuration file "

// DumpNginx runs `nginx -T` (with -c confPath when confPath is not empty)
// and returns its standard output: every configuration file nginx reads, each
// after a "# configuration file PATH:" line. nginxPath "" means "nginx" from
// PATH. It stops nginx after DumpTimeout or at ctx's deadline, whichever comes
// first, and fails when nginx reports the configuration invalid, quoting the
// first line of nginx's complaint.
func DumpNginx(ctx context.Context, nginxPath, confPath string) ([]byte, error) {
	if nginxPath == "" {
		nginxPath = "nginx"
	}
	ctx, cancel := context.WithTimeout(ctx, DumpTimeout)
	defer cancel()
	args := []string{"-T"}
	if confPath != "" {
		args = append(args, "-c", confPath)
	}
	cmd := exec.CommandContext(ctx, nginxPath, args...)
	var out, errb capped
	out.max, errb.max = maxDumpSize, 64<<10
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("running %s -T: %w", nginxPath, ctx.Err())
	}
	if err != nil {
		if msg := firstLine(errb.buf.String()); msg != "" {
			return nil, fmt.Errorf("running %s -T: %w: %s", nginxPath, err, msg)
		}
		return nil, fmt.Errorf("running %s -T: %w", nginxPath, err)
	}
	if out.over {
		return nil, fmt.Errorf("running %s -T: output larger than %d bytes", nginxPath, maxDumpSize)
	}
	return out.buf.Bytes(), nil
}

// capped is a writer that keeps at most max bytes and drops the rest.
type capped struct {
	buf  bytes.Buffer
	max  int
	over bool
}

// Write keeps what fits and reports every byte written, so that the
// program is never blocked by a full pipe.
func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); len(p) > room {
		c.over = true
		c.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return c.buf.Write(p)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// ParseNginxDump reads the output of `nginx -T` and parses the configuration
// it shows. The first section is the main file; includes are resolved among
// the other sections, as nginx resolved them when it wrote the dump.
func ParseNginxDump(r io.Reader) (*Nginx, error) {
	files, main, err := splitDump(r)
	if err != nil {
		return nil, err
	}
	return parseNginx(files, main)
}

// splitDump cuts a dump into its files.
func splitDump(r io.Reader) (memSource, string, error) {
	files := memSource{}
	var main, cur string
	var buf bytes.Buffer
	flush := func() {
		if cur != "" {
			files[cur] = bytes.Clone(buf.Bytes())
		}
		buf.Reset()
	}
	sc := bufio.NewScanner(io.LimitReader(r, maxDumpSize))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, dumpMarker); ok && strings.HasSuffix(name, ":") {
			flush()
			cur = strings.TrimSuffix(name, ":")
			if main == "" {
				main = cur
			}
			continue
		}
		if cur != "" {
			buf.WriteString(line)
			buf.WriteByte('\n')
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, "", fmt.Errorf("reading nginx -T output: %w", err)
	}
	if main == "" {
		return nil, "", errors.New(`reading nginx -T output: no "# configuration file" line`)
	}
	return files, main, nil
}
