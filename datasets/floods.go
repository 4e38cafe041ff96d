package datasets

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Shot tags: what react does after a shot is sent.
const (
	tagNone uint8 = iota
	tagSYN
	tagSYNACK
	tagProbe
	tagEcho
	tagUDP
	tagRetry
)

var mssOnly = []byte{2, 4, 0x05, 0xb4}

// interval returns the mean gap in ns for a rate per second.
func interval(rate float64) float64 { return 1e9 / rate }

// jitter spreads a mean gap uniformly over ±30%.
func jitter(r *rand.Rand, mean float64) int64 {
	return max(1, int64(mean*lerp(0.7, 1.3, r.Float64())))
}

// attacker adds an external host in the named range.
func (a *attackCtx) attacker(name, rng string) *host {
	h := a.g.net.remote(name, "attacker", rng)
	h.os = osLinux
	return h
}

// synFlood is a SYN flood, from one host or from forged sources.
type synFlood struct {
	a       *attackCtx
	r       *rand.Rand
	src     *host    // fixed source; nil when spoofed
	spoof   *addrSeq // forged sources
	ttl     uint8
	victim  *host
	ports   []uint16
	t       int64
	k       int
	total   int
	mean    float64
	base    int
	reply   float64 // share of SYNs the victim answers
	backlog int     // SYNs answered with retransmitted SYN-ACKs before SYN cookies
}

func installSYNFlood(a *attackCtx) Event {
	atk := a.attacker("flooder", "doc3")
	v := a.o.web
	rate := 1500 * a.scale
	total := a.n(1500*float64(a.end-a.start)/1e9, 1)
	a.g.startBurst(&synFlood{a: a, r: a.r, src: atk, victim: v, ports: []uint16{80, 443, 8080}, t: a.start,
		total: total, mean: interval(rate), base: a.r.IntN(64512), reply: 1, backlog: 128}, a.start)
	return Event{Attackers: addrs(atk.ip4), Victims: addrs(v.ip4), VictimPorts: []int{80},
		Details: map[string]string{"rate_pps": fmt.Sprint(rate), "tool": "hping3 -S --flood"}}
}

func installSpoofedFlood(a *attackCtx) Event {
	v := a.o.web
	rate := 2000 * a.scale
	total := a.n(2000*float64(a.end-a.start)/1e9, 1)
	a.g.startBurst(&synFlood{a: a, r: a.r, spoof: &addrSeq{salt: a.r.Uint32()}, ttl: uint8(45 + a.r.IntN(10)),
		victim: v, ports: []uint16{80}, t: a.start, total: total, mean: interval(rate), reply: 0.3}, a.start)
	return Event{Spoofed: true, Victims: addrs(v.ip4), VictimPorts: []int{80},
		Details: map[string]string{"rate_pps": fmt.Sprint(rate), "tool": "hping3 -S --rand-source --flood"}}
}

func (s *synFlood) next(g *gen, b *burst) (shot, bool) {
	if s.k >= s.total || s.t > s.a.end {
		return shot{}, false
	}
	var src peer
	dport := s.ports[0]
	if s.spoof != nil {
		src = g.net.forged(s.spoof.next(), uint16(1024+s.r.IntN(64512)), s.ttl)
	} else {
		// hping3 walks the source ports; past 64,512 SYNs the flood moves
		// to the victim's next port so no flow key repeats.
		src = g.net.peer(s.src, false, uint16(1024+(s.base+s.k)%64512))
		dport = s.ports[(s.k/64512)%len(s.ports)]
	}
	f := g.newFlow(s.a.ev, protoTCP, src, g.net.peer(s.victim, false, dport), "")
	answered := s.r.Float64() < s.reply
	sh := shot{at: s.t, f: f, kind: shotTCP, flags: flagSYN, win: 512, seq: s.r.Uint32(), tag: tagSYN, close: !answered}
	if s.k < s.backlog {
		sh.x = 1
	}
	s.k++
	s.t += jitter(s.r, s.mean)
	return sh, true
}

