package flow

import (
	"encoding/binary"
	"testing"
	"time"

	"flowsift/extract/decode"
)

// pktGen builds decoded packets in place, without parsing addresses or
// clearing the whole packet, so that building one costs next to nothing
// beside Table.Add. It writes realistic raw IPv4+TCP/UDP header bytes, so
// the duplicate detector hashes a real header.
type pktGen struct {
	p   decode.Packet
	m   Meta
	raw [40]byte
}

// genBase is the capture time the generated packets start at.
var genBase = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano()

// hostAddr returns the IPv4 address 10.0.0.0 + n.
func hostAddr(n uint32) decode.Addr {
	var a decode.Addr
	binary.BigEndian.PutUint32(a[:], 10<<24+n)
	return a
}

func (g *pktGen) ip(src, dst *decode.Addr, sp, dp uint16, proto uint8, l4 int, plen int) {
	p := &g.p
	p.Version, p.Proto, p.HasL4, p.TTL = 4, proto, true, 64
	p.Src, p.Dst, p.SrcPort, p.DstPort = *src, *dst, sp, dp
	p.HdrLen, p.L4HdrLen, p.PayloadLen = 20, l4, plen
	p.TotalLen = 20 + l4 + plen
	r := g.raw[:20+l4]
	r[0] = 0x45
	binary.BigEndian.PutUint16(r[2:], uint16(p.TotalLen))
	r[8], r[9] = 64, proto
	copy(r[12:16], src[:4])
	copy(r[16:20], dst[:4])
	binary.BigEndian.PutUint16(r[20:], sp)
	binary.BigEndian.PutUint16(r[22:], dp)
	p.Raw = r
}

// tcp sets up a TCP packet with a 20-byte header.
func (g *pktGen) tcp(src, dst *decode.Addr, sp, dp uint16, flags uint16, seq, ack uint32, plen int) {
	g.ip(src, dst, sp, dp, decode.ProtoTCP, 20, plen)
	p := &g.p
	p.Flags, p.Seq, p.Ack, p.Window, p.WScale, p.MSS = flags, seq, ack, 65535, -1, 0
	if flags&decode.SYN != 0 {
		p.WScale, p.MSS = 7, 1460
	}
	binary.BigEndian.PutUint32(g.raw[24:], seq)
	binary.BigEndian.PutUint32(g.raw[28:], ack)
	g.raw[33] = byte(flags)
}

// udp sets up a UDP packet.
func (g *pktGen) udp(src, dst *decode.Addr, sp, dp uint16, plen int) {
	g.ip(src, dst, sp, dp, decode.ProtoUDP, 8, plen)
	g.p.UDPLen = 8 + plen
	binary.BigEndian.PutUint16(g.raw[24:], uint16(8+plen))
}

// add feeds the packet at capture time ts to tab.
func (g *pktGen) add(tab *Table, ts int64) PacketInfo {
	g.m.Ordinal++
	g.m.PktNo = g.m.Ordinal
	g.m.TS = ts
	g.m.WireLen = 14 + g.p.TotalLen
	g.m.CapLen = g.m.WireLen
	return tab.Add(&g.p, &g.m)
}

// tcpConns is a set of established TCP connections from distinct client
// addresses to one server, with each side's next sequence number.
type tcpConns struct {
	g            pktGen
	server       decode.Addr
	client       []decode.Addr
	cseq, sseq   []uint32
	ts           int64
	step         int64 // capture time between packets
	i            int
	payload      int
	fromServerAt int // every n-th packet is the server's pure ACK
}

// newTCPConns opens n connections (three-way handshake) in tab.
func newTCPConns(tab *Table, n int, step time.Duration) *tcpConns {
	c := &tcpConns{server: hostAddr(1<<16 + 1), ts: genBase, step: int64(step), payload: 1200, fromServerAt: 2}
	for i := range n {
		c.client = append(c.client, hostAddr(2<<16+uint32(i)))
		c.cseq = append(c.cseq, uint32(i)*7919)
		c.sseq = append(c.sseq, uint32(i)*104729+1)
		cl := &c.client[i]
		c.g.tcp(cl, &c.server, 40000, 443, decode.SYN, c.cseq[i], 0, 0)
		c.g.add(tab, c.tick())
		c.g.tcp(&c.server, cl, 443, 40000, decode.SYN|decode.ACK, c.sseq[i], c.cseq[i]+1, 0)
		c.g.add(tab, c.tick())
		c.cseq[i]++
		c.sseq[i]++
		c.g.tcp(cl, &c.server, 40000, 443, decode.ACK, c.cseq[i], c.sseq[i], 0)
		c.g.add(tab, c.tick())
	}
	return c
}

