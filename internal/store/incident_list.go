package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Paging of Incidents.
const (
	DefaultIncidentPage = 50
	MaxIncidentPage     = 500
)

// IncidentQuery selects a page of incidents.
type IncidentQuery struct {
	// TargetID keeps one target's incidents. Default 0: every target's.
	TargetID int64
	// State keeps the open or the closed ones. Default "": both.
	State string
	// Limit is the page's size. Default 50, at most 500.
	Limit int
	// After is the Next of the page before. Default "": the first page.
	After string
}

// IncidentPage is one page of incidents, newest first.
type IncidentPage struct {
	Incidents []Incident
	// Next continues the list in IncidentQuery.After; "" on the last page.
	Next string
}

// Incidents lists incidents, newest onset first, one page at a time,
// without their diagnoses. Paging is by position, not offset: incidents
// opened while a caller pages do not shift the pages that follow.
func (s *Store) Incidents(ctx context.Context, q IncidentQuery) (IncidentPage, error) {
	query, args, limit, err := incidentsSQL(q)
	if err != nil {
		return IncidentPage{}, fmt.Errorf("listing incidents: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, s.dialect.rebind(query), args...)
	if err != nil {
		return IncidentPage{}, s.wrap("listing incidents", err)
	}
	defer rows.Close()
	var page IncidentPage
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return IncidentPage{}, s.wrap("listing incidents", err)
		}
		page.Incidents = append(page.Incidents, inc)
	}
	if err := rows.Err(); err != nil {
		return IncidentPage{}, s.wrap("listing incidents", err)
	}
	// One row more than the page was asked for, to know whether a next
	// page exists.
	if len(page.Incidents) > limit {
		page.Incidents = page.Incidents[:limit]
		last := page.Incidents[limit-1]
		page.Next = fmt.Sprintf("%d:%d", micros(last.Opened), last.ID)
	}
	return page, nil
}

// incidentsSQL builds the query of Incidents, which asks for one row more
// than the page's size, limit.
func incidentsSQL(q IncidentQuery) (query string, args []any, limit int, err error) {
	var where []string
	if q.TargetID != 0 {
		where = append(where, "target_id = ?")
		args = append(args, q.TargetID)
	}
	switch q.State {
	case "":
	case StateOpen, StateClosed:
		where = append(where, "state = ?")
		args = append(args, q.State)
	default:
		return "", nil, 0, fmt.Errorf("%w: incident state %q", ErrInvalid, q.State)
	}
	if q.After != "" {
		opened, id, err := parseCursor(q.After)
		if err != nil {
			return "", nil, 0, err
		}
		where = append(where, "(opened_us < ? OR (opened_us = ? AND id < ?))")
		args = append(args, opened, opened, id)
	}
	limit = q.Limit
	if limit <= 0 {
		limit = DefaultIncidentPage
	}
	limit = min(limit, MaxIncidentPage)
	query = "SELECT " + incidentColumns + " FROM incidents"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY opened_us DESC, id DESC LIMIT ?"
	return query, append(args, limit+1), limit, nil
}

func parseCursor(c string) (opened, id int64, err error) {
	a, b, ok := strings.Cut(c, ":")
	if ok {
		opened, err = strconv.ParseInt(a, 10, 64)
	}
	if ok && err == nil {
		id, err = strconv.ParseInt(b, 10, 64)
	}
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("%w: page cursor %q", ErrInvalid, c)
	}
	return opened, id, nil
}
