package gwconfig

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// timeUnits are nginx's time units, longest suffix first so that "ms" wins
// over "m" (https://nginx.org/en/docs/syntax.html).
var timeUnits = []struct {
	suffix string
	d      time.Duration
}{
	{"ms", time.Millisecond}, {"us", time.Microsecond}, {"s", time.Second}, {"m", time.Minute},
	{"h", time.Hour}, {"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour},
}

// parseTime reads a time such as "60", "60s", "500ms" or "1m30s". A number
// without a unit is in unit: seconds for nginx, Apache and PHP-FPM,
// milliseconds for HAProxy. Units may be combined, largest first, as nginx
// allows ("1h 30m").
func parseTime(s string, unit time.Duration) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty time")
	}
	var total time.Duration
	for rest := s; rest != ""; rest = strings.TrimLeft(rest, " ") {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i > 9 {
			return 0, fmt.Errorf("invalid time %q", s)
		}
		n, _ := strconv.ParseInt(rest[:i], 10, 64) // at most 9 digits: cannot fail
		rest = rest[i:]
		mult := time.Duration(0)
		for _, u := range timeUnits {
			if strings.HasPrefix(rest, u.suffix) {
				mult, rest = u.d, rest[len(u.suffix):]
				break
			}
		}
		if mult == 0 {
			if rest != "" || total != 0 {
				return 0, fmt.Errorf("invalid time %q", s)
			}
			mult = unit
		}
		total += time.Duration(n) * mult
	}
	return total, nil
}

// parseSize reads an nginx size: bytes, or a number with k or m (and g)
// suffix, in either case (https://nginx.org/en/docs/syntax.html).
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	if s != "" {
		switch s[len(s)-1] {
		case 'k', 'K':
			mult, s = 1<<10, s[:len(s)-1]
		case 'm', 'M':
			mult, s = 1<<20, s[:len(s)-1]
		case 'g', 'G':
			mult, s = 1<<30, s[:len(s)-1]
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > 1<<40/mult {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return n * mult, nil
}

// formatDuration prints d the way a configuration would: "90s", "2m", "500ms".
func formatDuration(d time.Duration) string {
	switch {
	case d%time.Second != 0:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d%time.Hour == 0 && d >= time.Hour:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0 && d >= 10*time.Minute:
		return fmt.Sprintf("%dm", d/time.Minute)
	default:
		return fmt.Sprintf("%ds", d/time.Second)
	}
}

// formatSize prints n bytes the way nginx sizes are written: "16k", "1m".
func formatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dm", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dk", n>>10)
	default:
		return strconv.FormatInt(n, 10)
	}
}

// defaultSeconds is the catalog's default of a product's timeout setting
// written in whole seconds, as Apache's Timeout and php.ini's
// max_execution_time are.
func defaultSeconds(p catalog.Product, name string) Setting {
	d, _ := p.DefaultTimeout(name)
	return Setting{Name: name, Value: strconv.Itoa(int(d / time.Second)), Duration: d, Default: true}
}
