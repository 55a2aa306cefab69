package watchconfig

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// StatusRange is a range of HTTP statuses, both ends included. It reads
// "200", "200-399" or "2xx".
type StatusRange struct {
	Min, Max int
}

// errStatus says what a status range looks like.
var errStatus = errors.New("want a status (200), a range (200-399) or a class (2xx) within 100-599")

// UnmarshalText reads "200", "200-399" or "2xx".
func (r *StatusRange) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	var err error
	switch lo, hi, isRange := strings.Cut(s, "-"); {
	case isRange:
		r.Min, err = statusCode(lo)
		if err == nil {
			r.Max, err = statusCode(hi)
		}
	case len(s) == 3 && strings.EqualFold(s[1:], "xx"):
		r.Min, err = statusCode(s[:1] + "00")
		r.Max = r.Min + 99
	default:
		r.Min, err = statusCode(s)
		r.Max = r.Min
	}
	if err != nil {
		return fmt.Errorf("status %q: %w", s, err)
	}
	if r.Min > r.Max {
		return fmt.Errorf("status %q: %d is above %d", s, r.Min, r.Max)
	}
	return nil
}

// MarshalText writes the range as UnmarshalText reads it.
func (r StatusRange) MarshalText() ([]byte, error) {
	return []byte(r.String()), nil
}

// String is "200" for one status, "200-399" for a range.
func (r StatusRange) String() string {
	if r.Min == r.Max {
		return strconv.Itoa(r.Min)
	}
	return fmt.Sprintf("%d-%d", r.Min, r.Max)
}

// Contains reports whether status is in the range.
func (r StatusRange) Contains(status int) bool {
	return status >= r.Min && status <= r.Max
}

// statusCode reads a status between 100 and 599 (RFC 9110 section 15).
func statusCode(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 100 || n > 599 {
		return 0, errStatus
	}
	return n, nil
}
