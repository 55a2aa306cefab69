package logscan

import (
	"bytes"
	"strconv"
	"time"
)

// month parses an English three-letter month name.
func month(b []byte) time.Month {
	if len(b) != 3 {
		return 0
	}
	const names = "JanFebMarAprMayJunJulAugSepOctNovDec"
	i := bytes.Index([]byte(names), b)
	if i < 0 || i%3 != 0 {
		return 0
	}
	return time.Month(i/3 + 1)
}

// num2 parses two digits at b[i:i+2]; -1 if they are not digits.
func num2(b []byte, i int) int {
	if i+2 > len(b) || b[i] < '0' || b[i] > '9' || b[i+1] < '0' || b[i+1] > '9' {
		return -1
	}
	return int(b[i]-'0')*10 + int(b[i+1]-'0')
}

// num4 parses four digits at b[i:i+4]; -1 if they are not digits.
func num4(b []byte, i int) int {
	hi, lo := num2(b, i), num2(b, i+2)
	if hi < 0 || lo < 0 {
		return -1
	}
	return hi*100 + lo
}

// clock parses "hh:mm:ss" at b[i:].
func clock(b []byte, i int) (h, m, s int, ok bool) {
	if i+8 > len(b) || b[i+2] != ':' || b[i+5] != ':' {
		return 0, 0, 0, false
	}
	h, m, s = num2(b, i), num2(b, i+3), num2(b, i+6)
	return h, m, s, h >= 0 && m >= 0 && s >= 0 && h < 24 && m < 60 && s < 61
}

// date builds a time after checking the fields' ranges.
func date(y int, mo time.Month, d, h, mi, s, ns int, loc *time.Location) (time.Time, bool) {
	if y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	return time.Date(y, mo, d, h, mi, s, ns, loc), true
}

// timeYMD parses "2006/01/02 15:04:05" and "2006-01-02 15:04:05" (nginx
// error log, lighttpd) in loc.
func timeYMD(b []byte, loc *time.Location) (time.Time, bool) {
	if len(b) < 19 || b[10] != ' ' || b[4] != b[7] || (b[4] != '/' && b[4] != '-') {
		return time.Time{}, false
	}
	h, mi, s, ok := clock(b, 11)
	if !ok {
		return time.Time{}, false
	}
	return date(num4(b, 0), time.Month(num2(b, 5)), num2(b, 8), h, mi, s, 0, loc)
}

// timeCLF parses the common log format's "02/Jan/2006:15:04:05 -0700"; a
// fraction after the seconds (HAProxy's ".000") is read, and without a zone
// the time is in loc.
func timeCLF(b []byte, loc *time.Location, zc *zoneCache) (time.Time, bool) {
	if len(b) < 20 || b[2] != '/' || b[6] != '/' || b[11] != ':' {
		return time.Time{}, false
	}
	h, mi, s, ok := clock(b, 12)
	if !ok {
		return time.Time{}, false
	}
	rest := b[20:]
	ns := 0
	if len(rest) > 0 && rest[0] == '.' {
		ns, rest = fraction(rest[1:])
	}
	if len(rest) >= 6 && rest[0] == ' ' && (rest[1] == '+' || rest[1] == '-') {
		if zh, zm := num2(rest, 2), num2(rest, 4); zh >= 0 && zm >= 0 {
			off := (zh*60 + zm) * 60
			if rest[1] == '-' {
				off = -off
			}
			loc = zc.zone(off)
		}
	}
	return date(num4(b, 7), month(b[3:6]), num2(b, 0), h, mi, s, ns, loc)
}

// zoneCache keeps the last fixed zone made, since a log file's lines nearly
// always share one offset; each parser owns one.
type zoneCache struct {
	off int
	loc *time.Location
}

// zone returns a zone for an offset in seconds east of UTC.
func (z *zoneCache) zone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	if z.loc == nil || z.off != off {
		z.off, z.loc = off, time.FixedZone("", off)
	}
	return z.loc
}

// fraction reads up to nine digits of a decimal fraction as nanoseconds.
func fraction(b []byte) (ns int, rest []byte) {
	n, i := 0, 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		if i < 9 {
			n = n*10 + int(b[i]-'0')
		}
		i++
	}
	for k := i; k < 9; k++ {
		n *= 10
	}
	return n, b[i:]
}

// timeRFC3339 parses an RFC 3339 time, with or without fraction.
func timeRFC3339(b []byte) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, string(b))
	return t, err == nil
}

// timeEpoch parses seconds since 1970 with an optional fraction ("1286536308.779").
func timeEpoch(b []byte) (time.Time, bool) {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f < 0 || f > 1e11 {
		return time.Time{}, false
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
}
