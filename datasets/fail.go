package datasets

import (
	"math/rand/v2"
	"slices"
)

// This file holds what goes wrong in an ordinary network: connection
// attempts to servers that are gone or filtered (Zeek's S0), ports that
// are closed (REJ), QUIC blocked by the firewall, IPv6 paths that
// black-hole (Happy Eyeballs falls back to IPv4), DNS and NTP queries that
// get no answer, ICMP errors, and pings nobody answers. None of it is an
// attack, and all of it is common in real captures.

// environment is what differs between one office network and the next.
type environment struct {
	// quicBlocked: the firewall drops UDP 443, so browsers' QUIC attempts
	// go unanswered before they fall back to TCP.
	quicBlocked bool
	// v6Broken lists IPv6 sites whose path black-holes.
	v6Broken map[string]bool
	// domain: Windows machines are joined to an Active Directory domain.
	domain bool
	// p2p is the workstation running a BitTorrent client, if any.
	p2p *host
}

func (o *office) drawEnvironment(r *rand.Rand) {
	e := &o.env
	e.quicBlocked = r.IntN(2) == 0
	e.domain = r.IntN(4) > 0
	if r.IntN(5) < 2 {
		e.v6Broken = map[string]bool{}
		for _, s := range o.net.sites {
			if s.v6 && r.IntN(5) == 0 {
				e.v6Broken[s.name] = true
			}
		}
	}
}

// details describes the environment in the benign event of the truth.
func (o *office) details() map[string]string {
	e := &o.env
	d := map[string]string{"quic": "allowed", "windows_domain": "no", "printer": o.printer.ip4.String(),
		"log_collector": o.siem.ip4.String()}
	if e.quicBlocked {
		d["quic"] = "blocked"
	}
	if e.domain {
		d["windows_domain"] = o.domain
		d["domain_controller"] = o.dc.ip4.String()
	}
	if len(e.v6Broken) > 0 {
		d["ipv6_blackholed_sites"] = itoa(len(e.v6Broken))
	}
	if e.p2p != nil {
		d["p2p_client"] = e.p2p.ip4.String()
	}
	return d
}

// deadSpecs are destinations that resolve but never answer: decommissioned
// endpoints still referenced by pages and software, trackers the firewall
// drops.
var deadSpecs = []siteSpec{
	{name: "metrics.example-analytics.com", rng: "doc1", kind: kindAPI, ttl: 300},
	{name: "cdn.legacy-assets.example.net", rng: "doc2", kind: kindAsset, ttl: 3600},
	{name: "updates.oldvendor.example.org", rng: "doc3", kind: kindAPI, ttl: 600},
	{name: "pixel.example-ads.com", rng: "doc1", kind: kindAsset, ttl: 60},
}

// trouble drives one workstation's share of failures that are not tied to
// another activity.
type trouble struct {
	o    *office
	h    *host
	r    *rand.Rand
	next [nTrouble]int64
}

const (
	troubleDead   = iota // TCP to a dead server: SYN and retries (S0)
	troubleClosed        // TCP to a closed LAN port: SYN, RST (REJ)
	troubleNBStat        // NetBIOS node status to a host without NetBIOS: ICMP port unreachable
	nTrouble
)

var troubleMean = [nTrouble]int64{troubleDead: 7 * minute, troubleClosed: 16 * minute, troubleNBStat: 40 * minute}

func (o *office) startTrouble(h *host) {
	g := o.g
	t := &trouble{o: o, h: h, r: g.child()}
	for i := range t.next {
		t.next[i] = g.start + int64(expDraw(t.r)*float64(troubleMean[i]))
	}
	if h.os != osWindows {
		t.next[troubleNBStat] = never
	}
	g.spawn(t, t.soonest())
}

func (t *trouble) soonest() int64 { return slices.Min(t.next[:]) }

func (t *trouble) step(g *gen) (int64, bool) {
	k := due(t.next[:])
	switch k {
	case troubleDead:
		t.dead()
	case troubleClosed:
		t.closed()
	case troubleNBStat:
		t.nbstat()
	}
	t.next[k] = g.now + max(sec, int64(expDraw(t.r)*float64(troubleMean[k])))
	m := t.soonest()
	return m, m <= g.end
}

