package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwdoctor/gwdoctor/internal/store"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

type historyFlags struct {
	since  string
	format string
	db     string
	config string
}

func newHistoryCmd(s streams) *cobra.Command {
	var f historyFlags
	cmd := &cobra.Command{
		Use:   "history URL|NAME",
		Short: "Export the checks of a watched target as CSV or JSON lines",
		Long: `history prints the checks that gwdoctor serve stored for one target,
oldest first, streamed from the store: the time (RFC 3339, UTC), the
duration and phase timings in milliseconds (DNS, connect, TLS, time to
first byte, transfer), the status, whether it passed, the cause, who
answered and the network error's class.

The target is named as in the configuration, or by its URL. Raw checks
are kept 14 days unless retention.checks says otherwise; older hours are
only in the rollups. The store is the one serve uses by default, or
--db, or the db of --config.

Exit codes: 0 exported, 2 bad usage (an unknown target, whose known names
are listed; a store that does not exist), 3 the store could not be read.`,
		Example: `  gwdoctor history shop --since 30d --format csv > shop.csv
  gwdoctor history https://api.shop.example/health --since 36h --format json
  gwdoctor history shop --db /var/lib/gwdoctor/gwdoctor.db`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("history takes exactly one target (its name in the configuration, or its URL), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHistory(cmd.Context(), s, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.since, "since", "30d", "how far back: a duration such as 36h, or days such as 30d")
	fl.StringVar(&f.format, "format", "csv", "csv (with a header row) or json (one object a line)")
	fl.StringVar(&f.db, "db", "", "the store: a SQLite file (default gwdoctor.db in the state directory) or postgres://...")
	fl.StringVar(&f.config, "config", "", "take the store from this configuration file")
	return cmd
}

func runHistory(ctx context.Context, s streams, name string, f historyFlags) error {
	since, err := parseSince(f.since)
	if err != nil {
		return err
	}
	var w checkWriter
	switch f.format {
	case "csv":
		w = newCSVChecks(s.out)
	case "json":
		w = newJSONChecks(s.out)
	default:
		return usagef("unknown --format %q: want csv or json", f.format)
	}
	st, err := openHistory(ctx, f)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := findTarget(ctx, st, name)
	if err != nil {
		return err
	}
	if err := st.ExportChecks(ctx, t.ID, time.Now().Add(-since), w.write); err != nil {
		return err
	}
	return w.flush()
}

// parseSince reads --since: a Go duration ("36h") or whole days ("30d").
func parseSince(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, nerr := strconv.Atoi(days)
		d, err = time.Duration(n)*24*time.Hour, nerr
	}
	if err != nil || d <= 0 {
		return 0, usagef("--since %q: want a positive duration such as 36h, or days such as 30d", v)
	}
	return d, nil
}

// openHistory opens the store of --db, of --config, or serve's default.
// A SQLite file that does not exist is a mistake, not a new store.
func openHistory(ctx context.Context, f historyFlags) (*store.Store, error) {
	db := f.db
	switch {
	case db != "" && f.config != "":
		return nil, usagef("history takes its store from --db or from --config, not both")
	case f.config != "":
		cfg, err := watchconfig.Load(f.config, os.LookupEnv)
		if err != nil {
			return nil, usageError{err}
		}
		db = cfg.DB
	case db == "":
		dir, err := watchconfig.StateDir(os.LookupEnv)
		if err != nil {
			return nil, usagef("%v", err)
		}
		db = filepath.Join(dir, watchconfig.DefaultDBName)
	}
	if !strings.Contains(db, "://") {
		file, _, _ := strings.Cut(strings.TrimPrefix(db, "file:"), "?")
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			return nil, usagef("no store at %s: gwdoctor serve has not run with it; give --db or --config", file)
		}
	}
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		return nil, fmt.Errorf("opening the store: %w", err)
	}
	return st, nil
}

