package decode

import (
	"encoding/binary"
	"math"
)

// Reassembler rebuilds fragmented IP datagrams, as Zeek does before
// connection analysis, so that a datagram counts as one packet of its flow
// and its transport header and payload can be read whole. Memory is
// bounded: at most MaxDatagrams datagrams and MaxBytes bytes are pending,
// and a datagram not completed within Timeout is given up.
//
// Unlike Zeek, a datagram that never completes is not lost when its first
// fragment arrived: that fragment carries the transport header, so the
// datagram is handed back incomplete (see [Datagram]) and still counts in
// its flow. Fragment floods that never complete, and captures whose later
// fragments were not recorded, stay visible that way.
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
	// Incomplete counts datagrams never completed but accounted from their
	// first fragment; their fragments are counted in Expired or Dropped.
	Incomplete int64 `json:"incomplete_datagrams"`
}

// Datagram is the reassembler's output: an IP packet to decode with
// [Decoder.DecodeIP]. A complete datagram has the whole payload. An
// incomplete one is its first fragment's header with the payload received
// contiguously from offset 0, its fragment fields cleared so that it
// decodes as an ordinary packet. Packet is valid until the next call to
// the reassembler.
type Datagram struct {
	Packet   []byte
	Frags    int   // fragments it took
	Wire     int   // their wire bytes
	TS       int64 // the last fragment's timestamp
	Complete bool
	// VLAN and Ref are the first fragment's (offset 0) and the
	// first-arriving fragment's, for incomplete datagrams.
	VLAN uint16
	Ref  FragRef
}

// FragRef is the caller's reference to a fragment's frame, handed back
// with an incomplete datagram so that it can be traced to the capture.
type FragRef struct {
	File            int
	Number, Ordinal int64
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
	last    int64
	vlan    uint16
	ref     FragRef
}

type span struct{ lo, hi int }

// NewReassembler returns a reassembler with Zeek-like bounds.
func NewReassembler() *Reassembler {
	return &Reassembler{MaxDatagrams: 4096, MaxBytes: 64 << 20, Timeout: 30e9, pending: map[fragKey]*datagram{}}
}

// Add takes one fragment of a packet decoded into p (h is p's IP header or
// one of its outer headers; h.Raw holds the IP packet). It returns a
// datagram and true when the fragment completes one, or when the memory
// bounds refuse a first fragment, which is then handed back incomplete.
// Call [Reassembler.Expire] before Add to collect timed-out datagrams.
func (r *Reassembler) Add(h *IPHeader, p *Packet, wireLen int, ts int64, ref FragRef) (Datagram, bool) {
	r.Stats.Fragments++
	// HdrLen covers IPv6 extension headers and the fragment header too;
	// of those only the fixed header is kept in the rebuilt packet.
	if h.HdrLen > len(h.Raw) || h.HdrLen < 20 || h.Version == 6 && h.HdrLen < 40 {
		r.Stats.Dropped++
		return Datagram{}, false
	}
	payload := h.Raw[h.HdrLen:]
	payload = payload[:min(len(payload), max(h.TotalLen-h.HdrLen, 0))]
	off := h.FragOffset
	end := off + len(payload)
	if end > 65535 || len(payload) == 0 && h.MoreFrags {
		r.Stats.Dropped++
		return Datagram{}, false
	}
	k := fragKey{src: h.Src, dst: h.Dst, id: h.ID, proto: h.Proto, version: h.Version}
	d := r.pending[k]
	if d == nil {
		if len(r.pending) >= r.MaxDatagrams || r.bytes+end > r.MaxBytes {
			r.Stats.Dropped++
			if off != 0 {
				return Datagram{}, false
			}
			r.Stats.Incomplete++
			pkt := r.build(h.Version, h.Proto, fixedHeader(h), payload)
			return Datagram{Packet: pkt, Frags: 1, Wire: wireLen, TS: ts, VLAN: p.VLAN, Ref: ref}, true
		}
		d = r.alloc()
		d.started, d.ref = ts, ref
		r.pending[k] = d
		r.order = append(r.order, k)
	}
	if off == 0 {
		d.hdr = append(d.hdr[:0], fixedHeader(h)...)
		d.vlan = p.VLAN
	}
	if end > len(d.data) {
		r.bytes += end - len(d.data)
		d.data = append(d.data, make([]byte, end-len(d.data))...)
	}
	copy(d.data[off:end], payload)
	d.have = append(d.have, span{off, end})
	d.frags++
	d.wire += wireLen
	d.last = max(d.last, ts)
	if !h.MoreFrags {
		d.total = end
	}
	if d.total < 0 || len(d.hdr) == 0 || reach(d.have) < d.total {
		return Datagram{}, false
	}
	dg := Datagram{
		Packet: r.build(h.Version, h.Proto, d.hdr, d.data[:d.total]),
		Frags:  d.frags, Wire: d.wire, TS: d.last, Complete: true,
	}
	r.Stats.Datagrams++
	r.release(k, d)
	return dg, true
}

