package datasets

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
)

// nmapTopTCP are the first of nmap's most common TCP ports.
var nmapTopTCP = []uint16{80, 23, 443, 21, 22, 25, 3389, 110, 445, 139, 143, 53, 135, 3306, 8080, 1723, 111,
	995, 993, 5900, 1025, 587, 8888, 199, 1720, 465, 548, 113, 81, 6001, 10000, 514, 5060, 179, 1026, 2000,
	8443, 8000, 32768, 554, 26, 1433, 49152, 2001, 515, 8008, 49154, 1027, 5666, 646, 5000, 5631, 631, 49153,
	8081, 2049, 88, 79, 5800, 106, 2121, 1110, 49155, 6000, 513, 990, 5357, 427, 49156, 543, 544, 5101, 144,
	7, 389, 5985, 9100, 6379, 27017, 5432}

// nmapTopUDP are the first of nmap's most common UDP ports.
var nmapTopUDP = []uint16{631, 161, 137, 123, 138, 1434, 445, 135, 67, 53, 139, 500, 68, 520, 1900, 4500, 514,
	49152, 162, 69, 5353, 111, 49154, 1701, 998, 996, 997, 999, 3283, 49153, 1812, 136, 2222, 2049, 32768,
	5060, 1025, 1433, 3456, 80, 20031, 1026, 7, 1646, 1645, 593, 518, 2048, 626, 1027, 177, 1719, 427,
	497, 4444, 1023, 65024, 19, 9, 49193, 1029, 49, 88, 1028, 17185, 1718, 49186, 2000, 31337, 1030, 4000}