// findTarget finds a stored target by its name, or by its URL.
func findTarget(ctx context.Context, st *store.Store, name string) (store.Target, error) {
	ts, err := st.Targets(ctx)
	if err != nil {
		return store.Target{}, err
	}
	for _, t := range ts {
		if t.Name == name {
			return t, nil
		}
	}
	var names []string
	for _, t := range ts {
		if t.URL == name || strings.TrimSuffix(t.URL, "/") == strings.TrimSuffix(name, "/") {
			return t, nil
		}
		names = append(names, t.Name)
	}
	if len(names) == 0 {
		return store.Target{}, usagef("no target %q: the store holds none yet", name)
	}
	return store.Target{}, usagef("no target %q in the store; known: %s", name, strings.Join(names, ", "))
}

// checkWriter writes checks one by one, as the store streams them.
type checkWriter interface {
	write(store.Check) error
	flush() error
}

// historyColumns are the columns of the CSV and the keys of the JSON.
var historyColumns = []string{"time", "duration_ms", "dns_ms", "connect_ms", "tls_ms", "ttfb_ms", "transfer_ms",
	"status", "ok", "cause", "product", "role", "error_class", "protocol"}

// historyTime is RFC 3339 in UTC to the millisecond, one width for every row.
const historyTime = "2006-01-02T15:04:05.000Z07:00"

// ms is a duration in milliseconds, to the microsecond the store keeps.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

type csvChecks struct {
	w      *csv.Writer
	header bool
}

func newCSVChecks(out io.Writer) *csvChecks { return &csvChecks{w: csv.NewWriter(out)} }

func (c *csvChecks) write(k store.Check) error {
	if !c.header {
		c.header = true
		if err := c.w.Write(historyColumns); err != nil {
			return err
		}
	}
	f := func(d time.Duration) string { return strconv.FormatFloat(ms(d), 'f', -1, 64) }
	p := k.Phases
	return c.w.Write([]string{
		k.Time.UTC().Format(historyTime), f(k.Duration), f(p.DNS), f(p.Connect), f(p.TLS), f(p.TTFB), f(p.Transfer),
		strconv.Itoa(k.Status), strconv.FormatBool(k.OK), k.Cause, k.Product, k.Role, k.ErrorClass, k.Protocol,
	})
}

// flush ends the export; a target without checks still gets its header.
func (c *csvChecks) flush() error {
	if !c.header {
		c.header = true
		if err := c.w.Write(historyColumns); err != nil {
			return err
		}
	}
	c.w.Flush()
	return c.w.Error()
}

// jsonCheck is one line of the JSON export, with the CSV's columns.
type jsonCheck struct {
	Time       string  `json:"time"`
	Duration   float64 `json:"duration_ms"`
	DNS        float64 `json:"dns_ms"`
	Connect    float64 `json:"connect_ms"`
	TLS        float64 `json:"tls_ms"`
	TTFB       float64 `json:"ttfb_ms"`
	Transfer   float64 `json:"transfer_ms"`
	Status     int     `json:"status"`
	OK         bool    `json:"ok"`
	Cause      string  `json:"cause"`
	Product    string  `json:"product"`
	Role       string  `json:"role"`
	ErrorClass string  `json:"error_class"`
	Protocol   string  `json:"protocol"`
}

type jsonChecks struct {
	bw  *bufio.Writer
	enc *json.Encoder
}

func newJSONChecks(out io.Writer) *jsonChecks {
	bw := bufio.NewWriter(out)
	return &jsonChecks{bw: bw, enc: json.NewEncoder(bw)}
}

func (j *jsonChecks) write(k store.Check) error {
	p := k.Phases
	return j.enc.Encode(jsonCheck{
		Time: k.Time.UTC().Format(historyTime), Duration: ms(k.Duration),
		DNS: ms(p.DNS), Connect: ms(p.Connect), TLS: ms(p.TLS), TTFB: ms(p.TTFB), Transfer: ms(p.Transfer),
		Status: k.Status, OK: k.OK, Cause: k.Cause, Product: k.Product, Role: k.Role,
		ErrorClass: k.ErrorClass, Protocol: k.Protocol,
	})
}

func (j *jsonChecks) flush() error { return j.bw.Flush() }
