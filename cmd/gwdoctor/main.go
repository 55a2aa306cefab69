// Command gwdoctor finds out why a website answers 502 Bad Gateway (and
// 503, 504 and the CDN codes 520-527): which hop produced the error, why,
// and what to do now.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], streams{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(code)
}

// streams are the command's standard files, passed in so tests can run the
// whole command in-process.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// shorthand reports whether args are "gwdoctor ADDRESS [flags]" or
// "gwdoctor [flags] URL [flags]", short for "gwdoctor diagnose ...": no
// subcommand comes first, and an address comes first or a URL is given.
func shorthand(root *cobra.Command, args []string) bool {
	if len(args) == 0 {
		return false
	}
	if c, _, err := root.Find(args[:1]); err == nil && c != root {
		return false
	}
	if a := args[0]; !strings.HasPrefix(a, "-") && (strings.ContainsAny(a, ".:[") || strings.HasPrefix(a, "localhost")) {
		return true // a site's name or address, as typed in a browser
	}
	for _, a := range args {
		if strings.HasPrefix(a, "http://") || strings.HasPrefix(a, "https://") {
			return true
		}
	}
	return false
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, s streams) int {
	root := newRootCmd(s)
	if shorthand(root, args) {
		args = append([]string{"diagnose"}, args...)
	}
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return exitCode(err, s.err)
}
