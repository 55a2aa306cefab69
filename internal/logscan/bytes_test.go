package logscan

import (
	"bytes"
	"strings"
	"testing"
)

// TestNgxConn checks ngxConn against what the parser read before: the
// first word after "*", when it is all digits, at most 18 of them.
func TestNgxConn(t *testing.T) {
	tests := []struct {
		rest  string
		conn  int64
		after string
	}{
		{"*4711 connect() failed", 4711, "connect() failed"},
		{"*4711", 4711, ""},
		{"*4711x connect()", 0, "*4711x connect()"},
		{"* connect()", 0, "* connect()"},
		{"*", 0, "*"},
		{"connect()", 0, "connect()"},
		{"*1234567890123456789 x", 0, "*1234567890123456789 x"},
		{"*123456789012345678 x", 123456789012345678, "x"},
	}
	for _, tc := range tests {
		conn, after := ngxConn([]byte(tc.rest))
		if conn != tc.conn || string(after) != tc.after {
			t.Errorf("ngxConn(%q) = %d, %q; want %d, %q", tc.rest, conn, after, tc.conn, tc.after)
		}
	}
}

// TestSplitUpstream checks splitUpstream, on strings and bytes, against
// the rule written with the strings package.
func TestSplitUpstream(t *testing.T) {
	rule := func(u string) (string, string) {
		s, rest, ok := strings.Cut(u, "://")
		if !ok {
			return "", u
		}
		if strings.HasPrefix(rest, "unix:") {
			if i := strings.IndexByte(rest[5:], ':'); i >= 0 {
				return s, rest[:5+i]
			}
			return s, rest
		}
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rest = rest[:i]
		}
		return s, rest
	}
	for _, u := range []string{
		"http://10.0.0.5:8080/api?x=1", "fastcgi://unix:/run/php/php8.2-fpm.sock:", "fastcgi://unix:/run/php.sock",
		"http://backend", "grpc://[::1]:9000/x", "unix:/run/app.sock", "http:/x", "a://", "://", ":", ":/", "",
		"h:t://x/y", "x:y:z://q:1/r", "http://unix:", "http://unix:/a:b:c",
	} {
		ws, wa := rule(u)
		s, a := splitUpstream(u)
		bs, ba := splitUpstream([]byte(u))
		if s != ws || a != wa || string(bs) != ws || string(ba) != wa {
			t.Errorf("splitUpstream(%q) = %q, %q and %q, %q; want %q, %q", u, s, a, bs, ba, ws, wa)
		}
	}
}

func TestLastComma(t *testing.T) {
	for _, s := range []string{"", ",", "a", "a,b", ",,,,,,,,,", "0123456789abcdef,", ",0123456789abcdef", "01234567,89abcdef", "0123456,", "0123456789abcdef0123456789abcdef", ",0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcde,f", "0123456789abcdef0123456,789abcdef", "012,3456789abcdef0123456789abcdef", "0123456,789abcdef0123456789abcdef", "\xac\xad,\x2d\xff\x00,a", "\xff\xff\xff\xff\xff\xff\xff\xff\xff"} {
		if got, want := lastComma([]byte(s)), strings.LastIndexByte(s, ','); got != want {
			t.Errorf("lastComma(%q) = %d, want %d", s, got, want)
		}
	}
}

func FuzzLastComma(f *testing.F) {
	f.Add([]byte("a, b, c"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := lastComma(b), bytes.LastIndexByte(b, ','); got != want {
			t.Errorf("lastComma(%q) = %d, want %d", b, got, want)
		}
	})
}