// dead resolves a name whose server does not answer and tries to connect:
// the SYN and one or two retransmissions a second and then two seconds
// apart, after which the application gives up.
func (t *trouble) dead() {
	o, g, r, h := t.o, t.o.g, t.r, t.h
	s := o.dead[r.IntN(len(o.dead))]
	ready, _ := o.resolve(h, s.name, g.now, r)
	port := uint16(443)
	if r.IntN(5) == 0 {
		port = 80
	}
	g.dial(o.ev, h, s.srv, port, false, ready, &tcpPlan{silent: 1 + r.IntN(2)}, "", s.name)
}

// closedPorts are services people and software try on LAN machines that do
// not run them.
var closedPorts = map[string][]uint16{
	"printer":     {445, 139, 9100, 515, 8080},
	"workstation": {3389, 5900, 22, 8080},
	"server":      {8080, 8443, 3000, 5985, 9090},
}

// closed connects to a LAN host's closed port, which answers the SYN with
// RST-ACK.
func (t *trouble) closed() {
	o, g, r, h := t.o, t.o.g, t.r, t.h
	cands := []*host{o.web, o.dev, o.files}
	if o.printer != nil {
		cands = append(cands, o.printer, o.printer)
	}
	for _, w := range o.ws {
		if w != h {
			cands = append(cands, w)
		}
	}
	v := cands[r.IntN(len(cands))]
	ports := closedPorts[v.role]
	p := ports[r.IntN(len(ports))]
	if v == o.files && p == 5985 {
		p = 8080 // WinRM is open on the Windows server
	}
	g.dial(o.ev, h, v, p, false, g.now, &tcpPlan{refused: true}, "", "")
}

// nbstat is a Windows machine asking another LAN machine for its NetBIOS
// names (as Explorer does when it browses by address). A Linux or macOS
// host has nothing on port 137 and answers each try with ICMP port
// unreachable, which carries the start of the query.
func (t *trouble) nbstat() {
	o, g, r, h := t.o, t.o.g, t.r, t.h
	var targets []*host
	for _, w := range o.ws {
		if w.os != osWindows {
			targets = append(targets, w)
		}
	}
	targets = append(targets, o.dev, o.web)
	v := targets[r.IntN(len(targets))]
	a, b := o.net.peer(h, false, 137), o.net.peer(v, false, 137)
	ku := tupleOf(protoUDP, a, b, 137, 137)
	ki := tupleOf(protoICMP, b, a, 3, 3)
	if !g.vacant(ku, g.now) || !g.vacant(ki, g.now) {
		return
	}
	fu := g.newFlow(o.ev, protoUDP, a, b, "dns")
	g.hold(fu, ku)
	fi := g.newFlow(o.ev, protoICMP, b, a, "icmp")
	fi.icmp = [2]uint16{3, 3}
	g.hold(fi, ki)
	q := nbstatQuery(uint16(r.Uint32()))
	s := &errScript{}
	at := g.now
	for i := range 3 {
		s.add(shot{at: at, f: fu, kind: shotUDP, data: q, n: len(q), close: i == 2},
			shot{f: fi, kind: shotICMP, typ: 3, code: 3, close: i == 2}, 40*us+r.Int64N(int64(100*us)))
		at += 1500*ms + r.Int64N(int64(20*ms))
	}
	g.startBurst(s, g.now)
}

// errScript sends planned packets in time order; a packet may carry the
// ICMP error its receiver sends back, quoting it, after a delay.
type errScript struct {
	shots []shot
	errs  []shot
	delay []int64
	i     int
}

func (s *errScript) add(sh, icmpErr shot, delay int64) {
	sh.x = uint32(len(s.shots))
	sh.tag = tagProbe
	s.shots = append(s.shots, sh)
	s.errs = append(s.errs, icmpErr)
	s.delay = append(s.delay, delay)
}

func (s *errScript) next(g *gen, b *burst) (shot, bool) {
	if s.i == len(s.shots) {
		return shot{}, false
	}
	s.i++
	return s.shots[s.i-1], true
}

func (s *errScript) react(g *gen, b *burst, sh *shot) {
	if sh.tag != tagProbe || s.errs[sh.x].f == nil || !g.wrote {
		return
	}
	e := s.errs[sh.x]
	e.data = g.quote()
	e.n = len(e.data)
	e.at = g.now + s.delay[sh.x]
	b.later(e)
}

// done has nothing to close: each flow's last packet closes it, and a
// flow cut by the end of the capture is finished with the truth.
func (s *errScript) done(g *gen) {}

