package datasets

import (
	"context"
	"math/rand/v2"
	"net/netip"
	"slices"
	"time"
)

// stream is anything that writes packets over time: a connection, a flood,
// a scheduler that starts sessions. step runs at g.now, writes at most one
// packet (stamped g.now) and may start other streams; it returns when it
// wants to run next, or false when it is finished.
type stream interface {
	step(g *gen) (next int64, ok bool)
}

type entry struct {
	at int64
	id uint64
	s  stream
}

// gen is one generation run.
type gen struct {
	ctx     context.Context
	cfg     Config
	w       *pcapWriter
	b       builder
	r       *rand.Rand
	net     *network
	now     int64
	start   int64
	end     int64
	heap    timeQueue[entry, *entry]
	nextID  uint64
	stop    bool
	err     error
	pkts    int64
	bytes   int64
	firstTS int64
	lastTS  int64
	events  []*eventAcc
	open    []*flow
	flowIdx int64
	done    []flowRec
	nflows  int64
	free    []*flow
	office  *office
	// tuples holds the flow keys that fixed ports (mDNS, NetBIOS, DHCP)
	// and one-way ICMP types would repeat, with the time each may be used
	// again.
	tuples map[tupleKey]int64

	// the packet being built, and the last one written (valid until the
	// next packet is built)
	cur   curPkt
	last  []byte
	wrote bool // the last commit wrote its packet
}

type curPkt struct {
	f      *flow
	side   int
	proto  uint8
	frame  []byte
	ipLen  int
	n      int
	flags  uint8
	seq    uint32
	sport  uint16
	dport  uint16
	active bool
}

type eventAcc struct {
	Event
	first, last int64
}

type flowRec struct {
	idx int64
	ft  FlowTruth
}

// flow is one connection as the generator made it. ends[0] is the side that
// sent the first packet's connection request (the generator's initiator).
type flow struct {
	idx     int64
	ev      int
	proto   uint8
	ends    [2]peer
	app     string
	name    string
	icmp    [2]uint16 // Zeek's ICMP "ports": type and counterpart (or code)
	z       zconn
	pkts    [2]int64 // in Zeek's orientation
	ipb     [2]int64
	pay     [2]int64
	l2      [2]int64
	last    int64
	openAt  int
	ownPort bool // ends[0].port came from the host's allocator
	held    bool // the flow holds tuple in gen.tuples
	tuple   tupleKey
}

// tupleKey is a flow key as the initiator sees it: transport (ICMP: type
// and counterpart or code as ports), addresses and ports.
type tupleKey struct {
	proto  uint8
	a, b   netip.Addr
	pa, pb uint16
}

func tupleOf(proto uint8, a, b peer, pa, pb uint16) tupleKey {
	return tupleKey{proto: proto, a: a.addr, b: b.addr, pa: pa, pb: pb}
}

// vacant reports whether no flow with key k is open or ended less than
// portReuseGap before t, so a new one cannot be merged with it.
func (g *gen) vacant(k tupleKey, t int64) bool {
	free, ok := g.tuples[k]
	return !ok || free <= t
}

// hold marks f's key as taken until portReuseGap after f ends.
func (g *gen) hold(f *flow, k tupleKey) {
	if g.tuples == nil {
		g.tuples = map[tupleKey]int64{}
	}
	g.tuples[k] = 1<<63 - 1
	f.held, f.tuple = true, k
}

// spawn schedules s to step first at at (never before now).
func (g *gen) spawn(s stream, at int64) {
	at = max(at, g.now)
	g.nextID++
	g.heap.push(entry{at: at, id: g.nextID, s: s})
}

// tlsStart is the capture start, which certificate validity hangs off.
func (g *gen) tlsStart() time.Time { return time.Unix(0, g.start).UTC() }

// child returns a fresh random source for a new stream, so each stream's
// choices do not depend on how other streams interleave.
func (g *gen) child() *rand.Rand {
	return rand.New(rand.NewPCG(g.r.Uint64(), g.r.Uint64()))
}

