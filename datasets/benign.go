package datasets

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
)

// office is the benign background: workstations and LAN servers doing what
// an office does on a weekday.
type office struct {
	g     *gen
	ev    int
	net   *network
	web   *host // LAN web server (intranet), also the flood victim
	dev   *host // LAN build box reached over SSH
	mon   *host // LAN mail security gateway: MX and TXT lookups
	files *host // LAN file server
	dc    *host // domain controller, when env.domain
	siem  *host // log collector
	// printer is a network printer: it announces itself, answers
	// discovery and has closed ports people try.
	printer *host
	ws      []*host
	domain  string
	env     environment
	dead    []*site    // destinations that resolve but never answer
	deadNTP *host      // a time server that no longer answers
	live    []liveSpec // services clients keep sessions open to
}

// newOffice creates the LAN hosts; installBenign starts their activity.
func newOffice(g *gen, hosts int) *office {
	n := g.net
	o := &office{g: g, net: n, ev: -1}
	o.domain = officeDomains[g.r.IntN(len(officeDomains))]
	o.web = n.addLocal("intranet", "server", osLinuxServer, 10)
	o.files = n.addLocal("files", "server", osWindowsServer, 11)
	o.dev = n.addLocal("build", "server", osLinuxServer, 12)
	o.mon = n.addLocal("mailgw", "server", osLinuxServer, 15)
	n.local6(o.web)
	for i := range hosts {
		var os *osProfile
		var cl *clientProfile
		x := g.r.IntN(100)
		switch {
		case x < 55:
			os = osWindows
			cl = chromeWin
			if g.r.IntN(5) < 2 {
				cl = edgeWin
			}
		case x < 85:
			os = osLinux
			cl = firefoxLinux
			if g.r.IntN(2) == 0 {
				cl = chromeLinux
			}
		default:
			os = osMac
			cl = safariMac
			if g.r.IntN(2) == 0 {
				cl = chromeMac
			}
		}
		h := n.addLocal(fmt.Sprintf("ws%02d", i+1), "workstation", os, 0)
		h.client = cl
		h.resolver = n.resolvers[0]
		if g.r.IntN(20) == 0 {
			h.resolver = n.resolvers[1]
		}
		if os != osWindows && g.r.IntN(10) < 6 || os == osWindows && g.r.IntN(10) < 3 {
			n.local6(h)
		}
		o.ws = append(o.ws, h)
	}
	for _, h := range []*host{o.web, o.files, o.dev, o.mon} {
		h.resolver = n.resolvers[0]
	}
	er := g.child()
	o.drawEnvironment(er)
	o.siem = n.addLocal("siem", "server", osLinuxServer, 16)
	o.printer = n.addLocal("printer", "printer", osEmbedded, 200+er.IntN(40))
	o.printer.mac = n.nextMAC([3]byte{0x3c, 0x2a, 0xf4}) // Brother
	if o.env.domain {
		o.dc = n.addLocal("dc01", "server", osWindowsServer, 5)
		o.dc.resolver = n.resolvers[0]
	}
	for _, sp := range deadSpecs {
		s := &site{siteSpec: sp, srv: n.remote(sp.name, "server", sp.rng)}
		s.pool = []*host{s.srv}
		n.siteByName[sp.name] = s
		o.dead = append(o.dead, s)
	}
	o.deadNTP = n.remote("ntp", "server", "doc3")
	o.live = liveSpecs
	for _, ls := range liveSpecs {
		s := &site{siteSpec: ls.siteSpec, srv: n.remote(ls.name, "server", ls.rng)}
		s.pool = []*host{s.srv}
		n.siteByName[ls.name] = s
	}
	if er.IntN(10) < 3 {
		// Someone runs a BitTorrent client (a Windows or Linux desktop).
		for _, i := range er.Perm(len(o.ws)) {
			if o.ws[i].os != osMac {
				o.env.p2p = o.ws[i]
				break
			}
		}
	}
	return o
}

var officeDomains = []string{"corp.example.com", "office.example.org", "hq.example.net", "lan.example.com"}

// Activities of a workstation and their mean intervals.
const (
	actBrowse = iota
	actApp
	actPlain
	actOCSP
	actNTP
	actPing
	actSSH
	actGit
	actNX
	actIntranet
	actTelemetry
	nActs
)

var actMean = [nActs]int64{
	actBrowse:    55 * sec,
	actApp:       9 * minute,
	actPlain:     7 * minute,
	actOCSP:      11 * minute,
	actNTP:       34 * minute,
	actPing:      45 * minute,
	actSSH:       50 * minute,
	actGit:       35 * minute,
	actNX:        25 * minute,
	actIntranet:  9 * minute,
	actTelemetry: 16 * minute,
}

// hostLife drives one workstation: independent Poisson processes, one per
// activity, so per-host rates stay those of a person at a desk.
type hostLife struct {
	o        *office
	h        *host
	r        *rand.Rand
	next     [nActs]int64
	pinged   map[netip.Addr]int64
	lastApt  int64
	lastNTP  int64
	sshUntil int64
	quicOK   map[string]int64 // when the browser may try QUIC to a site again
	quicFail map[string]int   // QUIC failures per site: the backoff doubles
	v4Only   map[string]int64 // until when IPv6 is not tried for a site
	pooled   map[string]int64 // until when the browser holds a connection to a site
}

