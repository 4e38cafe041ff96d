package datasets

import (
	"encoding/binary"
	"math/rand/v2"
)

// This file holds long-lived traffic: sessions that were already open when
// the capture started (the capture shows them mid-stream, without a
// handshake) or outlive it, kept alive by small periodic messages; Active
// Directory services of Windows machines (Kerberos, LDAP, CLDAP, SMB); and
// syslog streams nobody answers.

// liveSpec is a service a client keeps a connection open to.
type liveSpec struct {
	siteSpec
	port uint16
	ka   [2]int64 // keepalive interval range, both well below the meter's idle timeout
	push int64    // mean interval of server pushes (0: none)
	xmpp bool     // STARTTLS over XMPP before TLS
}

var liveSpecs = []liveSpec{
	{siteSpec: siteSpec{name: "client.wns.windows.com", rng: "azure", kind: kindAPI, ttl: 300, os: "windows",
		cnames: []string{"wns.notify.trafficmanager.net"}}, port: 443, ka: [2]int64{60 * sec, 90 * sec}},
	{siteSpec: siteSpec{name: "courier.push.apple.com", rng: "apple", kind: kindAPI, ttl: 300, os: "macos",
		cnames: []string{"courier-push-apple.com.akadns.net"}}, port: 5223, ka: [2]int64{55 * sec, 95 * sec}},
	{siteSpec: siteSpec{name: "wss-primary.slack.com", rng: "aws", kind: kindAPI, ttl: 60}, port: 443,
		ka: [2]int64{25 * sec, 40 * sec}, push: 100 * sec},
	{siteSpec: siteSpec{name: "substrate.office.com", rng: "office", kind: kindAPI, ttl: 60, tls12: true}, port: 443,
		ka: [2]int64{50 * sec, 90 * sec}, push: 150 * sec},
	{siteSpec: siteSpec{name: "chat.example.net", rng: "doc2", kind: kindAPI, ttl: 3600, tls12: true}, port: 5222,
		ka: [2]int64{45 * sec, 90 * sec}, push: 120 * sec, xmpp: true},
}

// livePlan is a session of about dur: the handshake, then keepalive
// pings and pongs and now and then a pushed message and its
// acknowledgement. It ends as pickClose says, or stays open.
func livePlan(r *rand.Rand, c *clientProfile, s *liveSpec, srv tlsServer, dur int64, stay bool) *tcpPlan {
	var msgs []message
	if s.xmpp {
		domain := zoneOf(s.name)
		msgs = append(msgs,
			message{from: 0, delay: 200 * us, head: []byte("<?xml version='1.0'?><stream:stream to='" + domain +
				"' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")},
			message{from: 1, delay: 2*ms + r.Int64N(int64(10*ms)), head: []byte("<?xml version='1.0'?><stream:stream from='" + domain +
				"' id='" + itoa(int(r.Uint32())) + "' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>" +
				"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>")},
			message{from: 0, delay: 300 * us, head: []byte("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")},
			message{from: 1, delay: 1*ms + r.Int64N(int64(3*ms)), head: []byte("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")},
		)
	}
	hs, cpre, spre := tlsPrelude(r, c.tls, s.name, srv)
	msgs = append(msgs, hs...)
	// Login or subscription.
	msgs = append(msgs,
		message{from: 0, delay: 2 * ms, head: cpre, bulk: tlsBulk(300 + r.IntN(900)), kind: bulkTLS, salt: r.Uint64()},
		message{from: 1, delay: 20*ms + r.Int64N(int64(80*ms)), head: spre, bulk: tlsBulk(lognorm(r, 2500, 0.8, 300, 30000)),
			kind: bulkTLS, salt: r.Uint64()})
	for t := int64(0); t < dur; {
		gap := s.ka[0] + r.Int64N(s.ka[1]-s.ka[0])
		if s.push > 0 && r.Float64() < float64(gap)/float64(s.push) {
			// A notification pushed by the server and the client's ack.
			gap = r.Int64N(gap)
			msgs = append(msgs,
				message{from: 1, delay: gap, bulk: tlsBulk(lognorm(r, 900, 1.0, 60, 20000)), kind: bulkTLS, salt: r.Uint64()},
				message{from: 0, delay: 2*ms + r.Int64N(int64(40*ms)), bulk: tlsBulk(40 + r.IntN(200)), kind: bulkTLS, salt: r.Uint64()})
		} else {
			msgs = append(msgs,
				message{from: 0, delay: gap, bulk: tlsBulk(31 + r.IntN(15)), kind: bulkTLS, salt: r.Uint64()},
				message{from: 1, delay: 200*us + r.Int64N(int64(3*ms)), bulk: tlsBulk(31 + r.IntN(15)), kind: bulkTLS, salt: r.Uint64()})
		}
		t += gap
	}
	plan := &tcpPlan{msgs: msgs, close: pickClose(r), closeDelay: 5*sec + r.Int64N(int64(40*sec))}
	if stay {
		plan.close = closeNone
	}
	return plan
}

