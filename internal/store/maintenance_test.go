package store

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func testMaintenance(t *testing.T, dsn string) {
	s := openStore(t, dsn, Options{})
	ctx := t.Context()
	windows := []Maintenance{
		{Start: base, End: base.Add(time.Hour), Targets: []string{"shop"}, Reason: "deploy", Created: base},
		{Start: base.Add(-time.Hour), End: base.Add(-time.Minute), Groups: []string{"api"}, Created: base},
		{Start: base.Add(time.Minute), End: base.Add(2 * time.Hour), Created: base},
	}
	for i := range windows {
		id, err := s.AddMaintenance(ctx, windows[i])
		if err != nil {
			t.Fatalf("AddMaintenance: %v", err)
		}
		windows[i].ID = id
		if windows[i].Targets == nil {
			windows[i].Targets = []string{}
		}
		if windows[i].Groups == nil {
			windows[i].Groups = []string{}
		}
	}
	got, err := s.MaintenanceAfter(ctx, base)
	if err != nil {
		t.Fatalf("MaintenanceAfter: %v", err)
	}
	if want := []Maintenance{windows[0], windows[2]}; !reflect.DeepEqual(got, want) {
		t.Errorf("MaintenanceAfter = %+v\nwant %+v", got, want)
	}
	if err := s.DeleteMaintenance(ctx, windows[0].ID); err != nil {
		t.Fatalf("DeleteMaintenance: %v", err)
	}
	if err := s.DeleteMaintenance(ctx, windows[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteMaintenance twice: got %v, want ErrNotFound", err)
	}
	got, err = s.MaintenanceAfter(ctx, base)
	if err != nil {
		t.Fatalf("MaintenanceAfter: %v", err)
	}
	if want := []Maintenance{windows[2]}; !reflect.DeepEqual(got, want) {
		t.Errorf("MaintenanceAfter after a delete = %+v\nwant %+v", got, want)
	}
	bad := []Maintenance{
		{Start: base, End: base},
		{Start: base, End: base.Add(-time.Second)},
		{End: base},
	}
	for _, m := range bad {
		if _, err := s.AddMaintenance(ctx, m); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddMaintenance(%v to %v): got %v, want ErrInvalid", m.Start, m.End, err)
		}
	}
}
