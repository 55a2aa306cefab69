package store

import (
	"context"
	"fmt"
	"time"
)

// Target is a site that is watched.
type Target struct {
	// ID is assigned by the store.
	ID int64
	// Name is the target's key: a configuration names each target once.
	// Default: the URL.
	Name string
	// URL is what is checked, with any credentials already removed.
	URL string
	// Group gathers targets on the status page. Default: none.
	Group string
	// ConfigHash identifies the target's configuration, to notice a change.
	ConfigHash string
	// Created is when the target was first added. Default: now.
	Created time.Time
}

// AddTarget adds t, or updates the URL, group and configuration hash of
// the target of the same name, and returns it as stored.
func (s *Store) AddTarget(ctx context.Context, t Target) (Target, error) {
	if t.URL == "" {
		return Target{}, fmt.Errorf("adding target %q: %w: no URL", t.Name, ErrInvalid)
	}
	if t.Name == "" {
		t.Name = t.URL
	}
	if t.Created.IsZero() {
		t.Created = time.Now()
	}
	const q = `INSERT INTO targets (name, url, group_name, config_hash, created_us)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET url = excluded.url, group_name = excluded.group_name,
    config_hash = excluded.config_hash
RETURNING id, created_us`
	var created int64
	err := s.wdb.QueryRowContext(ctx, s.dialect.rebind(q), t.Name, t.URL, t.Group, t.ConfigHash, micros(t.Created)).
		Scan(&t.ID, &created)
	if err != nil {
		return Target{}, s.wrap("adding target "+t.Name, err)
	}
	t.Created = fromMicros(created)
	return t, nil
}

// Targets lists the targets by group, then name.
func (s *Store) Targets(ctx context.Context) ([]Target, error) {
	rows, err := s.rdb.QueryContext(ctx,
		`SELECT id, name, url, group_name, config_hash, created_us FROM targets ORDER BY group_name, name`)
	if err != nil {
		return nil, s.wrap("listing targets", err)
	}
	defer rows.Close()
	var out []Target
	for rows.Next() {
		var t Target
		var created int64
		if err := rows.Scan(&t.ID, &t.Name, &t.URL, &t.Group, &t.ConfigHash, &created); err != nil {
			return nil, s.wrap("listing targets", err)
		}
		t.Created = fromMicros(created)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("listing targets", err)
	}
	return out, nil
}
