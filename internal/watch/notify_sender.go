package watch

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sync"
	"time"

	"github.com/nicholas-fedor/shoutrrr/pkg/router"
	"github.com/nicholas-fedor/shoutrrr/pkg/types"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
)

// Notifier sends alerts to the shoutrrr URLs of one alert route
// (github.com/nicholas-fedor/shoutrrr: Slack, Telegram, Discord, e-mail,
// ntfy, Teams, generic webhooks…). Each alert is one message, its plain
// text (monitor.Alert.Text), whose first line is the subject: the one form
// every service shows whole, since not every service has a title. It is a
// monitor.Notifier, called by one Dispatcher at a time.
type Notifier struct {
	route string
	urls  []alertURL
	// names maps target IDs to the names alerts show; base and page make
	// the link of an incident's page.
	names map[string]string
	base  string
	page  func(id string) (string, bool)

	mu sync.Mutex
	// last identifies the alert being sent, and sent says which of urls
	// already have it: a retry goes only to the URLs that failed.
	last string
	sent []bool
}

var _ monitor.Notifier = (*Notifier)(nil)

// alertURL is one service of a route.
type alertURL struct {
	svc   types.Service
	shown string // the URL with its secrets masked, for errors
}

// NewNotifier makes the sender of the route called name to urls; shown
// are the same URLs with their secrets masked (watchconfig's Redacted),
// the only form errors quote.
func NewNotifier(name string, urls, shown []string) (*Notifier, error) {
	n := &Notifier{route: name}
	var r router.ServiceRouter // its logger is nil: services log nothing
	for i, u := range urls {
		s := u
		if i < len(shown) {
			s = shown[i]
		}
		svc, err := r.Locate(u)
		if err != nil {
			// shoutrrr's errors may quote the URL whole.
			return nil, fmt.Errorf("alert route %s: %s: %s", name, s, scrub(err.Error(), false))
		}
		n.urls = append(n.urls, alertURL{svc: svc, shown: s})
	}
	return n, nil
}

// Notify sends a to each URL of the route that does not have it yet, and
// returns the errors of those that failed. A service that does not answer
// within ctx is left behind: shoutrrr's Send takes no context, so its
// request ends when the service answers or closes the connection.
func (n *Notifier) Notify(ctx context.Context, a monitor.Alert) error {
	text := n.present(a).Text()
	n.mu.Lock()
	defer n.mu.Unlock()
	if key := alertKey(a); key != n.last {
		n.last, n.sent = key, make([]bool, len(n.urls))
	}
	var errs []error
	for i, u := range n.urls {
		if n.sent[i] {
			continue
		}
		if err := send(ctx, u.svc, text); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s", u.shown, scrub(err.Error(), true)))
			continue
		}
		n.sent[i] = true
	}
	return errors.Join(errs...)
}

// present puts in a the target's name and the link of the incident's page.
func (n *Notifier) present(a monitor.Alert) monitor.Alert {
	if name, ok := n.names[a.Target]; ok {
		a.Target = name
	}
	a.Link = ""
	if n.base != "" && n.page != nil {
		if id, ok := n.page(a.IncidentID); ok {
			a.Link = n.base + "/incidents/" + url.PathEscape(id)
		}
	}
	return a
}

// alertKey identifies one alert among those a route sends.
func alertKey(a monitor.Alert) string {
	return a.IncidentID + " " + string(a.Kind) + " " + a.Time.Format(time.RFC3339Nano)
}

// send sends text through svc, or gives up when ctx ends first.
func send(ctx context.Context, svc types.Service, text string) error {
	done := make(chan error, 1) // a send left behind still finds room
	go func() { done <- svc.Send(text, &types.Params{}) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("no answer: %w", ctx.Err())
	}
}

// urlPattern finds URLs in error texts: its groups are the scheme with
// "://", the user info, the host and port, and the rest.
var urlPattern = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)([^\s"'/?#@]*@)?([^\s"'/?#]*)([^\s"']*)`)

// scrub masks the URLs in an error's text. shoutrrr quotes the URLs it
// requests, whose paths and queries hold the tokens of most services
// (Slack's, Discord's and Telegram's paths, a generic webhook's query),
// and sometimes the configured URL itself. The host of a request stays
// when keepHost is set, since it tells which server failed; a configured
// URL may hold a token in its host (pushbullet://api-token), so there it
// goes too.
func scrub(msg string, keepHost bool) string {
	return urlPattern.ReplaceAllStringFunc(msg, func(u string) string {
		m := urlPattern.FindStringSubmatch(u)
		out := m[1]
		if keepHost {
			out += m[3]
		}
		if m[2] != "" || m[4] != "" || !keepHost && m[3] != "" {
			out += "…"
		}
		return out
	})
}
