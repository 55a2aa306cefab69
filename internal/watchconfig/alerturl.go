package watchconfig

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// service says which parts of a shoutrrr service's URL are secret, beyond
// the password and the query parameters named like secrets, which always
// are.
type service struct {
	user     bool // the user name is a token ("discord://token@id")
	host     bool // the host is a token ("pushbullet://api-token")
	path     bool // every path segment is a token ("gotify://host/token")
	segments bool // path segments that look like tokens are
	bare     bool // the URL may come without a scheme, as a browser takes it
}

// services are the services of shoutrrr's router (pkg/router/servicemap.go
// of github.com/nicholas-fedor/shoutrrr, which keeps containrrr's names),
// with the secret parts of their URL formats as each service's page in its
// documentation shows them.
var services = map[string]service{
	"bark":       {},
	"discord":    {user: true, path: true},             // discord://token@id
	"generic":    {segments: true},                     // generic+https://host/path?token=…
	"googlechat": {},                                   // key and token in the query
	"gotify":     {path: true},                         // gotify://host/token
	"hangouts":   {},                                   // as googlechat
	"ifttt":      {host: true},                         // ifttt://key/?events=…
	"join":       {},                                   // join://shoutrrr:api-key@join
	"lark":       {path: true},                         // lark://host/token?secret=…
	"logger":     {},                                   // logger://
	"matrix":     {},                                   // matrix://user:password@host
	"mattermost": {path: true},                         // mattermost://user@host/token
	"mqtt":       {},                                   // mqtt://user:password@host/topic
	"mqtts":      {},                                   // as mqtt, over TLS
	"notifiarr":  {host: true},                         // notifiarr://apikey
	"ntfy":       {path: true},                         // ntfy://host/topic: a topic is its own password
	"opsgenie":   {path: true},                         // opsgenie://host/apikey
	"pagerduty":  {path: true},                         // pagerduty://host/integration-key
	"pushbullet": {host: true, path: true},             // pushbullet://api-token/device
	"pushover":   {host: true},                         // pushover://shoutrrr:token@user-key
	"rocketchat": {path: true},                         // rocketchat://user@host/token/channel
	"signal":     {},                                   // signal://user:password@host/…
	"slack":      {user: true, host: true, path: true}, // slack://token-a/token-b/token-c, slack://hook:token@webhook
	"smtp":       {},                                   // smtp://user:password@host:port/?…
	"teams":      {user: true, path: true},             // teams://group@tenant/altId/groupOwner
	"telegram":   {path: true},                         // telegram://token@telegram?chats=…
	"twilio":     {},                                   // twilio://sid:token@from/to
	"wecom":      {host: true},                         // wecom://key
	"zulip":      {},                                   // zulip://bot-mail:bot-key@host
	"":           {segments: true},                     // not a service: any other URL
}

// errNotURL is the reason given for a URL that does not parse, in place of
// url.Parse's own, which quotes it.
var errNotURL = errors.New("check its punctuation, and percent-encode any @ / : in a user name or password")

// lookupService finds the service of a URL scheme ("generic+https" is
// generic's).
func lookupService(scheme string) (service, bool) {
	name, _, _ := strings.Cut(strings.ToLower(scheme), "+")
	s, ok := services[name]
	return s, ok && name != ""
}

// checkAlertURL checks that s is a shoutrrr URL of a known service. It
// does not reach the service.
func checkAlertURL(s string) error {
	shown := redactAlertURL(s)
	u, err := url.Parse(s)
	if err != nil {
		// url.Parse's reasons quote parts of the URL, which may be secret.
		return fmt.Errorf("%q does not parse as a URL (RFC 3986): %w", shown, errNotURL)
	}
	if u.Scheme == "" || !strings.Contains(s, "://") {
		return fmt.Errorf("%q is not a shoutrrr URL such as slack://… or generic+https://…", shown)
	}
	name, sub, plus := strings.Cut(strings.ToLower(u.Scheme), "+")
	if _, ok := lookupService(name); !ok {
		known := make([]string, 0, len(services))
		for k := range services {
			if k != "" {
				known = append(known, k)
			}
		}
		slices.Sort(known)
		return fmt.Errorf("unknown alert service %q; known: %s", name, strings.Join(known, ", "))
	}
	if plus && (name != "generic" || sub != "http" && sub != "https") {
		return fmt.Errorf("%q: only generic takes a +http or +https scheme", u.Scheme)
	}
	return nil
}

// redactAlertURL masks the secret parts of a shoutrrr URL.
func redactAlertURL(s string) string {
	scheme, _, _ := strings.Cut(s, "://")
	svc, ok := lookupService(scheme)
	if !ok {
		svc = services[""]
	}
	return redactURL(s, svc)
}

// redactURL masks the secret parts of a URL, as svc says, keeping the rest
// as written; it works on the text, so that a URL that does not parse is
// masked all the same.
func redactURL(s string, svc service) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		if !svc.bare {
			return s
		}
		scheme, rest = "", s
	}
	rest, frag, hasFrag := strings.Cut(rest, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")
	auth, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		auth, path = rest[:i], rest[i:]
	}
	var b strings.Builder
	if ok {
		b.WriteString(scheme + "://")
	}
	if i := strings.LastIndexByte(auth, '@'); i >= 0 {
		user, pass, hasPass := strings.Cut(auth[:i], ":")
		if svc.user && user != "" {
			user = mark(unescape(user))
		}
		b.WriteString(user)
		if hasPass {
			b.WriteString(":" + mark(unescape(pass)))
		}
		b.WriteString("@")
		auth = auth[i+1:]
	}
	if svc.host && auth != "" {
		auth = mark(unescape(auth))
	}
	b.WriteString(auth + redactPath(path, svc))
	if hasQuery {
		b.WriteString("?" + redactQuery(query))
	}
	if hasFrag {
		b.WriteString("#" + frag)
	}
	return b.String()
}

// redactPath masks the segments of a path that svc says are secret.
func redactPath(path string, svc service) string {
	if !svc.path && !svc.segments {
		return path
	}
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if seg != "" && (svc.path || looksLikeToken(unescape(seg))) {
			segs[i] = mark(unescape(seg))
		}
	}
	return strings.Join(segs, "/")
}

// redactQuery masks the values of query parameters named like secrets
// ("token", "api_key", "@Authorization" for generic's headers) or that
// look like tokens, keeping their order.
func redactQuery(q string) string {
	params := strings.Split(q, "&")
	for i, p := range params {
		k, v, ok := strings.Cut(p, "=")
		if ok && v != "" && (secretName(unescape(k)) || looksLikeToken(unescape(v))) {
			params[i] = k + "=" + mark(unescape(v))
		}
	}
	return strings.Join(params, "&")
}

// unescape decodes percent-encoding where it can.
func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