// quicInitial is a client's first QUIC datagram as a firewall sees it: a
// long header (version 1, an 8-byte destination connection ID) and a
// protected, padded payload of size bytes in all.
func quicInitial(r *rand.Rand, size int) []byte {
	b := make([]byte, 0, size)
	b = append(b, 0xc0|byte(r.IntN(16)), 0, 0, 0, 1, 8)
	b = append(b, randBytes(r, 8)...)
	b = append(b, 0, 0) // no source connection ID, no token
	n := size - len(b) - 2
	b = append(b, 0x40|byte(n>>8), byte(n))
	return append(b, noiseBytes(r, n)...)
}

// quicTry is a browser racing QUIC against TCP to a site that speaks
// HTTP/3 when the firewall drops UDP 443: one to three Initials, the
// second about 300 ms after the first, none answered. The browser then
// marks QUIC broken for the site for five minutes, doubling with each
// failure.
func (l *hostLife) quicTry(s *site, t int64, v6 bool) {
	o, g, r, h := l.o, l.o.g, l.r, l.h
	if !o.env.quicBlocked || h.client.tls == tlsCurl || s.rng != "google" && s.rng != "cloudflare" {
		return
	}
	if l.quicOK == nil {
		l.quicOK = map[string]int64{}
	}
	ok, seen := l.quicOK[s.name]
	if !seen {
		// The first visit learns HTTP/3 from the Alt-Svc header.
		l.quicOK[s.name] = t
		return
	}
	if t < ok {
		return
	}
	if l.quicFail == nil {
		l.quicFail = map[string]int{}
	}
	l.quicOK[s.name] = t + 5*minute<<min(l.quicFail[s.name], 4)
	l.quicFail[s.name]++
	size := 1250
	if h.client.tls == tlsFirefox {
		size = 1357
	}
	a := g.net.peer(h, v6, h.allocPort(t, r))
	f := g.newFlow(o.ev, protoUDP, a, g.net.peer(o.server(h, s), v6, 443), "quic")
	f.ownPort = true
	f.name = s.name
	p := []dgram{{at: t, data: quicInitial(r, size)}}
	at := t
	for i := range r.IntN(3) {
		at += (300*ms + r.Int64N(int64(30*ms))) << i
		p = append(p, dgram{at: at, data: quicInitial(r, size)})
	}
	g.startDgrams(f, p)
}

// lostQuery is a DNS query the resolver never answers (or whose answer
// was lost): the client waits and asks again from a new socket. It
// returns when the client gives up on it.
func (o *office) lostQuery(h *host, qs []dnsQA, t int64, r *rand.Rand) int64 {
	g := o.g
	port := h.allocPort(t, r)
	f := g.newFlow(o.ev, protoUDP, g.net.peer(h, false, port), g.net.peer(h.resolver, false, 53), "dns")
	f.ownPort = true
	f.name = qs[0].name
	var p []dgram
	edns := uint16(1232)
	if h.os == osWindows {
		edns = 0
	}
	for i, q := range qs {
		p = append(p, dgram{at: t + int64(i)*(30*us+r.Int64N(int64(50*us))), data: dnsQuery(uint16(r.Uint32()), q.name, q.qtype, edns)})
	}
	g.startDgrams(f, p)
	if h.os == osWindows {
		return t + sec
	}
	return t + 5*sec
}

// silentPing is "ping -c n" to an address that does not answer echo
// requests: the requests alone.
func (g *gen) silentPing(ev int, h, target *host, t int64, n int, r *rand.Rand) {
	f := g.newFlow(ev, protoICMP, g.net.peer(h, false, 0), g.net.peer(target, false, 0), "icmp")
	f.icmp = [2]uint16{8, 0}
	id := uint16(r.Uint32())
	if h.os == osWindows {
		id = 1
	}
	var p []dgram
	for i := range n {
		h.pingSeq++
		seq := uint16(i + 1)
		if h.os == osWindows {
			seq = h.pingSeq
		}
		// Windows waits four seconds for each reply before the next.
		gap := sec
		if h.os == osWindows {
			gap = 4 * sec
		}
		at := t + int64(i)*gap + r.Int64N(int64(300*us))
		p = append(p, dgram{at: at, typ: 8, rest: uint32(id)<<16 | uint32(seq), data: pingPayload(h.os, at)})
	}
	g.startDgrams(f, p)
}
