// Package storetest starts throwaway PostgreSQL servers for tests: a
// cluster of Debian's postgresql package, made by initdb in a temporary
// directory, listening only on a unix socket there, and stopped when the
// test ends. As root, which initdb refuses, the server runs as the
// postgres user of the package, or else as nobody.
package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver of database/sql
)

// Superuser is the role the cluster is made with; connections use it.
const Superuser = "gwdoctor"

// Cluster is a PostgreSQL server of a test's own.
type Cluster struct {
	dir     string
	bin     string
	cred    *syscall.Credential
	durable bool
	cmd     *exec.Cmd
	done    chan struct{}
	logFile *os.File
	admin   *sql.DB
	seq     atomic.Int64
}

// StartPostgres runs initdb in a temporary directory and starts a server
// on it, stopped when tb ends. durable keeps PostgreSQL's fsync settings;
// otherwise they are off, as nothing survives the test anyway.
func StartPostgres(tb testing.TB, durable bool) (*Cluster, error) {
	bin, err := postgresBin()
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: tb.TempDir(), bin: bin, durable: durable}
	if c.cred, err = credential(c.dir); err != nil {
		return nil, err
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", filepath.Join(c.dir, "data"), "-U", Superuser,
		"--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
	initdb.Dir = c.dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("running initdb: %w\n%s", err, out)
	}
	if c.logFile, err = os.Create(filepath.Join(c.dir, "postgres.log")); err != nil {
		return nil, fmt.Errorf("creating the server's log: %w", err)
	}
	if c.admin, err = sql.Open("pgx", c.DSN("postgres")); err != nil {
		return nil, fmt.Errorf("opening the admin connection: %w", err)
	}
	tb.Cleanup(func() {
		if err := c.admin.Close(); err != nil {
			tb.Error(err)
		}
		c.Stop(tb)
		if err := c.logFile.Close(); err != nil {
			tb.Error(err)
		}
	})
	return c, c.Start(tb)
}

// Start runs the server, after StartPostgres or a Stop, and waits until
// it accepts connections.
func (c *Cluster) Start(tb testing.TB) error {
	args := []string{"-D", filepath.Join(c.dir, "data"), "-k", c.dir, "-p", "5432",
		"-c", "listen_addresses=", "-c", "max_connections=50", "-c", "shared_buffers=32MB"}
	if !c.durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	c.cmd = exec.Command(filepath.Join(c.bin, "postgres"), args...)
	c.cmd.Dir = c.dir
	c.cmd.Stdout, c.cmd.Stderr = c.logFile, c.logFile
	// Pdeathsig ends the server with the test binary, should it die.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Pdeathsig: syscall.SIGKILL}
	if err := c.cmd.Start(); err != nil {
		return fmt.Errorf("starting postgres: %w", err)
	}
	done := make(chan struct{})
	c.done = done
	go func(cmd *exec.Cmd) {
		if err := cmd.Wait(); err != nil {
			tb.Logf("postgres ended: %v", err)
		}
		close(done)
	}(c.cmd)
	return c.waitReady()
}

func (c *Cluster) waitReady() error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := c.admin.PingContext(ctx)
		cancel()
		select {
		case <-c.done:
			return fmt.Errorf("postgres exited at start:\n%s", c.Log())
		default:
		}
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections in 60s: %w\n%s", err, c.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop asks for a fast shutdown (SIGINT), which ends every session, and
// kills the server if it has not stopped in 20s. A stopped server is not
// stopped again.
func (c *Cluster) Stop(tb testing.TB) {
	if c.cmd == nil || c.cmd.Process == nil {
		return
	}
	select {
	case <-c.done:
		return
	default:
	}
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		tb.Errorf("stopping postgres: %v", err)
	}
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		tb.Errorf("postgres did not stop in 20s; killing it\n%s", c.Log())
		if err := c.cmd.Process.Kill(); err != nil {
			tb.Error(err)
		}
		<-c.done
	}
}

// Log is the server's log so far.
func (c *Cluster) Log() string {
	b, err := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// DSN is the postgres:// URL of database db on the cluster's socket.
func (c *Cluster) DSN(db string) string {
	q := url.Values{"host": {c.dir}, "port": {"5432"}, "user": {Superuser}, "sslmode": {"disable"}}
	return "postgres:///" + db + "?" + q.Encode()
}

// NewDatabase creates an empty database and returns its DSN.
func (c *Cluster) NewDatabase(tb testing.TB) string {
	name := fmt.Sprintf("t%d", c.seq.Add(1))
	if _, err := c.admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("creating database %s: %v", name, err)
	}
	return c.DSN(name)
}

// postgresBin finds the directory of initdb and postgres: the newest
// /usr/lib/postgresql/N/bin of Debian's packages, or else PATH.
func postgresBin() (string, error) {
	dirs, err := filepath.Glob("/usr/lib/postgresql/*/bin")
	if err != nil {
		return "", fmt.Errorf("looking for PostgreSQL: %w", err)
	}
	version := func(dir string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir))) // 0 for an odd name
		return n
	}
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	if initdb, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(initdb), nil
	}
	return "", errors.New("PostgreSQL not found (no /usr/lib/postgresql/*/bin/initdb, no initdb in PATH): " +
		"install Debian's postgresql package (apt-get install postgresql)")
}

// credential returns the user the server runs as: this one, or, when
// this is root (which initdb refuses), the postgres user of Debian's
// package or else nobody, who is then given dir.
func credential(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		if u, err = user.Lookup("nobody"); err != nil {
			return nil, fmt.Errorf("finding a user other than root to run PostgreSQL: %w", err)
		}
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("reading the uid of %s: %w", u.Username, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("reading the gid of %s: %w", u.Username, err)
	}
	if err := os.Chown(dir, int(uid), int(gid)); err != nil {
		return nil, fmt.Errorf("giving %s to %s: %w", dir, u.Username, err)
	}
	if err := reachable(dir, u.Username); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

// reachable lets other users through the test's own temporary directory
// (testing creates it 0700) and checks that they may pass the ones above.
func reachable(dir, username string) error {
	parent := filepath.Dir(dir)
	if err := os.Chmod(parent, 0o711); err != nil {
		return fmt.Errorf("opening %s to %s: %w", parent, username, err)
	}
	for d := filepath.Dir(parent); ; d = filepath.Dir(d) {
		info, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("checking %s: %w", d, err)
		}
		if info.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("user %s cannot pass %s (mode %v): set TMPDIR to a directory it can reach, such as /tmp", username, d, info.Mode().Perm()&fs.ModePerm)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}