func (s *synFlood) react(g *gen, b *burst, sh *shot) {
	switch sh.tag {
	case tagSYN:
		if s.spoof != nil && g.wrote {
			g.events[s.a.ev].SpoofedSources++
		}
		if sh.close {
			return
		}
		rep := shot{at: g.now + 40*us + s.r.Int64N(int64(120*us)), f: sh.f, side: 1, kind: shotTCP,
			flags: flagSYN | flagACK, win: 64240, opts: mssOnly, seq: s.r.Uint32(), ack: sh.seq + 1, tag: tagSYNACK, close: true}
		if sh.x > 0 {
			// Before the backlog fills the victim keeps state and
			// retransmits its SYN-ACK (Linux: after 1, 3, 7, 15, 31 s).
			rep.opts = []byte{2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7}
			rep.x, rep.close = 1, false
		}
		b.later(rep)
	case tagSYNACK:
		if sh.x == 0 || sh.x > 5 {
			return
		}
		rt := *sh
		rt.at = g.now + sec<<(sh.x-1)
		rt.x = sh.x + 1
		rt.close = rt.x > 5
		b.later(rt)
	}
}

func (s *synFlood) done(g *gen) {}

// icmpFlood is ping -f with large payloads, every request echoed.
type icmpFlood struct {
	a     *attackCtx
	r     *rand.Rand
	f     *flow
	t     int64
	k     int
	total int
	mean  float64
	id    uint16
	size  int // echo data bytes
}

func installICMPFlood(a *attackCtx) Event {
	atk := a.attacker("pinger", "doc3")
	v := a.o.web
	f := a.g.newFlow(a.ev, protoICMP, a.g.net.peer(atk, false, 0), a.g.net.peer(v, false, 0), "icmp")
	f.icmp = [2]uint16{8, 0}
	rate := 3000 * a.scale
	// The tools differ in what they send: hping3 --icmp no data, ping -f
	// 56 bytes, ping -f -s 1400 or a full MTU. A model that saw only one
	// size would learn the size.
	tool := icmpFloodTools[a.r.IntN(len(icmpFloodTools))]
	a.g.startBurst(&icmpFlood{a: a, r: a.r, f: f, t: a.start, total: a.n(3000*float64(a.end-a.start)/1e9, 1),
		mean: interval(rate), id: uint16(a.r.Uint32()), size: tool.size}, a.start)
	return Event{Attackers: addrs(atk.ip4), Victims: addrs(v.ip4),
		Details: map[string]string{"rate_pps": fmt.Sprint(rate), "payload": fmt.Sprint(tool.size), "tool": tool.name}}
}

var icmpFloodTools = []struct {
	name string
	size int
}{{"hping3 --icmp --flood", 0}, {"ping -f", 56}, {"ping -f -s 1400", 1400}, {"ping -f -s 1472", 1472}}

func (p *icmpFlood) next(g *gen, b *burst) (shot, bool) {
	if p.k >= p.total || p.t > p.a.end {
		return shot{}, false
	}
	p.k++
	sh := shot{at: p.t, f: p.f, kind: shotICMP, typ: 8, rest: uint32(p.id)<<16 | uint32(uint16(p.k)), n: p.size,
		salt: p.r.Uint64(), tag: tagEcho}
	p.t += jitter(p.r, p.mean)
	return sh, true
}

func (p *icmpFlood) react(g *gen, b *burst, sh *shot) {
	if sh.tag == tagEcho {
		rep := *sh
		rep.at = g.now + 30*us + p.r.Int64N(int64(60*us))
		rep.side, rep.typ, rep.tag = 1, 0, tagNone
		b.later(rep)
	}
}

func (p *icmpFlood) done(g *gen) { g.closeFlow(p.f) }

// unreachables answers UDP to closed ports with ICMP port unreachable,
// rate-limited as Linux does (a token bucket of six, one token a second).
type unreachables struct {
	f      *flow
	tokens float64
	at     int64
}

func (u *unreachables) allow(now int64) bool {
	if u.at == 0 {
		u.tokens, u.at = 6, now
	}
	u.tokens = min(6, u.tokens+float64(now-u.at)/1e9)
	u.at = now
	if u.tokens >= 1 {
		u.tokens--
		return true
	}
	return false
}

