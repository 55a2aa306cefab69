package main

import (
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newRootCmd(s streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "gwdoctor",
		Short: "Find out why a website answers 502 Bad Gateway, 503, 504 or 52x",
		Long: `gwdoctor finds out which hop produced a gateway error (CDN, load balancer,
reverse proxy, application), why, and what to do now.

  gwdoctor https://shop.example/checkout     diagnose a URL (same as "gwdoctor diagnose URL")
  gwdoctor URL --nginx-config auto           on the gateway host: route, ask the upstream, read the log
  gwdoctor shop.example                      the same from a site's name, as typed in a browser
  gwdoctor identify page.html                who produced a saved or pasted error page (- for stdin)
  gwdoctor watch shop.example                keep checking, one line per check; incidents with their diagnosis
  gwdoctor wait shop.example --timeout 5m    exit 0 once healthy; else diagnose and exit 1
  gwdoctor serve --target shop.example       watch sites: incidents with their diagnosis, status page, API, metrics
  gwdoctor history shop --since 30d          export a watched site's checks as CSV or JSON lines
  gwdoctor logs /var/log/nginx/*.log*        explain the failures in gateway logs
  gwdoctor config check --nginx-config auto  lint the settings that cause 502/503/504
  gwdoctor lab                               run every built-in fault scenario offline
  gwdoctor lab --gateway all                 the same behind nginx, Apache, HAProxy, Caddy, ...

` + exitHelp,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       buildVersion(),
	}
	root.SetVersionTemplate("gwdoctor {{.Version}}\n")
	root.SetOut(s.out)
	root.SetErr(s.err)
	root.SetIn(s.in)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newDiagnoseCmd(s), newLabCmd(s), newLogsCmd(s))
	root.AddCommand(newConfigCmd(s), newIdentifyCmd(s), newWaitCmd(s), newWatchCmd(s), newServeCmd(s))
	root.AddCommand(newHistoryCmd(s))
	return root
}

// isTerminal reports whether w is a character device, where progress and
// colour are welcome.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// colorWanted honours NO_COLOR (https://no-color.org).
func colorWanted(w any) bool {
	return os.Getenv("NO_COLOR") == "" && isTerminal(w)
}

// buildVersion is the module version gwdoctor was built as, with the
// commit it was built from when the build recorded one.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if rev != "" {
		v += " " + rev[:min(12, len(rev))] + modified
	}
	return v + " " + bi.GoVersion
}
