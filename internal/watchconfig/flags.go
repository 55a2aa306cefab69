package watchconfig

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/target"
)

// FromFlags builds the configuration of "gwdoctor serve --target URL
// --target URL" with nothing else: each target named by its URL, and every
// other setting its default. db, listen and interval are the --db,
// --listen and --interval flags, "" or 0 for the default; the default
// database is found from the process's environment (StateDir). Its errors
// name the flags.
func FromFlags(targets []string, db, listen string, interval time.Duration) (*Config, error) {
	c := &Config{DB: db, Listen: listen, Interval: interval}
	var errs []error
	for i, s := range targets {
		s = strings.TrimSpace(s)
		if _, err := target.Parse(s); err != nil {
			errs = append(errs, fmt.Errorf("--target: %w", err))
			continue
		}
		if slices.Contains(targets[:i], s) {
			errs = append(errs, fmt.Errorf("--target %q is given twice", s))
			continue
		}
		c.TargetSpecs = append(c.TargetSpecs, TargetSpec{URL: s})
	}
	if len(targets) == 0 {
		errs = append(errs, errors.New("--target: nothing to watch: give --target URL or --config FILE"))
	}
	at := map[string]pos{}
	if interval != 0 {
		at["interval"] = pos{}
	}
	probs := &problems{}
	v := &checker{c: c, at: at, probs: probs, flags: true}
	v.top()
	for _, e := range probs.list {
		errs = append(errs, errors.New(e.Msg))
	}
	if err := c.defaults(os.LookupEnv); err != nil {
		errs = append(errs, fmt.Errorf("--db: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	c.Hash = c.hash()
	return c, nil
}