func (o *office) install(ev int) {
	o.ev = ev
	g := o.g
	for _, h := range o.ws {
		l := &hostLife{o: o, h: h, r: g.child(), pinged: map[netip.Addr]int64{}, lastApt: -1 << 62, lastNTP: -1 << 62}
		for a := range nActs {
			l.next[a] = g.start + l.wait(a)/2
		}
		if h.os != osLinux {
			l.next[actSSH] = 1<<63 - 1
			l.next[actGit] = 1<<63 - 1
		}
		// Time sync happens soon after a machine wakes up.
		l.next[actNTP] = g.start + l.r.Int64N(12*minute)
		g.spawn(l, l.soonest())
	}
	m := &mailLife{o: o, r: g.child()}
	g.spawn(m, g.start+m.r.Int64N(2*minute))
	o.installUntidy()
}

// installUntidy starts the traffic that makes a real network untidy:
// discovery chatter, failures, long-lived and already-running sessions,
// directory services, syslog and, in some offices, a P2P client.
func (o *office) installUntidy() {
	g := o.g
	r := g.child()
	v6 := false
	for _, h := range o.ws {
		o.startChatter(h, h.os.name)
		o.startTrouble(h)
		o.startSessions(h, r)
		o.startTails(h, r)
		if h.os == osWindows && o.env.domain {
			o.startAD(h)
		}
		v6 = v6 || h.ip6.IsValid()
	}
	o.startChatter(o.printer, "printer")
	o.startChatter(o.net.gateway, "gateway")
	if v6 {
		g.spawn(&routerLife{o: o, r: g.child()}, g.start+r.Int64N(3*minute))
	}
	o.startSyslog(o.net.gateway, o.siem, 514, 20*sec, "gw", []string{"kernel", "dnsmasq", "wan"})
	o.startSyslog(o.dev, o.siem, 0, 9*sec, "build", []string{"sshd", "CRON", "systemd", "jenkins"})
	o.startSyslog(o.mon, o.siem, 0, 6*sec, "mailgw", []string{"postfix/smtpd", "postfix/qmgr", "amavis"})
	o.startSyslog(o.printer, o.siem, 0, 45*sec, "printer", []string{"spooler", "status"})
	if o.env.p2p != nil {
		o.startP2P(o.env.p2p)
	}
}

func (l *hostLife) wait(a int) int64 {
	return int64(expDraw(l.r) * float64(actMean[a]))
}

func (l *hostLife) soonest() int64 { return slices.Min(l.next[:]) }

func (l *hostLife) step(g *gen) (int64, bool) {
	a := due(l.next[:])
	l.run(a)
	l.next[a] = g.now + max(l.wait(a), sec)
	if a == actNTP {
		l.next[a] = g.now + 30*minute + l.r.Int64N(8*minute)
	}
	t := l.soonest()
	return t, t <= g.end
}

func (l *hostLife) run(a int) {
	switch a {
	case actBrowse:
		l.browse()
	case actApp:
		l.app()
	case actPlain:
		l.plain()
	case actOCSP:
		l.ocsp()
	case actNTP:
		l.ntp()
	case actPing:
		l.ping()
	case actSSH:
		l.ssh()
	case actGit:
		l.git()
	case actNX:
		l.nx()
	case actIntranet:
		l.intranet()
	case actTelemetry:
		l.telemetry()
	}
}

// pickSite draws a site of a kind, weighted by popularity, that this
// host's OS uses.
func (o *office) pickSite(r *rand.Rand, h *host, kind siteKind) *site {
	total := 0
	for _, s := range o.net.sites {
		if s.kind == kind && (s.os == "" || s.os == h.os.name) {
			total += max(s.weight, 1)
		}
	}
	if total == 0 {
		return nil
	}
	x := r.IntN(total)
	for _, s := range o.net.sites {
		if s.kind == kind && (s.os == "" || s.os == h.os.name) {
			x -= max(s.weight, 1)
			if x < 0 {
				return s
			}
		}
	}
	return nil
}

// resolve looks name up for h at t unless h has it cached, and returns
// when h knows the answer and whether it will connect over IPv6.
func (o *office) resolve(h *host, name string, t int64, r *rand.Rand) (int64, bool) {
	s := o.net.siteByName[name]
	v6 := s != nil && s.v6 && h.ip6.IsValid() && s.srv.ip6.IsValid()
	if h.dnsCache == nil {
		h.dnsCache = map[string]int64{}
	}
	if h.srvFor == nil {
		h.srvFor = map[string]*host{}
	}
	if exp, ok := h.dnsCache[name]; ok && exp > t {
		return t + 50*us, v6
	}
	ttl := uint32(300)
	var srv *host
	if s != nil {
		ttl = s.ttl
		// CDNs hand out one of several addresses.
		srv = s.pool[r.IntN(len(s.pool))]
		h.srvFor[name] = srv
	}
	h.dnsCache[name] = t + int64(ttl)*sec
	qs := []dnsQA{o.answer(name, dnsA, srv, r)}
	if h.ip6.IsValid() {
		qs = append(qs, o.answer(name, dnsAAAA, srv, r))
	}
	if r.IntN(70) == 0 {
		// The first query (or its answer) is lost; the client asks again.
		lost := qs
		if h.os == osWindows {
			lost = qs[:1]
		}
		t = o.lostQuery(h, lost, t, r)
	}
	var done int64
	if h.os == osWindows {
		// The Windows resolver sends each type from its own socket.
		for i, q := range qs {
			done = max(done, o.g.dnsFlow(o.ev, h, h.resolver, t+int64(i)*40*us, []dnsQA{q}, 0, r))
		}
	} else {
		done = o.g.dnsFlow(o.ev, h, h.resolver, t, qs, 1232, r)
	}
	return done + 100*us + r.Int64N(int64(400*us)), v6
}

