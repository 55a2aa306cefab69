package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
)

// routeRow is one line of a route: what, its value, and where it is set.
type routeRow struct{ name, value, where string }

// routeRows lists what a route says, in the order a request takes it: the
// server block, the location, the target and its upstreams, the PHP-FPM
// pool behind a FastCGI route, and the settings in force. It is the one
// list that every rendering of a route shows.
func routeRows(r *gwconfig.Route) []routeRow {
	rows := []routeRow{{"server", r.Server.Name, r.Server.Where()}}
	if r.Location.Name != "" {
		rows = append(rows, routeRow{"location", r.Location.Name, r.Location.Where()})
	}
	if r.Target != "" {
		rows = append(rows, routeRow{"target", r.Target + " (" + r.Protocol + ")", ""})
	}
	for _, u := range r.Upstreams {
		rows = append(rows, routeRow{"upstream", upstreamText(u), where(u.File, u.Line)})
	}
	if r.Pool != nil {
		rows = append(rows, routeRow{"php-fpm", "pool " + r.Pool.Name, where(r.Pool.File, r.Pool.Line)})
	}
	for _, st := range r.Settings {
		rows = append(rows, routeRow{st.Name, st.Value, st.Where()})
	}
	if r.Pool != nil {
		for _, st := range []gwconfig.Setting{r.Pool.RequestTerminateTimeout, r.Pool.MaxExecutionTime} {
			rows = append(rows, routeRow{st.Name, st.Value, st.Where()})
		}
	}
	return rows
}

// Route writes a route as a table, as gwdoctor config check --url prints
// it; short shortens the paths (nil leaves them as they are).
func Route(w io.Writer, r *gwconfig.Route, short func(string) string) error {
	if short == nil {
		short = func(s string) string { return s }
	}
	if _, err := fmt.Fprintf(w, "Route of %s through %s\n", r.URL, r.Gateway); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, row := range routeRows(r) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", row.name, row.value, short(row.where))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range r.Notes {
		if _, err := fmt.Fprintf(w, "  note: %s\n", short(n)); err != nil {
			return err
		}
	}
	return nil
}

func upstreamText(u gwconfig.Upstream) string {
	s := u.Addr
	if u.Network == "unix" {
		s = "unix:" + u.Addr
	}
	var flags []string
	if u.Group != "" {
		flags = append(flags, "in "+u.Group)
	}
	if u.Weight > 1 {
		flags = append(flags, fmt.Sprintf("weight %d", u.Weight))
	}
	for _, fl := range []struct {
		on   bool
		name string
	}{{u.Backup, "backup"}, {u.Down, "down"}, {u.Check, "checked"}, {u.TLS, "tls"}} {
		if fl.on {
			flags = append(flags, fl.name)
		}
	}
	if len(flags) > 0 {
		s += " (" + strings.Join(flags, ", ") + ")"
	}
	return s
}

func where(file string, line int) string {
	if file == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", file, line)
}
