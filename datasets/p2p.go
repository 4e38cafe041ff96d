package datasets

import (
	"math/rand/v2"
	"slices"
)

// p2pClient is a BitTorrent client on a workstation. Its DHT node sends
// lookups over UDP to hundreds of peers, about half of which answer; peers
// query it too. It opens TCP connections to peers, most of which fail
// (nothing answers, or the port is closed), and exchanges pieces with the
// few that accept, and it transfers over uTP (UDP) with others. Every peer
// address is new, and peers listen on random ports.
type p2pClient struct {
	o    *office
	h    *host
	r    *rand.Rand
	port uint16 // the client's listening port, TCP and UDP
	seq  addrSeq
	next [nP2P]int64
}

const (
	p2pDHT   = iota // a lookup sent to a peer
	p2pDHTIn        // a peer's lookup to us
	p2pTCP          // a TCP connection to a peer
	p2pTCPIn        // a peer's TCP connection to us
	p2pUTP          // a uTP transfer
	nP2P
)

var p2pMean = [nP2P]int64{p2pDHT: 3 * sec, p2pDHTIn: 20 * sec, p2pTCP: 9 * sec, p2pTCPIn: 60 * sec, p2pUTP: 75 * sec}

// p2pAvoid are ports a peer port is never drawn from: Zeek's likely server
// ports (which would flip roles) and UDP services abused for reflection.
var p2pAvoid = []uint16{1434, 1900, 3283, 3702, 4500, 5353, 5683, 10001, 11211, 20800, 27015, 37810, 47808}

func peerPort(r *rand.Rand, high bool) uint16 {
	for {
		p := uint16(1025 + r.IntN(65535-1025))
		if high {
			p = uint16(49152 + r.IntN(65535-49152))
		}
		if !likelyServer(protoTCP, p) && !likelyServer(protoUDP, p) && !slices.Contains(p2pAvoid, p) {
			return p
		}
	}
}

func (o *office) startP2P(h *host) {
	g := o.g
	c := &p2pClient{o: o, h: h, r: g.child()}
	c.port = peerPort(c.r, true)
	c.seq = addrSeq{salt: c.r.Uint32()}
	// The client starts with the machine or with the capture already
	// running; it is busiest while it bootstraps.
	for i := range c.next {
		c.next[i] = g.start + int64(expDraw(c.r)*float64(p2pMean[i]))
	}
	g.spawn(c, slices.Min(c.next[:]))
}

func (c *p2pClient) step(g *gen) (int64, bool) {
	k := due(c.next[:])
	switch k {
	case p2pDHT:
		c.dht(false)
	case p2pDHTIn:
		c.dht(true)
	case p2pTCP:
		c.tcp(false)
	case p2pTCPIn:
		c.tcp(true)
	case p2pUTP:
		c.utp()
	}
	c.next[k] = g.now + max(100*ms, int64(expDraw(c.r)*float64(p2pMean[k])))
	t := slices.Min(c.next[:])
	return t, t <= g.end
}

// peer adds a remote peer at a fresh address.
func (c *p2pClient) peer() *host {
	n, r := c.o.net, c.r
	os := osWindows
	if r.IntN(3) > 0 {
		os = osLinux
	}
	return n.addRemote("peer", "peer", c.seq.next(), os, 20*ms+r.Int64N(int64(250*ms)))
}

// bencoded KRPC messages.
func dhtQuery(r *rand.Rand) []byte {
	b := []byte("d1:ad2:id20:")
	b = append(b, randBytes(r, 20)...)
	q := "get_peers"
	if r.IntN(2) == 0 {
		b = append(b, "9:info_hash20:"...)
	} else {
		q = "find_node"
		b = append(b, "6:target20:"...)
	}
	b = append(b, randBytes(r, 20)...)
	b = append(b, "e1:q"+itoa(len(q))+":"+q+"1:t2:"...)
	b = append(b, randBytes(r, 2)...)
	return append(b, "1:v4:LT\x02\x001:y1:qe"...)
}

func dhtResponse(r *rand.Rand) []byte {
	b := []byte("d1:rd2:id20:")
	b = append(b, randBytes(r, 20)...)
	n := 26 * (1 + r.IntN(8))
	b = append(b, "5:nodes"+itoa(n)+":"...)
	b = append(b, noiseBytes(r, n)...)
	if r.IntN(3) == 0 {
		b = append(b, "5:token8:"...)
		b = append(b, randBytes(r, 8)...)
	}
	b = append(b, "e1:t2:"...)
	b = append(b, randBytes(r, 2)...)
	return append(b, "1:y1:re"...)
}

