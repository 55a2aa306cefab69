package logscan

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestCappedAgrees counts more keys than a capped names, with keys that
// repeat, keys that share their first and last eight bytes and length,
// and new keys after it is full, and checks each count against a map
// that counts the first maxKeys keys met by name and the rest together.
func TestCappedAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := []string{"10.0.0.11:8080", "10.0.0.12:8080", "unix:/run/php/php8.2-fpm.sock", "backend", "/search", "/a", ""}
	for i := range 3 * maxKeys {
		switch i % 3 {
		case 0:
			keys = append(keys, fmt.Sprintf("/api/v1/users/%05d/profile", r.IntN(2*maxKeys)))
		case 1:
			keys = append(keys, fmt.Sprintf("/category/%d", r.IntN(3*maxKeys)))
		default:
			keys = append(keys, keys[r.IntN(len(keys))])
		}
	}
	var c capped
	c.m = map[string]*keyCount{}
	want := map[string]int64{}
	var other int64
	for i, k := range keys {
		c.add(k, i%nCauses)
		if k == "" {
			continue
		}
		if _, ok := want[k]; ok || len(want) < maxKeys {
			want[k]++
		} else {
			other++
		}
	}
	if len(c.m) != len(want) || c.other.total != other {
		t.Fatalf("%d keys and %d others, want %d and %d", len(c.m), c.other.total, len(want), other)
	}
	for k, n := range want {
		if got := c.m[k]; got == nil || got.total != n || got.key != k {
			t.Errorf("%q: %+v, want %d", k, got, n)
		}
	}
	if other == 0 {
		t.Error("no key was counted with the others")
	}
}
