package flow

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"flowsift/extract/decode"
)

// The fuzz input is one configuration byte followed by packet
// descriptions of fuzzPktLen bytes each (a trailing partial description
// is ignored):
//
//	cfg: bits 0-2 MaxFlows-1 (1..8), bit 3 the default MaxFlows instead;
//	     bits 4-5 active timeout (default, 30 s, 300 s, none); bit 6
//	     Zeek's 1 min UDP/ICMP idle timeouts; bit 7 a 10 s DNS timeout
//	     for every UDP flow (Flow.MarkDNS).
//
//	b0: bits 0-1 transport (0-1 TCP, 2 UDP, 3 ICMP or, with b1 bit 7,
//	    SCTP); bits 2-4 endpoint pair; bit 5 the responder sends; bit 6
//	    tunnelled in VXLAN (one outer UDP header); bit 7 the client
//	    address comes from b8 and b9 (many flows, for eviction).
//	b1: TCP flags; ICMP type (index into fuzzICMPTypes).
//	b2-b3: sequence number delta from the sender's next one (int16), or
//	    with b9 bit 0 the high half of an absolute sequence number.
//	b4-b5: acknowledgement delta from the peer's next sequence number
//	    (int16), or the low half of an absolute sequence number.
//	b6: payload length (0-200 bytes, above that steps of 30 up to 1650).
//	b7: time step: <160 tens of µs, <220 steps of 100 ms, <240 steps of
//	    30 s, <250 hours (a huge gap), else 1-6 s backwards.
//	b8: TCP window (0 means a zero window); ICMP code.
//	b9: bit 0 absolute sequence number; bit 1 VLAN 7; bit 2 truncated
//	    capture; bit 3 no raw header bytes (no duplicate detection);
//	    bits 6-7 reassembled-fragment count.
const fuzzPktLen = 10

type fuzzEnd struct {
	addr decode.Addr
	port uint16
}

func v4(a, b, c, d byte) decode.Addr { return decode.Addr{a, b, c, d} }

func v6(last byte) decode.Addr {
	return decode.Addr{0x20, 0x01, 0x0d, 0xb8, 15: last}
}

// fuzzPairs are the client and server of each endpoint pair: server ports
// that are and are not in likely_server_ports, both ports likely servers,
// multicast, one host talking to itself, port 0 and IPv6.
var fuzzPairs = [8]struct {
	version byte
	c, s    fuzzEnd
}{
	{4, fuzzEnd{v4(10, 0, 0, 1), 40000}, fuzzEnd{v4(10, 0, 0, 2), 80}},
	{4, fuzzEnd{v4(10, 0, 0, 1), 40001}, fuzzEnd{v4(10, 0, 0, 2), 80}},
	{4, fuzzEnd{v4(10, 0, 0, 3), 53}, fuzzEnd{v4(10, 0, 0, 4), 53}},
	{4, fuzzEnd{v4(10, 0, 0, 3), 5353}, fuzzEnd{v4(224, 0, 0, 251), 5353}},
	{4, fuzzEnd{v4(10, 0, 0, 1), 50000}, fuzzEnd{v4(10, 0, 0, 2), 60000}},
	{4, fuzzEnd{v4(10, 0, 0, 1), 1000}, fuzzEnd{v4(10, 0, 0, 1), 2000}},
	{4, fuzzEnd{v4(10, 0, 0, 5), 0}, fuzzEnd{v4(10, 0, 0, 6), 0}},
	{6, fuzzEnd{v6(1), 40000}, fuzzEnd{v6(2), 443}},
}

// fuzzICMPTypes mixes request/reply pairs with one-way types of both ICMP
// versions.
var fuzzICMPTypes = [...]uint8{8, 0, 3, 11, 13, 14, 5, 128, 129, 133, 134, 1, 135, 136, 10, 9}

