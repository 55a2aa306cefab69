package logscan

import (
	"strconv"
	"testing"
)

// TestMemo checks that a memo gives back what was put, for keys in their
// slots, in its map, and after its map started afresh.
func TestMemo(t *testing.T) {
	var c memo[int]
	if _, ok := c.get(nil); ok {
		t.Fatal("an empty memo found the empty key")
	}
	for i := range 3 * maxMemo {
		c.put(strconv.Itoa(i), i)
		for _, k := range []int{i, i / 2, max(i-nSlots, 0)} {
			v, ok := c.get([]byte(strconv.Itoa(k)))
			want := k/maxMemo == i/maxMemo // in the map since it started afresh
			if ok && v != k || want && !ok {
				t.Fatalf("after putting 0..%d: get(%d) = %d, %v", i, k, v, ok)
			}
		}
	}
}
