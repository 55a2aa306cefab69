package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// NotInstalledError reports that a gateway program is missing from this
// machine, and how to install it.
type NotInstalledError struct {
	// Program is the executable looked for, such as "nginx".
	Program string
	// Package is the Debian package that provides it.
	Package string
}

// Error says what is missing and the command that installs it.
func (e *NotInstalledError) Error() string {
	return fmt.Sprintf("%s is not installed; install it with: apt-get install -y %s", e.Program, e.Package)
}

// lookProgram finds name in PATH or in the sbin directories, which are not
// in every user's PATH but are where Debian installs daemons.
func lookProgram(name, pkg string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", &NotInstalledError{Program: name, Package: pkg}
}

// launch describes how to run one gateway program in the foreground.
type launch struct {
	product string
	program string            // absolute path, from lookProgram
	args    []string          // after the program name
	env     []string          // added to a minimal environment
	files   map[string]string // written into the directory before start: name → content
	port    int               // the port it serves on 127.0.0.1
	// socket, when set, is the unix socket it serves on instead of port.
	socket  string
	logPath string // its error log, "" for none
}

// procGateway is a gateway program started by startProcess.
type procGateway struct {
	product  string
	url      string
	timeouts GatewayTimeouts
	logPath  string
	outPath  string // the program's stdout and stderr
	confDir  string // where its configuration files are written
	dir      string // removed by Close when not ""
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the process has been waited for
	waitErr  error
	once     sync.Once
	err      error
}

var _ Gateway = (*procGateway)(nil)

// Product returns the gateway's product slug.
func (g *procGateway) Product() string { return g.product }

// URL returns http://127.0.0.1:port/.
func (g *procGateway) URL() string { return g.url }

// Timeouts returns the limits written into the program's configuration.
func (g *procGateway) Timeouts() GatewayTimeouts { return g.timeouts }

// LogPath returns the program's error log.
func (g *procGateway) LogPath() string { return g.logPath }

// Dir returns the directory that holds the program's configuration
// files, for a diagnosis that reads them.
func (g *procGateway) Dir() string { return g.confDir }

// startProcess writes l's files into dir, starts the program in its own
// process group and waits until its port accepts connections. ctx bounds
// the start; a program that exits early fails the start with the end of its
// output.
func startProcess(ctx context.Context, l launch, dir string, owned bool, t GatewayTimeouts) (*procGateway, error) {
	g := &procGateway{
		product:  l.product,
		url:      "http://127.0.0.1:" + strconv.Itoa(l.port) + "/",
		timeouts: t,
		logPath:  l.logPath,
		outPath:  filepath.Join(dir, l.product+".out"),
		confDir:  dir,
		exited:   make(chan struct{}),
	}
	if owned {
		g.dir = dir
	}
	if err := writeFiles(dir, l.files); err != nil {
		g.cleanup()
		return nil, err
	}
	out, err := os.Create(g.outPath)
	if err != nil {
		g.cleanup()
		return nil, err
	}
	defer out.Close() // the child keeps its own descriptor
	// exec.Command, not CommandContext: ctx bounds the start, not the life.
	g.cmd = exec.Command(l.program, l.args...)
	g.cmd.Dir = dir
	g.cmd.Env = append([]string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + dir, "LANG=C"}, l.env...)
	g.cmd.Stdout, g.cmd.Stderr = out, out
	g.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := g.cmd.Start(); err != nil {
		g.cleanup()
		return nil, err
	}
	go func() {
		g.waitErr = g.cmd.Wait()
		close(g.exited)
	}()
	if err := g.waitReady(ctx, l); err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

// writeFiles writes every file of files into dir, creating subdirectories.
func writeFiles(dir string, files map[string]string) error {
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// waitReady polls the port every 20 ms until it accepts a connection, the
// process exits or ctx ends (10 s at most).
func (g *procGateway) waitReady(ctx context.Context, l launch) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	network, addr := "tcp", "127.0.0.1:"+strconv.Itoa(l.port)
	if l.socket != "" {
		network, addr = "unix", l.socket
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		var d net.Dialer
		dctx, dcancel := context.WithTimeout(ctx, 200*time.Millisecond)
		c, err := d.DialContext(dctx, network, addr)
		dcancel()
		if err == nil {
			c.Close()
			return nil
		}
		if l.socket != "" && errors.Is(err, syscall.EACCES) {
			// The socket's mode denies this process, which cannot
			// connect to see it ready: it exists, so the program has
			// bound it (PHP-FPM's master binds it, sets its mode and
			// listens at once, in fpm_sockets_new_listening_socket).
			return nil
		}
		select {
		case <-g.exited:
			return fmt.Errorf("%s exited before it was ready (%v): %s", l.product, g.waitErr, g.tail())
		case <-ctx.Done():
			return fmt.Errorf("%s not ready on %s: %w: %s", l.product, addr, ctx.Err(), g.tail())
		case <-tick.C:
		}
	}
}

// tail returns the last lines of the program's output, for error messages.
func (g *procGateway) tail() string {
	b, _ := os.ReadFile(g.outPath)
	if g.logPath != "" && g.logPath != g.outPath {
		lb, _ := os.ReadFile(g.logPath)
		b = append(b, lb...)
	}
	b = bytes.TrimSpace(b)
	if len(b) > 600 {
		b = b[len(b)-600:]
	}
	if len(b) == 0 {
		return "no output"
	}
	return string(bytes.ReplaceAll(b, []byte("\n"), []byte(" | ")))
}

// Close asks the program's process group to stop (SIGTERM), kills it after
// 5 s, waits for it and removes a directory it owns.
func (g *procGateway) Close() error {
	g.once.Do(func() {
		if g.cmd == nil || g.cmd.Process == nil {
			g.cleanup()
			return
		}
		pgid := -g.cmd.Process.Pid
		if err := syscall.Kill(pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
			g.err = fmt.Errorf("stopping %s: %w", g.product, err)
		}
		select {
		case <-g.exited:
		case <-time.After(5 * time.Second):
			syscall.Kill(pgid, syscall.SIGKILL)
			<-g.exited
		}
		// Children that outlived the leader (workers) go too.
		syscall.Kill(pgid, syscall.SIGKILL)
		g.cleanup()
	})
	return g.err
}

// cleanup removes a directory the gateway created.
func (g *procGateway) cleanup() {
	if g.dir != "" {
		os.RemoveAll(g.dir)
	}
}

// freePort returns a port of 127.0.0.1 that was free a moment ago. Another
// program could take it before the gateway binds it; on a test machine that
// is rare, and the start then fails with a clear error.
func freePort(ctx context.Context) (int, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