// startSessions opens the long-lived sessions of workstation h: the ones
// already running when the capture starts, which the capture shows
// mid-stream, and later reconnects.
func (o *office) startSessions(h *host, r *rand.Rand) {
	g := o.g
	span := g.end - g.start
	for i := range o.live {
		s := &o.live[i]
		if s.os != "" && s.os != h.os.name {
			continue
		}
		if s.os == "" && (s.xmpp && r.IntN(3) > 0 || !s.xmpp && r.IntN(2) == 0) {
			continue // an application only some people run
		}
		srv := tlsServer{tls12: s.tls12, alpn: s.port == 443}
		cl := h.client
		if s.port != 443 {
			cl = &clientProfile{tls: tlsCurl}
			if h.os == osMac {
				cl = &clientProfile{tls: tlsSafari}
			}
		}
		if s.tls12 || cl.tls == tlsSchannel {
			srv.certs = certChain(s.name, g.tlsStart(), false)
		}
		began := g.start - 5*sec - r.Int64N(90*minute)
		age := g.start - began
		if r.IntN(6) == 0 {
			// It ends during the capture (and the client reconnects).
			end := age + r.Int64N(span)
			g.dialBefore(o.ev, h, o.net.siteByName[s.name].srv, s.port, false, began, livePlan(r, cl, s, srv, end, false), "tls", s.name)
			o.reconnect(h, s, cl, srv, g.now+end+sec+r.Int64N(int64(20*sec)), r)
			continue
		}
		g.dialBefore(o.ev, h, o.net.siteByName[s.name].srv, s.port, false, began, livePlan(r, cl, s, srv, age+span+minute, true), "tls", s.name)
	}
	if h.os == osWindows && o.env.domain {
		// A mapped drive on the file server, open since logon.
		began := g.start - 30*sec - r.Int64N(3*60*minute)
		g.dialBefore(o.ev, h, o.files, 445, false, began, smbSession(r, g.end-began+minute), "", "")
	}
	if h.os == osLinux && r.IntN(3) == 0 {
		// A shell on the build server left open.
		began := g.start - 10*sec - r.Int64N(60*minute)
		plan := sshSession(r, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10", "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10", g.end-began+minute)
		if r.IntN(2) == 0 {
			plan.close = closeNone
		}
		g.dialBefore(o.ev, h, o.dev, 22, false, began, plan, "ssh", "")
	}
}

// reconnect opens a new session to s at t after resolving its name.
func (o *office) reconnect(h *host, s *liveSpec, cl *clientProfile, srv tlsServer, t int64, r *rand.Rand) {
	g := o.g
	if t >= g.end {
		return
	}
	g.spawn(&spawner{until: t, fn: func(g *gen, now int64) int64 {
		ready, _ := o.resolve(h, s.name, now, r)
		g.dial(o.ev, h, o.net.siteByName[s.name].srv, s.port, false, ready, livePlan(r, cl, s, srv, g.end-now+minute, true), "tls", s.name)
		return now + 1
	}}, t)
}

// smb2 is an SMB2 message's NetBIOS session header and 64-byte SMB2 header
// for command cmd; body bytes follow as the message's bulk.
func smb2(cmd uint16, mid uint64, resp bool, session uint64, tree uint32, body int) []byte {
	b := make([]byte, 68)
	n := 64 + body
	b[1], b[2], b[3] = byte(n>>16), byte(n>>8), byte(n)
	h := b[4:]
	copy(h, []byte{0xfe, 'S', 'M', 'B', 64, 0, 1, 0})
	binary.LittleEndian.PutUint16(h[12:], cmd)
	binary.LittleEndian.PutUint16(h[14:], 1)
	if resp {
		h[16] = 1
		binary.LittleEndian.PutUint16(h[14:], 32)
	}
	binary.LittleEndian.PutUint64(h[24:], mid)
	binary.LittleEndian.PutUint32(h[32:], 0xfeff)
	binary.LittleEndian.PutUint32(h[36:], tree)
	binary.LittleEndian.PutUint64(h[40:], session)
	return b
}

// smbSession is a Windows client's session with a file share lasting
// about dur: the handshake long before, then bursts of create, read and
// close as programs touch files, a minute or so apart.
func smbSession(r *rand.Rand, dur int64) *tcpPlan {
	sess, tree := r.Uint64()|1, uint32(1+r.IntN(8))
	var mid uint64
	var msgs []message
	op := func(cmd uint16, req, resp int, delay int64) {
		mid++
		msgs = append(msgs,
			message{from: 0, delay: delay, head: smb2(cmd, mid, false, sess, tree, req), bulk: req, salt: r.Uint64()},
			message{from: 1, delay: 200*us + r.Int64N(int64(2*ms)), head: smb2(cmd, mid, true, sess, tree, resp), bulk: resp, salt: r.Uint64()})
	}
	op(0, 100, 240, 300*us)  // NEGOTIATE
	op(1, 1600, 300, 500*us) // SESSION_SETUP with a Kerberos ticket
	op(3, 80, 16, 300*us)    // TREE_CONNECT
	for t := int64(0); t < dur; {
		gap := min(int64(expDraw(r)*float64(40*sec)), 95*sec)
		t += gap
		op(5, 120+r.IntN(160), 88+r.IntN(60), gap) // CREATE
		if r.IntN(3) > 0 {
			op(8, 49, lognorm(r, 12000, 1.4, 100, 900000), 300*us+r.Int64N(int64(2*ms))) // READ
		} else {
			op(16, 40, 100+r.IntN(600), 300*us+r.Int64N(int64(2*ms))) // QUERY_INFO
		}
		op(6, 24, 60, 200*us+r.Int64N(int64(ms))) // CLOSE
	}
	return &tcpPlan{msgs: msgs, close: closeNone}
}

// adLife drives a domain-joined Windows machine's talk with its domain
// controller: Kerberos service tickets, LDAP queries over TCP and
// connectionless LDAP pings over UDP.
type adLife struct {
	o    *office
	h    *host
	r    *rand.Rand
	next [3]int64
}

var adMean = [3]int64{11 * minute, 14 * minute, 22 * minute}

func (o *office) startAD(h *host) {
	g := o.g
	l := &adLife{o: o, h: h, r: g.child()}
	for i := range l.next {
		l.next[i] = g.start + int64(expDraw(l.r)*float64(adMean[i]))
	}
	g.spawn(l, min(l.next[0], l.next[1], l.next[2]))
}

func (l *adLife) step(g *gen) (int64, bool) {
	o, r, h := l.o, l.r, l.h
	k := due(l.next[:])
	switch k {
	case 0:
		// TGS-REQ and TGS-REP over TCP, each with a four-byte length.
		req := 1450 + r.IntN(400)
		resp := 1350 + r.IntN(350)
		plan := &tcpPlan{msgs: []message{
			{from: 0, delay: 150 * us, head: krbHead(req, 0x6c), bulk: req - 6, salt: r.Uint64()},
			{from: 1, delay: 500*us + r.Int64N(int64(3*ms)), head: krbHead(resp, 0x6d), bulk: resp - 6, salt: r.Uint64()},
		}, close: closeFIN0, closeDelay: 200*us + r.Int64N(int64(ms))}
		g.dial(o.ev, h, o.dc, 88, false, g.now, plan, "", "")
	case 1:
		// A SASL bind with a Kerberos ticket, a few searches, an unbind.
		msgs := []message{
			{from: 0, delay: 200 * us, head: []byte{0x30, 0x84}, bulk: 1600 + r.IntN(300), salt: r.Uint64()},
			{from: 1, delay: 1*ms + r.Int64N(int64(4*ms)), head: []byte{0x30, 0x84}, bulk: 180 + r.IntN(80), salt: r.Uint64()},
		}
		for range 1 + r.IntN(4) {
			msgs = append(msgs,
				message{from: 0, delay: 300*us + r.Int64N(int64(20*ms)), head: []byte{0x30, 0x84}, bulk: 90 + r.IntN(300), salt: r.Uint64()},
				message{from: 1, delay: 400*us + r.Int64N(int64(8*ms)), head: []byte{0x30, 0x84}, bulk: lognorm(r, 900, 1.0, 60, 20000), salt: r.Uint64()})
		}
		msgs = append(msgs, message{from: 0, delay: 200 * us, head: []byte{0x30, 0x84, 0, 0, 0, 5, 2, 1, 9, 0x42, 0}})
		g.dial(o.ev, h, o.dc, 389, false, g.now, &tcpPlan{msgs: msgs, close: closeFIN0, closeDelay: 100 * us}, "", "")
	case 2:
		// The DC locator's LDAP ping (a search for the Netlogon attribute).
		port := h.allocPort(g.now, r)
		f := g.newFlow(o.ev, protoUDP, g.net.peer(h, false, port), g.net.peer(o.dc, false, 389), "")
		f.ownPort = true
		req := append([]byte{0x30, 0x84, 0, 0, 0, 0}, noiseBytes(r, 180+r.IntN(60))...)
		resp := append([]byte{0x30, 0x84, 0, 0, 0, 0}, noiseBytes(r, 150+r.IntN(40))...)
		binary.BigEndian.PutUint32(req[2:], uint32(len(req)-6))
		binary.BigEndian.PutUint32(resp[2:], uint32(len(resp)-6))
		g.startDgrams(f, []dgram{{at: g.now, data: req}, {at: g.now + 300*us + r.Int64N(int64(2*ms)), side: 1, data: resp}})
	}
	l.next[k] = g.now + max(sec, int64(expDraw(r)*float64(adMean[k])))
	t := min(l.next[0], l.next[1], l.next[2])
	return t, t <= g.end
}

// krbHead is the record length and the ASN.1 application tag of a
// Kerberos message over TCP of n bytes in all.
func krbHead(n int, tag byte) []byte {
	b := make([]byte, 6)
	binary.BigEndian.PutUint32(b, uint32(n-4))
	b[4], b[5] = tag, 0x82
	return b
}

// syslogStream is a device forwarding its log to the collector over UDP
// for the whole capture: one flow, one-way (S0), a message every few
// seconds, never silent for a minute.
type syslogStream struct {
	f    *flow
	r    *rand.Rand
	name string
	app  []string
	mean float64
}

func (o *office) startSyslog(src, dst *host, sport uint16, mean int64, name string, apps []string) {
	g := o.g
	r := g.child()
	if sport == 0 {
		sport = src.allocPort(g.start, r)
	}
	f := g.newFlow(o.ev, protoUDP, g.net.peer(src, false, sport), g.net.peer(dst, false, 514), "syslog")
	s := &syslogStream{f: f, r: r, name: name, app: apps, mean: float64(mean)}
	g.spawn(s, g.start+r.Int64N(mean))
}

func (s *syslogStream) step(g *gen) (int64, bool) {
	r := s.r
	app := s.app[r.IntN(len(s.app))]
	msg := "<" + itoa(8*[]int{1, 3, 4, 10}[r.IntN(4)]+[]int{6, 5, 4, 3}[r.IntN(4)]) + ">" + httpDate(g.now)[5:25] + " " + s.name +
		" " + app + "[" + itoa(100+r.IntN(30000)) + "]: " + logLines[r.IntN(len(logLines))]
	pl := g.udpOut(s.f, 0, len(msg))
	copy(pl, msg)
	g.commit()
	next := g.now + min(int64(expDraw(r)*s.mean), 50*sec) + 10*ms
	if next > g.end {
		g.closeFlow(s.f)
		return 0, false
	}
	return next, true
}

var logLines = []string{
	"session opened for user root by (uid=0)", "session closed for user root",
	"Accepted publickey for deploy port 51234 ssh2: ED25519 SHA256:q2bk", "DHCPACK on lease renewal",
	"Started Daily apt download activities.", "pam_unix(cron:session): session opened for user www-data",
	"kernel: [UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.7 PROTO=TCP SPT=44321 DPT=23", "CRON[4242]: (root) CMD (run-parts /etc/cron.hourly)",
	"job completed: build #4411 (main) in 312s", "postfix/smtpd: connect from unknown[203.0.113.9]",
	"Toner level low (15%)", "Job 112 completed: 3 pages", "WAN link up, 500/100 Mbit/s", "NTP: clock synchronised",
}

// startTails replays the ends of connections workstation h opened in the
// two minutes before the capture started: the capture shows their last
// exchanges and teardown without a handshake (histories such as "DdAFf",
// "FfA" or a lone "R"), and now and then a download still under way.
func (o *office) startTails(h *host, r *rand.Rand) {
	g := o.g
	n := 0
	for x := expDraw(r); x < 3; x += expDraw(r) {
		n++ // Poisson with mean 3
	}
	for range n {
		kind := kindPage
		if r.IntN(2) == 0 {
			kind = kindAsset
		}
		s := o.pickSite(r, h, kind)
		if s == nil {
			continue
		}
		var ex []exchange
		for j := range 1 + r.IntN(6) {
			e := exchange{req: 90 + r.IntN(500), proc: 3*ms + r.Int64N(int64(60*ms)), resp: lognorm(r, 9000, 1.1, 300, 300000),
				think: 5*ms + r.Int64N(int64(300*ms))}
			if j > 0 && r.IntN(6) == 0 {
				e.think = 2*sec + r.Int64N(int64(25*sec))
			}
			ex = append(ex, e)
		}
		srv := tlsServer{tls12: s.tls12, pq: s.rng == "google" || s.rng == "cloudflare", alpn: true}
		if s.tls12 {
			srv.certs = certChain(s.name, g.tlsStart(), false)
		}
		// Idle browser connections end with FIN here (see "Untidy
		// traffic" in doc.go on lone resets).
		cl := closeFIN0
		if r.IntN(3) == 0 {
			cl = closeFIN1
		}
		plan := httpsPlan(r, h.client, s.name, srv, ex, cl, 4*sec+r.Int64N(int64(80*sec)))
		began := g.start - sec - r.Int64N(120*sec)
		g.dialBefore(o.ev, h, s.pool[r.IntN(len(s.pool))], 443, false, began, plan, "tls", s.name)
	}
	if r.IntN(6) > 0 {
		return
	}
	// A large download: a package over plain HTTP on Linux, a media or
	// installer file over TLS elsewhere.
	size := lognorm(r, 40<<20, 0.8, 4<<20, 400<<20)
	// It began a little before the capture: some fraction of the time the
	// transfer takes at the server's rate.
	began := func(srv *host) int64 {
		took := float64(size) * 8 / min(srv.bwUp, officeDown) * 1e9
		return g.start - 200*ms - int64(r.Float64()*0.8*took)
	}
	if h.os == osLinux {
		s := o.net.siteByName["archive.ubuntu.com"]
		began := began(s.srv)
		req := httpRequest("GET", "/ubuntu/pool/main/l/linux-firmware/linux-firmware_20240318.git3b128b60-0ubuntu2.5_amd64.deb", s.name,
			[]header{{"User-Agent", "Debian APT-HTTP/1.3 (2.7.14)"}}, nil)
		resp := httpResponse(200, began, s.server, []header{{"Content-Type", "application/vnd.debian.binary-package"}}, nil, size)
		plan := &tcpPlan{msgs: []message{{from: 0, delay: 200 * us, head: req},
			{from: 1, delay: 20*ms + r.Int64N(int64(40*ms)), head: resp, bulk: size, salt: r.Uint64()}},
			close: closeFIN0, closeDelay: 100*ms + r.Int64N(int64(5*sec))}
		g.dialBefore(o.ev, h, s.srv, 80, false, began, plan, "http", s.name)
		return
	}
	s := o.pickSite(r, h, kindMedia)
	srv := tlsServer{tls12: s.tls12, alpn: true}
	if s.tls12 {
		srv.certs = certChain(s.name, g.tlsStart(), false)
	}
	ex := []exchange{{think: 200 * us, req: 400, resp: size, proc: 20 * ms}}
	srvHost := s.pool[r.IntN(len(s.pool))]
	g.dialBefore(o.ev, h, srvHost, 443, false, began(srvHost),
		httpsPlan(r, h.client, s.name, srv, ex, pickClose(r), sec+r.Int64N(int64(30*sec))), "tls", s.name)
}
