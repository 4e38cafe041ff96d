package flow

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"

	"flowsift/extract/decode"
)

// EndReason says why a flow record ended.
type EndReason uint8

// End reasons, as written to the end_reason column.
const (
	EndFIN EndReason = iota + 1
	EndRST
	EndAttempt
	EndIdle
	EndActive
	EndEvicted
	EndReuse
	EndOfInput
)

var endNames = [...]string{"", "fin", "rst", "attempt_timeout", "idle_timeout", "active_timeout", "evicted", "reuse", "end_of_input"}

func (r EndReason) String() string {
	if int(r) < len(endNames) {
		return endNames[r]
	}
	return "unknown"
}

// Timeout classes: each list holds flows whose deadline is their entry
// time plus one fixed duration, so every list is ordered by deadline.
const (
	classNone uint8 = iota
	classIdle
	classIdleUDP
	classIdleICMP
	classIdleDNS
	classAttempt
	classClosing
	classPartial
	numClasses
)

type list struct{ head, tail int32 }

const nilIdx = -1
const chunkBits = 10

// Stats counts what the table did, for the capture manifest.
type Stats struct {
	Flows        int64 `json:"flows"`
	Segments     int64 `json:"active_timeout_segments"`
	Evicted      int64 `json:"evicted"`
	Reused       int64 `json:"reused"`
	Peak         int64 `json:"peak_concurrent"`
	TunnelledPkt int64 `json:"tunnelled_packets"`
	Duplicates   int64 `json:"duplicate_packets"`
	MissedBytes  int64 `json:"missed_bytes"`
}

// PacketInfo describes, for the extract stage's protocol parsers, the
// packet the table just processed.
type PacketInfo struct {
	Flow     *Flow
	FromOrig bool
	// RelSeq is the relative TCP sequence number of the first payload byte
	// (Zeek's rel_data_seq); Underflow marks data before the start.
	RelSeq    uint64
	Underflow bool
	New       bool  // the packet created the flow
	Side      uint8 // key side of the sender (stable across role flips)
}

// Table holds the live flows.
type Table struct {
	cfg    Config
	emit   func(*Flow, EndReason)
	chunks [][]Flow
	free   []int32
	index  map[Key]int32
	lists  [numClasses]list
	age    list
	live   int
	last   int32 // the flow the previous packet went to (nilIdx: none)
	header int   // the header being accounted: 0 the packet's own, i+1 its i-th tunnel header
	clock  int64
	stats  Stats
	seed   maphash.Seed

	idle, idleUDP, idleICMP, idleDNS, active, attempt, grace, partial, activity int64
}

// NewTable returns an empty table that hands every finished flow to emit.
// The flow passed to emit is reused after emit returns.
func NewTable(cfg Config, emit func(*Flow, EndReason)) (*Table, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	t := &Table{
		cfg:      cfg,
		emit:     emit,
		index:    make(map[Key]int32, 1024),
		seed:     maphash.MakeSeed(),
		idle:     int64(cfg.IdleTimeout),
		idleUDP:  int64(cmp.Or(cfg.UDPIdleTimeout, cfg.IdleTimeout)),
		idleICMP: int64(cmp.Or(cfg.ICMPIdleTimeout, cfg.IdleTimeout)),
		idleDNS:  int64(cmp.Or(cfg.DNSIdleTimeout, cfg.UDPIdleTimeout, cfg.IdleTimeout)),
		active:   int64(cfg.ActiveTimeout),
		attempt:  int64(cfg.AttemptTimeout),
		grace:    int64(cfg.CloseGrace),
		partial:  int64(cfg.PartialCloseTimeout),
		activity: int64(cfg.ActivityTimeout),
	}
	for i := range t.lists {
		t.lists[i] = list{nilIdx, nilIdx}
	}
	t.age = list{nilIdx, nilIdx}
	t.last = nilIdx
	return t, nil
}

// Stats returns the table's counters.
func (t *Table) Stats() Stats { return t.stats }

// Live returns the number of flows held.
func (t *Table) Live() int { return t.live }

func (t *Table) at(i int32) *Flow { return &t.chunks[i>>chunkBits][i&(1<<chunkBits-1)] }

// Meta carries what the table needs to know about a packet besides its
// headers.
type Meta struct {
	TS      int64
	WireLen int
	CapLen  int
	File    int
	PktNo   int64
	Ordinal int64
	// Frags is the number of IP fragments the packet was reassembled
	// from (0 for an unfragmented packet).
	Frags int
}

