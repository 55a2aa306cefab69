package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/store"
	"github.com/gwdoctor/gwdoctor/internal/web"
)

// windowsRefresh is how often the windows are read from the store again,
// so that those another replica added mute this one's alerts too.
const windowsRefresh = 30 * time.Second

// windows keeps the windows added through the API in the store and
// mutes the alerts they cover, beside the configuration's windows. It is
// the pages' web.Maintenance.
type windows struct {
	st       *store.Store
	alerting *Alerting
}

var _ web.Maintenance = (*windows)(nil)

// AddWindow stores w and mutes with it from now on.
func (m *windows) AddWindow(ctx context.Context, w web.Window) (web.Window, error) {
	id, err := m.st.AddMaintenance(ctx, store.Maintenance{Start: w.Start, End: w.End,
		Targets: w.Targets, Groups: w.Groups, Reason: w.Reason})
	if err != nil {
		return w, err
	}
	w.ID = strconv.FormatInt(id, 10)
	return w, m.apply(ctx, time.Now())
}

// DeleteWindow removes a window and its muting.
func (m *windows) DeleteWindow(ctx context.Context, id string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return fmt.Errorf("maintenance window %q: %w", id, web.ErrNotFound)
	}
	if err := m.st.DeleteMaintenance(ctx, n); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("maintenance window %q: %w", id, web.ErrNotFound)
		}
		return err
	}
	return m.apply(ctx, time.Now())
}

// Windows lists the stored windows that have not ended at now.
func (m *windows) Windows(ctx context.Context, now time.Time) ([]web.Window, error) {
	ms, err := m.st.MaintenanceAfter(ctx, now)
	if err != nil {
		return nil, err
	}
	out := make([]web.Window, len(ms))
	for i, w := range ms {
		out[i] = web.Window{ID: strconv.FormatInt(w.ID, 10), Start: w.Start, End: w.End,
			Targets: w.Targets, Groups: w.Groups, Reason: w.Reason}
	}
	return out, nil
}

// apply mutes alerts with the stored windows that have not ended at now.
func (m *windows) apply(ctx context.Context, now time.Time) error {
	ms, err := m.st.MaintenanceAfter(ctx, now)
	if err != nil {
		return fmt.Errorf("reading the maintenance windows: %w", err)
	}
	ws := make([]monitor.Window, len(ms))
	for i, w := range ms {
		ws[i] = monitor.Window{Start: w.Start, End: w.End, Targets: w.Targets, Groups: w.Groups}
	}
	m.alerting.SetMaintenance(ws)
	return nil
}

// run reads the windows again every windowsRefresh until ctx ends.
func (m *windows) run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(windowsRefresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := m.apply(ctx, now); err != nil && ctx.Err() == nil {
				log.Warn("reading the maintenance windows; the ones read before stay", "err", err)
			}
		}
	}
}
