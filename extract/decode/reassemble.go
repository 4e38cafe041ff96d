package decode

import "encoding/binary"

// Reassembler rebuilds fragmented IP datagrams, as Zeek does before
// connection analysis, so that a datagram counts as one packet of its flow
// and its transport header and payload can be read whole. Memory is
// bounded: at most MaxDatagrams datagrams and MaxBytes bytes are pending,
// and a datagram not completed within Timeout is dropped.
type Reassembler struct {
	MaxDatagrams int
	MaxBytes     int
	Timeout      int64 // nanoseconds

	pending map[fragKey]*datagram
	order   []fragKey
	bytes   int
	free    []*datagram
	out     []byte
	Stats   ReassemblyStats
}

// ReassemblyStats counts what the reassembler did.
type ReassemblyStats struct {
	Datagrams int64 `json:"reassembled_datagrams"`
	Fragments int64 `json:"fragments"`
	Expired   int64 `json:"expired_fragments"` // fragments of datagrams never completed
	Dropped   int64 `json:"dropped_fragments"` // fragments refused by the memory bounds or malformed
}

type fragKey struct {
	src, dst Addr
	id       uint32
	proto    uint8
	version  uint8
}

type datagram struct {
	hdr     []byte // IP header of the offset-0 fragment (IPv4 options kept; IPv6 fixed header)
	data    []byte // payload bytes by offset
	have    []span // received payload ranges, unsorted
	total   int    // payload length, -1 until the last fragment arrived
	frags   int
	wire    int
	started int64
}

type span struct{ lo, hi int }

// NewReassembler returns a reassembler with Zeek-like bounds.
func NewReassembler() *Reassembler {
	return &Reassembler{MaxDatagrams: 4096, MaxBytes: 64 << 20, Timeout: 30e9, pending: map[fragKey]*datagram{}}
}

// Add takes one fragment (h.Fragment set; h.Raw holds the IP packet). When
// it completes a datagram, Add returns the reassembled IP packet, how many
// fragments and wire bytes it took, and ok. The returned slice is valid
// until the next call.
func (r *Reassembler) Add(h *IPHeader, wireLen int, ts int64) (pkt []byte, frags, wire int, ok bool) {
	r.Stats.Fragments++
	r.expire(ts)
	// HdrLen covers IPv6 extension headers and the fragment header too;
	// of those only the fixed header is kept in the rebuilt packet.
	if h.HdrLen > len(h.Raw) || h.HdrLen < 20 {
		r.Stats.Dropped++
		return nil, 0, 0, false
	}
	payload := h.Raw[h.HdrLen:]
	payload = payload[:min(len(payload), max(h.TotalLen-h.HdrLen, 0))]
	off := h.FragOffset
	end := off + len(payload)
	if end > 65535 || len(payload) == 0 && h.MoreFrags {
		r.Stats.Dropped++
		return nil, 0, 0, false
	}
	k := fragKey{src: h.Src, dst: h.Dst, id: h.ID, proto: h.Proto, version: h.Version}
	d := r.pending[k]
	if d == nil {
		if len(r.pending) >= r.MaxDatagrams || r.bytes+end > r.MaxBytes {
			r.Stats.Dropped++
			return nil, 0, 0, false
		}
		d = r.alloc()
		d.started = ts
		r.pending[k] = d
		r.order = append(r.order, k)
	}
	if off == 0 {
		if h.Version == 4 {
			d.hdr = append(d.hdr[:0], h.Raw[:h.HdrLen]...)
		} else {
			d.hdr = append(d.hdr[:0], h.Raw[:40]...)
			d.hdr[6] = h.Proto // the header after the fragment header
		}
	}
	if end > len(d.data) {
		r.bytes += end - len(d.data)
		d.data = append(d.data, make([]byte, end-len(d.data))...)
	}
	copy(d.data[off:end], payload)
	d.have = append(d.have, span{off, end})
	d.frags++
	d.wire += wireLen
	if !h.MoreFrags {
		d.total = end
	}
	if d.total < 0 || len(d.hdr) == 0 || !covered(d.have, d.total) {
		return nil, 0, 0, false
	}
	// Complete: build one IP packet with the whole payload.
	r.out = append(r.out[:0], d.hdr...)
	r.out = append(r.out, d.data[:d.total]...)
	if h.Version == 4 {
		binary.BigEndian.PutUint16(r.out[2:], uint16(len(r.out)))
		r.out[6], r.out[7] = r.out[6]&0x40, 0 // clear MF and the offset, keep DF
	} else {
		binary.BigEndian.PutUint16(r.out[4:], uint16(d.total))
	}
	frags, wire = d.frags, d.wire
	r.Stats.Datagrams++
	r.release(k, d)
	return r.out, frags, wire, true
}

// covered reports whether the spans cover [0, total).
func covered(have []span, total int) bool {
	reach := 0
	for progressed := true; progressed && reach < total; {
		progressed = false
		for _, s := range have {
			if s.lo <= reach && s.hi > reach {
				reach = s.hi
				progressed = true
			}
		}
	}
	return reach >= total
}

func (r *Reassembler) alloc() *datagram {
	if n := len(r.free); n > 0 {
		d := r.free[n-1]
		r.free = r.free[:n-1]
		return d
	}
	return &datagram{total: -1}
}

func (r *Reassembler) release(k fragKey, d *datagram) {
	delete(r.pending, k)
	r.bytes -= len(d.data)
	d.hdr, d.data, d.have = d.hdr[:0], d.data[:0], d.have[:0]
	d.total, d.frags, d.wire = -1, 0, 0
	r.free = append(r.free, d)
}

// expire drops datagrams older than the timeout.
func (r *Reassembler) expire(now int64) {
	for len(r.order) > 0 {
		k := r.order[0]
		d, ok := r.pending[k]
		if ok && d.started+r.Timeout > now {
			return
		}
		if ok {
			r.Stats.Expired += int64(d.frags)
			r.release(k, d)
		}
		r.order = r.order[1:]
	}
}

// Pending returns how many fragments wait in incomplete datagrams.
func (r *Reassembler) Pending() int64 {
	var n int64
	for _, d := range r.pending {
		n += int64(d.frags)
	}
	return n
}

// DecodeIP decodes a reassembled IP packet into p, keeping the link-layer
// fields of the frame that completed it.
func (d *Decoder) DecodeIP(data []byte, p *Packet) Result {
	p.NumOuter = 0
	return d.rawIP(data, p)
}
