package logscan

import (
	"bytes"
	"testing"
)

func TestLastClientField(t *testing.T) {
	tests := []string{
		"",
		", client: ",
		"a, client: b, client: c",
		"a, client: b, server: c",
		", client:",
		"x, , client: , client: ",
		"no comma here",
		"upstream sent invalid header: \", client: x\", client: 10.0.0.1, server: a",
	}
	for _, b := range tests {
		if got, want := lastClientField([]byte(b)), bytes.LastIndex([]byte(b), []byte(", client: ")); got != want {
			t.Errorf("lastClientField(%q) = %d, want %d", b, got, want)
		}
	}
}

func FuzzLastClientField(f *testing.F) {
	f.Add([]byte("a, client: b, client: c"))
	f.Add([]byte(", client: , client:"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := lastClientField(b), bytes.LastIndex(b, []byte(", client: ")); got != want {
			t.Errorf("lastClientField(%q) = %d, want %d", b, got, want)
		}
	})
}

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