// portList returns n distinct ports: the common ones first, then random
// ones, in the shuffled order nmap probes them.
func portList(r *rand.Rand, top []uint16, n int) []uint16 {
	n = min(n, 65535)
	seen := map[uint16]bool{}
	var out []uint16
	for _, p := range top {
		if len(out) == n {
			break
		}
		out = append(out, p)
		seen[p] = true
	}
	for len(out) < n {
		p := uint16(1 + r.IntN(65535))
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// Port states a scan target can answer with.
const (
	portClosed = iota
	portOpen
	portFiltered
)

type scanTarget struct {
	peer  peer
	state int
	rtt   int64 // from the capture point, when the target is remote
}

// synScan is nmap -sS: raw SYNs from one source port, RSTs to SYN-ACKs.
type synScan struct {
	a       *attackCtx
	r       *rand.Rand
	scanner peer
	local   bool // scanner on the LAN
	srtt    int64
	targets []scanTarget
	i       int
	t       int64
	mean    float64
}

func installVerticalScan(a *attackCtx) Event {
	g, r := a.g, a.r
	atk := a.attacker("scanner", "doc3")
	v := a.o.web
	ports := portList(r, nmapTopTCP, a.n(1000, 20))
	s := &synScan{a: a, r: r, scanner: g.net.peer(atk, false, uint16(40000+r.IntN(25000))), srtt: atk.rtt, t: a.start}
	for _, p := range ports {
		st := portClosed
		switch {
		case p == 22 || p == 80 || p == 443:
			st = portOpen
		case r.IntN(50) == 0:
			st = portFiltered
		}
		s.targets = append(s.targets, scanTarget{peer: g.net.peer(v, false, p), state: st})
	}
	s.mean = float64(a.end-a.start) * 0.8 / float64(len(ports))
	g.startBurst(s, a.start)
	return Event{Attackers: addrs(atk.ip4), Victims: addrs(v.ip4), VictimPorts: portInts(ports),
		Details: map[string]string{"ports": fmt.Sprint(len(ports)), "tool": "nmap -sS"}}
}

func portInts(p []uint16) []int {
	out := make([]int, len(p))
	for i, x := range p {
		out[i] = int(x)
	}
	slices.Sort(out)
	return out
}

func installHorizontalScan(a *attackCtx) Event {
	g, r := a.g, a.r
	w := a.o.ws[r.IntN(len(a.o.ws))]
	n := a.n(762, 10)
	s := &synScan{a: a, r: r, scanner: g.net.peer(w, false, uint16(40000+r.IntN(25000))), local: true, t: a.start}
	var victims []string
	blocks := []string{"192.0.2.0", "198.51.100.0", "203.0.113.0"}
	seq := &addrSeq{salt: r.Uint32()}
	for i := range n {
		var addr netip.Addr
		if b := i / 254; b < len(blocks) {
			x := netip.MustParseAddr(blocks[b]).As4()
			x[3] = byte(1 + i%254)
			addr = netip.AddrFrom4(x)
		} else {
			addr = seq.next()
		}
		st := portFiltered
		switch x := r.IntN(100); {
		case x < 10:
			st = portOpen
		case x < 35:
			st = portClosed
		}
		s.targets = append(s.targets, scanTarget{peer: g.net.forged(addr, 22, uint8(40+r.IntN(20))), state: st,
			rtt: 20*ms + r.Int64N(int64(180*ms))})
		victims = append(victims, addr.String())
	}
	s.mean = float64(a.end-a.start) * 0.8 / float64(n)
	g.startBurst(s, a.start)
	return Event{Attackers: addrs(w.ip4), Victims: victims, VictimPorts: []int{22},
		Details: map[string]string{"targets": fmt.Sprint(n), "tool": "nmap -sS -p22"}}
}

func (s *synScan) next(g *gen, b *burst) (shot, bool) {
	if s.i >= len(s.targets) || s.t > s.a.end {
		return shot{}, false
	}
	tg := &s.targets[s.i]
	f := g.newFlow(s.a.ev, protoTCP, s.scanner, tg.peer, "")
	sh := shot{at: s.t, f: f, kind: shotTCP, flags: flagSYN, win: 1024, opts: mssOnly, seq: s.r.Uint32(),
		tag: tagProbe, x: uint32(s.i), close: tg.state == portFiltered}
	s.i++
	s.t += jitter(s.r, s.mean)
	return sh, true
}

// toTarget and toScanner are the delays between a packet being captured
// and the other side's answer being captured.
func (s *synScan) toTarget(tg *scanTarget) int64 {
	if s.local {
		return tg.rtt
	}
	return 30*us + s.r.Int64N(int64(60*us))
}

func (s *synScan) toScanner() int64 {
	if s.local {
		return 30*us + s.r.Int64N(int64(40*us))
	}
	return s.srtt
}

func (s *synScan) react(g *gen, b *burst, sh *shot) {
	switch sh.tag {
	case tagProbe:
		tg := &s.targets[sh.x]
		switch tg.state {
		case portClosed:
			b.later(shot{at: g.now + s.toTarget(tg), f: sh.f, side: 1, kind: shotTCP, flags: flagRST | flagACK,
				ack: sh.seq + 1, close: true})
		case portOpen:
			b.later(shot{at: g.now + s.toTarget(tg), f: sh.f, side: 1, kind: shotTCP, flags: flagSYN | flagACK,
				win: 64240, opts: mssOnly, seq: s.r.Uint32(), ack: sh.seq + 1, tag: tagSYNACK})
		}
	case tagSYNACK:
		// The scanner's kernel never opened this connection and resets it.
		b.later(shot{at: g.now + s.toScanner(), f: sh.f, kind: shotTCP, flags: flagRST, seq: sh.ack, close: true})
	}
}

func (s *synScan) done(g *gen) {}

func installConnectScan(a *attackCtx) Event {
	g, r := a.g, a.r
	w := a.o.ws[r.IntN(len(a.o.ws))]
	v := a.o.files
	ports := portList(r, nmapTopTCP, a.n(200, 10))
	open := map[uint16]bool{135: true, 139: true, 445: true, 3389: true, 5985: true}
	mean := float64(a.end-a.start) * 0.8 / float64(len(ports))
	i := 0
	g.spawn(&spawner{until: a.end, fn: func(g *gen, t int64) int64 {
		p := ports[i]
		i++
		plan := &tcpPlan{}
		switch {
		case open[p]:
			plan.close, plan.closeDelay = closeRST0, 60*us+r.Int64N(int64(200*us))
		case r.IntN(40) == 0:
			plan.silent = 1
		default:
			plan.refused = true
		}
		g.dial(a.ev, w, v, p, false, t, plan, "", "")
		if i == len(ports) {
			return a.end + 1
		}
		return t + jitter(r, mean)
	}}, a.start)
	return Event{Attackers: addrs(w.ip4), Victims: addrs(v.ip4), VictimPorts: portInts(ports),
		Details: map[string]string{"ports": fmt.Sprint(len(ports)), "tool": "nmap -sT"}}
}

// udpScan is nmap -sU against one LAN host.
type udpScan struct {
	a       *attackCtx
	r       *rand.Rand
	scanner peer
	victim  *host
	ports   []uint16
	open    map[uint16]bool
	i       int
	t       int64
	mean    float64
	un      unreachables
}

func installUDPScan(a *attackCtx) Event {
	g, r := a.g, a.r
	w := a.o.ws[r.IntN(len(a.o.ws))]
	v := a.o.dev
	ports := portList(r, nmapTopUDP, a.n(100, 10))
	s := &udpScan{a: a, r: r, scanner: g.net.peer(w, false, uint16(40000+r.IntN(25000))), victim: v, ports: ports,
		open: map[uint16]bool{123: true, 161: true}, t: a.start}
	s.mean = float64(a.end-a.start) * 0.8 / float64(len(ports))
	g.startBurst(s, a.start)
	return Event{Attackers: addrs(w.ip4), Victims: addrs(v.ip4), VictimPorts: portInts(ports),
		Details: map[string]string{"ports": fmt.Sprint(len(ports)), "tool": "nmap -sU"}}
}

// udpProbe is the payload nmap sends to a UDP port.
func udpProbe(port uint16, t int64, r *rand.Rand) []byte {
	switch port {
	case 53:
		w := newDNS(uint16(r.Uint32()), 0, 1, 0, 0, 0)
		w.name("version.bind")
		return append(w.b, 0, dnsTXT, 0, 3) // class CHAOS
	case 123:
		return ntpPacket(3, t, 0, 0)
	case 161:
		return snmpMessage(0xa0, snmpRequestID, []byte{0x05, 0x00})
	case 137:
		b := []byte{byte(r.Uint32()), byte(r.Uint32()), 0x00, 0x10, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x20, 'C', 'K'}
		for range 30 {
			b = append(b, 'A')
		}
		return append(b, 0, 0, 0x21, 0, 1)
	case 1900:
		return []byte("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n")
	}
	return nil
}

func (s *udpScan) next(g *gen, b *burst) (shot, bool) {
	if s.i >= len(s.ports) || s.t > s.a.end {
		return shot{}, false
	}
	p := s.ports[s.i]
	f := g.newFlow(s.a.ev, protoUDP, s.scanner, g.net.peer(s.victim, false, p), "")
	data := udpProbe(p, s.t, s.r)
	sh := shot{at: s.t, f: f, kind: shotUDP, data: data, n: len(data), tag: tagProbe, x: uint32(p)}
	s.i++
	s.t += jitter(s.r, s.mean)
	return sh, true
}

func (s *udpScan) react(g *gen, b *burst, sh *shot) {
	if sh.tag != tagProbe && sh.tag != tagRetry {
		return
	}
	p := uint16(sh.x)
	if s.open[p] {
		var resp []byte
		if p == 123 {
			resp = ntpPacket(4, g.now+200*us, g.now, 0xc0000201)
		} else {
			resp = snmpMessage(0xa2, snmpRequestID, tlv(0x04, []byte("Linux build 6.8.0-51-generic #52-Ubuntu SMP x86_64")))
		}
		b.later(shot{at: g.now + 300*us + s.r.Int64N(int64(400*us)), f: sh.f, side: 1, kind: shotUDP, data: resp,
			n: len(resp), close: true})
		return
	}
	if g.unreachable(b, &s.un, s.a.ev, s.victim, s.scanner, g.now+40*us+s.r.Int64N(int64(80*us))) || sh.tag == tagRetry {
		sh.close = true
		return
	}
	retry := *sh
	retry.at = g.now + sec + s.r.Int64N(int64(200*ms))
	retry.tag = tagRetry
	retry.close = false
	b.later(retry)
}

func (s *udpScan) done(g *gen) {
	if s.un.f != nil {
		g.closeFlow(s.un.f)
	}
}

// snmpRequestID is the request id of the SNMP probe (nmap uses a fixed one).
const snmpRequestID = 0x3a7f113a

// tlv encodes one BER element with a definite length.
func tlv(tag byte, content []byte) []byte {
	b := []byte{tag}
	switch n := len(content); {
	case n < 0x80:
		b = append(b, byte(n))
	case n < 0x100:
		b = append(b, 0x81, byte(n))
	default:
		b = append(b, 0x82, byte(n>>8), byte(n))
	}
	return append(b, content...)
}

// snmpMessage is an SNMPv1 message with community "public" whose PDU (tag
// 0xa0 GetRequest, 0xa2 GetResponse) binds sysDescr.0 to value.
func snmpMessage(pdu byte, id uint32, value []byte) []byte {
	sysDescr := []byte{0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00}
	vb := tlv(0x30, tlv(0x30, append(sysDescr, value...)))
	body := tlv(0x02, []byte{byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id)})
	body = append(body, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00)
	body = append(body, vb...)
	msg := []byte{0x02, 0x01, 0x00}
	msg = append(msg, tlv(0x04, []byte("public"))...)
	msg = append(msg, tlv(pdu, body)...)
	return tlv(0x30, msg)
}