// dnsQA is one question with the answer the resolver gives.
type dnsQA struct {
	name  string
	qtype uint16
	rcode int
	ans   []rr
	auth  []rr
	cold  bool // the resolver has to recurse
}

// server is the address h connects to for s: the one its last lookup
// returned.
func (o *office) server(h *host, s *site) *host {
	if srv := h.srvFor[s.name]; srv != nil {
		return srv
	}
	return s.srv
}

// answer is what a public resolver returns for the office's lookups; srv
// is the site's server it names.
func (o *office) answer(name string, qtype uint16, srv *host, r *rand.Rand) dnsQA {
	q := dnsQA{name: name, qtype: qtype, cold: r.IntN(4) == 0}
	s := o.net.siteByName[name]
	if s == nil {
		q.rcode = rcodeNXDomain
		q.auth = []rr{soaFor(zoneOf(name), 900)}
		return q
	}
	owner := name
	for _, c := range s.cnames {
		q.ans = append(q.ans, rr{name: owner, typ: dnsCNAME, ttl: 300 + uint32(r.IntN(3300)), target: c})
		owner = c
	}
	switch {
	case qtype == dnsA:
		q.ans = append(q.ans, rr{name: owner, typ: dnsA, ttl: s.ttl, addr: srv.ip4})
	case qtype == dnsAAAA && s.v6 && srv.ip6.IsValid():
		q.ans = append(q.ans, rr{name: owner, typ: dnsAAAA, ttl: s.ttl, addr: srv.ip6})
	default:
		q.auth = []rr{soaFor(zoneOf(owner), 60)}
	}
	return q
}

// dnsFlow sends qs from one socket of h to resolver res starting at t and
// returns when the last answer arrives.
func (g *gen) dnsFlow(ev int, h, res *host, t int64, qs []dnsQA, edns uint16, r *rand.Rand) int64 {
	port := h.allocPort(t, r)
	f := g.newFlow(ev, protoUDP, g.net.peer(h, false, port), g.net.peer(res, false, 53), "dns")
	f.ownPort = true
	f.name = qs[0].name
	var p []dgram
	var last int64
	for i, q := range qs {
		id := uint16(r.Uint32())
		at := t + int64(i)*(30*us+r.Int64N(int64(50*us)))
		p = append(p, dgram{at: at, side: 0, data: dnsQuery(id, q.name, q.qtype, edns)})
		proc := 300*us + r.Int64N(int64(2500*us))
		if q.cold {
			proc = 8*ms + r.Int64N(int64(70*ms))
		}
		rt := at + res.rtt + proc
		p = append(p, dgram{at: rt, side: 1, data: dnsAnswer(id, q.name, q.qtype, q.rcode, q.ans, q.auth, edns)})
		last = max(last, rt)
	}
	g.startDgrams(f, p)
	return last
}

func (l *hostLife) browse() {
	o, g, r, h := l.o, l.o.g, l.r, l.h
	s := o.pickSite(r, h, kindPage)
	t := g.now
	if r.IntN(10) == 0 {
		// A typed address starts on plain HTTP and is redirected.
		ready, _ := o.resolve(h, s.name, t, r)
		t = l.redirect(s, ready)
	}
	l.visit(s, t, true)
	for _, name := range s.subs {
		if sub := o.net.siteByName[name]; sub != nil {
			l.visit(sub, t+int64(r.IntN(int(300*ms))), false)
		}
	}
}

// redirect is a plain-HTTP request answered with 301 to HTTPS; it returns
// when the browser follows the redirect.
func (l *hostLife) redirect(s *site, t int64) int64 {
	r, h := l.r, l.h
	req := httpRequest("GET", "/", s.name, browserHeaders(h.client), nil)
	loc := "https://" + s.name + "/"
	resp := httpResponse(301, t, s.server, []header{{"Location", loc}, {"Content-Type", "text/html"},
		{"Connection", "keep-alive"}}, []byte("<html><head><title>301 Moved Permanently</title></head></html>\n"), 0)
	plan := &tcpPlan{msgs: []message{
		{from: 0, delay: 100 * us, head: req},
		{from: 1, delay: 2*ms + r.Int64N(int64(20*ms)), head: resp},
	}, close: closeFIN0, closeDelay: 2*sec + r.Int64N(int64(20*sec))}
	l.o.g.dial(l.o.ev, h, l.o.server(h, s), 80, false, t, plan, "http", s.name)
	return t + 2*s.srv.rtt + 30*ms + r.Int64N(int64(60*ms))
}

