package extract

import (
	"cmp"
	"slices"
)

// stream is what a TCP application parser takes: in-order bytes of one
// direction and notice of bytes that will never arrive.
type stream interface {
	Data(toServer bool, b []byte, ts int64)
	Gap(toServer bool, n int)
}

// Bounds of one direction's out-of-order buffer: past them the missing
// bytes are declared a gap and the parser moves on.
const (
	maxPendingSegments = 64
	maxPendingBytes    = 256 << 10
)

// segment is buffered out-of-order data.
type segment struct {
	seq  uint64
	data []byte
	ts   int64
}

// reassembler turns one direction's TCP segments into an in-order byte
// stream: retransmitted and overlapping bytes are delivered once, data
// that arrives early waits (bounded) for what precedes it.
type reassembler struct {
	started bool
	next    uint64 // relative sequence number of the next byte to deliver
	pending []segment
	bytes   int
	skipped int64 // bytes declared missing
}

// add takes a segment starting at relative sequence seq.
func (r *reassembler) add(seq uint64, data []byte, ts int64, toServer bool, out stream) {
	if len(data) == 0 {
		return
	}
	if !r.started {
		r.started = true
		r.next = seq
	}
	end := seq + uint64(len(data))
	if end <= r.next {
		return // already delivered: a retransmission
	}
	if seq <= r.next {
		out.Data(toServer, data[r.next-seq:], ts)
		r.next = end
		r.drain(toServer, out)
		return
	}
	r.pending = append(r.pending, segment{seq: seq, data: append([]byte(nil), data...), ts: ts})
	r.bytes += len(data)
	if len(r.pending) > maxPendingSegments || r.bytes > maxPendingBytes {
		r.skipToPending(toServer, out)
	}
}

// drain delivers buffered segments that now follow the delivered data.
func (r *reassembler) drain(toServer bool, out stream) {
	for len(r.pending) > 0 {
		i := slices.IndexFunc(r.pending, func(s segment) bool { return s.seq <= r.next })
		if i < 0 {
			return
		}
		s := r.pending[i]
		r.pending = slices.Delete(r.pending, i, i+1)
		r.bytes -= len(s.data)
		if end := s.seq + uint64(len(s.data)); end > r.next {
			out.Data(toServer, s.data[r.next-s.seq:], s.ts)
			r.next = end
		}
	}
}

// skipToPending declares the hole before the earliest buffered segment a
// gap and delivers what follows it.
func (r *reassembler) skipToPending(toServer bool, out stream) {
	if len(r.pending) == 0 {
		return
	}
	s := slices.MinFunc(r.pending, func(a, b segment) int { return cmp.Compare(a.seq, b.seq) })
	if gap := s.seq - r.next; gap > 0 {
		out.Gap(toServer, int(min(gap, 1<<30)))
		r.skipped += int64(gap)
		r.next = s.seq
	}
	r.drain(toServer, out)
}

// flush delivers everything still buffered, declaring the holes.
func (r *reassembler) flush(toServer bool, out stream) {
	for len(r.pending) > 0 {
		r.skipToPending(toServer, out)
	}
}
