package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Maintenance is a window that mutes the alerts of the targets and groups
// it names, or of every target when it names none, from Start until End.
type Maintenance struct {
	// ID is assigned by the store.
	ID         int64
	Start, End time.Time
	// Targets and Groups are the names the window covers.
	Targets []string
	Groups  []string
	// Reason says why, for the people who read the list. Default none.
	Reason string
	// Created is when the window was added. Default: now.
	Created time.Time
}

// AddMaintenance stores a window and returns its ID. A window must end
// after it starts.
func (s *Store) AddMaintenance(ctx context.Context, m Maintenance) (int64, error) {
	if m.Start.IsZero() || !m.End.After(m.Start) {
		return 0, fmt.Errorf("adding a maintenance window: %w: it must end after it starts", ErrInvalid)
	}
	if m.Created.IsZero() {
		m.Created = time.Now()
	}
	targets, err := names(m.Targets)
	if err != nil {
		return 0, err
	}
	groups, err := names(m.Groups)
	if err != nil {
		return 0, err
	}
	const q = `INSERT INTO maintenance (start_us, end_us, target_names, group_names, reason, created_us)
VALUES (?, ?, ?, ?, ?, ?) RETURNING id`
	var id int64
	err = s.wdb.QueryRowContext(ctx, s.dialect.rebind(q), micros(m.Start), micros(m.End),
		targets, groups, m.Reason, micros(m.Created)).Scan(&id)
	if err != nil {
		return 0, s.wrap("adding a maintenance window", err)
	}
	return id, nil
}

// DeleteMaintenance removes a window; ErrNotFound when there is none of id.
func (s *Store) DeleteMaintenance(ctx context.Context, id int64) error {
	res, err := s.wdb.ExecContext(ctx, s.dialect.rebind(`DELETE FROM maintenance WHERE id = ?`), id)
	if err != nil {
		return s.wrap(fmt.Sprintf("deleting maintenance window %d", id), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.wrap(fmt.Sprintf("deleting maintenance window %d", id), err)
	}
	if n == 0 {
		return fmt.Errorf("deleting maintenance window %d: %w", id, ErrNotFound)
	}
	return nil
}

// MaintenanceAfter lists the windows that end after t, by start, then ID:
// the ones still to come or under way at t.
func (s *Store) MaintenanceAfter(ctx context.Context, t time.Time) ([]Maintenance, error) {
	const q = `SELECT id, start_us, end_us, target_names, group_names, reason, created_us FROM maintenance
WHERE end_us > ? ORDER BY start_us, id`
	rows, err := s.rdb.QueryContext(ctx, s.dialect.rebind(q), micros(t))
	if err != nil {
		return nil, s.wrap("listing maintenance windows", err)
	}
	defer rows.Close()
	var out []Maintenance
	for rows.Next() {
		var m Maintenance
		var start, end, created int64
		var targets, groups string
		if err := rows.Scan(&m.ID, &start, &end, &targets, &groups, &m.Reason, &created); err != nil {
			return nil, s.wrap("listing maintenance windows", err)
		}
		m.Start, m.End, m.Created = fromMicros(start), fromMicros(end), fromMicros(created)
		if err := json.Unmarshal([]byte(targets), &m.Targets); err != nil {
			return nil, fmt.Errorf("reading maintenance window %d: its targets: %w", m.ID, err)
		}
		if err := json.Unmarshal([]byte(groups), &m.Groups); err != nil {
			return nil, fmt.Errorf("reading maintenance window %d: its groups: %w", m.ID, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("listing maintenance windows", err)
	}
	return out, nil
}

// names is a list of names as the JSON array the table keeps, [] for none.
func names(list []string) (string, error) {
	if list == nil {
		list = []string{}
	}
	b, err := json.Marshal(list)
	if err != nil {
		return "", fmt.Errorf("adding a maintenance window: %w", err)
	}
	return string(b), nil
}