// visit opens the connections a browser uses for one site.
func (l *hostLife) visit(s *site, t int64, top bool) {
	o, r, h := l.o, l.r, l.h
	if t < l.pooled[s.name] {
		// The browser still holds an idle HTTP/2 connection to the site
		// and sends the requests over it.
		return
	}
	ready, v6 := o.resolve(h, s.name, t, r)
	if v6 && t < l.v4Only[s.name] {
		v6 = false
	}
	if v6 && o.env.v6Broken[s.name] {
		// Happy Eyeballs: the IPv6 SYN goes unanswered and IPv4, started
		// 250 ms later, wins; the browser sticks to IPv4 for a while.
		o.g.dial(o.ev, h, o.server(h, s), 443, true, ready, &tcpPlan{synOnly: true}, "", s.name)
		ready += 250*ms + r.Int64N(int64(30*ms))
		v6 = false
		if l.v4Only == nil {
			l.v4Only = map[string]int64{}
		}
		l.v4Only[s.name] = t + 10*minute
	}
	l.quicTry(s, ready, v6)
	conns := 1
	if top && r.IntN(4) == 0 {
		conns = 2
	}
	if l.pooled == nil {
		l.pooled = map[string]int64{}
	}
	for i := range conns {
		var ex []exchange
		busy := ready
		n := 1 + r.IntN(6)
		for j := range n {
			e := exchange{req: 90 + r.IntN(500), proc: 3*ms + r.Int64N(int64(60*ms))}
			switch {
			case j == 0:
				e.think = 200 * us
			case r.IntN(8) == 0:
				e.think = 2*sec + r.Int64N(int64(25*sec))
			default:
				e.think = 5*ms + r.Int64N(int64(300*ms))
			}
			switch s.kind {
			case kindPage:
				e.resp = lognorm(r, 24000, 0.9, 1500, 400000)
			case kindAsset:
				e.resp = lognorm(r, 7000, 1.1, 300, 300000)
			case kindMedia:
				e.resp = lognorm(r, 60000, 0.9, 4000, 1500000)
			default:
				e.resp = lognorm(r, 1500, 1.0, 100, 60000)
			}
			ex = append(ex, e)
			busy += e.think + e.proc + 2*s.srv.rtt
		}
		srv := tlsServer{tls12: s.tls12, pq: s.rng == "google" || s.rng == "cloudflare", alpn: true}
		if s.tls12 {
			srv.certs = certChain(s.name, o.g.tlsStart(), false)
		}
		idle := 4*sec + r.Int64N(int64(80*sec))
		l.pooled[s.name] = max(l.pooled[s.name], busy+idle)
		plan := httpsPlan(r, h.client, s.name, srv, ex, pickClose(r), idle)
		o.g.dial(o.ev, h, o.server(h, s), 443, v6, ready+int64(i)*(2*ms+r.Int64N(int64(8*ms))), plan, "tls", s.name)
	}
}

// app is a long-lived application connection (chat, mail) with irregular
// small exchanges.
func (l *hostLife) app() {
	o, g, r, h := l.o, l.o.g, l.r, l.h
	s := o.pickSite(r, h, kindAPI)
	if s == nil || s.tls12 && s.os != "" {
		return
	}
	ready, v6 := o.resolve(h, s.name, g.now, r)
	var ex []exchange
	n := 3 + r.IntN(12)
	for j := range n {
		e := exchange{req: 120 + r.IntN(900), resp: lognorm(r, 900, 1.0, 60, 40000), proc: 10*ms + r.Int64N(int64(90*ms))}
		if j > 0 {
			// capped below the flow meter's two-minute inactivity timeout
			e.think = min(int64(expDraw(r)*float64(25*sec)), 100*sec)
		}
		ex = append(ex, e)
	}
	srv := tlsServer{tls12: s.tls12, alpn: true}
	if s.tls12 {
		srv.certs = certChain(s.name, g.tlsStart(), false)
	}
	plan := httpsPlan(r, h.client, s.name, srv, ex, pickClose(r), 5*sec+r.Int64N(int64(40*sec)))
	g.dial(o.ev, h, o.server(h, s), 443, v6, ready, plan, "tls", s.name)
}

// telemetry is an OS service posting to its vendor over TLS 1.2.
func (l *hostLife) telemetry() {
	o, g, r, h := l.o, l.o.g, l.r, l.h
	var s *site
	for _, c := range o.net.sites {
		if c.kind == kindAPI && c.os == h.os.name && (s == nil || r.IntN(2) == 0) {
			s = c
		}
	}
	if s == nil {
		return
	}
	ready, _ := o.resolve(h, s.name, g.now, r)
	cl := h.client
	if h.os == osWindows {
		cl = &clientProfile{name: "schannel", ua: "", tls: tlsSchannel}
	} else if h.os == osLinux {
		cl = curlClient
	}
	srv := tlsServer{tls12: s.tls12, alpn: false}
	if s.tls12 || cl.tls == tlsSchannel {
		srv.certs = certChain(s.name, g.tlsStart(), false)
	}
	ex := []exchange{{think: 300 * us, req: lognorm(r, 3000, 0.8, 400, 30000), resp: 300 + r.IntN(900),
		proc: 20*ms + r.Int64N(int64(100*ms))}}
	plan := httpsPlan(r, cl, s.name, srv, ex, closeFIN0, 500*ms+r.Int64N(int64(3*sec)))
	g.dial(o.ev, h, o.server(h, s), 443, false, ready, plan, "tls", s.name)
}