// fuzzConfig decodes the configuration byte.
func fuzzConfig(b byte) (cfg Config, allDNS bool) {
	cfg = DefaultConfig()
	if b&8 == 0 {
		cfg.MaxFlows = 1 + int(b&7)
	}
	switch b >> 4 & 3 {
	case 1:
		cfg.ActiveTimeout = 30 * time.Second
	case 2:
		cfg.ActiveTimeout = 300 * time.Second
	case 3:
		cfg.ActiveTimeout = 0
	}
	if b&0x40 != 0 {
		cfg.UDPIdleTimeout, cfg.ICMPIdleTimeout = time.Minute, time.Minute
	}
	return cfg, b&0x80 != 0
}

// fuzzGen turns packet descriptions into decoded packets. It keeps each
// sender's next sequence number so that small deltas give plausible TCP.
type fuzzGen struct {
	next [len(fuzzPairs)][2]uint32
	ts   int64
	n    int64
	raw  [128]byte
}

func newFuzzGen() *fuzzGen {
	g := &fuzzGen{ts: genBase}
	for i := range g.next {
		g.next[i] = [2]uint32{1000 + uint32(i)*100_000, 0xffff_0000 + uint32(i)*1000} // the second wraps soon
	}
	return g
}

// packet fills p and m from one description and returns how many flow
// packets the table must account for it (the packet, plus its outer UDP
// header when tunnelled).
func (g *fuzzGen) packet(d []byte, p *decode.Packet, m *Meta) int {
	pi := int(d[0] >> 2 & 7)
	pair := &fuzzPairs[pi]
	dir := int(d[0] >> 5 & 1)
	src, dst := pair.c, pair.s
	if dir == 1 {
		src, dst = dst, src
	}
	if d[0]&0x80 != 0 {
		c := &src
		if dir == 1 {
			c = &dst
		}
		if pair.version == 4 {
			c.addr = v4(172, 16, d[8], d[9])
		} else {
			c.addr[14], c.addr[15] = d[8], d[9]
		}
		c.port = 1024 + uint16(d[8])<<4 ^ uint16(d[9])
	}

	*p = decode.Packet{}
	p.Version = pair.version
	p.Src, p.Dst = src.addr, dst.addr
	p.SrcPort, p.DstPort = src.port, dst.port
	p.TTL = 64 - d[9]&7
	p.HdrLen = 20
	if p.Version == 6 {
		p.HdrLen = 40
	}
	plen := int(d[6])
	if plen > 200 {
		plen = (plen - 200) * 30
	}
	switch d[0] & 3 {
	case 0, 1:
		p.Proto = decode.ProtoTCP
		p.HasL4 = true
		p.L4HdrLen = 20
		p.Flags = uint16(d[1])
		if d[9]&1 != 0 {
			p.Seq = binary.BigEndian.Uint32(d[2:6])
			p.Ack = g.next[pi][dir^1]
		} else {
			p.Seq = g.next[pi][dir] + uint32(int32(int16(binary.BigEndian.Uint16(d[2:4]))))
			p.Ack = g.next[pi][dir^1] + uint32(int32(int16(binary.BigEndian.Uint16(d[4:6]))))
		}
		p.Window = uint16(d[8]) << 8
		p.WScale = -1
		if p.Flags&decode.SYN != 0 {
			p.MSS, p.WScale = 1460, int8(d[8]&15)
		}
		if end := p.Seq + uint32(segmentLen(plen, p.Flags)); seqDelta(end, g.next[pi][dir]) > 0 {
			g.next[pi][dir] = end
		}
	case 2:
		p.Proto = decode.ProtoUDP
		p.HasL4 = true
		p.L4HdrLen = 8
		p.UDPLen = 8 + plen
	case 3:
		if d[1]&0x80 != 0 {
			p.Proto = decode.ProtoSCTP // other transport: no L4 header, no ports
			p.SrcPort, p.DstPort = src.port, dst.port
			break
		}
		p.Proto = decode.ProtoICMP
		if p.Version == 6 {
			p.Proto = decode.ProtoICMPv6
		}
		p.HasL4 = true
		p.L4HdrLen = 8
		p.ICMPType = fuzzICMPTypes[int(d[1])%len(fuzzICMPTypes)]
		p.ICMPCode = d[8] & 3
		p.SrcPort, p.DstPort = 0, 0
	}
	p.PayloadLen = plen
	p.TotalLen = p.HdrLen + p.L4HdrLen + plen
	if d[9]&2 != 0 {
		p.VLAN, p.NumVLANs = 7, 1
	}
	if d[9]&8 == 0 {
		// Raw header bytes that depend on every field above, so that only
		// a repeated description is an exact duplicate.
		n := p.HdrLen + p.L4HdrLen
		clear(g.raw[:n])
		g.raw[0], g.raw[1], g.raw[2], g.raw[3], g.raw[4], g.raw[5] = d[0], d[1], d[6], d[8], d[9], byte(dir)
		binary.BigEndian.PutUint32(g.raw[8:], p.Seq)
		binary.BigEndian.PutUint32(g.raw[12:], p.Ack)
		p.Raw = g.raw[:n]
	}
	accounted := 1
	if d[0]&0x40 != 0 {
		o := &p.Outer[0]
		*o = decode.IPHeader{Version: 4, Src: v4(192, 168, 0, 1), Dst: v4(192, 168, 0, 2), Proto: decode.ProtoUDP,
			TTL: 64, HdrLen: 20, L4HdrLen: 8, HasL4: true, SrcPort: 49152 + uint16(d[8]&3), DstPort: 4789}
		if dir == 1 {
			o.Src, o.Dst = o.Dst, o.Src
			o.SrcPort, o.DstPort = o.DstPort, o.SrcPort
		}
		o.PayloadLen = 8 + 14 + p.TotalLen
		o.TotalLen = 20 + 8 + o.PayloadLen
		p.NumOuter, p.Tunnel[0] = 1, decode.TunnelVXLAN
		accounted++
	}

	switch t := d[7]; {
	case t < 160:
		g.ts += int64(t) * 10_000
	case t < 220:
		g.ts += int64(t-160) * int64(100*time.Millisecond)
	case t < 240:
		g.ts += int64(t-220) * int64(30*time.Second)
	case t < 250:
		g.ts += int64(t-239) * int64(time.Hour)
	default:
		g.ts -= int64(t-249) * int64(time.Second)
	}
	g.n++
	wire := 14 + p.TotalLen
	if p.NumOuter > 0 {
		wire = 14 + p.Outer[0].TotalLen
	}
	capLen := wire
	if d[9]&4 != 0 {
		capLen = min(wire, 96)
	}
	*m = Meta{TS: g.ts, WireLen: wire, CapLen: capLen, PktNo: g.n, Ordinal: g.n, Frags: int(d[9] >> 6)}
	return accounted
}

