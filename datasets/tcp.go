package datasets

import (
	"encoding/binary"
	"math/rand/v2"
)

// bulkKind says how the pseudo-random tail of a message is framed.
type bulkKind uint8

const (
	bulkRaw bulkKind = iota // opaque bytes (compressed files, SSH ciphertext)
	bulkTLS                 // TLS application-data records
)

// tlsRecMax is the largest TLS 1.3 application-data record on the wire:
// header, 16 KiB of plaintext, the content-type byte and the AEAD tag.
const tlsRecMax = 5 + 16384 + 1 + 16

// message is one application write: head is sent as given, followed by
// bulk pseudo-random bytes.
type message struct {
	from  int   // 0 initiator, 1 responder
	delay int64 // think or processing time before the first byte
	head  []byte
	bulk  int
	kind  bulkKind
	salt  uint64
}

func (m *message) size() int { return len(m.head) + m.bulk }

// fill writes the message bytes [off, off+len(dst)).
func (m *message) fill(dst []byte, off int) {
	k := 0
	if off < len(m.head) {
		k = copy(dst, m.head[off:])
	}
	if k == len(dst) {
		return
	}
	off += k - len(m.head)
	dst = dst[k:]
	if m.kind == bulkRaw {
		noiseFill(dst, m.salt+uint64(off))
		return
	}
	// TLS records: every record is tlsRecMax long except the last two,
	// which are balanced so the last is never shorter than 32 bytes.
	total := m.bulk
	for len(dst) > 0 {
		rs, re := tlsRecord(off, total)
		n := min(len(dst), re-off)
		hdr := [5]byte{0x17, 0x03, 0x03, byte((re - rs - 5) >> 8), byte(re - rs - 5)}
		i := 0
		for ; i < n && off+i-rs < 5; i++ {
			dst[i] = hdr[off+i-rs]
		}
		noiseFill(dst[i:n], m.salt+uint64(off+i))
		dst = dst[n:]
		off += n
	}
}

// tlsRecord returns the record [start, end) holding byte off of a bulk of
// total bytes.
func tlsRecord(off, total int) (int, int) {
	n := (total + tlsRecMax - 1) / tlsRecMax
	if n <= 1 {
		return 0, total
	}
	last := total - (n-1)*tlsRecMax
	cut := (n - 1) * tlsRecMax // start of the last record
	if last < 32 {
		cut -= 32 - last
	}
	if off >= cut {
		return cut, total
	}
	i := off / tlsRecMax
	s, e := i*tlsRecMax, (i+1)*tlsRecMax
	return s, min(e, cut)
}

// tlsBulk rounds a payload size up so TLS framing stays well formed.
func tlsBulk(n int) int { return max(n, 40) }

// closeKind is how a connection ends.
type closeKind uint8

const (
	closeFIN0    closeKind = iota // initiator FIN, responder FIN, initiator ACK
	closeFIN1                     // responder closes first
	closeRST0                     // initiator aborts with RST
	closeRST1                     // responder aborts with RST
	closeFIN0RST                  // initiator FIN answered by a responder RST
	closeNone                     // still open when the capture ends
)

// tcpPlan is what a connection will carry.
type tcpPlan struct {
	msgs       []message
	close      closeKind
	closeDelay int64
	// refused: the responder answers the SYN with RST-ACK (closed port).
	refused bool
	// silent: nothing answers; the initiator retries the SYN this many
	// times (after 1 s, then 2 s more, ...) and gives up.
	silent int
	// synOnly: nothing answers and the initiator abandons the attempt
	// before its first retransmission (Happy Eyeballs' losing family).
	synOnly bool
}

// tpkt is one planned segment.
type tpkt struct {
	at    int64
	ord   uint32
	side  uint8
	flags uint8
	syn   bool
	seq   uint32
	ack   uint32
	n     int32
	off   int32
	msg   *message
}

type pendAck struct {
	on       bool
	count    int
	deadline int64
	ack      uint32
}