// plain is the OS's own plain-HTTP traffic: captive-portal checks,
// certificate lists and package indexes.
func (l *hostLife) plain() {
	o, g, r, h := l.o, l.o.g, l.r, l.h
	var name string
	switch h.os {
	case osWindows:
		name = "www.msftconnecttest.com"
		if r.IntN(2) == 0 {
			name = "ctldl.windowsupdate.com"
		}
	case osLinux:
		name = "connectivity-check.ubuntu.com"
		switch {
		case g.now-l.lastApt > 40*minute && r.IntN(3) > 0:
			name = "archive.ubuntu.com"
			l.lastApt = g.now
		case r.IntN(2) == 0:
			name = "changelogs.ubuntu.com"
		}
	default:
		name = "captive.apple.com"
	}
	s := o.net.siteByName[name]
	ready, _ := o.resolve(h, name, g.now, r)
	var msgs []message
	cl := closeFIN0
	proc := func() int64 { return 5*ms + r.Int64N(int64(40*ms)) }
	switch name {
	case "www.msftconnecttest.com":
		msgs = []message{
			{from: 0, delay: 100 * us, head: httpRequest("GET", "/connecttest.txt", name,
				[]header{{"Connection", "Close"}, {"User-Agent", "Microsoft NCSI"}}, nil)},
			{from: 1, delay: proc(), head: httpResponse(200, ready, "", []header{{"Content-Type", "text/plain"},
				{"Cache-Control", "max-age=30, must-revalidate"}, {"Connection", "close"}}, []byte("Microsoft Connect Test"), 0)},
		}
		cl = closeFIN1
	case "ctldl.windowsupdate.com":
		for i := range 1 + r.IntN(2) {
			uri := fmt.Sprintf("/msdownload/update/v3/static/trustedr/en/%s.cab?%x", []string{"disallowedcertstl", "pinrulesstl", "authrootstl"}[i], r.Uint32())
			msgs = append(msgs, message{from: 0, delay: 200*us + int64(i)*r.Int64N(int64(200*ms)), head: httpRequest("GET", uri, name,
				[]header{{"Connection", "Keep-Alive"}, {"Accept", "*/*"}, {"If-Modified-Since", "Tue, 10 Feb 2026 18:31:04 GMT"},
					{"User-Agent", "Microsoft-CryptoAPI/10.0"}}, nil)})
			if r.IntN(3) == 0 {
				msgs = append(msgs, message{from: 1, delay: proc(), head: httpResponse(304, ready, s.server,
					[]header{{"Last-Modified", "Tue, 10 Feb 2026 18:31:04 GMT"}, {"ETag", `"0c1f5a1b89adc1:0"`}}, nil, 0)})
				continue
			}
			n := lognorm(r, 12000, 0.7, 3000, 90000)
			msgs = append(msgs, message{from: 1, delay: proc(), head: httpResponse(200, ready, s.server,
				[]header{{"Content-Type", "application/vnd.ms-cab-compressed"}, {"Last-Modified", "Mon, 23 Feb 2026 17:12:40 GMT"},
					{"Accept-Ranges", "bytes"}}, nil, n), bulk: n, salt: r.Uint64()})
		}
	case "connectivity-check.ubuntu.com":
		msgs = []message{
			{from: 0, delay: 100 * us, head: httpRequest("GET", "/", name, []header{{"Accept", "*/*"}, {"Connection", "close"}}, nil)},
			{from: 1, delay: proc(), head: httpResponse(204, ready, s.server, []header{{"Connection", "close"},
				{"X-NetworkManager-Status", "online"}}, nil, 0)},
		}
		cl = closeFIN1
	case "archive.ubuntu.com":
		msgs = l.apt(s, ready)
	case "changelogs.ubuntu.com":
		// update-manager asking whether a new release is out.
		body := lognorm(r, 5200, 0.1, 4000, 7000)
		msgs = []message{
			{from: 0, delay: 100 * us, head: httpRequest("GET", "/meta-release-lts", name, []header{{"Cache-Control", "no-cache"},
				{"Accept", "*/*"}, {"User-Agent", "Python-urllib/3.12"}, {"Connection", "close"}}, nil)},
			{from: 1, delay: proc(), head: httpResponse(200, ready, s.server, []header{{"Content-Type", "text/plain"},
				{"Last-Modified", "Thu, 12 Feb 2026 19:02:11 GMT"}, {"Connection", "close"}}, nil, body), bulk: body, salt: r.Uint64()},
		}
		cl = closeFIN1
	case "captive.apple.com":
		body := []byte("<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>")
		msgs = []message{
			{from: 0, delay: 100 * us, head: httpRequest("GET", "/hotspot-detect.html", name,
				[]header{{"Accept", "*/*"}, {"User-Agent", "CaptiveNetworkSupport-481.0.1 wispr"}, {"Connection", "close"}}, nil)},
			{from: 1, delay: proc(), head: httpResponse(200, ready, s.server, []header{{"Content-Type", "text/html"},
				{"Cache-Control", "max-age=300"}, {"Connection", "close"}}, body, 0)},
		}
		cl = closeFIN1
	}
	g.dial(o.ev, h, o.server(h, s), 80, false, ready, &tcpPlan{msgs: msgs, close: cl, closeDelay: 200*us + r.Int64N(int64(3*sec))}, "http", name)
}

// apt is an "apt update" with a few downloads: keep-alive, 304s, a 404 for
// a missing translation and binary packages.
func (l *hostLife) apt(s *site, t int64) []message {
	r := l.r
	hs := []header{{"Cache-Control", "max-age=0"}, {"User-Agent", "Debian APT-HTTP/1.3 (2.7.14)"}}
	var msgs []message
	add := func(uri string, status int, rh []header, n int) {
		msgs = append(msgs, message{from: 0, delay: 300*us + r.Int64N(int64(3*ms)), head: httpRequest("GET", uri, s.name, hs, nil)})
		var head []byte
		switch status {
		case 200:
			head = httpResponse(200, t, s.server, rh, nil, n)
		case 404:
			body := []byte("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n</body></html>\n")
			head = httpResponse(404, t, s.server, []header{{"Content-Type", "text/html; charset=iso-8859-1"}}, body, 0)
			n = 0
		default:
			head = httpResponse(status, t, s.server, rh, nil, 0)
			n = 0
		}
		msgs = append(msgs, message{from: 1, delay: 20*ms + r.Int64N(int64(60*ms)), head: head, bulk: n, salt: r.Uint64()})
	}
	lm := []header{{"Last-Modified", "Mon, 02 Mar 2026 06:11:52 GMT"}, {"ETag", `"3e9a1-62c0e5f1"`}}
	for _, d := range []string{"noble", "noble-updates", "noble-backports"} {
		if r.IntN(2) == 0 {
			add("/ubuntu/dists/"+d+"/InRelease", 304, lm, 0)
		} else {
			add("/ubuntu/dists/"+d+"/InRelease", 200, append(lm, header{"Content-Type", "text/plain"}), lognorm(r, 120000, 0.5, 30000, 300000))
		}
	}
	add("/ubuntu/dists/noble-updates/main/i18n/Translation-en_GB", 404, nil, 0)
	for range r.IntN(3) {
		pkg := []string{"libssl3t64", "openssl", "tzdata", "curl", "libcurl4t64", "python3.12", "firefox"}[r.IntN(7)]
		add(fmt.Sprintf("/ubuntu/pool/main/%c/%s/%s_%d.%d-%dubuntu%d_amd64.deb", pkg[0], pkg, pkg, 1+r.IntN(3), r.IntN(10), r.IntN(9), 1+r.IntN(4)),
			200, []header{{"Content-Type", "application/vnd.debian.binary-package"}}, lognorm(r, 400000, 1.0, 20000, 3000000))
	}
	return msgs
}

