package monitor

import (
	"fmt"
	"strings"
	"time"
)

// Subject is the alert in one line, for a title or a chat message's first line.
func (a Alert) Subject() string {
	switch a.Kind {
	case AlertCauseChanged:
		return fmt.Sprintf("CHANGED %s: %s (%s), was %s", a.Target, a.Title, a.Cause, a.PreviousCause)
	case AlertReminder:
		return fmt.Sprintf("STILL FAILING %s for %s: %s (%s)", a.Target, roundDown(a.Downtime), a.Title, a.Cause)
	case AlertResolved:
		return fmt.Sprintf("RESOLVED %s after %s: %s (%s)", a.Target, roundDown(a.Downtime), a.Title, a.Cause)
	}
	return fmt.Sprintf("FAILING %s: %s (%s)", a.Target, a.Title, a.Cause)
}

// Text is the whole alert in plain text: the subject, the cause ID and
// title, who produced the error, the first two steps and the link.
func (a Alert) Text() string {
	var b strings.Builder
	b.WriteString(a.Subject() + "\n")
	fmt.Fprintf(&b, "Cause: %s (%s)\n", a.Title, a.Cause)
	if who := a.producer(); who != "" {
		fmt.Fprintf(&b, "Produced by: %s\n", who)
	}
	if a.Persistence != "" && a.Kind != AlertResolved {
		fmt.Fprintf(&b, "Persistence: %s\n", a.Persistence)
	}
	fmt.Fprintf(&b, "Since: %s\n", a.Since.UTC().Format(time.RFC3339))
	for i, s := range a.Steps {
		if i == 0 {
			b.WriteString("What to do:\n")
		}
		fmt.Fprintf(&b, "  %d. %s\n", i+1, s)
	}
	if a.Link != "" {
		fmt.Fprintf(&b, "Incident: %s\n", a.Link)
	}
	return b.String()
}

// producer says who produced the error: "nginx (reverse_proxy)".
func (a Alert) producer() string {
	p, r := a.GeneratedBy.Product, a.GeneratedBy.Role
	switch {
	case p != "" && r != "":
		return p + " (" + r + ")"
	case p != "":
		return p
	}
	return r
}

// roundDown shows a duration to the second, or to the minute past an hour.
func roundDown(d time.Duration) string {
	if d >= time.Hour {
		return d.Truncate(time.Minute).String()
	}
	return d.Truncate(time.Second).String()
}