// fixedHeader is the part of a fragment's header a rebuilt packet keeps:
// IPv4's whole header with options, IPv6's fixed header.
func fixedHeader(h *IPHeader) []byte {
	if h.Version == 4 {
		return h.Raw[:h.HdrLen]
	}
	return h.Raw[:40]
}

// build writes one unfragmented IP packet into r.out: the header with its
// length fixed and fragment fields cleared (IPv4 keeps DF; IPv6 names the
// protocol after the dropped extension headers), then the payload.
func (r *Reassembler) build(version, proto uint8, hdr, payload []byte) []byte {
	r.out = append(append(r.out[:0], hdr...), payload...)
	if version == 4 {
		binary.BigEndian.PutUint16(r.out[2:], uint16(len(r.out)))
		r.out[6], r.out[7] = r.out[6]&0x40, 0
	} else {
		binary.BigEndian.PutUint16(r.out[4:], uint16(len(payload)))
		r.out[6] = proto
	}
	return r.out
}

// reach returns how far the spans cover the payload contiguously from 0.
func reach(have []span) int {
	n := 0
	for progressed := true; progressed; {
		progressed = false
		for _, s := range have {
			if s.lo <= n && s.hi > n {
				n = s.hi
				progressed = true
			}
		}
	}
	return n
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
	d.total, d.frags, d.wire, d.last, d.vlan, d.ref = -1, 0, 0, 0, 0, FragRef{}
	r.free = append(r.free, d)
}

// Expire gives up the oldest datagram pending longer than the timeout at
// now, if any; call it until it reports false. A datagram whose first
// fragment arrived is returned incomplete (ok true, and dg.Packet set);
// others are only counted in Stats.Expired (ok true, dg.Packet nil).
// ExpireAll gives up every pending datagram at the end of the input.
func (r *Reassembler) Expire(now int64) (dg Datagram, ok bool) {
	for len(r.order) > 0 {
		k := r.order[0]
		d, live := r.pending[k]
		if live && d.started+r.Timeout > now {
			return Datagram{}, false
		}
		r.order = r.order[1:]
		if !live {
			continue // completed earlier
		}
		r.Stats.Expired += int64(d.frags)
		if len(d.hdr) > 0 {
			r.Stats.Incomplete++
			dg = Datagram{
				Packet: r.build(k.version, k.proto, d.hdr, d.data[:reach(d.have)]),
				Frags:  d.frags, Wire: d.wire, TS: d.last, VLAN: d.vlan, Ref: d.ref,
			}
		}
		r.release(k, d)
		return dg, true
	}
	return Datagram{}, false
}

// ExpireAll is Expire at the end of the input: every datagram still
// pending is given up.
func (r *Reassembler) ExpireAll() (Datagram, bool) { return r.Expire(math.MaxInt64) }

// Pending returns how many fragments wait in incomplete datagrams.
func (r *Reassembler) Pending() int64 {
	var n int64
	for _, d := range r.pending {
		n += int64(d.frags)
	}
	return n
}

// DecodeIP decodes a reassembled IP packet into p, keeping the link-layer
// fields p holds.
func (d *Decoder) DecodeIP(data []byte, p *Packet) Result {
	p.NumOuter = 0
	return d.rawIP(data, p)
}