func (l *hostLife) ocsp() {
	o, g, r, h := l.o, l.o.g, l.r, l.h
	name := "ocsp.digicert.com"
	s := o.net.siteByName[name]
	ready, _ := o.resolve(h, name, g.now, r)
	ua := "Microsoft-CryptoAPI/10.0"
	if h.os != osWindows {
		ua = h.client.ua
	}
	var msgs []message
	for i := range 1 + r.IntN(2) {
		req, resp := ocspExchange(r, ready)
		msgs = append(msgs,
			message{from: 0, delay: 200*us + int64(i)*r.Int64N(int64(400*ms)), head: httpRequest("POST", "/", name,
				[]header{{"User-Agent", ua}, {"Accept", "*/*"}, {"Content-Type", "application/ocsp-request"},
					{"Content-Length", itoa(len(req))}, {"Connection", "keep-alive"}}, req)},
			message{from: 1, delay: 5*ms + r.Int64N(int64(25*ms)), head: httpResponse(200, ready, s.server,
				[]header{{"Content-Type", "application/ocsp-response"}, {"Cache-Control", "max-age=153457"}}, resp, 0)},
		)
	}
	g.dial(o.ev, h, o.server(h, s), 80, false, ready, &tcpPlan{msgs: msgs, close: closeFIN0, closeDelay: 3*sec + r.Int64N(int64(10*sec))}, "http", name)
}

func (l *hostLife) intranet() {
	o, g, r, h := l.o, l.o.g, l.r, l.h
	name := "intranet." + o.domain
	t := g.now
	v6 := h.ip6.IsValid() && r.IntN(2) == 0
	if h.os == osLinux && r.IntN(3) == 0 {
		// A developer polling the build server's API with curl: chunked
		// JSON.
		name := "build." + o.domain
		var msgs []message
		for i := range 1 + r.IntN(3) {
			msgs = append(msgs,
				message{from: 0, delay: 200*us + int64(i)*(2*sec+r.Int64N(int64(20*sec))), head: httpRequest("GET",
					"/api/v1/status?verbose=1", name, []header{{"User-Agent", curlClient.ua}, {"Accept", "*/*"}}, nil)},
				message{from: 1, delay: 3*ms + r.Int64N(int64(30*ms)), head: chunkedResponse(t, "nginx/1.24.0 (Ubuntu)",
					"application/json", jsonDoc(r, lognorm(r, 3000, 0.8, 200, 40000)), r)})
		}
		g.dial(o.ev, h, o.dev, 80, false, t, &tcpPlan{msgs: msgs, close: closeFIN0, closeDelay: 500 * us}, "http", name)
		return
	}
	if r.IntN(3) == 0 {
		// The legacy reporting app on the file server's IIS: chunked
		// pages, then a 404 for the favicon.
		name := "reports." + o.domain
		var msgs []message
		for i := range 1 + r.IntN(3) {
			page := htmlPage(r, "Reports", lognorm(r, 9000, 0.7, 1500, 60000))
			msgs = append(msgs,
				message{from: 0, delay: 300*us + int64(i)*(1*sec+r.Int64N(int64(20*sec))), head: httpRequest("GET",
					fmt.Sprintf("/reports/%s?week=%d", words[r.IntN(len(words))], 1+r.IntN(52)), name, browserHeaders(h.client), nil)},
				message{from: 1, delay: 10*ms + r.Int64N(int64(150*ms)), head: chunkedResponse(t, "Microsoft-IIS/10.0",
					"text/html; charset=UTF-8", page, r)},
			)
		}
		msgs = append(msgs,
			message{from: 0, delay: 30*ms + r.Int64N(int64(100*ms)), head: httpRequest("GET", "/favicon.ico", name,
				[]header{{"Connection", "keep-alive"}, {"User-Agent", h.client.ua}, {"Accept", "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"}}, nil)},
			message{from: 1, delay: 500*us + r.Int64N(int64(3*ms)), head: httpResponse(404, t, "Microsoft-IIS/10.0",
				[]header{{"Content-Type", "text/html"}}, []byte("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\">\n<html><head><title>404 - File or directory not found.</title></head>\n<body><h2>404 - File or directory not found.</h2></body></html>\n"), 0)},
		)
		g.dial(o.ev, h, o.files, 80, false, t, &tcpPlan{msgs: msgs, close: pickClose(r), closeDelay: 2*sec + r.Int64N(int64(30*sec))}, "http", name)
		return
	}
	if r.IntN(4) == 0 {
		req := httpRequest("GET", "/", name, browserHeaders(h.client), nil)
		resp := httpResponse(301, t, "Apache/2.4.58 (Ubuntu)", []header{{"Location", "https://" + name + "/"},
			{"Content-Type", "text/html; charset=iso-8859-1"}}, []byte("<html><body>Moved</body></html>\n"), 0)
		g.dial(o.ev, h, o.web, 80, v6, t, &tcpPlan{msgs: []message{{from: 0, delay: 100 * us, head: req},
			{from: 1, delay: 300 * us, head: resp}}, close: closeFIN0, closeDelay: 20 * ms}, "http", name)
		t += 5 * ms
	}
	var ex []exchange
	for j := range 2 + r.IntN(8) {
		e := exchange{req: 200 + r.IntN(500), resp: lognorm(r, 15000, 1.0, 500, 500000), proc: 2*ms + r.Int64N(int64(40*ms))}
		if j > 0 {
			e.think = 10*ms + r.Int64N(int64(800*ms))
			if r.IntN(5) == 0 {
				e.think = 5*sec + r.Int64N(int64(40*sec))
			}
		}
		ex = append(ex, e)
	}
	srv := tlsServer{tls12: true, alpn: true, certs: certChain(name, g.tlsStart(), false)}
	plan := httpsPlan(r, h.client, name, srv, ex, pickClose(r), 3*sec+r.Int64N(int64(60*sec)))
	g.dial(o.ev, h, o.web, 443, v6, t, plan, "tls", name)
}