// Add processes one decoded packet (decode result OK or OtherTransport;
// fragments are reassembled before they reach the table). It returns the
// flow the packet was accounted to.
func (t *Table) Add(p *decode.Packet, m *Meta) PacketInfo {
	if t.last != nilIdx {
		// A parser may have called MarkDNS (or Flip) on the previous
		// packet's flow after Add returned, changing its timeout class:
		// file it under the new class, at the clock of that packet,
		// before anything expires.
		f := t.at(t.last)
		if class, _ := t.classOf(f); class != f.class {
			t.reschedule(f)
		}
		t.last = nilIdx
	}
	if m.TS > t.clock {
		t.clock = m.TS
	}
	t.expire()
	// The parent is named by value: creating the inner flow may evict
	// the parent and recycle its slot.
	parent := parentRef{ordinal: -1}
	if p.NumOuter > 0 {
		t.stats.TunnelledPkt++
	}
	for i := range p.NumOuter {
		if o := &p.Outer[i]; o.Proto == decode.ProtoUDP && o.HasL4 {
			t.header = i + 1
			pf := t.addHeader(o, nil, p, m, parentRef{ordinal: -1}).Flow
			parent = parentRef{pf.Ordinal, pf.Segment}
		}
	}
	t.header = 0
	return t.addHeader(&p.IPHeader, p, p, m, parent)
}

// headersPerPacket spaces flow ordinals so that the flows one packet
// creates (its own and its tunnels' outer UDP flows) never share one.
const headersPerPacket = decode.MaxTunnelDepth + 1

// parentRef identifies the record of the UDP flow that carried a
// tunnelled packet (ordinal -1: none).
type parentRef struct {
	ordinal int64
	segment int32
}

// addHeader accounts one IP header (the packet's own or a tunnel's outer
// one) to its flow. tp carries the TCP/ICMP fields and is nil for outer
// headers.
func (t *Table) addHeader(h *decode.IPHeader, tp *decode.Packet, p *decode.Packet, m *Meta, parent parentRef) PacketInfo {
	var sp, dp uint16
	var oneWay bool
	if tp != nil {
		sp, dp, oneWay = ports(tp)
	} else {
		sp, dp = h.SrcPort, h.DstPort
	}
	k := Key{Proto: h.Proto, Version: h.Version, VLAN: p.VLAN, OneWay: oneWay}
	srcIsA := oneWay || lessEndpoint(&h.Src, sp, &h.Dst, dp)
	if srcIsA {
		k.A, k.PA, k.B, k.PB = h.Src, sp, h.Dst, dp
	} else {
		k.A, k.PA, k.B, k.PB = h.Dst, dp, h.Src, sp
	}
	side := uint8(1)
	if srcIsA {
		side = 0
	}
	idx, ok := t.index[k]
	isNew := false
	if ok && tp != nil && h.Proto == decode.ProtoTCP && t.isReuse(t.at(idx), side, tp) {
		t.stats.Reused++
		reason := EndReuse
		if t.at(idx).closedAt != 0 {
			reason = t.reasonFor(t.at(idx)) // it had closed: fin or rst says more
		}
		t.finish(idx, reason)
		ok = false
	}
	if !ok {
		idx = t.create(&k, side, h, tp, p, m, sp, dp)
		isNew = true
	}
	f := t.at(idx)
	if parent.ordinal >= 0 && f.ParentOrdinal < 0 {
		f.ParentOrdinal, f.ParentSegment = parent.ordinal, parent.segment
	}
	info := f.account(t, side, h, tp, p, m)
	info.New = isNew
	t.reschedule(f)
	t.last = idx
	return info
}

// isReuse is TCPSessionAdapter::IsReuse: a SYN with a new initial
// sequence number starts a new connection on the same five-tuple.
func (t *Table) isReuse(f *Flow, side uint8, p *decode.Packet) bool {
	if p.Flags&decode.SYN == 0 {
		return false
	}
	orig, resp := f.Orig(), f.Resp()
	connOrig := orig
	if p.Flags&decode.ACK != 0 {
		if orig.state != tcpInactive {
			return false
		}
		connOrig = resp
	}
	closed := f.closedAt != 0
	if !closed {
		if p.Seq == uint32(connOrig.startSeq) {
			return false
		}
		if p.Flags&decode.ACK == 0 && connOrig.state == tcpSynAckSent && resp.state == tcpInactive && p.Seq == uint32(resp.startSeq) {
			return false
		}
	}
	return true
}

