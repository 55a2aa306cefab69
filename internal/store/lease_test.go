package store

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

func testLeases(t *testing.T, dsn string) {
	s := openStore(t, dsn, Options{})
	var ids []int64
	for i := range 5 {
		ids = append(ids, addTarget(t, s, fmt.Sprintf("t%d.example", i)).ID)
	}
	pick := func(is ...int) []int64 {
		var out []int64
		for _, i := range is {
			out = append(out, ids[i])
		}
		return out
	}
	ctx := t.Context()
	for _, st := range leaseSteps(pick) {
		var got []int64
		var err error
		switch st.op {
		case "lease":
			got, err = s.Lease(ctx, st.holder, st.targets, st.ttl)
		case "renew":
			got, err = s.Renew(ctx, st.holder, st.ttl)
		case "release":
			err = s.Release(ctx, st.holder, st.targets...)
		case "wait":
			time.Sleep(st.ttl)
		}
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		slices.Sort(got)
		if !reflect.DeepEqual(got, st.want) {
			t.Errorf("%s: got %v, want %v", st.name, got, st.want)
		}
	}
	if _, err := s.Lease(ctx, "", ids, time.Hour); !errors.Is(err, ErrInvalid) {
		t.Errorf("Lease without holder: got %v, want ErrInvalid", err)
	}
	if _, err := s.Renew(ctx, "a", 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("Renew without ttl: got %v, want ErrInvalid", err)
	}
}

// leaseStep is one step of testLeases.
type leaseStep struct {
	name    string
	op      string // lease, renew, release, wait
	holder  string
	targets []int64
	ttl     time.Duration
	want    []int64
}

// leaseSteps run in order, each on the state the ones before left; pick
// gives the IDs of the five targets by index.
func leaseSteps(pick func(...int) []int64) []leaseStep {
	const (
		long  = time.Hour
		short = 50 * time.Millisecond
	)
	return []leaseStep{
		{"a takes free targets", "lease", "a", pick(0, 1), long, pick(0, 1)},
		{"b gets only what a does not hold", "lease", "b", pick(0, 1, 2), long, pick(2)},
		{"a extends its own", "lease", "a", pick(0), long, pick(0)},
		{"a holds 3 briefly", "lease", "a", pick(3), short, pick(3)},
		{"b cannot take 3 while live", "lease", "b", pick(3), long, nil},
		{"3 expires", "wait", "", nil, 4 * short, nil},
		{"b takes 3 over", "lease", "b", pick(3), long, pick(3)},
		{"a renews what it still holds", "renew", "a", nil, long, pick(0, 1)},
		{"b releases 2", "release", "b", pick(2), 0, nil},
		{"a takes 2 at once", "lease", "a", pick(2, 4), long, pick(2, 4)},
		{"b renews", "renew", "b", nil, long, pick(3)},
		{"a releases all", "release", "a", nil, 0, nil},
		{"a renews nothing", "renew", "a", nil, long, nil},
		{"b takes everything", "lease", "b", pick(0, 1, 2, 3, 4), long, pick(0, 1, 2, 3, 4)},
	}
}

// testLeaseRace has three replicas, each with a store of its own, ask for
// the same targets at once: each target goes to exactly one of them.
func testLeaseRace(t *testing.T, dsn string) {
	setup := openStore(t, dsn, Options{})
	var ids []int64
	for i := range 40 {
		ids = append(ids, addTarget(t, setup, fmt.Sprintf("t%d.example", i)).ID)
	}
	const replicas = 3
	got := make([][]int64, replicas)
	errs := make([]error, replicas)
	stores := make([]*Store, replicas)
	for i := range stores {
		stores[i] = openStore(t, dsn, Options{})
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range replicas {
		wg.Go(func() {
			<-start
			// Each asks in its own order, so that they collide midway.
			order := slices.Clone(ids)
			if i%2 == 1 {
				slices.Reverse(order)
			}
			got[i], errs[i] = stores[i].Lease(t.Context(), fmt.Sprintf("replica-%d", i), order, time.Hour)
		})
	}
	close(start)
	wg.Wait()
	owner := map[int64]int{}
	for i := range replicas {
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
		for _, id := range got[i] {
			if o, taken := owner[id]; taken {
				t.Errorf("target %d leased to replicas %d and %d", id, o, i)
			}
			owner[id] = i
		}
	}
	if len(owner) != len(ids) {
		t.Errorf("%d of %d targets leased", len(owner), len(ids))
	}
}

// testPresent counts the live replicas: each one that noted itself until
// its presence expires or it leaves.
func testPresent(t *testing.T, dsn string) {
	s := openStore(t, dsn, Options{})
	ctx := t.Context()
	steps := []struct {
		name   string
		holder string
		ttl    time.Duration
		leave  bool
		want   int
	}{
		{"a alone", "a", time.Hour, false, 1},
		{"b beside a", "b", 50 * time.Millisecond, false, 2},
		{"a again", "a", time.Hour, false, 2},
		{"c while b expires", "c", time.Hour, false, 2},
		{"c leaves", "c", 0, true, 1},
	}
	for _, st := range steps {
		if st.name == "c while b expires" {
			time.Sleep(200 * time.Millisecond)
		}
		if st.leave {
			if err := s.Release(ctx, st.holder); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			st.holder, st.ttl = "a", time.Hour
		}
		got, err := s.Present(ctx, st.holder, st.ttl)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got != st.want {
			t.Errorf("%s: %d live replicas, want %d", st.name, got, st.want)
		}
	}
	if _, err := s.Present(ctx, "", time.Hour); !errors.Is(err, ErrInvalid) {
		t.Errorf("Present without holder: got %v, want ErrInvalid", err)
	}
}
