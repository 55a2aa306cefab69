package probe

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestStatSocket(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "php-fpm.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := StatSocket(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Mode != "Srw-------" || s.UID != os.Geteuid() || s.AsRoot != (os.Geteuid() == 0) {
		t.Errorf("StatSocket = %+v", s)
	}
	if got, want := s.RootOnly(), os.Geteuid() == 0; got != want {
		t.Errorf("RootOnly() = %v, want %v for a 0600 socket of uid %d", got, want, s.UID)
	}
	if _, err := StatSocket(filepath.Join(dir, "missing.sock")); err == nil {
		t.Error("a missing socket: no error")
	}
	if _, err := StatSocket(dir); err == nil {
		t.Error("a directory: no error")
	}
}

func TestSocketRootOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode     string
		uid, gid int
		want     bool
	}{
		{"Srw-------", 0, 0, true},
		{"Srw-rw----", 0, 0, true},   // root's group only
		{"Srw-rw----", 0, 33, false}, // www-data's group may
		{"Srw-rw-rw-", 0, 0, false},
		{"Srw-------", 33, 33, false}, // www-data's own
		{"", 0, 0, false},             // not known
	} {
		s := Socket{Mode: tc.mode, UID: tc.uid, GID: tc.gid}
		if got := s.RootOnly(); got != tc.want {
			t.Errorf("%s %d:%d: RootOnly() = %v, want %v", tc.mode, tc.uid, tc.gid, got, tc.want)
		}
	}
}
