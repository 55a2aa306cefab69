package probe

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// Socket is what the file system says of a unix socket: who may open it.
// Connecting to a unix socket needs write permission on it, which root
// has whatever the mode, so a socket that answers a diagnosis run as root
// may still refuse a gateway's workers.
type Socket struct {
	Path string `json:"path"`
	// Mode is the socket's mode as ls prints it ("srw-rw----").
	Mode  string `json:"mode"`
	UID   int    `json:"uid"`
	GID   int    `json:"gid"`
	Owner string `json:"owner,omitempty"` // the user name of UID, when known
	Group string `json:"group,omitempty"` // the group name of GID, when known
	// AsRoot says that the diagnosis ran as root, whom no mode keeps out.
	AsRoot bool `json:"as_root"`
}

// StatSocket reads the owner and mode of the unix socket at path.
func StatSocket(path string) (Socket, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Socket{}, fmt.Errorf("reading the socket's owner and mode: %w", err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return Socket{}, fmt.Errorf("reading the socket's owner and mode: %s is not a socket (%s)", path, fi.Mode())
	}
	s := Socket{Path: path, Mode: fi.Mode().String(), AsRoot: os.Geteuid() == 0}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.UID, s.GID = int(st.Uid), int(st.Gid)
		if u, err := user.LookupId(strconv.Itoa(s.UID)); err == nil {
			s.Owner = u.Username
		}
		if g, err := user.LookupGroupId(strconv.Itoa(s.GID)); err == nil {
			s.Group = g.Name
		}
	}
	return s, nil
}

// RootOnly reports whether only root may open the socket: it is root's,
// no other user may write to it, and its group may not either unless that
// group is root's own. A gateway's workers never run as root (nginx's
// user, Apache's User and PHP-FPM's listen.owner are nobody or www-data
// by default), so such a socket turns them away.
func (s Socket) RootOnly() bool {
	if len(s.Mode) < 9 {
		return false // not known
	}
	perm := permOf(s.Mode)
	return s.UID == 0 && perm&0o002 == 0 && (perm&0o020 == 0 || s.GID == 0)
}

// permOf reads the permission bits of an ls-style mode.
func permOf(mode string) fs.FileMode {
	bits := mode[len(mode)-9:]
	var p fs.FileMode
	for i, c := range bits {
		if c != '-' {
			p |= 1 << (8 - i)
		}
	}
	return p
}