// quote returns what an ICMP error carries of the packet just written: its
// IP header and as much payload as fits in 576 bytes.
func (g *gen) quote() []byte {
	ip := g.last[ethHdrLen:]
	n := min(len(ip), 548)
	if ip[0]>>4 == 4 {
		n = min(n, int(ip[2])<<8|int(ip[3]))
	}
	return append([]byte(nil), ip[:n]...)
}

// unreachable sends an ICMP port unreachable about the packet just written
// from victim to src at t, using (and creating) the one-way ICMP flow; it
// reports false when the rate limit swallowed it.
func (g *gen) unreachable(b *burst, u *unreachables, ev int, victim *host, src peer, t int64) bool {
	if !u.allow(g.now) {
		return false
	}
	if u.f == nil {
		u.f = g.newFlow(ev, protoICMP, g.net.peer(victim, false, 0), src, "icmp")
		u.f.icmp = [2]uint16{3, 3}
	}
	q := g.quote()
	b.later(shot{at: t, f: u.f, kind: shotICMP, typ: 3, code: 3, data: q, n: len(q)})
	return true
}

// udpFlood sends big datagrams to random ports.
type udpFlood struct {
	a      *attackCtx
	r      *rand.Rand
	src    *host
	victim *host
	t      int64
	k      int
	total  int
	mean   float64
	off    int
	un     unreachables
}

func installUDPFlood(a *attackCtx) Event {
	atk := a.attacker("udpflooder", "doc3")
	v := a.o.web
	rate := 3000 * a.scale
	a.g.startBurst(&udpFlood{a: a, r: a.r, src: atk, victim: v, t: a.start, total: a.n(3000*float64(a.end-a.start)/1e9, 1),
		mean: interval(rate), off: a.r.IntN(65535)}, a.start)
	return Event{Attackers: addrs(atk.ip4), Victims: addrs(v.ip4),
		Details: map[string]string{"rate_pps": fmt.Sprint(rate), "payload": "1400"}}
}

func (u *udpFlood) next(g *gen, b *burst) (shot, bool) {
	if u.k >= u.total || u.t > u.a.end {
		return shot{}, false
	}
	// Source ports walk the ephemeral range while destination ports follow
	// a stride coprime to 65,535: no (sport, dport) pair repeats for the
	// first 1.8 billion packets.
	sport := uint16(32768 + u.k%28232)
	dport := uint16(1 + (u.k*7919+u.off)%65535)
	f := g.newFlow(u.a.ev, protoUDP, g.net.peer(u.src, false, sport), g.net.peer(u.victim, false, dport), "")
	u.k++
	sh := shot{at: u.t, f: f, kind: shotUDP, n: 1400, salt: u.r.Uint64(), tag: tagUDP, close: true}
	u.t += jitter(u.r, u.mean)
	return sh, true
}

func (u *udpFlood) react(g *gen, b *burst, sh *shot) {
	if sh.tag == tagUDP {
		g.unreachable(b, &u.un, u.a.ev, u.victim, sh.f.ends[0], g.now+20*us)
	}
}

func (u *udpFlood) done(g *gen) {
	if u.un.f != nil {
		g.closeFlow(u.un.f)
	}
}

var floodAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 6.1; WOW64; rv:40.0) Gecko/20100101 Firefox/40.1",
	"Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
	"python-requests/2.31.0",
}

// spawner calls fn at each of its times; fn returns the next time.
type spawner struct {
	until int64
	fn    func(g *gen, t int64) int64
}

func (s *spawner) step(g *gen) (int64, bool) {
	next := s.fn(g, g.now)
	return next, next <= s.until
}