// tcpConn is a TCP connection stream: handshake, messages, teardown. Time is
// the capture point's: the side near the capture point (near) is seen when
// it sends, the far side when its packets arrive, so anything the near side
// sends reaches the far side one round trip after it was captured.
type tcpConn struct {
	f       *flow
	r       *rand.Rand
	plan    *tcpPlan
	near    int // 0 or 1; -1 when both sides are on the LAN
	rtt     int64
	bw      [2]float64 // bits per second each side can send
	os      [2]*osProfile
	mss     [2]int
	ts      bool
	ws      bool
	t0      int64
	tsBase  [2]uint32
	lastTS  [2]uint32
	snd     [2]uint32
	rcvd    [2]int
	cwnd    [2]int
	sent    [2]int64 // last capture time of a packet from each side
	seen    [2]int64 // when each side last received something from its peer
	lastArr [2]int64
	pend    [2]pendAck
	q       timeQueue[tpkt, *tpkt]
	ord     uint32
	horizon int64
	phase   int
	mi      int
	prev    int // sender of the previous message, -1 after the handshake
	tr      transfer
	started bool
	opts    [24]byte
	// begin is when the connection opened, earlier than the capture for a
	// connection already running when it started; packets before hide
	// were sent but not captured.
	begin int64
	hide  int64
}

type transfer struct {
	on    bool
	m     *message
	s     int
	off   int
	start int64
}

// dial starts a TCP connection from a to b:port at time at.
func (g *gen) dial(ev int, a, b *host, port uint16, v6 bool, at int64, plan *tcpPlan, app, name string) *tcpConn {
	c := g.newConn(ev, a, b, port, v6, at, plan, app, name)
	g.spawn(c, at)
	return c
}

// dialBefore is dial for a connection that opened at began, before the
// capture point saw anything: only its packets from g.now on are written,
// so the capture shows it mid-stream (no handshake; Zeek's OTH, SH, SHR or
// an SF without S).
func (g *gen) dialBefore(ev int, a, b *host, port uint16, v6 bool, began int64, plan *tcpPlan, app, name string) *tcpConn {
	c := g.newConn(ev, a, b, port, v6, began, plan, app, name)
	c.begin, c.hide = began, g.now
	g.spawn(c, g.now)
	return c
}

func (g *gen) newConn(ev int, a, b *host, port uint16, v6 bool, at int64, plan *tcpPlan, app, name string) *tcpConn {
	r := g.child()
	pa := g.net.peer(a, v6, a.allocPort(at, r))
	pb := g.net.peer(b, v6, port)
	f := g.newFlow(ev, protoTCP, pa, pb, app)
	f.name = name
	f.ownPort = true
	c := &tcpConn{f: f, r: r, plan: plan, os: [2]*osProfile{a.os, b.os}, prev: -1}
	switch {
	case a.local && b.local:
		c.near = -1
		c.rtt = max(a.rtt, b.rtt)
		c.bw = [2]float64{a.bwUp, b.bwUp}
	case a.local:
		c.near = 0
		c.rtt = b.rtt
		c.bw = [2]float64{officeUp, min(b.bwUp, officeDown)}
	default:
		c.near = 1
		c.rtt = a.rtt
		c.bw = [2]float64{min(a.bwUp, officeDown), officeUp}
	}
	return c
}

// The office's Internet link.
const (
	officeDown = 500e6
	officeUp   = 100e6
)

// lat is how long after a packet from side s is captured the other side
// processes it.
func (c *tcpConn) lat(s int) int64 {
	j := c.rtt / 50
	d := c.rtt
	if c.near == -1 {
		d = c.rtt / 2
	} else if c.near != s {
		return 0
	}
	return d - j/2 + c.r.Int64N(j+1)
}

func (c *tcpConn) ser(s, n int) int64 {
	d := float64(n+66) * 8e9 / c.bw[s]
	return int64(d * lerp(0.9, 1.1, c.r.Float64()))
}

func (c *tcpConn) enqueue(p tpkt) {
	c.ord++
	p.ord = c.ord
	c.q.push(p)
	s := int(p.side)
	c.sent[s] = max(c.sent[s], p.at)
}