func (t *Table) create(k *Key, side uint8, h *decode.IPHeader, tp, p *decode.Packet, m *Meta, sp, dp uint16) int32 {
	if t.live >= t.cfg.MaxFlows {
		t.evict()
	}
	var idx int32
	if n := len(t.free); n > 0 {
		idx = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		n := int32(len(t.chunks)) << chunkBits
		t.chunks = append(t.chunks, make([]Flow, 1<<chunkBits))
		for i := int32(1<<chunkBits) - 1; i > 0; i-- {
			t.free = append(t.free, n+i)
		}
		idx = n
	}
	f := t.at(idx)
	*f = Flow{Key: *k, idx: idx, prev: nilIdx, next: nilIdx, agePrev: nilIdx, ageNext: nilIdx, ParentOrdinal: -1}
	for i := range f.ep {
		e := &f.ep[i]
		e.InitWin, e.WScale, e.MSS, e.L4HdrMin = -1, -1, -1, -1
		e.rxmtThresh, e.win0Thresh, e.gapThresh = 1, 1, 1
	}
	f.origIdx, f.firstIdx = side, side
	if h.Proto == decode.ProtoSCTP {
		f.SCTPPorts[side], f.SCTPPorts[side^1] = h.SrcPort, h.DstPort
	}
	f.Ordinal, f.File, f.FirstPktNo = m.Ordinal*headersPerPacket+int64(t.header), m.File, m.PktNo
	f.StartTS, f.zeekLast = m.TS, m.TS
	f.ICMPType, f.ICMPCode = -1, -1
	f.VLAN, f.InnerVLAN, f.NumVLANs = p.VLAN, p.InnerVLAN, p.NumVLANs
	if p.NumOuter > 0 {
		o := &p.Outer[0]
		f.Tunnel, f.TunnelOrig, f.TunnelResp, f.TunnelVer = p.Tunnel[0], o.Src, o.Dst, o.Version
	}
	if wantFlip(h, tp, sp, dp) {
		f.flip()
	}
	t.index[*k] = idx
	t.live++
	t.stats.Flows++
	t.stats.Peak = max(t.stats.Peak, int64(t.live))
	f.ageStart = t.clock
	t.push(&t.age, idx, true)
	return idx
}

// wantFlip is Zeek's WantConnection role guess for a new connection. p is
// nil for the outer header of a tunnel (always UDP).
func wantFlip(h *decode.IPHeader, p *decode.Packet, sp, dp uint16) bool {
	if isBroadcast(&h.Dst, h.Version) {
		return false
	}
	switch h.Proto {
	case decode.ProtoTCP:
		if p == nil {
			return false
		}
		syn, ack := p.Flags&decode.SYN != 0, p.Flags&decode.ACK != 0
		if syn && !ack {
			return false
		}
		if likelyServer(h.Proto, sp) {
			if likelyServer(h.Proto, dp) {
				return !syn && sp < dp
			}
			return true
		}
	case decode.ProtoUDP:
		return likelyServer(h.Proto, sp) && !likelyServer(h.Proto, dp)
	}
	return false
}