func installHTTPFlood(a *attackCtx) Event {
	g, r := a.g, a.r
	v := a.o.web
	var bots []*host
	for i := range 3 {
		bots = append(bots, a.attacker(fmt.Sprintf("bot%d", i+1), "doc3"))
	}
	pages := make([][]byte, 8)
	for i := range pages {
		pages[i] = htmlPage(r, "Search results", 2000+r.IntN(9000))
	}
	rate := 200 * a.scale
	reqs := a.n(200*float64(a.end-a.start)/1e9, 1)
	host := v.ip4.String()
	sent := 0
	g.spawn(&spawner{until: a.end, fn: func(g *gen, t int64) int64 {
		bot := bots[r.IntN(len(bots))]
		n := min(1+r.IntN(8), reqs-sent)
		ua := floodAgents[r.IntN(len(floodAgents))]
		var msgs []message
		for i := range n {
			uri := []string{"/", "/search?q=", "/index.php?id=", "/?"}[r.IntN(4)]
			if uri != "/" {
				uri += fmt.Sprintf("%x", r.Uint64())
			}
			req := httpRequest("GET", uri, host, []header{{"User-Agent", ua}, {"Accept", "*/*"},
				{"Accept-Encoding", "gzip, deflate"}, {"Cache-Control", "no-cache"}, {"Connection", "keep-alive"}}, nil)
			page := pages[r.IntN(len(pages))]
			resp := httpResponse(200, t, "nginx/1.24.0 (Ubuntu)", []header{{"Content-Type", "text/html; charset=utf-8"},
				{"Connection", "keep-alive"}}, page, 0)
			d := int64(0)
			if i > 0 {
				d = 1*ms + r.Int64N(int64(20*ms))
			}
			msgs = append(msgs, message{from: 0, delay: d, head: req},
				message{from: 1, delay: 2*ms + r.Int64N(int64(30*ms)), head: resp})
		}
		sent += n
		cl := closeFIN0
		if r.IntN(3) == 0 {
			cl = closeRST0
		}
		g.dial(a.ev, bot, v, 80, false, t, &tcpPlan{msgs: msgs, close: cl, closeDelay: 100 * us}, "http", host)
		if sent >= reqs {
			return a.end + 1
		}
		return t + jitter(r, float64(n)*interval(rate))
	}}, a.start)
	return Event{Attackers: addrs(bots[0].ip4, bots[1].ip4, bots[2].ip4), Victims: addrs(v.ip4), VictimPorts: []int{80},
		Details: map[string]string{"rate_rps": fmt.Sprint(rate), "requests": fmt.Sprint(reqs)}}
}

// asymFlow is one bot's one-way flood: thousands of packets in one flow,
// fewer than ten back.
type asymFlow struct {
	a     *attackCtx
	r     *rand.Rand
	f     *flow
	udp   bool
	rtt   int64
	t     int64
	k     int
	total int
	mean  float64
	seq   uint32
	ack   uint32
	acks  map[int]bool
	stage int
}

func installAsymmetric(a *attackCtx) Event {
	g := a.g
	v := a.o.web
	n := a.n(6, 2)
	var atk []string
	for i := range n {
		bot := a.attacker(fmt.Sprintf("ddosbot%d", i+1), "doc3")
		atk = append(atk, bot.ip4.String())
		p := &asymFlow{a: a, r: g.child(), udp: i%2 == 1, rtt: bot.rtt}
		port := uint16(80)
		if p.udp {
			port = 443
		}
		proto := uint8(protoTCP)
		if p.udp {
			proto = protoUDP
		}
		p.f = g.newFlow(a.ev, proto, g.net.peer(bot, false, bot.allocPort(a.start, p.r)), g.net.peer(v, false, port), "")
		p.f.ownPort = true
		p.total = 1500 + p.r.IntN(1500)
		p.mean = float64(a.end-a.start) * 0.8 / float64(p.total)
		p.t = a.start + p.r.Int64N((a.end-a.start)/10+1)
		p.acks = map[int]bool{}
		for len(p.acks) < 5 {
			p.acks[p.r.IntN(p.total)] = true
		}
		g.startBurst(p, p.t)
	}
	return Event{Attackers: atk, Victims: addrs(v.ip4), VictimPorts: []int{80, 443}}
}

