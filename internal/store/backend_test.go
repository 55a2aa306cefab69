package store

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
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// backend is one engine the suite runs against.
type backend struct {
	name string
	// dsn returns the DSN of a new, empty database.
	dsn func(t *testing.T) string
}

// backends yields SQLite and PostgreSQL. PostgreSQL is a real server from
// Debian's postgresql package, started once for parent, on the first call,
// as a throwaway cluster; each dsn call creates a database of its own.
func backends(parent *testing.T) []backend {
	var once sync.Once
	var cluster *pgCluster
	var startErr error
	return []backend{
		{name: "sqlite", dsn: func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "gwdoctor.db")
		}},
		{name: "postgres", dsn: func(t *testing.T) string {
			once.Do(func() { cluster, startErr = startPostgres(parent, false) })
			if startErr != nil {
				t.Fatal(startErr)
			}
			return cluster.newDatabase(t)
		}},
	}
}

// pgCluster is a PostgreSQL server of a test's own, listening only on a
// unix socket in its directory.
type pgCluster struct {
	dir   string
	cmd   *exec.Cmd
	admin *sql.DB
	done  chan struct{}
	seq   atomic.Int64
}

const pgSuperuser = "gwdoctor"

// startPostgres runs initdb in a temporary directory and starts a server
// on it, stopped when tb ends. durable keeps PostgreSQL's fsync settings;
// otherwise they are off, as nothing survives the test anyway.
func startPostgres(tb testing.TB, durable bool) (*pgCluster, error) {
	bin, err := postgresBin()
	if err != nil {
		return nil, err
	}
	c := &pgCluster{dir: tb.TempDir(), done: make(chan struct{})}
	cred, err := pgCredential(c.dir)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(c.dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", pgSuperuser,
		"--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
	initdb.Dir = c.dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("running initdb: %w\n%s", err, out)
	}
	if err := c.start(tb, bin, cred, durable); err != nil {
		return nil, err
	}
	return c, nil
}

// start runs the server and waits until it accepts connections.
func (c *pgCluster) start(tb testing.TB, bin string, cred *syscall.Credential, durable bool) error {
	args := []string{"-D", filepath.Join(c.dir, "data"), "-k", c.dir, "-p", "5432",
		"-c", "listen_addresses=", "-c", "max_connections=50", "-c", "shared_buffers=32MB"}
	if !durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	logFile, err := os.Create(filepath.Join(c.dir, "postgres.log"))
	if err != nil {
		return fmt.Errorf("creating the server's log: %w", err)
	}
	c.cmd = exec.Command(filepath.Join(bin, "postgres"), args...)
	c.cmd.Dir = c.dir
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	// Pdeathsig ends the server with the test binary, should it die.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
	if err := c.cmd.Start(); err != nil {
		return errors.Join(fmt.Errorf("starting postgres: %w", err), logFile.Close())
	}
	go func() {
		if err := c.cmd.Wait(); err != nil {
			tb.Logf("postgres ended: %v", err)
		}
		close(c.done)
	}()
	tb.Cleanup(func() {
		c.stop(tb)
		if err := logFile.Close(); err != nil {
			tb.Error(err)
		}
	})
	c.admin, err = sql.Open("pgx", c.dsn("postgres"))
	if err != nil {
		return fmt.Errorf("opening the admin connection: %w", err)
	}
	return c.waitReady()
}

func (c *pgCluster) waitReady() error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := c.admin.PingContext(ctx)
		cancel()
		select {
		case <-c.done:
			return fmt.Errorf("postgres exited at start:\n%s", c.log())
		default:
		}
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections in 60s: %w\n%s", err, c.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop asks for a fast shutdown (SIGINT), and kills the server if it has
// not stopped in 20s.
func (c *pgCluster) stop(tb testing.TB) {
	if c.admin != nil {
		if err := c.admin.Close(); err != nil {
			tb.Error(err)
		}
	}
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		tb.Errorf("stopping postgres: %v", err)
	}
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		tb.Errorf("postgres did not stop in 20s; killing it\n%s", c.log())
		if err := c.cmd.Process.Kill(); err != nil {
			tb.Error(err)
		}
		<-c.done
	}
}

func (c *pgCluster) log() string {
	b, err := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func (c *pgCluster) dsn(db string) string {
	q := url.Values{"host": {c.dir}, "port": {"5432"}, "user": {pgSuperuser}, "sslmode": {"disable"}}
	return "postgres:///" + db + "?" + q.Encode()
}

// newDatabase creates an empty database and returns its DSN.
func (c *pgCluster) newDatabase(t testing.TB) string {
	name := fmt.Sprintf("t%d", c.seq.Add(1))
	if _, err := c.admin.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("creating database %s: %v", name, err)
	}
	return c.dsn(name)
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

// pgCredential returns the user the server runs as: this one, or, when
// this is root (which initdb refuses), the postgres user of Debian's
// package or else nobody, who is then given dir.
func pgCredential(dir string) (*syscall.Credential, error) {
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