func (c *tcpConns) tick() int64 {
	c.ts += c.step
	return c.ts
}

// next sends one packet of the established connections, round robin:
// client data, and every fromServerAt-th packet the server's ACK. It
// returns the IP length sent.
func (c *tcpConns) next(tab *Table) int {
	i := c.i % len(c.client)
	round := c.i / len(c.client)
	c.i++
	cl := &c.client[i]
	if round%c.fromServerAt == c.fromServerAt-1 {
		c.g.tcp(&c.server, cl, 443, 40000, decode.ACK, c.sseq[i], c.cseq[i], 0)
	} else {
		c.g.tcp(cl, &c.server, 40000, 443, decode.PSH|decode.ACK, c.cseq[i], c.sseq[i], c.payload)
		c.cseq[i] += uint32(c.payload)
	}
	c.g.add(tab, c.tick())
	return c.g.p.TotalLen
}

// newCountingTable returns a table whose emit callback only counts.
func newCountingTable(tb testing.TB, cfg Config, emitted *int64) *Table {
	tb.Helper()
	tab, err := NewTable(cfg, func(*Flow, EndReason) { *emitted++ })
	if err != nil {
		tb.Fatal(err)
	}
	return tab
}

// TestAddAllocations asserts that, once the table has grown, Table.Add
// allocates nothing per packet: for packets of existing flows and for
// packets that create flows in recycled slots (the free list is warm)
// while others expire or are evicted. Each case warms up, then counts
// the allocations of a whole batch of packets (so none can hide in
// AllocsPerRun's integer average).
func TestAddAllocations(t *testing.T) {
	const batch = 20_000
	tests := []struct {
		name string
		// newFlows is how many flows a batch creates (at least).
		newFlows int64
		setup    func(t *testing.T) (tab *Table, next func())
	}{
		{
			name: "tcp data in established connections",
			setup: func(t *testing.T) (*Table, func()) {
				var n int64
				tab := newCountingTable(t, DefaultConfig(), &n)
				c := newTCPConns(tab, 2000, 10*time.Microsecond)
				return tab, func() { c.next(tab) }
			},
		},
		{
			name: "udp both directions",
			setup: func(t *testing.T) (*Table, func()) {
				var n int64
				tab := newCountingTable(t, DefaultConfig(), &n)
				var g pktGen
				srv := hostAddr(1<<16 + 53)
				clients := make([]decode.Addr, 2000)
				for i := range clients {
					clients[i] = hostAddr(2<<16 + uint32(i))
				}
				i, ts := 0, genBase
				return tab, func() {
					cl := &clients[i%len(clients)]
					if i/len(clients)%2 == 0 {
						g.udp(cl, &srv, 40000, 9999, 100)
					} else {
						g.udp(&srv, cl, 9999, 40000, 300)
					}
					i++
					ts += int64(10 * time.Microsecond)
					g.add(tab, ts)
				}
			},
		},
		{
			// One new UDP flow per packet, each expiring 60 s after its
			// packet: about 6000 flows held, created in slots that
			// expired flows freed.
			name:     "new udp flows expiring",
			newFlows: batch,
			setup: func(t *testing.T) (*Table, func()) {
				var n int64
				cfg := DefaultConfig()
				cfg.UDPIdleTimeout = time.Minute
				tab := newCountingTable(t, cfg, &n)
				var g pktGen
				srv := hostAddr(1<<16 + 1)
				i, ts := uint32(0), genBase
				return tab, func() {
					cl := hostAddr(2<<16 + i%(1<<20))
					g.udp(&cl, &srv, uint16(1024+i%60000), 9999, 50)
					i++
					ts += int64(10 * time.Millisecond)
					g.add(tab, ts)
				}
			},
		},
		{
			// A random-source SYN flood into a full table: every packet
			// evicts a flow and creates one in its slot.
			name:     "syn flood at MaxFlows",
			newFlows: batch,
			setup: func(t *testing.T) (*Table, func()) {
				var n int64
				cfg := DefaultConfig()
				cfg.MaxFlows = 4096
				tab := newCountingTable(t, cfg, &n)
				var g pktGen
				srv := hostAddr(1<<16 + 1)
				x, ts := uint64(1), genBase
				return tab, func() {
					x = x*6364136223846793005 + 1442695040888963407
					src := hostAddr(uint32(x>>40) | 3<<20)
					g.tcp(&src, &srv, uint16(x>>16), 80, decode.SYN, uint32(x), 0, 0)
					ts += int64(time.Microsecond)
					g.add(tab, ts)
				}
			},
		},
		{
			// Whole connections: handshake, request, response, both
			// FINs, last ACK; each on a new client port, so each creates
			// a flow that ends after the close grace.
			name:     "short tcp connections",
			newFlows: batch / 8,
			setup: func(t *testing.T) (*Table, func()) {
				var n int64
				tab := newCountingTable(t, DefaultConfig(), &n)
				var g pktGen
				cl, srv := hostAddr(2<<16+1), hostAddr(1<<16+1)
				conn, step, ts := uint32(0), 0, genBase
				return tab, func() {
					port := uint16(1024 + conn%60000)
					c, s := 1000+conn, 5000+conn
					switch step {
					case 0:
						g.tcp(&cl, &srv, port, 80, decode.SYN, c, 0, 0)
					case 1:
						g.tcp(&srv, &cl, 80, port, decode.SYN|decode.ACK, s, c+1, 0)
					case 2:
						g.tcp(&cl, &srv, port, 80, decode.ACK, c+1, s+1, 0)
					case 3:
						g.tcp(&cl, &srv, port, 80, decode.PSH|decode.ACK, c+1, s+1, 100)
					case 4:
						g.tcp(&srv, &cl, 80, port, decode.PSH|decode.ACK, s+1, c+101, 1000)
					case 5:
						g.tcp(&cl, &srv, port, 80, decode.FIN|decode.ACK, c+101, s+1001, 0)
					case 6:
						g.tcp(&srv, &cl, 80, port, decode.FIN|decode.ACK, s+1001, c+102, 0)
					case 7:
						g.tcp(&cl, &srv, port, 80, decode.ACK, c+102, s+1002, 0)
					}
					if step++; step == 8 {
						step = 0
						conn++
					}
					ts += int64(100 * time.Microsecond)
					g.add(tab, ts)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, next := tt.setup(t)
			for range 5 * batch { // grow the chunks, the free list and the index
				next()
			}
			before := tab.Stats().Flows
			allocs := testing.AllocsPerRun(1, func() {
				for range batch {
					next()
				}
			})
			if allocs != 0 {
				t.Errorf("Table.Add: %v allocations in %d packets, want 0", allocs, batch)
			}
			// AllocsPerRun ran the batch twice (once to warm up).
			if created := tab.Stats().Flows - before; created < 2*tt.newFlows || tt.newFlows == 0 && created != 0 {
				t.Errorf("the batches created %d flows, want %d", created, 2*tt.newFlows)
			}
		})
	}
}

// TestNewFlowsAfterFlush measures creating flows when every slot is on
// the free list (after Flush): the slots are reused, and the index map,
// emptied by deletes, holds the new keys without growing.
func TestNewFlowsAfterFlush(t *testing.T) {
	const n = 20_000
	var emitted int64
	tab := newCountingTable(t, DefaultConfig(), &emitted)
	var g pktGen
	srv := hostAddr(1<<16 + 1)
	round, ts := uint32(0), genBase
	create := func() {
		for i := range uint32(n) {
			cl := hostAddr(2<<16 + round<<15 + i)
			g.udp(&cl, &srv, 40000, 9999, 10)
			ts += int64(time.Microsecond)
			g.add(tab, ts)
		}
		round++
		tab.Flush()
	}
	create()
	create()
	allocs := testing.AllocsPerRun(1, create)
	if allocs != 0 {
		t.Errorf("creating %d flows in a flushed table: %v allocations, want 0", n, allocs)
	}
	if want := int64(4 * n); emitted != want {
		t.Errorf("emitted %d flows, want %d", emitted, want)
	}
}