func (p *asymFlow) next(g *gen, b *burst) (shot, bool) {
	if p.udp {
		if p.k >= p.total {
			return shot{}, false
		}
		n := 1200 + p.r.IntN(150)
		data := []byte{0xc0 | byte(p.r.IntN(4)), 0, 0, 0, 1}
		sh := shot{at: p.t, f: p.f, kind: shotUDP, data: data, n: n, salt: p.r.Uint64(), tag: tagUDP, x: uint32(p.k)}
		p.k++
		p.t += jitter(p.r, p.mean)
		return sh, true
	}
	switch p.stage {
	case 0:
		p.stage = 1
		p.seq = p.r.Uint32()
		return shot{at: p.t, f: p.f, kind: shotTCP, flags: flagSYN, win: 64240,
			opts: []byte{2, 4, 5, 0xb4, 1, 3, 3, 7, 1, 1, 4, 2}, seq: p.seq, tag: tagSYN}, true
	case 1:
		// waits for react to queue the SYN-ACK and the ACK
		return shot{}, false
	}
	if p.k >= p.total {
		if p.stage == 2 {
			p.stage = 3
			return shot{at: p.t, f: p.f, kind: shotTCP, flags: flagRST | flagACK, seq: p.seq, ack: p.ack, close: true}, true
		}
		return shot{}, false
	}
	n := 1 + p.r.IntN(1400)
	sh := shot{at: p.t, f: p.f, kind: shotTCP, flags: flagPSH | flagACK, win: 502, seq: p.seq, ack: p.ack, n: n,
		salt: p.r.Uint64(), tag: tagProbe, x: uint32(p.k)}
	p.seq += uint32(n)
	p.k++
	p.t += jitter(p.r, p.mean)
	return sh, true
}

func (p *asymFlow) react(g *gen, b *burst, sh *shot) {
	switch {
	case sh.tag == tagSYN:
		p.ack = p.r.Uint32()
		b.later(shot{at: g.now + 50*us, f: p.f, side: 1, kind: shotTCP, flags: flagSYN | flagACK, win: 64240,
			opts: []byte{2, 4, 5, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7}, seq: p.ack, ack: p.seq + 1})
		p.seq++
		p.ack++
		b.later(shot{at: g.now + 50*us + p.rtt, f: p.f, kind: shotTCP, flags: flagACK, win: 502, seq: p.seq, ack: p.ack})
		p.t = g.now + p.rtt + 200*us
		p.stage = 2
		b.cur, b.has = p.next(g, b)
	case sh.tag == tagProbe && p.acks[int(sh.x)]:
		b.later(shot{at: g.now + 30*us, f: p.f, side: 1, kind: shotTCP, flags: flagACK, win: 0x1f5, seq: p.ack,
			ack: sh.seq + uint32(sh.n)})
	case sh.tag == tagUDP && sh.x < 3:
		b.later(shot{at: g.now + 100*us, f: p.f, side: 1, kind: shotUDP, data: []byte{0x80, 0, 0, 0, 0}, n: 1200,
			salt: p.r.Uint64()})
	}
}

func (p *asymFlow) done(g *gen) {
	if p.udp { // a TCP flow ended with its RST
		g.closeFlow(p.f)
	}
}

// reflection sends reflected traffic from many servers to one victim: DNS
// answers nobody asked for, or SYN-ACKs for SYNs the victim never sent.
type reflection struct {
	a      *attackCtx
	r      *rand.Rand
	victim *host
	refl   []peer
	flows  [][]*flow // amplification: a few victim ports per resolver
	synack bool
	t      int64
	k      int
	total  int
	mean   float64
	answer []byte
	portK  []int
}

