package watch

import (
	"context"
	"sync"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/store"
	"github.com/gwdoctor/gwdoctor/internal/web"
)

// uptimeReload is how often the uptime bars are read from the store
// again, to count the checks that other replicas wrote.
const uptimeReload = time.Hour

// uptimeBook keeps the uptime bars of the status page in memory: the past
// days as the store's day sums of its hourly rollups read them, read once
// a day (and every uptimeReload), and today's counts, to which each check
// recorded is added. Checks held by the recorder when the days are read
// are not counted in them.
type uptimeBook struct {
	mu     sync.Mutex
	n      int       // days read
	day    time.Time // today, as read: midnight UTC
	read   time.Time
	past   map[int64][]store.DayUptime // the days before today, by store ID
	today  map[int64]web.Day
	loaded bool
}

// observe adds a check of today to its target's count.
func (u *uptimeBook) observe(target int64, at time.Time, ok bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.loaded || at.Before(u.day) || !at.Before(u.day.Add(24*time.Hour)) {
		return
	}
	d := u.today[target]
	d.Checks++
	if !ok {
		d.Failures++
	}
	u.today[target] = d
}

// days returns each target's days, oldest first, by store ID, reading
// them from st when today is a new day, days is not what was read, or
// the last read is uptimeReload old.
func (u *uptimeBook) days(ctx context.Context, st *store.Store, days int, now time.Time) (map[int64][]web.Day, error) {
	today := now.UTC().Truncate(24 * time.Hour)
	u.mu.Lock()
	stale := !u.loaded || u.n != days || !u.day.Equal(today) || now.Sub(u.read) >= uptimeReload
	u.mu.Unlock()
	if stale {
		if err := u.load(ctx, st, days, now, today); err != nil {
			return nil, err
		}
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make(map[int64][]web.Day, len(u.past)+len(u.today))
	for id, ds := range u.past {
		out[id] = appendDays(make([]web.Day, 0, len(ds)+1), ds)
	}
	for id, d := range u.today {
		if d.Checks > 0 {
			d.Day = u.day
			out[id] = append(out[id], d)
		}
	}
	return out, nil
}

func appendDays(out []web.Day, ds []store.DayUptime) []web.Day {
	for _, d := range ds {
		if d.Checks > 0 {
			out = append(out, web.Day{Day: d.Day, Checks: d.Checks, Failures: d.Failures})
		}
	}
	return out
}

// load reads the days from st: the past ones kept as they are, today's
// as the count that checks are added to.
func (u *uptimeBook) load(ctx context.Context, st *store.Store, days int, now, today time.Time) error {
	all, err := st.UptimeByDayAll(ctx, days, now)
	if err != nil {
		return err
	}
	past := make(map[int64][]store.DayUptime, len(all))
	counts := make(map[int64]web.Day, len(all))
	for id, ds := range all {
		if n := len(ds); n > 0 && ds[n-1].Day.Equal(today) {
			counts[id] = web.Day{Checks: ds[n-1].Checks, Failures: ds[n-1].Failures}
			ds = ds[:n-1]
		}
		past[id] = ds
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.n, u.day, u.read, u.past, u.today, u.loaded = days, today, now, past, counts, true
	return nil
}

// pageChanges tells the pages when what they show may have changed: at
// an incident's or an episode's event, and at a check whose result is
// not its target's last one.
type pageChanges struct {
	changed func()
	mu      sync.Mutex
	ok      map[string]bool
}

// Record is the monitor.Sink's.
func (p *pageChanges) Record(_ context.Context, ev monitor.Event) error {
	switch {
	case ev.Incident != nil || ev.Episode != nil:
		p.changed()
	case ev.Kind == monitor.EventCheck && ev.Check != nil:
		p.mu.Lock()
		old, seen := p.ok[ev.Target]
		p.ok[ev.Target] = ev.Check.OK
		p.mu.Unlock()
		if !seen || old != ev.Check.OK {
			p.changed()
		}
	}
	return nil
}
