package logscan

// freeList keeps up to its capacity of values that were used, for reuse.
// Unlike a sync.Pool, which a garbage collection empties, it keeps them
// for the whole scan: a buffer taken again has its pages in memory, where
// a new one is faulted in page by page.
type freeList[T any] struct {
	c chan T
}

func newFreeList[T any](n int) freeList[T] {
	return freeList[T]{c: make(chan T, n)}
}

// get returns a kept value; ok is false when none is kept.
func (f freeList[T]) get() (v T, ok bool) {
	select {
	case v = <-f.c:
		return v, true
	default:
		return v, false
	}
}

// put keeps v, unless the list is full.
func (f freeList[T]) put(v T) {
	select {
	case f.c <- v:
	default:
	}
}
