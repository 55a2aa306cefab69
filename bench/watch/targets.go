package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// serveTargets serves /t/N for N below o.targets, and prints its address
// on stdout. A failing target answers 502, as a gateway whose upstream
// refuses does; the others 200 with a short body.
func serveTargets(o options) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/t/"))
		switch {
		case err != nil || n < 0 || n >= o.targets:
			http.NotFound(w, r)
		case failing(n, o.fail):
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>\n")
		default:
			io.WriteString(w, "ok\n")
		}
	})}
	return srv.Serve(ln)
}

// failing says whether target n fails, for a share fail of the targets
// spread evenly.
func failing(n int, fail float64) bool {
	if fail <= 0 {
		return false
	}
	every := int(1 / fail)
	return every > 0 && n%every == every-1
}

// startTargets runs this program in targets mode, and returns the
// targets' address and a function that stops it.
func startTargets(o options) (string, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(self, "-mode", "targets", "-targets", strconv.Itoa(o.targets), "-fail", strconv.FormatFloat(o.fail, 'f', -1, 64))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("reading the targets' address: %w", err)
	}
	return strings.TrimSpace(addr), stop, nil
}

// targetsYAML is a configuration of o.targets targets at addr.
func targetsYAML(o options, addr, db string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "db: %q\nlisten: 127.0.0.1:0\ninterval: %s\ntimeout: %s\ntargets:\n", db, o.interval, min(o.interval, 5*time.Second))
	for i := range o.targets {
		fmt.Fprintf(&b, "  - {name: t%05d, url: \"http://%s/t/%d\", group: g%02d}\n", i, addr, i, i%20)
	}
	return b.String()
}