func (c *tcpConn) step(g *gen) (int64, bool) {
	if !c.started {
		c.started = true
		c.t0 = g.now
		if c.begin != 0 {
			c.t0 = c.begin
		}
		c.planHandshake(c.t0)
	} else if len(c.q) > 0 && c.q[0].at <= g.now {
		p := c.q.pop()
		if p.at >= c.hide {
			c.emit(g, &p)
		}
	}
	for (len(c.q) == 0 || c.q[0].at > c.horizon) && c.phase < 3 && c.horizon <= g.end {
		c.planMore(g)
	}
	if len(c.q) == 0 || c.q[0].at > g.end {
		g.closeFlow(c.f)
		return 0, false
	}
	return c.q[0].at, true
}

func (c *tcpConn) planHandshake(t int64) {
	c.snd[0] = c.r.Uint32()
	c.snd[1] = c.r.Uint32()
	c.tsBase = [2]uint32{c.r.Uint32(), c.r.Uint32()}
	l0, l1 := c.os[0].layout, c.os[1].layout
	hasTS := func(l optLayout) bool { return l == optLinux || l == optMac }
	c.ts = hasTS(l0) && hasTS(l1)
	c.ws = l0 != optMSSOnly && l0 != optNone && l1 != optNone && l1 != optMSSOnly
	mss := int(min(c.os[0].mss, c.os[1].mss))
	if c.f.ends[0].addr.Is6() {
		mss -= 20
	}
	if c.ts {
		mss -= 12
	}
	c.mss = [2]int{mss, mss}
	c.cwnd = [2]int{10, 10}

	c.enqueue(tpkt{at: t, side: 0, flags: flagSYN, syn: true, seq: c.snd[0]})
	switch {
	case c.plan.silent > 0 || c.plan.synOnly:
		rto := sec
		for i := range c.plan.silent {
			t += rto << i
			c.enqueue(tpkt{at: t, side: 0, flags: flagSYN, syn: true, seq: c.snd[0]})
		}
		c.phase, c.horizon = 3, 1<<63-1
		return
	case c.plan.refused:
		c.enqueue(tpkt{at: t + c.lat(0) + 15*us + c.r.Int64N(int64(40*us)), side: 1, flags: flagRST | flagACK,
			ack: c.snd[0] + 1})
		c.phase, c.horizon = 3, 1<<63-1
		return
	}
	t1 := t + c.lat(0) + 20*us + c.r.Int64N(int64(120*us))
	c.enqueue(tpkt{at: t1, side: 1, flags: flagSYN | flagACK, syn: true, seq: c.snd[1], ack: c.snd[0] + 1})
	t2 := t1 + c.lat(1) + 30*us + c.r.Int64N(int64(60*us))
	c.snd[0]++
	c.snd[1]++
	c.enqueue(tpkt{at: t2, side: 0, flags: flagACK, seq: c.snd[0], ack: c.snd[1]})
	c.seen[1] = t + c.lat(0)
	c.seen[0] = t1 + c.lat(1)
	c.seen[1] = max(c.seen[1], t2+c.lat(0))
	c.lastArr = c.seen
	c.horizon = t2
	c.phase = 1
}

// flushAck settles side s's delayed ACK before it sends at t: a timer that
// fired earlier produced a pure ACK; otherwise the outgoing segment carries
// the acknowledgement.
func (c *tcpConn) flushAck(s int, t int64) {
	p := &c.pend[s]
	if p.on && p.deadline <= t {
		c.enqueue(tpkt{at: p.deadline, side: uint8(s), flags: flagACK, seq: c.snd[s], ack: p.ack})
	}
	*p = pendAck{}
}

