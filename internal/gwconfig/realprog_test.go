package gwconfig

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// requireProgram returns the path of a program the fixtures are checked
// with, and fails (never skips) when it is not installed.
func requireProgram(t *testing.T, path, pkg string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s is missing: install with: apt-get install -y %s", path, pkg)
	}
	return path
}

func runProgram(t *testing.T, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func absTestdata(t *testing.T, rel string) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestFixturesAreValid checks that the real programs accept the fixture
// configurations, so the parsers are tested on what the products read.
func TestFixturesAreValid(t *testing.T) {
	t.Run("nginx", func(t *testing.T) {
		nginx := requireProgram(t, "/usr/sbin/nginx", "nginx")
		tmp := t.TempDir()
		runProgram(t, nginx, "-t", "-p", tmp, "-c", absTestdata(t, "nginx/nginx.conf"),
			"-g", "pid "+tmp+"/nginx.pid; error_log "+tmp+"/error.log;")
	})
	t.Run("haproxy", func(t *testing.T) {
		haproxy := requireProgram(t, "/usr/sbin/haproxy", "haproxy")
		runProgram(t, haproxy, "-c", "-q", "-f", absTestdata(t, "haproxy/haproxy.cfg"))
	})
	t.Run("apache", func(t *testing.T) {
		apache := requireProgram(t, "/usr/sbin/apache2", "apache2")
		runProgram(t, apache, "-t", "-d", absTestdata(t, "apache"), "-f", absTestdata(t, "apache/apache2.conf"))
	})
	t.Run("php-fpm", func(t *testing.T) {
		// Debian names the program after the PHP version: php-fpm8.2.
		found, _ := filepath.Glob("/usr/sbin/php-fpm*")
		if len(found) == 0 {
			t.Fatal("/usr/sbin/php-fpm* is missing: install with: apt-get install -y php-fpm")
		}
		fpm := found[len(found)-1]
		// PHP-FPM resolves a relative include= against its prefix (-p), so
		// the prefix is the fixture's directory, copied where logs may go.
		tmp := t.TempDir()
		if err := os.CopyFS(tmp, os.DirFS(absTestdata(t, "php-fpm"))); err != nil {
			t.Fatal(err)
		}
		runProgram(t, fpm, "-t", "-p", tmp, "-y", filepath.Join(tmp, "php-fpm.conf"))
	})
}

// TestDumpNginx reads the fixture through the real `nginx -T` and checks
// that the dump parses to the same servers as the files.
func TestDumpNginx(t *testing.T) {
	nginx := requireProgram(t, "/usr/sbin/nginx", "nginx")
	dump, err := DumpNginx(context.Background(), nginx, absTestdata(t, "nginx/nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := ParseNginxDump(bytes.NewReader(dump))
	if err != nil {
		t.Fatal(err)
	}
	files, err := ParseNginx("testdata/nginx/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Servers) != len(files.Servers) || n.File != files.File {
		t.Errorf("dump: %d servers from %s; files: %d servers from %s", len(n.Servers), n.File, len(files.Servers), files.File)
	}
}

func TestDumpNginxFailure(t *testing.T) {
	nginx := requireProgram(t, "/usr/sbin/nginx", "nginx")
	bad := filepath.Join(t.TempDir(), "bad.conf")
	if err := os.WriteFile(bad, []byte("http {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := DumpNginx(context.Background(), nginx, bad)
	if err == nil || !strings.Contains(err.Error(), "bad.conf") {
		t.Errorf("DumpNginx(bad config) error = %v, want nginx's complaint naming bad.conf", err)
	}
}