// flowID names one record: the flow by its key and first packet, and the
// segment.
type flowID struct {
	key     Key
	ordinal int64
	segment int32
}

// emitted is what the fuzz checks keep of an emitted record.
type emitted struct {
	id        flowID
	reason    EndReason
	parentOrd int64
	parentSeg int32
}

var connStates = map[string]bool{
	"S0": true, "S1": true, "SF": true, "REJ": true, "S2": true, "S3": true, "RSTO": true,
	"RSTR": true, "RSTOS0": true, "RSTRH": true, "SH": true, "SHR": true, "OTH": true,
}

// checkEmitted checks one record when it is emitted and returns the
// number of packets it accounts for.
func checkEmitted(f *Flow, r EndReason, tab *Table, cfg *Config) (int64, error) {
	if r < EndFIN || r > EndOfInput {
		return 0, fmt.Errorf("end reason %d out of range", r)
	}
	if r == EndEvicted && tab.Live() != cfg.MaxFlows {
		return 0, fmt.Errorf("evicted with %d of %d flows held", tab.Live(), cfg.MaxFlows)
	}
	var pkts int64
	for i := range f.ep {
		e := &f.ep[i]
		if e.Pkts < 0 || e.L2Bytes < 0 || e.IPBytes < 0 || e.PayloadBytes < 0 || e.L4HdrBytes < 0 {
			return 0, fmt.Errorf("side %d: negative counter: %+v", i, e.Counters)
		}
		if e.DataPkts > e.Pkts || e.RetransPkts > e.Pkts || e.ZeroWinPkts > e.Pkts {
			return 0, fmt.Errorf("side %d: data/retransmission/zero-window packets exceed %d packets", i, e.Pkts)
		}
		for j, n := range e.FlagPkts {
			if n < 0 || n > e.Pkts {
				return 0, fmt.Errorf("side %d: flag %d counted %d times in %d packets", i, j, n, e.Pkts)
			}
		}
		if e.Pkts > 0 && (e.LastTS < e.FirstTS || e.L2Bytes < e.IPBytes) {
			return 0, fmt.Errorf("side %d: first %d last %d, l2 %d < ip %d bytes", i, e.FirstTS, e.LastTS, e.L2Bytes, e.IPBytes)
		}
		pkts += e.Pkts
	}
	if pkts == 0 {
		return 0, fmt.Errorf("record %s with no packets", r)
	}
	if o, rs, miss := f.OrigSize(), f.RespSize(), f.Missed(); o < 0 || rs < 0 || miss < 0 {
		return 0, fmt.Errorf("negative size: orig_bytes %d resp_bytes %d missed_bytes %d (history %q)", o, rs, miss, f.History())
	}
	if d, span := f.Duration(), f.LastTS-f.StartTS; d < 0 || span < 0 || d > span {
		return 0, fmt.Errorf("duration %d, span %d: negative, or duration longer (history %q)", d, span, f.History())
	}
	if f.DupPkts > pkts || f.TruncPkts > pkts || f.SPLTLen > min(int(pkts), SPLTLen) {
		return 0, fmt.Errorf("dup %d, truncated %d, splt %d exceed %d packets", f.DupPkts, f.TruncPkts, f.SPLTLen, pkts)
	}
	if st := f.ConnState(); !connStates[st] {
		return 0, fmt.Errorf("conn_state %q", st)
	}
	if h := f.History(); len(h) > histCap || strings.Trim(h, "^SsHhAaDdFfRrCcGgTtWwIiQqX") != "" {
		return 0, fmt.Errorf("history %q: longer than %d or a letter Zeek does not use", h, histCap)
	}
	return pkts, nil
}

