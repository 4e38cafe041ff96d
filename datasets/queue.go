package datasets

// queued is an item of a timeQueue: before orders two items by time and
// then by a sequence number that makes the order total, so the heap's
// shape never decides what comes first and a seed always gives the same
// bytes.
type queued[T any] interface {
	*T
	before(*T) bool
}

// timeQueue is a binary min-heap of timed items: the scheduler's
// processes, a burst's pending replies, a TCP connection's segments.
type timeQueue[T any, P queued[T]] []T

func (q *timeQueue[T, P]) push(x T) {
	h := append(*q, x)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !P(&h[i]).before(&h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	*q = h
}

// pop removes and returns the earliest item; the queue must not be empty.
func (q *timeQueue[T, P]) pop() T {
	h := *q
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	var zero T
	h[n] = zero // drop references for the collector
	h = h[:n]
	for i := 0; ; {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && P(&h[r]).before(&h[l]) {
			m = r
		}
		if !P(&h[m]).before(&h[i]) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}