// arrive runs side r's delayed-ACK logic for a segment that it receives at
// a and that makes it acknowledge ack: every second segment is acknowledged
// at once, a lone one when the timer expires.
func (c *tcpConn) arrive(r int, a int64, ack uint32, n int) {
	p := &c.pend[r]
	if p.on && a >= p.deadline {
		c.enqueue(tpkt{at: p.deadline, side: uint8(r), flags: flagACK, seq: c.snd[r], ack: p.ack})
		*p = pendAck{}
	}
	c.rcvd[r] += n
	p.count++
	p.ack = ack
	if p.count >= 2 {
		c.enqueue(tpkt{at: a + 15*us + c.r.Int64N(int64(40*us)), side: uint8(r), flags: flagACK, seq: c.snd[r], ack: ack})
		*p = pendAck{}
		return
	}
	p.on = true
	p.deadline = a + c.os[r].delack
}

func (c *tcpConn) planMore(g *gen) {
	switch c.phase {
	case 1:
		if c.tr.on {
			c.flight()
			return
		}
		if c.mi < len(c.plan.msgs) {
			m := &c.plan.msgs[c.mi]
			c.mi++
			c.startTransfer(m)
			return
		}
		c.phase = 2
	case 2:
		c.planClose()
		c.phase = 3
		c.horizon = 1<<63 - 1
	}
}

func (c *tcpConn) startTransfer(m *message) {
	s := m.from
	var t int64
	if s == c.prev {
		t = c.sent[s] + m.delay
	} else {
		t = max(c.seen[s], c.sent[s]) + m.delay
	}
	// Slow start again after an idle period (RFC 5681 section 4.1).
	if t-c.sent[s] > max(200*ms, 2*c.rtt) {
		c.cwnd[s] = 10
	}
	c.flushAck(s, t)
	c.prev = s
	c.tr = transfer{on: true, m: m, s: s, start: t}
	if m.size() == 0 {
		c.tr.on = false
		return
	}
	c.flight()
}

// flight plans the next congestion window of the current transfer.
func (c *tcpConn) flight() {
	tr := &c.tr
	s, r := tr.s, 1-tr.s
	m := tr.m
	total := m.size()
	t := tr.start
	var firstAck int64 = -1
	for k := 0; k < c.cwnd[s] && tr.off < total; k++ {
		n := min(c.mss[s], total-tr.off)
		flags := uint8(flagACK)
		if tr.off+n == total {
			flags |= flagPSH
		}
		c.enqueue(tpkt{at: t, side: uint8(s), flags: flags, seq: c.snd[s], ack: c.snd[r], n: int32(n),
			off: int32(tr.off), msg: m})
		c.snd[s] += uint32(n)
		tr.off += n
		a := max(t+c.lat(s), c.lastArr[r]+us)
		c.lastArr[r] = a
		c.seen[r] = max(c.seen[r], a)
		c.arrive(r, a, c.snd[s], n)
		if k == 1 || (k == 0 && tr.off == total) {
			firstAck = a + 50*us
		}
		t += c.ser(s, n)
	}
	if tr.off >= total {
		tr.on = false
		c.horizon = c.sent[s]
		return
	}
	capWin := 10
	if bdp := int(c.bw[s] / 8 * float64(c.rtt) / 1e9 / float64(c.mss[s])); 2*bdp+4 > capWin {
		capWin = 2*bdp + 4
	}
	capWin = min(capWin, c.os[r].rcvBuf/c.mss[s])
	c.cwnd[s] = min(2*c.cwnd[s], capWin)
	next := t
	if firstAck >= 0 {
		next = max(next, firstAck+c.lat(r))
	}
	tr.start = next
	c.horizon = next
	// A delayed ACK whose timer runs out before the next flight can arrive
	// is sent on its own now.
	if p := &c.pend[r]; p.on && p.deadline < next {
		c.enqueue(tpkt{at: p.deadline, side: uint8(r), flags: flagACK, seq: c.snd[r], ack: p.ack})
		*p = pendAck{}
	}
}

