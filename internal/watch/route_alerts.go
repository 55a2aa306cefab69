package watch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
)

// routeAlerts turns one route's incident events into alerts and hands
// them to its dispatcher, as monitor.Alerts does, with one addition: the
// Alerter's maintenance windows can change while it runs (windows added
// through the API), under the lock that guards the Alerter.
type routeAlerts struct {
	mu    sync.Mutex
	al    *monitor.Alerter
	clock monitor.Clock
	disp  *monitor.Dispatcher
}

func newRouteAlerts(al *monitor.Alerter, clock monitor.Clock, d *monitor.Dispatcher) *routeAlerts {
	if clock == nil {
		clock = monitor.SystemClock{}
	}
	return &routeAlerts{al: al, clock: clock, disp: d}
}

// Record takes one event; it never waits on a channel.
func (x *routeAlerts) Record(_ context.Context, ev monitor.Event) error {
	if ev.Incident == nil && ev.Episode == nil {
		return nil
	}
	x.mu.Lock()
	al := x.al.Handle(ev)
	x.mu.Unlock()
	return x.send(al)
}

// Run asks the Alerter every second for the alerts that are due (held for
// a diagnosis, openings whose window ended, reminders) until ctx is done.
func (x *routeAlerts) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-x.clock.After(time.Second):
		}
		x.mu.Lock()
		al := x.al.Due(x.clock.Now())
		x.mu.Unlock()
		_ = x.send(al) // a full queue counts the drop in the dispatcher's Stats
	}
}

// setMaintenance replaces the windows that mute the route's alerts.
func (x *routeAlerts) setMaintenance(ws []monitor.Window) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.al.SetMaintenance(ws)
}

func (x *routeAlerts) send(al []monitor.Alert) error {
	var errs []error
	for _, a := range al {
		if !x.disp.Send(a) {
			errs = append(errs, fmt.Errorf("the %s alert of %s: %w", a.Kind, a.Target, monitor.ErrDropped))
		}
	}
	return errors.Join(errs...)
}
