package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// Maintenance keeps the maintenance windows that mute alerts. Its methods
// are called from many requests at once.
type Maintenance interface {
	// AddWindow stores w, mutes the alerts it covers from now on, and
	// returns it with its ID.
	AddWindow(ctx context.Context, w Window) (Window, error)
	// DeleteWindow removes the window of id and ends its muting;
	// ErrNotFound when there is none.
	DeleteWindow(ctx context.Context, id string) error
	// Windows lists the windows that have not ended at now, by start.
	Windows(ctx context.Context, now time.Time) ([]Window, error)
}

// Window is a maintenance window: the alerts of the targets and groups it
// names (of every target when it names none) are muted from Start until End.
type Window struct {
	ID         string
	Start, End time.Time
	// Targets are target IDs; Groups group names.
	Targets, Groups []string
	// Reason says why, for the people who read the list.
	Reason string
}

// MaintenanceDoc is a maintenance window in the API. POST takes Start
// (RFC 3339, default now) and either End (RFC 3339) or Duration (a Go
// duration such as "90m"), the targets (IDs or names) and groups it
// covers, none for all, and a reason; it answers with the window stored,
// its ID set and End computed.
type MaintenanceDoc struct {
	ID       string   `json:"id,omitempty"`
	Start    string   `json:"start"`
	End      string   `json:"end"`
	Duration string   `json:"duration,omitempty"`
	Targets  []string `json:"targets"`
	Groups   []string `json:"groups"`
	Reason   string   `json:"reason,omitempty"`
}

// maxReason bounds a window's reason, in bytes.
const maxReason = 500

func windowDoc(w Window) MaintenanceDoc {
	return MaintenanceDoc{ID: w.ID, Start: rfc3339(w.Start), End: rfc3339(w.End),
		Targets: nonNil(w.Targets), Groups: nonNil(w.Groups), Reason: w.Reason}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// apiMaintenanceList lists the windows that have not ended.
func (s *Server) apiMaintenanceList(w http.ResponseWriter, r *http.Request) {
	if s.o.Maintenance == nil {
		s.apiError(w, http.StatusNotImplemented, "maintenance windows are not available")
		return
	}
	ctx, cancel := s.storeCtx(r)
	defer cancel()
	ws, err := s.o.Maintenance.Windows(ctx, s.o.Now())
	if err != nil {
		s.storeFailed(w, r, true, err)
		return
	}
	out := struct {
		Windows []MaintenanceDoc `json:"windows"`
	}{Windows: make([]MaintenanceDoc, 0, len(ws))}
	for _, win := range ws {
		out.Windows = append(out.Windows, windowDoc(win))
	}
	s.writeJSON(w, http.StatusOK, out)
}

// apiMaintenance adds a maintenance window.
func (s *Server) apiMaintenance(w http.ResponseWriter, r *http.Request) {
	if s.o.Maintenance == nil {
		s.apiError(w, http.StatusNotImplemented, "maintenance windows are not available")
		return
	}
	win, err := s.readWindow(w, r)
	if err != nil {
		s.apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, cancel := s.storeCtx(r)
	defer cancel()
	if err := s.knownNames(ctx, &win); err != nil {
		if errors.Is(err, ErrNotFound) {
			s.apiError(w, http.StatusNotFound, err.Error())
			return
		}
		s.storeFailed(w, r, true, err)
		return
	}
	if win, err = s.o.Maintenance.AddWindow(ctx, win); err != nil {
		s.storeFailed(w, r, true, err)
		return
	}
	w.Header().Set("Location", "/api/v1/maintenance/"+win.ID)
	s.writeJSON(w, http.StatusCreated, windowDoc(win))
}

// apiMaintenanceDelete removes a maintenance window.
func (s *Server) apiMaintenanceDelete(w http.ResponseWriter, r *http.Request) {
	if s.o.Maintenance == nil {
		s.apiError(w, http.StatusNotImplemented, "maintenance windows are not available")
		return
	}
	ctx, cancel := s.storeCtx(r)
	defer cancel()
	id := r.PathValue("id")
	if err := s.o.Maintenance.DeleteWindow(ctx, id); err != nil {
		if errors.Is(err, ErrNotFound) {
			s.apiError(w, http.StatusNotFound, fmt.Sprintf("no maintenance window %q", id))
			return
		}
		s.storeFailed(w, r, true, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// readWindow reads and checks the body of POST /api/v1/maintenance.
func (s *Server) readWindow(w http.ResponseWriter, r *http.Request) (Window, error) {
	var doc MaintenanceDoc
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return Window{}, fmt.Errorf("reading the window: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Window{}, errors.New("reading the window: want one JSON object and nothing after it")
	}
	now := s.o.Now()
	win := Window{Start: now, Targets: doc.Targets, Groups: doc.Groups, Reason: doc.Reason}
	var err error
	if doc.Start != "" {
		if win.Start, err = time.Parse(time.RFC3339, doc.Start); err != nil {
			return win, errors.New("start: want an RFC 3339 time such as 2026-03-10T22:00:00Z")
		}
	}
	if win.End, err = windowEnd(win.Start, doc); err != nil {
		return win, err
	}
	switch {
	case !win.End.After(win.Start):
		return win, errors.New("end: want a time after start")
	case !win.End.After(now):
		return win, errors.New("end: the window would be over already")
	case len(doc.Reason) > maxReason:
		return win, fmt.Errorf("reason: want at most %d bytes", maxReason)
	case slices.Contains(doc.Targets, "") || slices.Contains(doc.Groups, ""):
		return win, errors.New("targets, groups: want names, not empty strings")
	}
	return win, nil
}

// windowEnd is the end a window's document gives: its End, or its Start
// plus its Duration; exactly one of the two.
func windowEnd(start time.Time, doc MaintenanceDoc) (time.Time, error) {
	switch {
	case doc.End != "" && doc.Duration != "":
		return time.Time{}, errors.New("end, duration: give one of them, not both")
	case doc.End != "":
		end, err := time.Parse(time.RFC3339, doc.End)
		if err != nil {
			return end, errors.New("end: want an RFC 3339 time such as 2026-03-10T23:00:00Z")
		}
		return end, nil
	case doc.Duration != "":
		d, err := time.ParseDuration(doc.Duration)
		if err != nil || d <= 0 {
			return time.Time{}, errors.New("duration: want a positive duration such as 90m or 2h")
		}
		return start.Add(d), nil
	}
	return time.Time{}, errors.New("end, duration: give one of them")
}

// knownNames checks that the window names known targets (by ID or name,
// kept as IDs) and groups; an unknown one is ErrNotFound.
func (s *Server) knownNames(ctx context.Context, win *Window) error {
	if len(win.Targets) == 0 && len(win.Groups) == 0 {
		return nil
	}
	ts, err := s.o.Store.Targets(ctx)
	if err != nil {
		return fmt.Errorf("listing targets: %w", err)
	}
	ids, groups := map[string]string{}, map[string]bool{}
	for _, t := range ts {
		ids[t.ID], groups[t.Group] = t.ID, true
		if t.Name != "" {
			if _, taken := ids[t.Name]; !taken {
				ids[t.Name] = t.ID
			}
		}
	}
	for i, name := range win.Targets {
		id, ok := ids[name]
		if !ok {
			return fmt.Errorf("unknown target %q: %w", name, ErrNotFound)
		}
		win.Targets[i] = id
	}
	for _, g := range win.Groups {
		if !groups[g] {
			return fmt.Errorf("unknown group %q: %w", g, ErrNotFound)
		}
	}
	return nil
}