func (c *tcpConn) planClose() {
	k := c.plan.close
	if k == closeNone {
		return
	}
	cl := 0
	if k == closeFIN1 || k == closeRST1 {
		cl = 1
	}
	o := 1 - cl
	t := max(c.seen[cl], c.sent[cl]) + c.plan.closeDelay
	c.flushAck(cl, t)
	switch k {
	case closeRST0, closeRST1:
		c.enqueue(tpkt{at: t, side: uint8(cl), flags: flagRST | flagACK, seq: c.snd[cl], ack: c.snd[o]})
		return
	}
	c.enqueue(tpkt{at: t, side: uint8(cl), flags: flagFIN | flagACK, seq: c.snd[cl], ack: c.snd[o]})
	c.snd[cl]++
	t1 := t + c.lat(cl) + 40*us + c.r.Int64N(int64(300*us))
	c.flushAck(o, t1)
	if k == closeFIN0RST {
		c.enqueue(tpkt{at: t1, side: uint8(o), flags: flagRST | flagACK, seq: c.snd[o], ack: c.snd[cl]})
		return
	}
	c.enqueue(tpkt{at: t1, side: uint8(o), flags: flagFIN | flagACK, seq: c.snd[o], ack: c.snd[cl]})
	c.snd[o]++
	t2 := t1 + c.lat(o) + 20*us + c.r.Int64N(int64(50*us))
	c.enqueue(tpkt{at: t2, side: uint8(cl), flags: flagACK, seq: c.snd[cl], ack: c.snd[o]})
}

// window is the receive window side s advertises, already scaled down.
func (c *tcpConn) window(s int) uint16 {
	o := c.os[s]
	buf := min(o.rcvBuf, int(o.synWin)+2*c.rcvd[s])
	if c.ws {
		buf >>= o.wscale
	}
	return uint16(min(buf, 65535))
}

func (c *tcpConn) tsval(s int, t int64) uint32 {
	return c.tsBase[s] + uint32((t-c.t0)/ms)
}

func (c *tcpConn) emit(g *gen, p *tpkt) {
	s := int(p.side)
	h := tcpHdr{seq: p.seq, ack: p.ack, flags: p.flags}
	if p.syn {
		h.win = c.os[s].synWin
		h.opts = c.synOptions(s, g.now)
	} else {
		h.win = c.window(s)
		if c.ts {
			tv := c.tsval(s, g.now)
			c.lastTS[s] = tv
			o := c.opts[:12]
			o[0], o[1], o[2], o[3] = 1, 1, 8, 10
			binary.BigEndian.PutUint32(o[4:], tv)
			binary.BigEndian.PutUint32(o[8:], c.lastTS[1-s])
			h.opts = o
		}
		if p.flags&flagRST != 0 {
			h.win = 0
			h.opts = nil
		}
	}
	pl := g.tcpOut(c.f, s, &h, int(p.n))
	if p.n > 0 {
		p.msg.fill(pl, int(p.off))
	}
	g.commit()
}

// synOptions lays out the SYN or SYN-ACK options of side s.
func (c *tcpConn) synOptions(s int, t int64) []byte {
	o := c.os[s]
	b := c.opts[:0]
	mss := func() {
		m := o.mss
		if c.f.ends[0].addr.Is6() {
			m -= 20
		}
		b = append(b, 2, 4, byte(m>>8), byte(m))
	}
	tsv := c.tsval(s, t)
	c.lastTS[s] = tsv
	ts := func() {
		b = append(b, 8, 10)
		b = binary.BigEndian.AppendUint32(b, tsv)
		b = binary.BigEndian.AppendUint32(b, c.lastTS[1-s])
	}
	layout := o.layout
	if s == 1 && !c.ts && (layout == optLinux || layout == optMac) {
		// A server answers a client without timestamps without them too.
		mss()
		b = append(b, 1, 1, 4, 2, 1, 3, 3, o.wscale)
		return b
	}
	switch layout {
	case optLinux:
		mss()
		b = append(b, 4, 2)
		ts()
		b = append(b, 1, 3, 3, o.wscale)
	case optWindows:
		mss()
		b = append(b, 1, 3, 3, o.wscale, 1, 1, 4, 2)
	case optMac:
		mss()
		b = append(b, 1, 3, 3, o.wscale, 1, 1)
		ts()
		b = append(b, 4, 2, 0, 0)
	case optMSSOnly:
		mss()
	}
	return b
}

func (a *tpkt) before(b *tpkt) bool { return a.at < b.at || a.at == b.at && a.ord < b.ord }
