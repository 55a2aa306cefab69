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

const factSocketRootOnly = "the socket %s is %s %s:%s, so only root may open it; it answers this diagnosis because it runs as root, whom no mode keeps out, while the gateway's workers run as another user (nginx's user, Apache's User, nobody or www-data by default) and are denied (13: Permission denied): give the socket to the workers' user or group (PHP-FPM's listen.owner, listen.group, listen.mode = 0660)"