// checkDeadlines checks that no flow is held past its deadline: a
// packet's Add expires every flow whose time has come (the timeout lists
// must stay in deadline order for that), and the flow the packet went to
// has a deadline in the future.
func checkDeadlines(tab *Table) error {
	if len(tab.index) != tab.Live() {
		return fmt.Errorf("%d flows in the index, %d held", len(tab.index), tab.Live())
	}
	for k, idx := range tab.index {
		f := tab.at(idx)
		if f.Key != k {
			return fmt.Errorf("index entry %v holds flow %v", k, f.Key)
		}
		if d := tab.deadline(f); d <= tab.clock {
			class, since := tab.classOf(f)
			return fmt.Errorf("flow %v (class %d since %d, history %q) held %v past its deadline",
				k, class, since, f.History(), time.Duration(tab.clock-d))
		}
		if tab.active > 0 && f.ageStart+tab.active <= tab.clock {
			return fmt.Errorf("flow %v held past its active timeout", k)
		}
	}
	return nil
}

// keyHolds reports whether k is the key of packet p's own flow.
func keyHolds(k *Key, p *decode.Packet) bool {
	if k.Proto != p.Proto || k.Version != p.Version || k.VLAN != p.VLAN {
		return false
	}
	return k.A == p.Src && k.B == p.Dst || k.A == p.Dst && k.B == p.Src
}

