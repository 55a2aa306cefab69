package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Incident states.
const (
	StateOpen   = "open"
	StateClosed = "closed"
)

// Kinds of incident events; others may be added.
const (
	EventOpened       = "opened"
	EventCauseChanged = "cause_changed"
	EventFailure      = "failure"
	EventRecovered    = "recovered"
	EventClosed       = "closed"
)

// Incident is one episode of failure of a target.
type Incident struct {
	// ID is assigned by the store.
	ID       int64
	TargetID int64
	// Opened is the onset; Closed is zero while the incident is open.
	Opened, Closed time.Time
	// State is StateOpen or StateClosed. Default: StateOpen.
	State string
	// Cause is the cause ID diagnosed at onset; LastCause the latest.
	Cause, LastCause string
	// Persistence is the catalog's persistent, intermittent, recovered or
	// none.
	Persistence string
	// Product and Role name the hop that generated the failing response.
	Product, Role string
	// Failures counts the failed checks attached to the incident.
	Failures int
	// Diagnosis is the diagnosis captured at onset, a JSON document,
	// redacted by the caller. It is kept byte for byte and never updated.
	// Lists of incidents leave it out.
	Diagnosis json.RawMessage
}

// Event is one entry of an incident's timeline.
type Event struct {
	IncidentID int64
	Time       time.Time
	// Kind is one of the Event constants, such as EventOpened.
	Kind  string
	Cause string
	Text  string
}

// validIncident checks what every stored incident must satisfy.
func validIncident(inc Incident) error {
	switch {
	case inc.State != StateOpen && inc.State != StateClosed:
		return fmt.Errorf("%w: incident state %q", ErrInvalid, inc.State)
	case (inc.State == StateClosed) != !inc.Closed.IsZero():
		return fmt.Errorf("%w: a closed incident, and only a closed one, has a closing time", ErrInvalid)
	case len(inc.Diagnosis) > 0 && !json.Valid(inc.Diagnosis):
		return fmt.Errorf("%w: the diagnosis is not a JSON document", ErrInvalid)
	}
	return nil
}