func (g *gen) run() error {
	var n int
	for len(g.heap) > 0 && !g.stop {
		e := g.heap.pop()
		if e.at > g.end {
			break
		}
		g.now = e.at
		next, ok := e.s.step(g)
		if g.err != nil {
			return g.err
		}
		if ok {
			if next < g.now {
				next = g.now
			}
			e.at = next
			g.heap.push(e)
		}
		if n++; n&4095 == 0 {
			if err := g.ctx.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

// event registers a labelled activity and returns its index.
func (g *gen) event(ev Event) int {
	if ev.Attackers == nil {
		ev.Attackers = []string{}
	}
	if ev.Victims == nil {
		ev.Victims = []string{}
	}
	g.events = append(g.events, &eventAcc{Event: ev, first: -1})
	return len(g.events) - 1
}

// newFlow starts a connection between a (initiator) and b.
func (g *gen) newFlow(ev int, proto uint8, a, b peer, app string) *flow {
	var f *flow
	if n := len(g.free); n > 0 {
		f = g.free[n-1]
		g.free = g.free[:n-1]
		hist := f.z.hist[:0]
		*f = flow{}
		f.z.hist = hist
	} else {
		f = &flow{}
	}
	g.flowIdx++
	f.idx = g.flowIdx
	f.ev = ev
	f.proto = proto
	f.ends = [2]peer{a, b}
	f.app = app
	f.z.proto = proto
	// Zeek does not flip roles toward the limited broadcast address.
	f.z.noFlip = b.addr == bcast4
	f.openAt = len(g.open)
	g.open = append(g.open, f)
	return f
}

// closeFlow finishes f: its truth record is final and its object reused.
func (g *gen) closeFlow(f *flow) {
	if f.openAt < 0 {
		return
	}
	last := len(g.open) - 1
	g.open[f.openAt] = g.open[last]
	g.open[f.openAt].openAt = f.openAt
	g.open = g.open[:last]
	f.openAt = -1
	g.finish(f)
	g.free = append(g.free, f)
}

func (g *gen) finish(f *flow) {
	end := f.last
	if !f.z.started {
		end = g.now
	}
	if f.ownPort && f.ends[0].h != nil {
		f.ends[0].h.releasePort(f.ends[0].port, end)
	}
	if f.held {
		g.tuples[f.tuple] = end + portReuseGap
	}
	if !f.z.started {
		return
	}
	if g.cfg.OmitFlows {
		return
	}
	g.done = append(g.done, flowRec{idx: f.idx, ft: g.truthOf(f)})
}

func (g *gen) truthOf(f *flow) FlowTruth {
	o, r := f.ends[0], f.ends[1]
	op, rp := int(o.port), int(r.port)
	if f.proto == protoICMP || f.proto == protoICMPv6 {
		op, rp = int(f.icmp[0]), int(f.icmp[1])
	}
	if f.z.swapped {
		o, r = r, o
		op, rp = rp, op
	}
	ft := FlowTruth{
		TS:          time.Unix(0, f.z.first).UTC(),
		TSEnd:       time.Unix(0, f.last).UTC(),
		Proto:       protoName(f.proto),
		IPVersion:   4,
		OrigH:       o.addr.String(),
		OrigP:       op,
		RespH:       r.addr.String(),
		RespP:       rp,
		Flipped:     f.z.flipped,
		ConnState:   f.z.state(),
		History:     string(f.z.hist),
		DurationNS:  f.z.last - f.z.first,
		OrigPkts:    f.pkts[0],
		RespPkts:    f.pkts[1],
		OrigIPBytes: f.ipb[0],
		RespIPBytes: f.ipb[1],
		OrigBytes:   f.pay[0],
		RespBytes:   f.pay[1],
		OrigL2Bytes: f.l2[0],
		RespL2Bytes: f.l2[1],
		Label:       g.events[f.ev].Type,
		Event:       f.ev,
		App:         f.app,
		ServerName:  f.name,
	}
	if !o.addr.Is4() {
		ft.IPVersion = 6
	}
	return ft
}

func protoName(p uint8) string {
	switch p {
	case protoTCP:
		return "tcp"
	case protoUDP:
		return "udp"
	default:
		return "icmp"
	}
}

// hdr fills the IP header for a packet from side of f.
func (g *gen) hdr(f *flow, side int) ipHdr {
	s, d := &f.ends[side], &f.ends[1-side]
	h := ipHdr{srcMAC: s.mac, dstMAC: d.mac, src: s.addr, dst: d.addr, ttl: s.ttl, id: s.nextID(), df: true}
	if !s.addr.Is4() {
		h.label = uint32(f.idx*2654435761+int64(side)) & 0xfffff
	}
	return h
}

// tcpOut starts a TCP packet from side of f; the caller fills the returned
// payload and calls commit.
func (g *gen) tcpOut(f *flow, side int, t *tcpHdr, n int) []byte {
	n = min(n, maxL4(f)-20-len(t.opts))
	h := g.hdr(f, side)
	t.sport, t.dport = f.ends[side].port, f.ends[1-side].port
	frame, payload := g.b.tcp(&h, t, n)
	g.cur = curPkt{f: f, side: side, proto: protoTCP, frame: frame, ipLen: len(frame) - ethHdrLen, n: n,
		flags: t.flags, seq: t.seq, sport: t.sport, dport: t.dport, active: true}
	return payload
}

// maxL4 is the largest transport segment that fits a 1500-byte IP packet.
func maxL4(f *flow) int {
	if f.ends[0].addr.Is4() {
		return 1500 - ip4HdrLen
	}
	return 1500 - ip6HdrLen
}

// udpOut starts a UDP packet with n payload bytes from side of f.
func (g *gen) udpOut(f *flow, side int, n int) []byte {
	// Datagrams are built to fit; the clamp only guards the frame buffer.
	n = min(n, maxL4(f)-8)
	h := g.hdr(f, side)
	if f.ends[side].h == nil || !f.ends[side].h.local {
		// Many UDP servers and floods do not set DF.
		h.df = n > 512 && f.ends[side].h != nil
	}
	sp, dp := f.ends[side].port, f.ends[1-side].port
	frame, payload := g.b.udp(&h, sp, dp, n)
	g.cur = curPkt{f: f, side: side, proto: protoUDP, frame: frame, ipLen: len(frame) - ethHdrLen, n: n,
		sport: sp, dport: dp, active: true}
	return payload
}

// icmpOut starts an ICMP or ICMPv6 packet with n bytes after the header.
func (g *gen) icmpOut(f *flow, side int, typ, code uint8, rest uint32, n int) []byte {
	n = min(n, maxL4(f)-8)
	h := g.hdr(f, side)
	h.df = false
	frame, payload, proto := g.b.icmp(&h, typ, code, rest, n)
	g.cur = curPkt{f: f, side: side, proto: proto, frame: frame, ipLen: len(frame) - ethHdrLen, n: n, active: true}
	return payload
}

// commit seals and writes the packet started by tcpOut, udpOut or icmpOut
// and accounts for it in the truth.
func (g *gen) commit() {
	c := &g.cur
	if !c.active {
		return
	}
	c.active = false
	g.wrote = false
	if g.stop || (g.cfg.MaxPackets > 0 && g.pkts >= g.cfg.MaxPackets) {
		g.stop = true
		return
	}
	frame := g.b.seal(c.frame, c.proto)
	g.last = frame
	if err := g.w.write(g.now, frame); err != nil {
		g.err = err
		g.stop = true
		return
	}
	f := c.f
	orig := f.z.packet(g.now, c.side == 0, c.sport, c.dport, c.flags, c.seq, c.n)
	i := side(orig)
	f.pkts[i]++
	f.ipb[i] += int64(c.ipLen)
	f.pay[i] += int64(c.n)
	f.l2[i] += int64(len(frame))
	f.last = g.now
	ev := g.events[f.ev]
	if ev.first < 0 {
		ev.first = g.now
	}
	ev.last = g.now
	ev.Packets++
	ev.Bytes += int64(len(frame))
	if f.pkts[0]+f.pkts[1] == 1 {
		ev.Flows++
		g.nflows++
	}
	if g.pkts == 0 {
		g.firstTS = g.now
	}
	g.lastTS = g.now
	g.pkts++
	g.bytes += int64(len(frame))
	g.wrote = true
}

// truth assembles the manifest once the run is over.
func (g *gen) truth(names []string) *Truth {
	rest := slices.Clone(g.open)
	slices.SortFunc(rest, func(a, b *flow) int { return int(a.idx - b.idx) })
	for _, f := range rest {
		g.finish(f)
	}
	g.open = nil
	slices.SortFunc(g.done, func(a, b flowRec) int {
		if c := a.ft.TS.Compare(b.ft.TS); c != 0 {
			return c
		}
		return int(a.idx - b.idx)
	})
	t := &Truth{
		Format:    TruthFormat,
		Scenario:  joinNames(names),
		Scenarios: names,
		Seed:      g.cfg.Seed,
		Scale:     g.cfg.Scale,
		Scales:    g.cfg.Scales,
		Start:     time.Unix(0, g.start).UTC(),
		End:       time.Unix(0, g.end).UTC(),
		Packets:   g.pkts,
		Bytes:     g.bytes,
		FlowCount: g.nflows,
		LocalNets: []string{g.net.lan4.String(), g.net.lan6.String()},
		Hosts:     g.net.hostList(),
		Events:    make([]Event, len(g.events)),
	}
	if g.pkts > 0 {
		t.FirstPacket = time.Unix(0, g.firstTS).UTC()
		t.LastPacket = time.Unix(0, g.lastTS).UTC()
	}
	for i, e := range g.events {
		ev := e.Event
		if e.first >= 0 {
			ev.Start = time.Unix(0, e.first).UTC()
			ev.End = time.Unix(0, e.last).UTC()
		}
		t.Events[i] = ev
	}
	if !g.cfg.OmitFlows {
		t.Flows = make([]FlowTruth, len(g.done))
		for i := range g.done {
			t.Flows[i] = g.done[i].ft
		}
	}
	return t
}

func joinNames(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += "+"
		}
		s += n
	}
	return s
}

// addrs formats addresses for the manifest.
func addrs(a ...netip.Addr) []string {
	out := make([]string, len(a))
	for i, x := range a {
		out[i] = x.String()
	}
	return out
}

// due returns the index of the earliest time in a process's schedule (the
// first one on a tie), the activity it runs next.
func due(next []int64) int { return slices.Index(next, slices.Min(next)) }

func (a *entry) before(b *entry) bool { return a.at < b.at || a.at == b.at && a.id < b.id }