// fuzzRun feeds the described packets through a table and checks the
// table's invariants. It returns the first violation.
func fuzzRun(data []byte) error {
	if len(data) == 0 {
		return nil
	}
	cfg, allDNS := fuzzConfig(data[0])
	data = data[1:]
	var (
		tab       *Table
		problem   error
		got       int64
		records   []emitted
		evictions int64
		segments  int64
		dups      int64
	)
	seen := map[flowID]bool{}
	lastSeg := map[flowID]int32{} // by key and ordinal, segment 0
	tab, err := NewTable(cfg, func(f *Flow, r EndReason) {
		n, err := checkEmitted(f, r, tab, &cfg)
		if err != nil && problem == nil {
			problem = fmt.Errorf("flow %v segment %d (%s): %w", f.Key, f.Segment, r, err)
		}
		got += n
		dups += f.DupPkts
		id := flowID{f.Key, f.Ordinal, f.Segment}
		if seen[id] && problem == nil {
			problem = fmt.Errorf("flow %v ordinal %d segment %d emitted twice", f.Key, f.Ordinal, f.Segment)
		}
		seen[id] = true
		fid := flowID{f.Key, f.Ordinal, 0}
		prev, ok := lastSeg[fid]
		if !ok {
			prev = -1
		}
		if f.Segment != prev+1 && problem == nil {
			problem = fmt.Errorf("flow %v ordinal %d: segment %d after %d", f.Key, f.Ordinal, f.Segment, prev)
		}
		lastSeg[fid] = f.Segment
		switch r {
		case EndEvicted:
			evictions++
		case EndActive:
			segments++
		}
		records = append(records, emitted{id, r, f.ParentOrdinal, f.ParentSegment})
	})
	if err != nil {
		return err
	}
	g := newFuzzGen()
	var p decode.Packet
	var m Meta
	var want int64
	for len(data) >= fuzzPktLen {
		want += int64(g.packet(data[:fuzzPktLen], &p, &m))
		info := tab.Add(&p, &m)
		data = data[fuzzPktLen:]
		switch {
		case problem != nil:
			return problem
		case info.Flow == nil:
			return fmt.Errorf("packet %d: no flow", m.Ordinal)
		case !keyHolds(&info.Flow.Key, &p):
			return fmt.Errorf("packet %d (%v) accounted to flow %v", m.Ordinal, p.IPHeader, info.Flow.Key)
		case tab.Live() > cfg.MaxFlows:
			return fmt.Errorf("packet %d: %d flows held, MaxFlows %d", m.Ordinal, tab.Live(), cfg.MaxFlows)
		}
		if err := checkDeadlines(tab); err != nil {
			return fmt.Errorf("after packet %d: %w", m.Ordinal, err)
		}
		if allDNS && p.Proto == decode.ProtoUDP {
			info.Flow.MarkDNS()
		}
	}
	tab.Flush()
	if problem != nil {
		return problem
	}
	st := tab.Stats()
	switch {
	case tab.Live() != 0:
		return fmt.Errorf("%d flows held after Flush", tab.Live())
	case got != want:
		return fmt.Errorf("records account for %d packets, %d were added", got, want)
	case st.Evicted != evictions:
		return fmt.Errorf("Stats().Evicted = %d, %d records say evicted", st.Evicted, evictions)
	case st.Segments != segments:
		return fmt.Errorf("Stats().Segments = %d, %d records end at the active timeout", st.Segments, segments)
	case st.Flows != int64(len(lastSeg)):
		return fmt.Errorf("Stats().Flows = %d, %d flows emitted", st.Flows, len(lastSeg))
	case st.Peak > int64(cfg.MaxFlows):
		return fmt.Errorf("Stats().Peak = %d, MaxFlows %d", st.Peak, cfg.MaxFlows)
	case st.Duplicates != dups:
		return fmt.Errorf("Stats().Duplicates = %d, records hold %d", st.Duplicates, dups)
	}
	// A tunnelled flow names the record of the UDP flow that carried it.
	// (The outer and inner flows that one packet creates share its
	// ordinal, so the ordinal alone does not tell them apart.)
	tunnels := map[[2]int64]bool{}
	for _, r := range records {
		if k := r.id.key; k.Proto == decode.ProtoUDP && (k.PA == 4789 || k.PB == 4789) {
			tunnels[[2]int64{r.id.ordinal, int64(r.id.segment)}] = true
		}
	}
	for _, r := range records {
		if r.parentOrd >= 0 && !tunnels[[2]int64{r.parentOrd, int64(r.parentSeg)}] {
			return fmt.Errorf("flow %v ordinal %d: parent (ordinal %d, segment %d) is not an emitted tunnel flow", r.id.key, r.id.ordinal, r.parentOrd, r.parentSeg)
		}
	}
	return nil
}