// OpenIncident stores a new incident with the first events of its timeline
// (usually one of kind EventOpened) and returns the incident's ID.
func (s *Store) OpenIncident(ctx context.Context, inc Incident, events ...Event) (int64, error) {
	if inc.State == "" {
		inc.State = StateOpen
	}
	if inc.LastCause == "" {
		inc.LastCause = inc.Cause
	}
	if inc.TargetID <= 0 || inc.Opened.IsZero() {
		return 0, fmt.Errorf("opening incident: %w: an incident needs its target and onset", ErrInvalid)
	}
	if err := validIncident(inc); err != nil {
		return 0, fmt.Errorf("opening incident: %w", err)
	}
	const q = `INSERT INTO incidents (target_id, opened_us, closed_us, state, cause, last_cause,
    persistence, product, role, failures, diagnosis)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	diagnosis := nullJSON(inc.Diagnosis)
	var id int64
	err := s.withTx(ctx, "opening incident", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.dialect.rebind(q), inc.TargetID, micros(inc.Opened),
			nullMicros(inc.Closed), inc.State, inc.Cause, inc.LastCause, inc.Persistence,
			inc.Product, inc.Role, inc.Failures, diagnosis).Scan(&id)
		if err != nil {
			return err
		}
		return s.addEvents(ctx, tx, id, events)
	})
	return id, err
}

// UpdateIncident stores the changes of an incident (closing time, state,
// last cause, persistence, who generated the failure, failures) and
// appends events to its timeline, in one transaction. Its onset and first
// cause stay as they were opened; its diagnosis too, once it has one (a
// diagnosis that arrives after the incident opened is kept then).
func (s *Store) UpdateIncident(ctx context.Context, inc Incident, events ...Event) error {
	if err := validIncident(inc); err != nil {
		return fmt.Errorf("updating incident %d: %w", inc.ID, err)
	}
	const q = `UPDATE incidents SET closed_us = ?, state = ?, last_cause = ?, persistence = ?,
    product = ?, role = ?, failures = ?,
    diagnosis = CASE WHEN diagnosis IS NULL THEN ? ELSE diagnosis END WHERE id = ?`
	return s.withTx(ctx, fmt.Sprintf("updating incident %d", inc.ID), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.dialect.rebind(q), nullMicros(inc.Closed), inc.State,
			inc.LastCause, inc.Persistence, inc.Product, inc.Role, inc.Failures, nullJSON(inc.Diagnosis), inc.ID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return s.addEvents(ctx, tx, inc.ID, events)
	})
}

func (s *Store) addEvents(ctx context.Context, tx *sql.Tx, incidentID int64, events []Event) error {
	const q = `INSERT INTO incident_events (incident_id, at_us, kind, cause, text) VALUES (?, ?, ?, ?, ?)`
	for _, e := range events {
		if e.Kind == "" || e.Time.IsZero() {
			return fmt.Errorf("%w: an event needs its kind and time", ErrInvalid)
		}
		if _, err := tx.ExecContext(ctx, s.dialect.rebind(q), incidentID, micros(e.Time), e.Kind, e.Cause, e.Text); err != nil {
			return fmt.Errorf("adding %s event: %w", e.Kind, err)
		}
	}
	return nil
}

// incidentColumns are the columns of scanIncident, without the diagnosis.
const incidentColumns = `id, target_id, opened_us, closed_us, state, cause, last_cause,
    persistence, product, role, failures`

type rowScanner interface{ Scan(dest ...any) error }

func scanIncident(r rowScanner, extra ...any) (Incident, error) {
	var inc Incident
	var opened int64
	var closed sql.NullInt64
	dest := append([]any{&inc.ID, &inc.TargetID, &opened, &closed, &inc.State, &inc.Cause,
		&inc.LastCause, &inc.Persistence, &inc.Product, &inc.Role, &inc.Failures}, extra...)
	if err := r.Scan(dest...); err != nil {
		return Incident{}, err
	}
	inc.Opened = fromMicros(opened)
	inc.Closed = fromNullMicros(closed)
	return inc, nil
}

// Incident returns one incident, with its diagnosis, and its timeline in
// order. It returns ErrNotFound when there is no such incident.
func (s *Store) Incident(ctx context.Context, id int64) (Incident, []Event, error) {
	doing := fmt.Sprintf("reading incident %d", id)
	var diagnosis []byte
	row := s.rdb.QueryRowContext(ctx, s.dialect.rebind(`SELECT `+incidentColumns+`, diagnosis FROM incidents WHERE id = ?`), id)
	inc, err := scanIncident(row, &diagnosis)
	if errors.Is(err, sql.ErrNoRows) {
		return Incident{}, nil, s.wrap(doing, ErrNotFound)
	}
	if err != nil {
		return Incident{}, nil, s.wrap(doing, err)
	}
	if len(diagnosis) > 0 {
		inc.Diagnosis = json.RawMessage(diagnosis)
	}
	events, err := s.events(ctx, id)
	if err != nil {
		return Incident{}, nil, s.wrap(doing, err)
	}
	return inc, events, nil
}

func (s *Store) events(ctx context.Context, incidentID int64) ([]Event, error) {
	rows, err := s.rdb.QueryContext(ctx, s.dialect.rebind(
		`SELECT at_us, kind, cause, text FROM incident_events WHERE incident_id = ? ORDER BY at_us, id`), incidentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e := Event{IncidentID: incidentID}
		var at int64
		if err := rows.Scan(&at, &e.Kind, &e.Cause, &e.Text); err != nil {
			return nil, err
		}
		e.Time = fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// nullJSON is a diagnosis as a query argument: nil stores NULL.
func nullJSON(doc json.RawMessage) any {
	if len(doc) == 0 {
		return nil
	}
	return []byte(doc)
}