// dht is one KRPC exchange with a new peer: ours (answered about half the
// time) or theirs (always answered).
func (c *p2pClient) dht(incoming bool) {
	o, g, r, h := c.o, c.o.g, c.r, c.h
	p := c.peer()
	me, them := g.net.peer(h, false, c.port), g.net.peer(p, false, peerPort(r, false))
	t := g.now
	if incoming {
		f := g.newFlow(o.ev, protoUDP, them, me, "")
		g.startDgrams(f, []dgram{{at: t, data: dhtQuery(r)}, {at: t + 100*us + r.Int64N(int64(ms)), side: 1, data: dhtResponse(r)}})
		return
	}
	f := g.newFlow(o.ev, protoUDP, me, them, "")
	d := []dgram{{at: t, data: dhtQuery(r)}}
	if r.IntN(100) < 45 {
		d = append(d, dgram{at: t + p.rtt + r.Int64N(int64(5*ms)), side: 1, data: dhtResponse(r)})
	}
	g.startDgrams(f, d)
}

// tcp is a peer-wire connection. Ours mostly fail: a peer behind NAT or
// gone drops the SYN (one or two retransmissions follow), a peer that quit
// answers with RST; only peers listening on high ports accept, and then
// trade handshakes, bitfields and pieces. A peer connecting to us always
// gets in.
func (c *p2pClient) tcp(incoming bool) {
	o, g, r, h := c.o, c.o.g, c.r, c.h
	p := c.peer()
	if incoming {
		g.dial(o.ev, p, h, c.port, false, g.now, c.wire(true), "", "")
		return
	}
	high := r.IntN(2) == 0
	port := peerPort(r, high)
	plan := &tcpPlan{silent: 1 + r.IntN(2)}
	switch x := r.IntN(100); {
	case x < 18:
		plan = &tcpPlan{refused: true}
	case x < 50 && high:
		plan = c.wire(false)
	}
	g.dial(o.ev, h, p, port, false, g.now, plan, "", "")
}

// wire is a peer-wire session: handshakes, extension handshakes and
// bitfields, interest, then piece messages of 16 KiB blocks from the side
// that has them.
func (c *p2pClient) wire(incoming bool) *tcpPlan {
	r := c.r
	hs := func() []byte {
		b := append([]byte{19}, "BitTorrent protocol"...)
		b = append(b, 0, 0, 0, 0, 0, 0x10, 0, 5)
		return append(b, randBytes(r, 40)...)
	}
	seeder := 1 // the remote side sends the pieces
	if incoming {
		seeder = 0
	}
	msgs := []message{
		{from: 0, delay: 200 * us, head: hs()},
		{from: 1, delay: 300*us + r.Int64N(int64(3*ms)), head: hs()},
		{from: 0, delay: 200 * us, head: []byte{0, 0, 0, 0x60, 20, 0}, bulk: 94, salt: r.Uint64()},
		{from: 1, delay: 500 * us, head: []byte{0, 0, 0, 0x80, 20, 0}, bulk: 126, salt: r.Uint64()},
		{from: 1 - seeder, delay: 20*ms + r.Int64N(int64(200*ms)), head: []byte{0, 0, 0, 1, 2}},
		{from: seeder, delay: 30*ms + r.Int64N(int64(300*ms)), head: []byte{0, 0, 0, 1, 1}},
	}
	for range r.IntN(40) {
		// Requests for a few blocks, then the blocks.
		k := 1 + r.IntN(4)
		msgs = append(msgs, message{from: 1 - seeder, delay: 5*ms + r.Int64N(int64(400*ms)), head: []byte{0, 0, 0, 13, 6}, bulk: 12 + 17*(k-1), salt: r.Uint64()})
		msgs = append(msgs, message{from: seeder, delay: 2*ms + r.Int64N(int64(40*ms)), head: []byte{0, 0, 0x40, 0x09, 7}, bulk: 16392 + 16397*(k-1), salt: r.Uint64()})
	}
	cl := closeRST0
	if r.IntN(3) == 0 {
		cl = closeFIN0
	}
	return &tcpPlan{msgs: msgs, close: cl, closeDelay: 100*ms + r.Int64N(int64(20*sec))}
}

// utp is a download over uTP: SYN and STATE, then DATA packets from the
// peer, each acknowledged, for a few seconds to a minute.
func (c *p2pClient) utp() {
	o, g, r, h := c.o, c.o.g, c.r, c.h
	p := c.peer()
	f := g.newFlow(o.ev, protoUDP, g.net.peer(h, false, c.port), g.net.peer(p, false, peerPort(r, false)), "")
	hdr := func(typ byte, extra int) []byte {
		b := append([]byte{typ<<4 | 1, 0}, randBytes(r, 18)...)
		return append(b, noiseBytes(r, extra)...)
	}
	t := g.now
	d := []dgram{{at: t, data: hdr(4, 0)}, {at: t + p.rtt, side: 1, data: hdr(2, 0)}}
	t += p.rtt + 2*ms
	end := t + 3*sec + r.Int64N(int64(50*sec))
	gap := int64(1e9 / (20 + r.IntN(50)))
	for i := 0; t < end; i++ {
		d = append(d, dgram{at: t, side: 1, data: hdr(0, 900+r.IntN(480))})
		if i%2 == 1 {
			d = append(d, dgram{at: t + 100*us + r.Int64N(int64(ms)), data: hdr(2, 0)})
		}
		t += gap/2 + r.Int64N(gap)
	}
	d = append(d, dgram{at: t, data: hdr(1, 0)})
	g.startDgrams(f, d)
}