// account updates flow f with a packet from key side s.
func (f *Flow) account(t *Table, s uint8, h *decode.IPHeader, tp, p *decode.Packet, m *Meta) PacketInfo {
	ts := m.TS
	e := &f.ep[s]
	first := e.Pkts == 0
	prevSide := e.LastTS
	prevAny := f.LastTS
	total := f.ep[0].Pkts + f.ep[1].Pkts
	e.Pkts++
	e.L2Bytes += int64(m.WireLen)
	e.IPBytes += int64(h.TotalLen)
	e.PayloadBytes += int64(h.PayloadLen)
	e.L4HdrBytes += int64(h.L4HdrLen)
	ttl := int32(h.TTL)
	if first {
		e.FirstTS = ts
		e.TTLMin, e.TTLMax = ttl, ttl
		e.L4HdrMin = int32(h.L4HdrLen)
		if p.HasMAC {
			e.MAC, e.HasMAC = p.SrcMAC, true
		}
	} else {
		e.TTLMin, e.TTLMax = min(e.TTLMin, ttl), max(e.TTLMax, ttl)
		e.L4HdrMin = min(e.L4HdrMin, int32(h.L4HdrLen))
	}
	if ts > e.LastTS {
		e.LastTS = ts
	}
	if h.PayloadLen > 0 {
		e.DataPkts++
		e.Bulk.data(ts, h.PayloadLen)
		f.ep[s^1].Bulk.end()
	}
	e.PS.add(float64(h.TotalLen))
	e.PL.add(float64(h.PayloadLen))
	f.PS.add(float64(h.TotalLen))
	f.PL.add(float64(h.PayloadLen))
	if !first {
		e.IAT.add(float64(ts - prevSide))
	}
	if total > 0 {
		f.IAT.add(float64(ts - prevAny))
		if ts-prevAny > bulkMaxGap {
			f.Subflows++
		}
	} else {
		// The first packet of the flow or of an active-timeout segment.
		f.StartTS, f.zeekLast = ts, ts
		f.Subflows = 1
	}
	f.Act.add(ts, t.activity)
	if n := f.SPLTLen; n < SPLTLen {
		f.SPLTSize[n] = int32(h.TotalLen)
		if n > 0 {
			f.SPLTIAT[n] = ts - prevAny
		}
		if s == 1 {
			f.spltFromB |= 1 << n
		}
		f.SPLTLen++
	}
	if ts > f.LastTS {
		f.LastTS = ts
	}
	if m.CapLen < m.WireLen {
		f.TruncPkts++
	}
	f.FragPkts += int64(m.Frags)
	if fp := headerFingerprint(t.seed, h); fp != 0 {
		if fp == e.recentHdr[0] || fp == e.recentHdr[1] {
			f.DupPkts++
		}
		e.recentHdr[1], e.recentHdr[0] = e.recentHdr[0], fp
	}
	info := PacketInfo{Flow: f}
	switch {
	case tp == nil || h.Proto == decode.ProtoUDP:
		f.zeekLast = max(f.zeekLast, ts)
		if h.Proto == decode.ProtoUDP {
			f.checkHistory(histUDPOrig, 'D', f.isOrigSide(s))
			ulen := h.PayloadLen
			if tp != nil && tp.UDPLen >= 8 {
				ulen = tp.UDPLen - 8
			}
			e.size += int64(ulen)
			e.udpActive = true
		}
	case h.Proto == decode.ProtoTCP:
		if first && f.Segment == 0 {
			e.InitWin = int32(tp.Window)
		}
		for i := range 8 {
			if tp.Flags&(1<<i) != 0 {
				e.FlagPkts[i]++
			}
		}
		if tp.Flags&decode.SYN != 0 {
			if tp.MSS != 0 {
				e.MSS = int32(tp.MSS)
			}
			if tp.WScale >= 0 {
				e.WScale = int32(tp.WScale)
			}
		}
		relSeq, under := f.tcpPacket(s, tp, ts, t.clock)
		if f.closedAt != 0 && f.closedAt > t.clock {
			f.closedAt = t.clock
		}
		if f.synAt == 0 && tp.Flags&(decode.SYN|decode.ACK) == decode.SYN {
			f.synAt = t.clock
		}
		info.RelSeq, info.Underflow = relSeq, under
	case h.Proto == decode.ProtoICMP || h.Proto == decode.ProtoICMPv6:
		f.zeekLast = max(f.zeekLast, ts)
		if f.ICMPType < 0 {
			f.ICMPType, f.ICMPCode = int16(tp.ICMPType), int16(tp.ICMPCode)
		}
		e.size += int64(h.PayloadLen)
		e.udpActive = true
	default:
		f.zeekLast = max(f.zeekLast, ts)
		e.udpActive = true
	}
	info.FromOrig = f.isOrigSide(s)
	info.Side = s
	return info
}

// headerFingerprint hashes the IP and transport headers, checksums
// included, so that an exact duplicate packet hashes the same.
func headerFingerprint(seed maphash.Seed, h *decode.IPHeader) uint64 {
	n := h.HdrLen + h.L4HdrLen
	if h.Raw == nil || n > len(h.Raw) || n == 0 {
		return 0
	}
	var lenb [4]byte
	binary.LittleEndian.PutUint32(lenb[:], uint32(h.TotalLen))
	var mh maphash.Hash
	mh.SetSeed(seed)
	mh.Write(h.Raw[:n])
	mh.Write(lenb[:])
	return mh.Sum64() | 1
}