func (l *hostLife) ntp() {
	o, g, r, h := l.o, l.o.g, l.r, l.h
	var s *site
	for _, c := range o.net.sites {
		if c.kind == kindNTP && c.os == h.os.name {
			s = c
		}
	}
	if s == nil {
		return
	}
	ready, _ := o.resolve(h, s.name, g.now, r)
	sport := uint16(123) // Windows Time speaks from port 123
	own := false
	if h.os != osWindows {
		sport = h.allocPort(ready, r)
		own = true
	} else if g.now-l.lastNTP < portReuseGap {
		return
	}
	l.lastNTP = g.now
	if own && r.IntN(6) == 0 {
		// The first pool server picked does not answer; the client moves on.
		f := g.newFlow(o.ev, protoUDP, g.net.peer(h, false, sport), g.net.peer(o.deadNTP, false, 123), "ntp")
		f.ownPort = true
		g.startDgrams(f, []dgram{{at: ready, data: ntpPacket(3, ready, 0, 0)}})
		ready += sec + r.Int64N(int64(4*sec))
		sport = h.allocPort(ready, r)
	}
	f := g.newFlow(o.ev, protoUDP, g.net.peer(h, false, sport), g.net.peer(s.srv, false, 123), "ntp")
	f.ownPort = own
	f.name = s.name
	req := ntpPacket(3, ready, 0, 0)
	at := ready + s.srv.rtt + 20*us + r.Int64N(int64(200*us))
	resp := ntpPacket(4, at-s.srv.rtt/2, ready, r.Uint32())
	g.startDgrams(f, []dgram{{at: ready, side: 0, data: req}, {at: at, side: 1, data: resp}})
}

func (l *hostLife) ping() {
	o, g, r, h := l.o, l.o.g, l.r, l.h
	var target *host
	v6 := false
	t := g.now
	switch r.IntN(4) {
	case 0:
		target = o.net.gateway
	case 1:
		target = o.net.resolvers[r.IntN(len(o.net.resolvers))]
	default:
		s := o.pickSite(r, h, kindPage)
		t, v6 = o.resolve(h, s.name, g.now, r)
		target = o.server(h, s)
	}
	a := target.ip4
	if v6 {
		a = target.ip6
	}
	if last, ok := l.pinged[a]; ok && g.now-last < portReuseGap {
		return
	}
	l.pinged[a] = g.now
	if !v6 && target != o.net.gateway && r.IntN(5) == 0 {
		// Many servers drop echo requests.
		g.silentPing(o.ev, h, target, t+2*ms, 4, r)
		return
	}
	g.pingFlow(o.ev, h, target, v6, t+2*ms, 4, sec, r)
}

// pingFlow is "ping -c n": echo requests every interval and their replies.
func (g *gen) pingFlow(ev int, h, target *host, v6 bool, t int64, n int, interval int64, r *rand.Rand) {
	f := g.newFlow(ev, protoICMP, g.net.peer(h, v6, 0), g.net.peer(target, v6, 0), "icmp")
	req, rep := uint8(8), uint8(0)
	if v6 {
		f.proto, f.z.proto = protoICMPv6, protoICMPv6
		req, rep = 128, 129
	}
	f.icmp = [2]uint16{uint16(req), uint16(rep)}
	id := uint16(r.Uint32())
	if h.os == osWindows {
		id = 1
	}
	var p []dgram
	rtt := target.rtt
	if target.local && h.local {
		rtt = 300 * us
	}
	for i := range n {
		h.pingSeq++
		seq := uint16(i + 1)
		if h.os == osWindows {
			seq = h.pingSeq
		}
		at := t + int64(i)*interval + r.Int64N(int64(300*us))
		data := pingPayload(h.os, at)
		rest := uint32(id)<<16 | uint32(seq)
		p = append(p, dgram{at: at, side: 0, typ: req, rest: rest, data: data},
			dgram{at: at + rtt + r.Int64N(int64(rtt/10+1)), side: 1, typ: rep, rest: rest, data: data})
	}
	g.startDgrams(f, p)
}