// fuzzDesc builds one packet description (see fuzzPktLen).
func fuzzDesc(b0, flags byte, seqD, ackD int16, plen, tstep, win, misc byte) []byte {
	d := make([]byte, fuzzPktLen)
	d[0], d[1] = b0, flags
	binary.BigEndian.PutUint16(d[2:], uint16(seqD))
	binary.BigEndian.PutUint16(d[4:], uint16(ackD))
	d[6], d[7], d[8], d[9] = plen, tstep, win, misc
	return d
}

func fuzzInput(cfg byte, descs ...[]byte) []byte {
	out := []byte{cfg}
	for _, d := range descs {
		out = append(out, d...)
	}
	return out
}

// fuzzSeeds are hand-written sequences: they run as ordinary tests.
func fuzzSeeds() map[string][]byte {
	const (
		fromS  = 0x20
		tunnel = 0x40
		random = 0x80
	)
	s, sa, a, pa, fa, ra := byte(S), byte(SA), byte(A), byte(PA), byte(FA), byte(RA)
	return map[string][]byte{
		"tcp handshake data teardown": fuzzInput(8,
			fuzzDesc(0, s, 0, 0, 0, 1, 0xff, 0),
			fuzzDesc(fromS, sa, 0, 0, 0, 10, 0xff, 0),
			fuzzDesc(0, a, 0, 0, 0, 10, 0xff, 0),
			fuzzDesc(0, pa, 0, 0, 100, 10, 0xff, 0),
			fuzzDesc(fromS, pa, 0, 0, 250, 10, 0xff, 0),
			fuzzDesc(0, pa, 0, 0, 100, 10, 0xff, 0),
			fuzzDesc(0, pa, -100, 0, 100, 10, 0xff, 0), // an exact duplicate
			fuzzDesc(0, fa, 0, 0, 0, 10, 0xff, 0),
			fuzzDesc(fromS, fa, 0, 0, 0, 10, 0xff, 0),
			fuzzDesc(0, a, 0, 0, 0, 10, 0xff, 0),
			fuzzDesc(0, s, 1000, 0, 0, 200, 0xff, 0), // port reuse after the close grace
		),
		"syn flood evicts": fuzzInput(2, // MaxFlows 3
			fuzzDesc(random, s, 0, 0, 0, 1, 1, 0x11),
			fuzzDesc(random, s, 0, 0, 0, 1, 2, 0x21),
			fuzzDesc(random, s, 0, 0, 0, 1, 3, 0x31),
			fuzzDesc(random, s, 0, 0, 0, 1, 4, 0x41),
			fuzzDesc(random|0x04, s, 0, 0, 0, 1, 5, 0x51),
			fuzzDesc(random|0x08, 0, 0, 0, 40, 1, 6, 0x61), // a UDP one
		),
		"udp icmp and time jumps": fuzzInput(0x58, // default size, 30 s active timeout, 1 min UDP idle
			fuzzDesc(0x02|0x08, 0, 0, 0, 30, 0, 0, 0),
			fuzzDesc(0x02|0x08|fromS, 0, 0, 0, 90, 5, 0, 0),
			fuzzDesc(0x03, 0, 0, 0, 56, 5, 0, 0),         // echo request
			fuzzDesc(0x03|fromS, 1, 0, 0, 56, 5, 0, 0),   // echo reply
			fuzzDesc(0x03|0x1c, 2, 0, 0, 28, 5, 0, 0),    // IPv6, one-way type 3
			fuzzDesc(0x02|0x08, 0, 0, 0, 30, 225, 0, 0),  // 2.5 min later
			fuzzDesc(0x02|0x08, 0, 0, 0, 30, 255, 0, 0),  // 6 s backwards
			fuzzDesc(0x02|0x08, 0, 0, 0, 30, 245, 0, 0),  // 6 h later
			fuzzDesc(0x03, 0x80, 0, 0, 20, 1, 0, 0),      // SCTP
			fuzzDesc(0x02|0x0c, 0, 0, 0, 48, 1, 0, 0x42), // multicast, VLAN, 1 fragment
		),
		"tcp oddities": fuzzInput(0x18, // default size, 30 s active timeout
			fuzzDesc(0x10, pa, 0, 0, 100, 0, 0xff, 0),        // mid-stream, no server port
			fuzzDesc(0x10|fromS, a, 0, 0, 0, 1, 0, 0),        // zero window
			fuzzDesc(0x10, pa, 500, 0, 100, 1, 0xff, 0),      // a gap
			fuzzDesc(0x10|fromS, a, 0, 700, 0, 1, 0xff, 0),   // acknowledges unseen data
			fuzzDesc(0x10, pa, -600, 0, 100, 1, 0xff, 0),     // retransmission
			fuzzDesc(0x10, byte(S|F|R), 0, 0, 0, 1, 0xff, 0), // SYN+FIN+RST
			fuzzDesc(0x10, pa, 0, 0, 10, 221, 0xff, 0),       // 30 s later: a new segment
			fuzzDesc(0x10, ra, 0, 0, 0, 252, 0xff, 0),        // 3 s backwards, RST: the duration once went negative
			fuzzDesc(0x14|fromS, sa, 0, 0, 0, 1, 0xff, 1),    // SYN-ACK first, absolute seq
			fuzzDesc(0x14, a, 0, 0, 0, 1, 0xff, 0),
			fuzzDesc(0x1c, s, 0, 0, 0, 1, 0xff, 0), // IPv6
			fuzzDesc(0x1c|fromS, ra, 0, 0, 0, 1, 0xff, 0),
		),
		"tunnels": fuzzInput(1, // MaxFlows 2
			fuzzDesc(tunnel, s, 0, 0, 0, 1, 0, 0),
			fuzzDesc(tunnel|fromS, sa, 0, 0, 0, 1, 0, 0),
			fuzzDesc(tunnel|0x02|0x10, 0, 0, 0, 20, 1, 1, 0),
			fuzzDesc(tunnel|0x03, 0, 0, 0, 20, 1, 2, 0),
		),
		// MaxFlows 2, 1 min UDP idle: the tunnel flow (created by the
		// second packet) expires before the TCP flow, so the third
		// packet's new inner flow evicts its own parent. The inner flow
		// must name the evicted parent, not the slot's next occupant.
		"tunnel parent evicted": fuzzInput(0x41,
			fuzzDesc(0, pa, 0, 0, 10, 1, 0xff, 0),
			fuzzDesc(tunnel, pa, 0, 0, 10, 1, 0xff, 0),
			fuzzDesc(tunnel|0x02|0x10, 0, 0, 0, 20, 1, 0xff, 0),
		),
	}
}

// FuzzTable feeds arbitrary packet sequences through a table and checks
// its invariants: no panic; every packet accounted to exactly one record
// (the table drops nothing: duplicates and retransmissions are counted in
// the flow, a tunnelled packet counts once in its own flow and once in
// the outer UDP flow); no negative sizes or durations; every record
// emitted once, a flow's segments numbered 0, 1, 2, ... without gaps;
// never more than MaxFlows flows, evicted flows emitted as "evicted" only
// when the table is full; the table's counters agree with the records.
func FuzzTable(f *testing.F) {
	for _, in := range fuzzSeeds() {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1+400*fuzzPktLen {
			t.Skip("input too long")
		}
		if err := fuzzRun(data); err != nil {
			t.Fatal(err)
		}
	})
}

// TestFuzzSeeds runs the hand-written sequences by name.
func TestFuzzSeeds(t *testing.T) {
	for name, in := range fuzzSeeds() {
		t.Run(name, func(t *testing.T) {
			if err := fuzzRun(in); err != nil {
				t.Error(err)
			}
		})
	}
}