func installDNSAmplification(a *attackCtx) Event {
	g, r := a.g, a.r
	v := a.o.web
	n := a.n(40, 2)
	seq := &addrSeq{salt: r.Uint32()}
	p := &reflection{a: a, r: r, victim: v}
	var atk []string
	for range n {
		addr := seq.next()
		res := g.net.forged(addr, 53, uint8(40+r.IntN(20)))
		p.refl = append(p.refl, res)
		atk = append(atk, addr.String())
		var fl []*flow
		base := r.IntN(28232)
		for j := range 8 {
			port := uint16(32768 + (base+j*3529)%28232)
			fl = append(fl, g.newFlow(a.ev, protoUDP, res, g.net.peer(v, false, port), "dns"))
		}
		p.flows = append(p.flows, fl)
	}
	// A TXT answer near 1.3 kB: the amplification factor of a 40-byte query
	// is about 30.
	var txt []string
	for i := range 5 {
		txt = append(txt, fmt.Sprintf("v=amp%d ", i)+strings.Repeat(fmt.Sprintf("%016x", r.Uint64()), 15))
	}
	name := "txt.amp-target.example"
	p.answer = dnsAnswer(0, name, dnsTXT, 0, []rr{{name: name, typ: dnsTXT, ttl: 3600, txt: txt}}, nil, 4096)
	rate := 2000 * a.scale
	p.total = a.n(2000*float64(a.end-a.start)/1e9, 1)
	p.mean = interval(rate)
	p.t = a.start
	g.startBurst(p, a.start)
	return Event{Attackers: atk, Reflected: true, Victims: addrs(v.ip4),
		Details: map[string]string{"rate_pps": fmt.Sprint(rate), "query": name + " TXT", "answer_bytes": fmt.Sprint(len(p.answer))}}
}

func installSYNACKReflection(a *attackCtx) Event {
	g, r := a.g, a.r
	v := a.o.web
	n := a.n(30, 2)
	seq := &addrSeq{salt: r.Uint32()}
	p := &reflection{a: a, r: r, victim: v, synack: true}
	var atk []string
	for range n {
		addr := seq.next()
		port := uint16(80)
		if r.IntN(2) == 0 {
			port = 443
		}
		p.refl = append(p.refl, g.net.forged(addr, port, uint8(40+r.IntN(20))))
		p.portK = append(p.portK, r.IntN(28232))
		atk = append(atk, addr.String())
	}
	rate := 1000 * a.scale
	p.total = a.n(1000*float64(a.end-a.start)/1e9, 1)
	p.mean = interval(rate)
	p.t = a.start
	g.startBurst(p, a.start)
	return Event{Attackers: atk, Reflected: true, Victims: addrs(v.ip4),
		Details: map[string]string{"rate_pps": fmt.Sprint(rate)}}
}

func (p *reflection) next(g *gen, b *burst) (shot, bool) {
	if p.k >= p.total || p.t > p.a.end {
		return shot{}, false
	}
	i := p.r.IntN(len(p.refl))
	p.k++
	at := p.t
	p.t += jitter(p.r, p.mean)
	if p.synack {
		// Each reflected SYN-ACK answers a SYN forged from a new victim
		// port; ports follow a stride coprime to the range, so they do
		// not repeat per reflector.
		port := uint16(32768 + p.portK[i]%28232)
		p.portK[i] += 4099
		f := g.newFlow(p.a.ev, protoTCP, p.refl[i], g.net.peer(p.victim, false, port), "")
		return shot{at: at, f: f, kind: shotTCP, flags: flagSYN | flagACK, win: 65160,
			opts: []byte{2, 4, 5, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7}, seq: p.r.Uint32(), ack: p.r.Uint32(), tag: tagSYNACK}, true
	}
	fl := p.flows[i]
	return shot{at: at, f: fl[p.r.IntN(len(fl))], kind: shotUDP, data: p.answer, n: len(p.answer), tag: tagNone,
		x: p.r.Uint32(), setID: true}, true
}

func (p *reflection) react(g *gen, b *burst, sh *shot) {
	if sh.tag == tagSYNACK {
		// The victim's stack resets the connection it never opened.
		b.later(shot{at: g.now + 20*us + p.r.Int64N(int64(40*us)), f: sh.f, side: 1, kind: shotTCP, flags: flagRST,
			seq: sh.ack, close: true})
	}
}

func (p *reflection) done(g *gen) {
	for _, fl := range p.flows {
		for _, f := range fl {
			g.closeFlow(f)
		}
	}
}