// pingPayload is what each OS's ping puts in an echo request.
func pingPayload(os *osProfile, t int64) []byte {
	if os == osWindows {
		return []byte("abcdefghijklmnopqrstuvwabcdefghi")
	}
	b := make([]byte, 56)
	sec := uint64(t / 1e9)
	usec := uint64(t%1e9) / 1000
	for i := range 8 {
		b[i] = byte(sec >> (8 * i))
	}
	for i := range 8 {
		b[8+i] = byte(usec >> (8 * i))
	}
	for i := 16; i < 56; i++ {
		b[i] = byte(i)
	}
	return b
}

func (l *hostLife) nx() {
	o, g, r, h := l.o, l.o.g, l.r, l.h
	names := []string{"wpad." + o.domain, "printer01." + o.domain, "isatap." + o.domain}
	if h.os != osWindows {
		names = []string{"intranet-old." + o.domain, "_ldap._tcp." + o.domain}
	}
	name := names[r.IntN(len(names))]
	q := o.answer(name, dnsA, nil, r)
	g.dnsFlow(o.ev, h, h.resolver, g.now, []dnsQA{q}, 0, r)
}

func (l *hostLife) ssh() {
	o, g, r, h := l.o, l.o.g, l.r, l.h
	if g.now < l.sshUntil {
		return
	}
	dur := 2*minute + r.Int64N(10*minute)
	l.sshUntil = g.now + dur
	plan := sshSession(r, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10", "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10", dur)
	g.dial(o.ev, h, o.dev, 22, false, g.now, plan, "ssh", "")
	if r.IntN(3) == 0 {
		// scp of a build artefact.
		up := r.IntN(2) == 0
		g.dial(o.ev, h, o.dev, 22, false, g.now+dur/2, sshCopy(r, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10",
			"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10", lognorm(r, 800000, 1.0, 50000, 6000000), up), "ssh", "")
	}
}

func (l *hostLife) git() {
	o, g, r, h := l.o, l.o.g, l.r, l.h
	s := o.net.siteByName["github.com"]
	ready, _ := o.resolve(h, s.name, g.now, r)
	plan := sshCopy(r, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10", "SSH-2.0-babeld-5a1e4b43",
		lognorm(r, 60000, 1.2, 3000, 2000000), false)
	g.dial(o.ev, h, o.server(h, s), 22, false, ready, plan, "ssh", "")
}

// mailLife is the mail security gateway: MX, TXT and A lookups for the
// domains of messages it checks.
type mailLife struct {
	o *office
	r *rand.Rand
}

var mailDomains = []struct {
	domain string
	mx     []string
	spf    string
}{
	{"gmail.com", []string{"gmail-smtp-in.l.google.com", "alt1.gmail-smtp-in.l.google.com", "alt2.gmail-smtp-in.l.google.com"},
		"v=spf1 redirect=_spf.google.com"},
	{"outlook.com", []string{"outlook-com.olc.protection.outlook.com"}, "v=spf1 include:spf2.outlook.com -all"},
	{"yahoo.com", []string{"mta5.am0.yahoodns.net", "mta6.am0.yahoodns.net", "mta7.am0.yahoodns.net"},
		"v=spf1 redirect=_spf.mail.yahoo.com"},
	{"example.org", []string{"mail.example.org"}, "v=spf1 mx -all"},
	{"fastmail.com", []string{"in1-smtp.messagingengine.com", "in2-smtp.messagingengine.com"},
		"v=spf1 include:spf.messagingengine.com ?all"},
}

func (m *mailLife) step(g *gen) (int64, bool) {
	o, r := m.o, m.r
	d := mailDomains[r.IntN(len(mailDomains))]
	h := o.mon
	t := g.now
	// An incoming message: its sender's SPF record and DMARC policy; an
	// outgoing one: the recipient's MX.
	if r.IntN(3) > 0 {
		ans := []rr{{name: d.domain, typ: dnsTXT, ttl: 300, txt: []string{d.spf}},
			{name: d.domain, typ: dnsTXT, ttl: 300, txt: []string{"google-site-verification=4ibFUgB-wXLQ_S7vsXVomSTVamuOXBiVAzpR5IZ87D0"}}}
		t = g.dnsFlow(o.ev, h, h.resolver, t, []dnsQA{{name: d.domain, qtype: dnsTXT, ans: ans}}, 1232, r) + 200*us
		name := "_dmarc." + d.domain
		q := dnsQA{name: name, qtype: dnsTXT, ans: []rr{{name: name, typ: dnsTXT, ttl: 600,
			txt: []string{"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@" + d.domain}}}}
		if r.IntN(5) == 0 {
			q = dnsQA{name: name, qtype: dnsTXT, rcode: rcodeNXDomain, auth: []rr{soaFor(d.domain, 900)}}
		}
		g.dnsFlow(o.ev, h, h.resolver, t, []dnsQA{q}, 1232, r)
	} else {
		var ans []rr
		for i, mx := range d.mx {
			ans = append(ans, rr{name: d.domain, typ: dnsMX, ttl: 300 + uint32(r.IntN(3300)), pref: uint16(5 + 5*i), target: mx})
		}
		g.dnsFlow(o.ev, h, h.resolver, t, []dnsQA{{name: d.domain, qtype: dnsMX, ans: ans}}, 1232, r)
	}
	next := g.now + int64(expDraw(r)*float64(90*sec))
	return next, next <= g.end
}
