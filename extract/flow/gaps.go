package flow

// seqRange is a half-open range of relative sequence numbers.
type seqRange struct{ lo, hi uint64 }

// holeSet remembers a few ranges of data seen beyond the contiguous point,
// so that data arriving out of order is not mistaken for a gap. It holds
// ranges only, never bytes.
type holeSet struct {
	r [4]seqRange
	n uint8
}

func (h *holeSet) add(lo, hi uint64) {
	for i := range int(h.n) {
		x := &h.r[i]
		if lo <= x.hi && hi >= x.lo { // overlaps or touches: merge
			x.lo, x.hi = min(x.lo, lo), max(x.hi, hi)
			return
		}
	}
	if int(h.n) < len(h.r) {
		h.r[h.n] = seqRange{lo, hi}
		h.n++
		return
	}
	// Full: widen the range nearest to the new one. Overstating what was
	// seen can only under-count gaps, never invent them.
	best, dist := 0, ^uint64(0)
	for i := range h.r {
		d := h.r[i].lo - min(h.r[i].lo, hi) + lo - min(lo, h.r[i].hi)
		if d < dist {
			best, dist = i, d
		}
	}
	h.r[best].lo, h.r[best].hi = min(h.r[best].lo, lo), max(h.r[best].hi, hi)
}

// absorb advances contig over ranges that now touch it and drops ranges
// below it.
func (h *holeSet) absorb(contig uint64) uint64 {
	for changed := true; changed; {
		changed = false
		for i := 0; i < int(h.n); i++ {
			x := h.r[i]
			if x.lo <= contig {
				contig = max(contig, x.hi)
				h.r[i] = h.r[h.n-1]
				h.n--
				i--
				changed = true
			}
		}
	}
	return contig
}

// covered returns how many bytes of [lo, hi) the ranges hold.
func (h *holeSet) covered(lo, hi uint64) uint64 {
	var n uint64
	for i := range int(h.n) {
		a, b := max(h.r[i].lo, lo), min(h.r[i].hi, hi)
		if b > a {
			n += b - a
		}
	}
	return n
}

// dataSent records payload [seq, seq+n) of this endpoint.
func (e *Endpoint) dataSent(seq uint64, n int) {
	if n <= 0 {
		return
	}
	if e.contig == 0 {
		e.contig = 1 // the first data byte is relative sequence 1 (Zeek)
	}
	end := seq + uint64(n)
	if seq <= e.contig {
		if end > e.contig {
			e.contig = e.holes.absorb(end)
		}
		return
	}
	e.holes.add(seq, end)
}

// ackReceived accounts for an acknowledgement of this endpoint's data up
// to seq (exclusive), like Zeek's TCP_Reassembler::AckReceived: data the
// peer acknowledged that was never seen is a content gap. It returns the
// number of missing bytes.
func (e *Endpoint) ackReceived(seq uint64) uint64 {
	if e.finCnt > 0 && seq >= e.finSeq {
		seq = e.finSeq - 1
	}
	if e.contig == 0 {
		e.contig = 1
	}
	if seq <= e.ackedTo || seq <= e.contig {
		e.ackedTo = max(e.ackedTo, seq)
		return 0
	}
	missing := seq - e.contig - e.holes.covered(e.contig, seq)
	e.contig = e.holes.absorb(seq)
	e.ackedTo = seq
	return missing
}
