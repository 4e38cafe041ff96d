package datasets

import (
	"net/netip"
)

// shotKind is the transport of a shot.
type shotKind uint8

const (
	shotTCP shotKind = iota
	shotUDP
	shotICMP
)

// shot is one packet of a burst stream: floods, scans and reflections,
// whose flows are too many or too short to be worth a connection stream.
type shot struct {
	at    int64
	ord   uint64
	f     *flow
	side  uint8
	kind  shotKind
	flags uint8
	win   uint16
	opts  []byte
	seq   uint32
	ack   uint32
	typ   uint8
	code  uint8
	rest  uint32
	data  []byte
	n     int // payload bytes: data, then noise
	salt  uint64
	tag   uint8  // what the prober should do after it is sent
	x     uint32 // prober scratch
	setID bool   // write x as the DNS message id
	close bool   // the flow's last packet
}

// prober produces the packets of a burst. next returns the next primary
// packet (in time order); react runs after any packet is sent and may queue
// consequences with burst.later; done runs when nothing is left.
type prober interface {
	next(g *gen, b *burst) (shot, bool)
	react(g *gen, b *burst, s *shot)
	done(g *gen)
}

type burst struct {
	p    prober
	cur  shot
	has  bool
	pend timeQueue[shot, *shot]
	ord  uint64
	init bool
	tmp  shot // the shot being sent; a field so it does not escape per packet
}

func (g *gen) startBurst(p prober, at int64) {
	g.spawn(&burst{p: p}, at)
}

// later queues a consequence (a reply, a retry) at s.at.
func (b *burst) later(s shot) {
	b.ord++
	s.ord = b.ord
	b.pend.push(s)
}

func (b *burst) step(g *gen) (int64, bool) {
	if !b.init {
		b.init = true
		b.cur, b.has = b.p.next(g, b)
	} else {
		s := &b.tmp
		if b.has && (len(b.pend) == 0 || b.cur.at <= b.pend[0].at) {
			*s = b.cur
			b.cur, b.has = b.p.next(g, b)
		} else {
			*s = b.pend.pop()
		}
		g.fire(s)
		b.p.react(g, b, s)
		if s.close {
			g.closeFlow(s.f)
		}
	}
	next := int64(1<<63 - 1)
	if b.has {
		next = b.cur.at
	}
	if len(b.pend) > 0 {
		next = min(next, b.pend[0].at)
	}
	if next == 1<<63-1 {
		b.p.done(g)
		return 0, false
	}
	return next, true
}

// fire writes a shot.
func (g *gen) fire(s *shot) {
	var pl []byte
	switch s.kind {
	case shotTCP:
		h := tcpHdr{seq: s.seq, ack: s.ack, flags: s.flags, win: s.win, opts: s.opts}
		pl = g.tcpOut(s.f, int(s.side), &h, s.n)
	case shotUDP:
		pl = g.udpOut(s.f, int(s.side), s.n)
	default:
		pl = g.icmpOut(s.f, int(s.side), s.typ, s.code, s.rest, s.n)
	}
	k := copy(pl, s.data)
	noiseFill(pl[k:], s.salt)
	if s.setID {
		pl[0], pl[1] = byte(s.x>>8), byte(s.x)
	}
	g.commit()
}

// mix32 is a bijection on uint32 (lowbias32), so distinct counters give
// distinct forged addresses.
func mix32(x uint32) uint32 {
	x ^= x >> 16
	x *= 0x7feb352d
	x ^= x >> 15
	x *= 0x846ca68b
	x ^= x >> 16
	return x
}

// publicAddr returns the k-th address of a seeded sequence of distinct
// public unicast IPv4 addresses outside the documentation blocks.
type addrSeq struct {
	salt uint32
	k    uint32
}

func (s *addrSeq) next() netip.Addr {
	for {
		x := mix32(s.k + s.salt)
		s.k++
		a := netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
		if publicUnicast(a) {
			return a
		}
	}
}

var reserved4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.0.0.0/24"), netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("224.0.0.0/3"),
}

func publicUnicast(a netip.Addr) bool {
	b := a.As4()
	if b[3] == 0 || b[3] == 255 {
		return false
	}
	for _, p := range reserved4 {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

func (a *shot) before(b *shot) bool { return a.at < b.at || a.at == b.at && a.ord < b.ord }
