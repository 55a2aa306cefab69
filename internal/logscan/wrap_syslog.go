package logscan

import "bytes"

// stripSyslog removes a syslog header: an optional "<PRI>" (as a relay or
// rsyslog's forwarding format keeps it), then either RFC 3164's
// "Mon DD HH:MM:SS host tag: " (the host may be missing, and the time may
// be RFC 3339 as in rsyslog's high-precision and journalctl's iso formats)
// or RFC 5424's "[1 ]TIME HOST APP PROCID MSGID SD ".
func stripSyslog(line []byte) (inner, ts []byte, ok bool) {
	b := line
	if len(b) > 2 && b[0] == '<' {
		i := bytes.IndexByte(b[:min(len(b), 6)], '>')
		if _, isNum := digits(b[1:max(i, 1)]); i < 2 || !isNum {
			return line, nil, false
		}
		b = b[i+1:]
		if len(b) > 2 && b[0] == '1' && b[1] == ' ' {
			b = b[2:] // RFC 5424's VERSION
		}
	}
	n, classic := rfc3339Len(b), false
	if n == 0 {
		n, classic = rfc3164TimeLen(b), true
	}
	if n == 0 || n >= len(b) || b[n] != ' ' {
		return line, nil, false
	}
	ts, b = b[:n], b[n+1:]
	if inner, ok := syslogTag(b, classic); ok {
		return inner, ts, true
	}
	if inner, ok := rfc5424Rest(b); ok {
		return inner, ts, true
	}
	return line, nil, false
}

// rfc3164TimeLen returns 15 when b starts with "Mon DD HH:MM:SS" (the day
// padded with a space), else 0.
func rfc3164TimeLen(b []byte) int {
	if len(b) < 15 || b[3] != ' ' || month(b[:3]) == 0 || b[6] != ' ' {
		return 0
	}
	if (b[4] != ' ' && (b[4] < '0' || b[4] > '3')) || b[5] < '0' || b[5] > '9' {
		return 0
	}
	if _, _, _, ok := clock(b, 7); !ok {
		return 0
	}
	return 15
}

// syslogTag reads "host tag: " or, when hostOptional, also "tag: " (a
// journal shown without its host): a tag is a program name with an
// optional "[pid]", ending in a colon.
func syslogTag(b []byte, hostOptional bool) ([]byte, bool) {
	host, rest := word(b)
	if len(host) == 0 || len(rest) == 0 {
		return b, false
	}
	if hostOptional && isSyslogTag(host) {
		return rest, true
	}
	tag, rest := word(rest)
	if host[len(host)-1] == ':' || !isSyslogTag(tag) || len(rest) == 0 {
		return b, false
	}
	return rest, true
}

func isSyslogTag(w []byte) bool {
	if len(w) < 2 || len(w) > 64 || w[len(w)-1] != ':' {
		return false
	}
	name := w[:len(w)-1]
	if i := bytes.IndexByte(name, '['); i >= 0 {
		if name[len(name)-1] != ']' {
			return false
		}
		if _, ok := digits(name[i+1 : len(name)-1]); !ok {
			return false
		}
		name = name[:i]
	}
	return len(name) > 0 && !bytes.ContainsAny(name, "\"{}=")
}

// rfc5424Rest reads "HOST APP PROCID MSGID SD " and returns the message.
func rfc5424Rest(b []byte) ([]byte, bool) {
	for range 4 {
		w, rest := word(b)
		if len(w) == 0 || len(rest) == 0 {
			return b, false
		}
		b = rest
	}
	if len(b) > 1 && b[0] == '-' && b[1] == ' ' {
		return b[2:], true
	}
	if len(b) == 0 || b[0] != '[' {
		return b, false
	}
	for len(b) > 0 && b[0] == '[' {
		end := sdEnd(b)
		if end < 0 {
			return b, false
		}
		b = b[end+1:]
	}
	if len(b) == 0 {
		return b, true
	}
	if b[0] != ' ' {
		return b, false
	}
	return b[1:], true
}

// sdEnd finds the "]" that closes the structured-data element at b[0],
// skipping quoted values, where "\]" and "\"" are escaped (RFC 5424 §6.3.3).
func sdEnd(b []byte) int {
	quoted := false
	for i := 1; i < len(b); i++ {
		switch {
		case b[i] == '\\':
			i++
		case b[i] == '"':
			quoted = !quoted
		case b[i] == ']' && !quoted:
			return i
		}
	}
	return -1
}
