package diagnose

import (
	"strconv"
	"time"
)

// socketDenied reads a unix socket that answers the diagnosis while the
// gateway fails at once: when only root may open it and the diagnosis ran
// as root, the gateway's workers, which never run as root, are turned
// away (13: Permission denied).
func (j *judgement) socketDenied(ok Attempt) []claim {
	s := j.e.UpstreamSocket
	if s == nil || !s.AsRoot || !s.RootOnly() || failAt(j.rep) >= 500*time.Millisecond {
		return nil
	}
	return []claim{j.claim(UpstreamPermission, kindDirect, ok.Label, factSocketRootOnly, s.Path, s.Mode, ownerName(s.Owner, s.UID), ownerName(s.Group, s.GID))}
}

// ownerName is a user's or group's name, or its number when the name is
// not known.
func ownerName(name string, id int) string {
	if name != "" {
		return name
	}
	return strconv.Itoa(id)
}
