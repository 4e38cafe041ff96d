package sigma

// aho is an Aho-Corasick automaton over bytes, compiled to a complete
// transition table. Bytes that occur in no needle share one class, which
// keeps the table small: states x classes, not states x 256. Table entries
// hold the target state pre-multiplied by the class count (one multiply
// less per byte), bitwise-negated when the target recognises needles (one
// load less per byte for the common no-output case).
type aho struct {
	class  [256]int32
	nclass int
	delta  []int32
	out    [][]int32 // needle ids recognised on entering each state
}

func buildAho(needles []string) *aho {
	a := &aho{}
	used := [256]bool{}
	for _, n := range needles {
		for i := 0; i < len(n); i++ {
			used[n[i]] = true
		}
	}
	a.nclass = 1 // class 0: bytes in no needle
	for c := range 256 {
		if used[c] {
			a.class[c] = int32(a.nclass)
			a.nclass++
		}
	}
	// Needles are folded, so they hold no upper-case ASCII: giving upper-case
	// bytes the class of their lower-case letter folds ASCII text for free
	// (markASCII).
	for c := 'A'; c <= 'Z'; c++ {
		a.class[c] = a.class[c+'a'-'A']
	}
	nc := a.nclass
	var delta []int32
	newState := func() int32 {
		for range nc {
			delta = append(delta, -1)
		}
		a.out = append(a.out, nil)
		return int32(len(a.out) - 1)
	}
	newState()
	for id, n := range needles {
		if n == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(n); i++ {
			c := int(a.class[n[i]])
			next := delta[int(s)*nc+c]
			if next < 0 {
				next = newState()
				delta[int(s)*nc+c] = next
			}
			s = next
		}
		a.out[s] = append(a.out[s], int32(id))
	}
	fail := make([]int32, len(a.out))
	queue := make([]int32, 0, len(a.out))
	for c := range nc {
		t := delta[c]
		if t < 0 {
			delta[c] = 0
			continue
		}
		queue = append(queue, t)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := fail[s]
		if len(a.out[f]) > 0 {
			a.out[s] = append(a.out[s], a.out[f]...)
		}
		for c := range nc {
			t := delta[int(s)*nc+c]
			if t < 0 {
				delta[int(s)*nc+c] = delta[int(f)*nc+c]
				continue
			}
			fail[t] = delta[int(f)*nc+c]
			queue = append(queue, t)
		}
	}
	a.delta = make([]int32, len(delta))
	for i, t := range delta {
		x := t * int32(nc)
		if len(a.out[t]) > 0 {
			x = ^x
		}
		a.delta[i] = x
	}
	return a
}

func (a *aho) emit(st int32, row, rows int, hits []bitmap) {
	for _, id := range a.out[int(st)/a.nclass] {
		h := hits[id]
		if h == nil {
			h = newBitmap(rows)
			hits[id] = h
		}
		h.set(row)
	}
}

// markASCII is mark over s folded, for ASCII text: it reports false, having
// marked only hits inside the ASCII prefix, when s has other bytes, and the
// caller then marks the fully folded text.
func (a *aho) markASCII(s string, row, rows int, hits []bitmap) bool {
	st := int32(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return false
		}
		st = a.delta[st+a.class[c]]
		if st < 0 {
			st = ^st
			a.emit(st, row, rows, hits)
		}
	}
	return true
}

// mark records, for every needle found in s, that row contains it.
// Bitmaps are allocated on first hit so that needles never seen cost
// nothing.
func (a *aho) mark(s string, row, rows int, hits []bitmap) {
	st := int32(0)
	for i := 0; i < len(s); i++ {
		st = a.delta[st+a.class[s[i]]]
		if st < 0 {
			st = ^st
			a.emit(st, row, rows, hits)
		}
	}
}
